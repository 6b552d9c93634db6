"""Writes of the moments app: compose, schedule, dispatch, retry, like/comment, fetch timelines.

Posting to N accounts: confirming a post writes one Moment row per account (status
"scheduled", `due_at` = the post time plus i x MOMENTS_SPREAD_SECONDS, so many accounts do not
all post the same thing in the same second). `dispatch_due` claims due rows with a conditional
UPDATE (scheduled -> queued) and writes each one's outbox entry with the idempotency key
"moment-post:<pk>": two workers, two beats or a task delivered twice cannot post it twice.
The outbox then applies each account's rate limit and order.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from provider import outbox
from provider.callbacks.urls import callback_url
from provider.models import OutboxEntry

from .models import Moment, MomentFetch, MomentInteraction, MomentMedia, MomentPost

logger = logging.getLogger("moments")

DISPATCH_BATCH = 200


def spread_seconds():
    return float(getattr(settings, "MOMENTS_SPREAD_SECONDS", 15))


# --- Compose ---------------------------------------------------------------------------------


@transaction.atomic
def save_post(*, operator, data, post=None):
    """Create a draft (post=None) or change a draft or scheduled post from ComposeForm.cleaned_data.

    Precondition: the operator may act on every account in data["accounts"] (and on the post's).
    New uploads of a role replace the post's earlier media of that role.
    """
    fields = {
        "kind": data["kind"],
        "text": data["text"],
        "link_url": data.get("link_url") or "",
        "link_title": data.get("link_title") or "",
        "image_urls": data.get("image_urls") or [],
        "video_url": data.get("video_url") or "",
        "thumb_url": data.get("thumb_url") or "",
        "scheduled_at": data.get("scheduled_at"),
    }
    if post is None:
        post = MomentPost.objects.create(created_by=operator, **fields)
    else:
        post = MomentPost.objects.select_for_update().get(pk=post.pk)
        if not post.is_editable:
            raise ValueError("only drafts and scheduled posts can be changed")
        for name, value in fields.items():
            setattr(post, name, value)
        post.save(update_fields=[*fields, "updated_at"])
    post.accounts.set(data["accounts"])
    uploads = {
        MomentMedia.Role.IMAGE: data.get("images") or [],
        MomentMedia.Role.VIDEO: [data["video"]] if data.get("video") else [],
        MomentMedia.Role.THUMB: [data["thumbnail"]] if data.get("thumbnail") else [],
    }
    for role, files in uploads.items():
        if files:
            post.media.filter(role=role).delete()
        for position, upload in enumerate(files):
            MomentMedia.objects.create(
                post=post,
                role=role,
                position=position,
                file=upload,
                name=upload.name,
                mime_type=getattr(upload, "sniffed_type", "") or upload.content_type or "application/octet-stream",
                size=upload.size,
            )
    if post.state == MomentPost.State.SCHEDULED:
        _plan(post, operator=operator)
    return post


def _plan(post, *, operator):
    """(Re)write the per-account rows of a post that is not dispatched yet, due from its post time on."""
    post.moments.filter(status=Moment.Status.SCHEDULED).delete()
    start = max(post.scheduled_at or timezone.now(), timezone.now())
    spread = spread_seconds()
    accounts = list(post.accounts.order_by("pk"))
    Moment.objects.bulk_create(
        Moment(
            account=account,
            post=post,
            author=account.my_account or "",
            author_name=account.nickname,
            author_avatar_url=account.avatar_url,
            text=post.text,
            status=Moment.Status.SCHEDULED,
            operator=operator,
            due_at=start + timedelta(seconds=i * spread),
            posted_at=start + timedelta(seconds=i * spread),
        )
        for i, account in enumerate(accounts)
    )
    now = timezone.now()
    due = sorted({m.due_at for m in post.moments.filter(status=Moment.Status.SCHEDULED)})
    later = [when for when in due if when > now]
    post_id = post.pk
    if len(later) < len(due):
        transaction.on_commit(lambda: dispatch_due(post_id=post_id))
    if later:
        transaction.on_commit(lambda: _wake_at(later))


@transaction.atomic
def confirm_post(*, post, operator):
    """Post now, or at its scheduled time. Precondition: a draft the operator may act on for every account.

    Returns the post; confirming twice is one action.
    """
    post = MomentPost.objects.select_for_update().get(pk=post.pk)
    if post.state != MomentPost.State.DRAFT:
        return post
    later = post.scheduled_at is not None and post.scheduled_at > timezone.now()
    post.state = MomentPost.State.SCHEDULED if later else MomentPost.State.POSTING
    post.save(update_fields=["state", "updated_at"])
    _plan(post, operator=operator)
    return post


@transaction.atomic
def cancel_post(*, post):
    """Cancel what has not been posted yet (a draft, a scheduled post, the accounts still waiting their turn).

    Returns how many accounts were cancelled.
    """
    post = MomentPost.objects.select_for_update().get(pk=post.pk)
    cancelled = post.moments.filter(status=Moment.Status.SCHEDULED).update(status=Moment.Status.CANCELLED)
    if post.state in (MomentPost.State.DRAFT, MomentPost.State.SCHEDULED):
        post.state = MomentPost.State.CANCELLED
        post.save(update_fields=["state", "updated_at"])
    return cancelled


def _wake_at(times):
    """ETA tasks for the first due times (beat also claims them every few seconds, so none is lost)."""
    from .tasks import dispatch_due_moments

    now = timezone.now()
    for when in times[:20]:
        try:
            dispatch_due_moments.apply_async(eta=max(when, now), retry_policy={"max_retries": 1})
        except Exception:
            logger.warning("moments: could not schedule a dispatch at %s; beat will claim it", when, exc_info=True)


# --- Dispatch --------------------------------------------------------------------------------


def dispatch_due(*, now=None, post_id=None):
    """Claim the rows whose time has come and hand each to the outbox. Returns how many were claimed."""
    now = now or timezone.now()
    rows = Moment.objects.filter(status=Moment.Status.SCHEDULED, due_at__lte=now, post__isnull=False)
    if post_id is not None:
        rows = rows.filter(post_id=post_id)
    claimed = 0
    for pk, post_pk in rows.order_by("due_at", "pk").values_list("pk", "post_id")[:DISPATCH_BATCH]:
        if _dispatch_one(pk, post_pk, now):
            claimed += 1
    return claimed


@transaction.atomic
def _dispatch_one(pk, post_pk, now):
    # The post's lock orders this against an edit or a cancel of the same post.
    post = MomentPost.objects.select_for_update().filter(pk=post_pk).first()
    if post is None:
        return False
    if not Moment.objects.filter(pk=pk, status=Moment.Status.SCHEDULED, due_at__lte=now).update(
        status=Moment.Status.QUEUED
    ):
        return False  # somebody else claimed it, or it was cancelled
    moment = Moment.objects.select_related("account").get(pk=pk)
    text, media_type, media_urls = post.release()
    moment.text = text
    moment.media_type = media_type
    moment.media_urls = media_urls
    moment.posted_at = now
    moment.save(update_fields=["text", "media_type", "media_urls", "posted_at"])
    _enqueue_release(moment, key=f"moment-post:{moment.pk}")
    if post.state == MomentPost.State.SCHEDULED:
        post.state = MomentPost.State.POSTING
        post.save(update_fields=["state", "updated_at"])
    return True


def _enqueue_release(moment, *, key, operator=None):
    account = moment.account
    entry = outbox.enqueue(
        method="post_moment",
        params={
            "my_account": account.my_account,
            "text": moment.text,
            "media_type": moment.media_type,
            "media_urls": list(moment.media_urls),
            "callback_url": callback_url("moment-posted", moment=moment.pk, my_account=account.my_account),
        },
        account=account,
        operator=operator or moment.operator,
        subject=outbox.subject_for(moment),
        idempotency_key=key,
    )
    moment.outbox = entry
    moment.save(update_fields=["outbox"])
    return entry


@transaction.atomic
def retry_moment(*, moment, operator):
    """Post a failed row again. Precondition: the operator may act on its account; a row not failed is left alone."""
    moment = Moment.objects.select_for_update(of=("self",)).select_related("account", "outbox").get(pk=moment.pk)
    if moment.status != Moment.Status.FAILED or moment.post_id is None:
        return moment
    moment.status = Moment.Status.QUEUED
    moment.error = ""
    moment.tries += 1
    moment.posted_at = timezone.now()
    moment.save(update_fields=["status", "error", "tries", "posted_at"])
    if moment.outbox is not None and moment.outbox.status == OutboxEntry.Status.FAILED:
        outbox.retry(moment.outbox, operator=operator)  # the call itself failed: send the same entry again
    else:
        # The provider took the call and reported a failure later (the result callback): a new call.
        _enqueue_release(moment, key=f"moment-post:{moment.pk}:{moment.tries}", operator=operator)
    return moment


def record_release_result(entry):
    """Outbox result handler (moments.Moment): the provider's answer to release.

    An accepted call is "submitted" until the result callback says posted or failed; the callback
    may come first, so only a row still queued is changed here.
    """
    pk = int(entry.subject.split(":", 1)[1])
    if entry.status == OutboxEntry.Status.SENT:
        Moment.objects.filter(pk=pk, status=Moment.Status.QUEUED).update(status=Moment.Status.SENT)
    else:
        Moment.objects.filter(pk=pk, status__in=[Moment.Status.QUEUED, Moment.Status.SENT]).update(
            status=Moment.Status.FAILED, error=entry.last_error or "the provider refused the post"
        )


# --- Like and comment ------------------------------------------------------------------------


@transaction.atomic
def interact(*, moment, kind, operator, content=""):
    """Like (once) or comment on a post through FriendCircle/point (content "" for a like, E-31).

    Precondition: the operator may act on the moment's account and the post has a statusId.
    """
    moment = Moment.objects.select_for_update().select_related("account").get(pk=moment.pk)
    if not moment.status_id:
        raise ValueError("the post has no id yet")
    if kind == MomentInteraction.Kind.LIKE:
        existing = moment.interactions.filter(kind=kind).exclude(status=MomentInteraction.Status.FAILED).first()
        if existing is not None:
            return existing
        failed = moment.interactions.filter(kind=kind, status=MomentInteraction.Status.FAILED).select_related("outbox")
        failed = failed.first()
        if failed is not None and failed.outbox is not None:
            failed.status, failed.error, failed.operator = MomentInteraction.Status.QUEUED, "", operator
            failed.save(update_fields=["status", "error", "operator"])
            outbox.retry(failed.outbox, operator=operator)
            return failed
        content = ""
    interaction = MomentInteraction.objects.create(moment=moment, kind=kind, content=content, operator=operator)
    interaction.outbox = outbox.enqueue(
        method="moment_action",
        params={
            "my_account": moment.account.my_account,
            "circle_id": moment.status_id,
            "point_type": 1 if kind == MomentInteraction.Kind.LIKE else 2,
            "content": content,
        },
        account=moment.account,
        operator=operator,
        subject=outbox.subject_for(interaction),
    )
    interaction.save(update_fields=["outbox"])
    return interaction


def record_point_result(entry):
    """Outbox result handler (moments.MomentInteraction): point is answered synchronously."""
    pk = int(entry.subject.split(":", 1)[1])
    if entry.status == OutboxEntry.Status.SENT:
        MomentInteraction.objects.filter(pk=pk).update(status=MomentInteraction.Status.SENT, error="")
    else:
        MomentInteraction.objects.filter(pk=pk).update(
            status=MomentInteraction.Status.FAILED, error=entry.last_error or "the provider refused"
        )


# --- Reading ---------------------------------------------------------------------------------


def next_page(*, account, to_account=""):
    """The `load` page after the last one received since the latest refresh of this timeline or album."""
    fetches = MomentFetch.objects.filter(account=account, to_account=to_account, status_id="")
    latest_refresh = fetches.filter(load=1).order_by("-requested_at", "-pk").first()
    if latest_refresh is None:
        return 1
    received = fetches.filter(requested_at__gte=latest_refresh.requested_at, received_at__isnull=False, count__gt=0)
    return max([f.load for f in received] or [0]) + 1


@transaction.atomic
def fetch_moments(*, account, operator, load=1, to_account="", status_id=""):
    """Ask for a page of the timeline, of a friend's album (to_account), or one post (status_id).

    Precondition: the operator may act on the account. The C16 answer is matched by `req`.
    """
    fetch = MomentFetch.objects.create(
        account=account, to_account=to_account, status_id=status_id, load=max(int(load), 1), requested_by=operator
    )
    req = str(fetch.req)
    fetch.outbox = outbox.enqueue(
        method="get_moments",
        params={
            "my_account": account.my_account,
            "callback_url": callback_url("moments", req=req, my_account=account.my_account),
            "load": fetch.load,
            "status_id": status_id or None,
            "to_account": to_account or None,
            "extend": req,
        },
        account=account,
        operator=operator,
        subject=outbox.subject_for(fetch),
    )
    fetch.save(update_fields=["outbox"])
    return fetch


def record_fetch_result(entry):
    """Outbox result handler (moments.MomentFetch): a refused getList will never be answered."""
    if entry.status == OutboxEntry.Status.FAILED:
        pk = int(entry.subject.split(":", 1)[1])
        MomentFetch.objects.filter(pk=pk, received_at__isnull=True).update(
            received_at=timezone.now(), error=entry.last_error or "the provider refused"
        )

"""Handlers for Moments callbacks (C16, and the release result of C18)."""

import uuid

from django.db import transaction
from django.utils import timezone

from accounts.events import account_for
from moments.models import Moment, MomentFetch
from provider.callbacks.events import DUPLICATE, PROCESSED

UPDATABLE = ("author", "author_name", "author_avatar_url", "text", "media_type", "media_urls", "raw")


def _values(post):
    return {
        "author": post.author[:128],
        "author_name": post.author_name[:255],
        "author_avatar_url": post.author_avatar_url[:1000],
        "text": post.text,
        "media_type": post.media_type if post.media_type in (1, 2, 3) else 2,
        "media_urls": list(post.media_urls),
    }


def _as_text(value):
    if isinstance(value, dict):
        return {str(k): _as_text(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_as_text(v) for v in value]
    return "" if value is None else str(value)


def _social(raw):
    """Likes and comments as delivered (beyond the seed), compared whatever the encoding's scalar types."""
    raw = raw if isinstance(raw, dict) else {}
    return _as_text([raw.get("likes") or [], raw.get("comments") or []])


def _record_fetch(event, account, count):
    """The getList request this answers (named by `req` in the callback URL, or `extend`): received."""
    try:
        ref = uuid.UUID(str(event.query.get("req") or event.extend))
    except ValueError:
        return  # not one of ours (or no reference at all)
    fetch = MomentFetch.objects.filter(account=account, req=ref).first()
    if fetch is not None and fetch.received_at is None:
        fetch.received_at = timezone.now()
        fetch.count = count
        fetch.error = "" if event.ok else (event.msg or "the provider refused")
        fetch.save(update_fields=["received_at", "count", "error"])


@transaction.atomic
def handle_moments(event):
    """C16: posts upserted by statusId; a post seen again is updated, never duplicated."""
    account = account_for(event.my_account)
    posts = {post.status_id: post for post in event.posts} if event.ok else {}
    _record_fetch(event, account, len(posts))
    if not posts:
        return PROCESSED
    existing = {m.status_id: m for m in Moment.objects.filter(account=account, status_id__in=list(posts))}
    new = []
    changed = []
    for status_id, post in posts.items():
        values = _values(post)
        moment = existing.get(status_id)
        if moment is None:
            new.append(
                Moment(
                    account=account,
                    status_id=status_id[:128],
                    posted_at=post.created_at or timezone.now(),
                    raw=post.raw,
                    **values,
                )
            )
        elif _social(moment.raw) != _social(post.raw) or any(
            getattr(moment, name) != value for name, value in values.items()
        ):
            for name, value in values.items():
                setattr(moment, name, value)
            moment.raw = post.raw
            changed.append(moment)
    if new:
        Moment.objects.bulk_create(new, ignore_conflicts=True)
    if changed:
        Moment.objects.bulk_update(changed, list(UPDATABLE))
    return PROCESSED if new or changed else DUPLICATE


@transaction.atomic
def handle_moment_posted(event):
    """C18 release result (provisional): the console's queued post becomes posted or failed.

    The post is named in the callback URL (`?moment=<pk>`); without it there is nothing to update.
    """
    account = account_for(event.my_account)
    ref = event.query.get("moment") or event.query.get("req", "")
    if not str(ref).isdigit():
        return PROCESSED
    moment = Moment.objects.select_for_update().filter(account=account, pk=int(ref)).first()
    if moment is None:
        return PROCESSED
    status = Moment.Status.POSTED if event.ok else Moment.Status.FAILED
    if moment.status == status and (not event.status_id or moment.status_id == event.status_id):
        return DUPLICATE
    if moment.status == Moment.Status.POSTED and not event.ok:
        return DUPLICATE  # a late failure for an attempt that a retry already got posted
    moment.status = status
    moment.error = "" if event.ok else (event.msg or "the provider refused the post")
    if event.status_id:
        status_id = event.status_id[:128]
        # A timeline refresh may have stored this post already, before its result came.
        Moment.objects.filter(account=account, status_id=status_id, post__isnull=True).exclude(pk=moment.pk).delete()
        moment.status_id = status_id
    moment.save(update_fields=["status", "error", "status_id"])
    return PROCESSED

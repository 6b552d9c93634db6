"""Reads of the moments app."""

from datetime import timedelta

from django.db.models import Count, Prefetch, Q
from django.utils import timezone

from accounts.access import accounts_for

from .models import Moment, MomentFetch, MomentInteraction, MomentPost

FEED_LIMIT = 200
# A getList whose answer has not come after this long is no longer shown as loading.
FETCH_PATIENCE = timedelta(seconds=60)


def posts_for(user):
    """Posts with at least one account the user may act on."""
    visible = MomentPost.objects.filter(accounts__in=accounts_for(user)).values("pk")
    return MomentPost.objects.filter(pk__in=visible)


def post_rows(user, *, scheduled):
    """Scheduled posts (soonest first), or the others (newest first, drafts included), with counts per status."""
    S = Moment.Status
    rows = posts_for(user).annotate(
        account_count=Count("accounts", distinct=True),
        posted_count=Count("moments", filter=Q(moments__status=S.POSTED), distinct=True),
        failed_count=Count("moments", filter=Q(moments__status=S.FAILED), distinct=True),
        pending_count=Count("moments", filter=Q(moments__status__in=[S.QUEUED, S.SENT]), distinct=True),
    )
    if scheduled:
        return list(rows.filter(state=MomentPost.State.SCHEDULED).order_by("scheduled_at", "pk"))
    return list(rows.exclude(state=MomentPost.State.SCHEDULED).order_by("-created_at", "-pk")[:50])


def feed(account, *, friend=""):
    """The stored posts of an account's timeline, or of one friend's album, newest first."""
    moments = Moment.objects.filter(account=account).on_timeline()
    if friend:
        moments = moments.filter(author=friend)
    moments = moments.prefetch_related(
        Prefetch("interactions", queryset=MomentInteraction.objects.order_by("created_at", "pk"))
    )
    return list(moments.order_by("-posted_at", "-pk")[:FEED_LIMIT])


def fetch_state(account, *, to_account=""):
    """Whether a getList of this timeline or album is under way, when it last came, and whether the end was reached."""
    fetches = MomentFetch.objects.filter(account=account, to_account=to_account, status_id="")
    latest = fetches.order_by("-requested_at", "-pk").first()
    received = fetches.filter(received_at__isnull=False).order_by("-received_at", "-pk").first()
    loading = (
        latest is not None and latest.received_at is None and latest.requested_at > timezone.now() - FETCH_PATIENCE
    )
    return {
        "loading": loading,
        "more": loading and latest.load > 1,
        "refreshed_at": received.received_at if received else None,
        "error": received.error if received else "",
        "at_end": bool(received and not received.error and received.count == 0 and received.load > 1),
        "never": received is None,
    }


def feed_pending(account, moments):
    """True while something on the page is about to change (a getList, a post, a like or comment)."""
    recent = timezone.now() - FETCH_PATIENCE
    if MomentFetch.objects.filter(account=account, received_at__isnull=True, requested_at__gt=recent).exists():
        return True
    for moment in moments:
        if moment.is_pending or any(i.status == MomentInteraction.Status.QUEUED for i in moment.interactions.all()):
            return True
    return False


def post_refreshing(moment):
    """True while a getList for this one post (statusId) is waiting for its answer."""
    recent = timezone.now() - FETCH_PATIENCE
    return MomentFetch.objects.filter(
        account_id=moment.account_id,
        status_id=moment.status_id or "-",
        received_at__isnull=True,
        requested_at__gt=recent,
    ).exists()

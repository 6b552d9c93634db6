"""Reads of the contacts app: the friends list with its filters, the live-state fingerprint."""

import hashlib

from django.db.models import Count, Exists, Max, OuterRef, Q

from contacts.models import Friend, FriendRequest, FriendSync, Label, LabelRename
from provider.models import OutboxEntry

SORTS = {
    "nickname": ("nickname", "username"),
    "remark": ("remark", "nickname", "username"),
    "recent": ("-created_at", "-pk"),
}


def friends_for(account, *, q="", label=None, sex=None, show="present", sort="nickname"):
    """The account's friends filtered and sorted, labels prefetched (one query for a whole page)."""
    friends = Friend.objects.filter(account=account)
    if show == "removed":
        friends = friends.filter(removed_at__isnull=False)
    elif show == "zombies":
        friends = friends.filter(removed_at__isnull=True, is_zombie=True)
    elif show != "all":
        friends = friends.present()
    q = (q or "").strip()
    if q:
        labelled = Label.objects.filter(friends=OuterRef("pk"), name__icontains=q)
        friends = friends.filter(
            Q(nickname__icontains=q)
            | Q(remark__icontains=q)
            | Q(username__icontains=q)
            | Q(wxid__icontains=q)
            | Q(area__icontains=q)
            | Exists(labelled)
        )
    if label is not None:
        friends = friends.filter(Exists(Label.friends.through.objects.filter(friend_id=OuterRef("pk"), label=label)))
    if sex is not None:
        friends = friends.filter(sex=sex)
    return friends.order_by(*SORTS.get(sort, SORTS["nickname"])).prefetch_related("labels")


def labels_with_counts(account):
    return Label.objects.filter(account=account).annotate(
        friend_count=Count("friends", filter=Q(friends__removed_at__isnull=True))
    )


def pending_requests_count(account):
    return FriendRequest.objects.filter(account=account, status=FriendRequest.Status.PENDING).count()


def latest_sync(account):
    return FriendSync.objects.filter(account=account).order_by("-started_at").first()


def contacts_activity(account, limit=8):
    """Recent provider calls made for the account's contacts, newest first (failed ones can be retried)."""
    return OutboxEntry.objects.filter(account=account, subject__startswith="contacts.").order_by("-created_at", "-pk")[
        :limit
    ]


def has_pending_calls(account):
    return OutboxEntry.objects.pending().filter(account=account, subject__startswith="contacts.").exists()


def active_renames(account):
    return LabelRename.objects.filter(
        account=account, status__in=[LabelRename.Status.CREATING, LabelRename.Status.MOVING]
    )


def fingerprint(account):
    """Changes whenever something a contacts page shows changes (open pages refresh on a change)."""
    friends = Friend.objects.filter(account=account).aggregate(n=Count("pk"), at=Max("updated_at"))
    labels = Label.objects.filter(account=account).aggregate(n=Count("pk"), at=Max("updated_at"))
    requests = FriendRequest.objects.filter(account=account).aggregate(n=Count("pk"), at=Max("updated_at"))
    parts = [friends["n"], friends["at"], labels["n"], labels["at"], requests["n"], requests["at"]]
    return hashlib.sha1("|".join(map(str, parts)).encode(), usedforsecurity=False).hexdigest()[:16]

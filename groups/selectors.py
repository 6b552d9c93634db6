"""Reads of the groups app that take more than one line."""

from django.db.models import Count, Q

from contacts.models import Friend
from provider.models import OutboxEntry

from .actions import LIST_SUBJECT, PENDING
from .models import Group, GroupCreation, GroupEvent, GroupMember

EVENTS_SHOWN = 50
FRIENDS_SHOWN = 200


def group_list(account, *, q="", owner=False, saved=False, left=False):
    """The account's groups with their member counts (one query)."""
    groups = Group.objects.filter(account=account).annotate(
        member_count=Count("members", filter=Q(members__removed_at__isnull=True))
    )
    if not left:
        groups = groups.filter(left_at__isnull=True)
    if q:
        groups = groups.filter(Q(name__icontains=q) | Q(number__icontains=q) | Q(owner__icontains=q))
    if owner:
        groups = groups.filter(owner__in=account.identifiers()) if account.identifiers() else groups.none()
    if saved:
        groups = groups.filter(saved=True)
    return groups.order_by("name", "number")


def list_refreshing(account):
    return OutboxEntry.objects.filter(subject=f"{LIST_SUBJECT}:{account.pk}", status__in=PENDING).exists()


def pending_creations(account):
    return list(GroupCreation.objects.filter(account=account).exclude(status=GroupCreation.Status.CREATED)[:5])


def pending_methods(group):
    """Client methods waiting in the outbox for this group (shown as "Renaming…" etc.)."""
    return set(
        OutboxEntry.objects.filter(subject=f"groups.Group:{group.pk}", status__in=PENDING).values_list(
            "method", flat=True
        )
    )


def members(group, *, q=""):
    """Current members, each with `is_friend` and `is_me` set (two queries for any size)."""
    rows = GroupMember.objects.filter(group=group, removed_at__isnull=True)
    if q:
        rows = rows.filter(Q(nickname__icontains=q) | Q(display_name__icontains=q) | Q(username__icontains=q))
    rows = list(rows.order_by("display_name", "nickname", "username"))
    names = [m.username for m in rows]
    friends = set()
    for username, wxid in (
        Friend.objects.filter(account_id=group.account_id, removed_at__isnull=True)
        .filter(Q(username__in=names) | Q(wxid__in=names))
        .values_list("username", "wxid")
    ):
        friends.update({username, wxid})
    mine = group.account.identifiers()
    for m in rows:
        m.is_friend = m.username in friends
        m.is_me = m.username in mine
    return rows


def events(group):
    return list(GroupEvent.objects.filter(group=group)[:EVENTS_SHOWN])


def friends_to_pick(account, *, q="", selected=(), exclude=()):
    """(selected friends, other matching friends) for a picker; at most FRIENDS_SHOWN of the latter."""
    base = Friend.objects.filter(account=account, removed_at__isnull=True)
    chosen = list(base.filter(pk__in=selected))
    others = base.exclude(pk__in=selected)
    if exclude:
        others = others.exclude(username__in=exclude).exclude(wxid__in=exclude)
    if q:
        others = others.filter(
            Q(nickname__icontains=q) | Q(remark__icontains=q) | Q(username__icontains=q) | Q(wxid__icontains=q)
        )
    return chosen, list(others.order_by("nickname", "username")[:FRIENDS_SHOWN])

"""Reads of the accounts app that go beyond one QuerySet method."""

from django.apps import apps
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from provider.models import OutboxEntry

from .access import accounts_for
from .models import AccountEvent, WeChatAccount

FILTERS = ("all", "online", "offline")


def _count(model_label, aggregate, **filters):
    """A correlated subquery giving one number per account (0 when there is nothing)."""
    model = apps.get_model(model_label)
    rows = model.objects.filter(account=OuterRef("pk"), **filters).order_by().values("account")
    return Coalesce(
        Subquery(rows.annotate(n=aggregate).values("n")[:1], output_field=IntegerField()),
        Value(0),
    )


def with_counts(queryset):
    """Annotate friends (present), groups (not left) and unread chats, in the same query."""
    return queryset.annotate(
        friend_count=_count("contacts.Friend", Count("pk"), removed_at__isnull=True),
        group_count=_count("groups.Group", Count("pk"), left_at__isnull=True),
        unread_count=_count("chats.Conversation", Sum("unread_count")),
    )


def account_list(user, *, status="all", query=""):
    """The accounts page: what the user may see, filtered and searched, with counts."""
    accounts = accounts_for(user)
    if status == "online":
        accounts = accounts.filter(status=WeChatAccount.Status.ONLINE)
    elif status == "offline":
        accounts = accounts.exclude(status=WeChatAccount.Status.ONLINE)
    query = (query or "").strip()
    if query:
        accounts = accounts.filter(
            Q(nickname__icontains=query) | Q(account__icontains=query) | Q(wxid__icontains=query)
        )
    return with_counts(accounts).order_by("-offline_unexpectedly", "nickname", "account", "pk")


def dropped_accounts(user):
    """Accounts that went offline without anyone logging them out: the top operational risk."""
    return accounts_for(user).filter(offline_unexpectedly=True, status=WeChatAccount.Status.OFFLINE)


def recent_events(account, limit=20):
    """Account events and failed provider calls of the account, newest first, as one list."""
    events = [
        {"at": event.created_at, "kind": event.kind, "label": event.get_kind_display(), "detail": event.detail}
        for event in AccountEvent.objects.filter(account=account).order_by("-created_at")[:limit]
    ]
    failed = OutboxEntry.objects.filter(account=account, status=OutboxEntry.Status.FAILED).order_by("-updated_at")
    for entry in failed[:limit]:
        events.append(
            {
                "at": entry.updated_at,
                "kind": "failed_call",
                "label": None,
                "method": entry.method,
                "detail": entry.last_error,
            }
        )
    events.sort(key=lambda item: item["at"], reverse=True)
    return events[:limit]


def pending_calls(account):
    """Methods of the account's status/profile/logout calls still waiting for the provider."""
    return set(
        OutboxEntry.objects.pending()
        .filter(account=account, method__in=["logout", "wx_info", "wx_status"])
        .values_list("method", flat=True)
    )

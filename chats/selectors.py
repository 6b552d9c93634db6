"""Reads of the inbox. Nothing here scans an account's whole history: the list reads
conversations by (account, last_message_at), a thread reads one page by (conversation,
sent_at, id) from a cursor."""

from django.db.models import Q

from accounts.access import accounts_for

from .models import Conversation, Message

LIST_SIZE = 50
PAGE_SIZE = 30
SEARCH_LIMIT = 50


def conversation_list(user, *, account=None, show="all", kind="", mine=False, query="", limit=LIST_SIZE):
    """Conversations the user may see, newest first, filtered; one query with the account joined."""
    rows = Conversation.objects.select_related("account", "assignee")
    if account is not None:
        rows = rows.filter(account=account)
    else:
        rows = rows.filter(account__in=accounts_for(user))
    if show == "unread":
        rows = rows.filter(unread_count__gt=0)
    elif show in (Conversation.State.PENDING, Conversation.State.DONE, Conversation.State.OPEN):
        rows = rows.filter(state=show)
    if kind in (Conversation.Kind.PRIVATE, Conversation.Kind.GROUP):
        rows = rows.filter(kind=kind)
    if mine:
        rows = rows.filter(assignee=user)
    if query:
        rows = rows.filter(Q(title__icontains=query) | Q(peer__icontains=query))
    return list(rows.order_by("-last_message_at", "-pk")[:limit])


def _in(conversation, messages):
    """The messages, knowing their conversation and account (rendering them reads both)."""
    for message in messages:
        message.conversation = conversation
        message.account = conversation.account
    return messages


def messages_page(conversation, *, before=None, limit=PAGE_SIZE):
    """The `limit` messages before the cursor message (or the latest), oldest first; and whether more exist."""
    rows = Message.objects.filter(conversation=conversation).select_related("outbox", "attachment", "operator")
    if before is not None:
        rows = rows.filter(Q(sent_at__lt=before.sent_at) | Q(sent_at=before.sent_at, pk__lt=before.pk))
    page = list(rows.order_by("-sent_at", "-pk")[: limit + 1])
    more = len(page) > limit
    return _in(conversation, list(reversed(page[:limit]))), more


def messages_after(conversation, after_id):
    """Messages recorded after the last one shown (live updates and sends), in arrival order."""
    return _in(
        conversation,
        list(
            Message.objects.filter(conversation=conversation, pk__gt=after_id)
            .select_related("outbox", "attachment", "operator")
            .order_by("pk")[:200]
        ),
    )


def messages_by_pk(conversation, pks):
    return _in(
        conversation,
        list(
            Message.objects.filter(conversation=conversation, pk__in=pks).select_related(
                "outbox", "attachment", "operator"
            )
        ),
    )


def search_messages(*, accounts, query, conversation=None, limit=SEARCH_LIMIT):
    """Messages containing `query` (any language; case-insensitive), newest first."""
    rows = Message.objects.filter(content__icontains=query).select_related("conversation__account", "account")
    rows = rows.filter(conversation=conversation) if conversation is not None else rows.filter(account__in=accounts)
    return list(rows.order_by("-sent_at", "-pk")[:limit])


def contact_for(conversation):
    """The friend or group behind the conversation (profile and labels), or None."""
    if conversation.is_group:
        from groups.models import Group

        return Group.objects.filter(account_id=conversation.account_id, number=conversation.peer).first()
    from contacts.models import Friend

    return (
        Friend.objects.filter(account_id=conversation.account_id, username=conversation.peer)
        .prefetch_related("labels")
        .first()
    )

"""Writes of the chats app: sends through the outbox, retries, reading, assigning, notes."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from provider import outbox
from provider.models import OutboxEntry

from . import live
from .content import preview_fields
from .models import ContentType, Conversation, Message, Note


@transaction.atomic
def _queue(
    *,
    conversation,
    operator,
    client_key,
    content_type,
    content,
    method,
    params,
    peer_param="to_account",
    **fields,
):
    """Write the message (queued) and its outbox entry together; a repeated client_key returns the first message."""
    if client_key:
        existing = Message.objects.filter(client_key=client_key).first()
        if existing is not None:
            return existing
    now = timezone.now()
    try:
        with transaction.atomic():
            message = Message.objects.create(
                account=conversation.account,
                conversation=conversation,
                direction=Message.Direction.OUT,
                content_type=content_type,
                content=content,
                sender=conversation.account.my_account or "",
                sender_name=conversation.account.nickname,
                status=Message.Status.QUEUED,
                operator=operator,
                client_key=client_key or None,
                sent_at=now,
                **fields,
            )
    except IntegrityError:
        return Message.objects.get(client_key=client_key)
    entry = outbox.enqueue(
        method=method,
        params={"my_account": conversation.account.my_account, peer_param: conversation.peer, **params},
        account=conversation.account,
        operator=operator,
        subject=outbox.subject_for(message),
        idempotency_key=f"chats.message:{client_key}" if client_key else None,
    )
    message.outbox = entry
    message.save(update_fields=["outbox"])
    Conversation.objects.filter(pk=conversation.pk).update(last_message_at=now, **preview_fields(message))
    live.bump(conversation.account_id)
    return message


def send_text(*, conversation, text, operator, client_key=""):
    """Send a text message (emoji welcome). Precondition: the operator may act on the conversation's account."""
    return _queue(
        conversation=conversation,
        operator=operator,
        client_key=client_key,
        content_type=ContentType.TEXT,
        content=text,
        method="send_message",
        params={"content": text, "content_type": ContentType.TEXT},
    )


def send_group_at(*, conversation, text, mentions, operator, client_key=""):
    """Send a group message that @-mentions members (groupAt, E-37).

    mentions: [(wxid, name)] in the order they appear in text (groups.mentions.resolve); text
    already holds "@name " for each. Precondition: the conversation is a group chat.
    """
    at_users = [wxid for wxid, _name in mentions]
    return _queue(
        conversation=conversation,
        operator=operator,
        client_key=client_key,
        content_type=ContentType.TEXT,
        content=text,
        method="group_at",
        params={"at_users": at_users, "content": text},
        peer_param="group",
        data={"at_users": at_users},
    )


def send_media(*, conversation, attachment, content_type, operator, client_key="", voice_len=0):
    """Send an uploaded image, GIF, voice (SILK), video or file by its public URL."""
    params = {"content": attachment.public_url, "content_type": int(content_type), "file_name": attachment.name}
    if content_type == ContentType.GIF:
        params.update({"img_md5": attachment.md5, "img_size": attachment.size})
    return _queue(
        conversation=conversation,
        operator=operator,
        client_key=client_key,
        content_type=content_type,
        content=attachment.public_url,
        method="send_message",
        params=params,
        file_name=attachment.name,
        attachment=attachment,
        voice_len=voice_len,
    )


def send_card(*, conversation, card_name, operator, client_key=""):
    """Send a contact card (wacatCard)."""
    return _queue(
        conversation=conversation,
        operator=operator,
        client_key=client_key,
        content_type=ContentType.CONTACT_CARD,
        content=card_name,
        method="send_card",
        params={"card_name": card_name},
        data={"card_name": card_name},
    )


def send_link(*, conversation, url, title, operator, describe="", thumb="", client_key=""):
    """Send a link card (sendUrl)."""
    params = {"url": url, "title": title, "describe": describe or None, "thumb": thumb or None}
    return _queue(
        conversation=conversation,
        operator=operator,
        client_key=client_key,
        content_type=ContentType.LINK,
        content=url,
        method="send_url",
        params={k: v for k, v in params.items() if v is not None},
        data={"url": url, "title": title, "describe": describe, "thumb": thumb},
    )


def send_app(
    *, conversation, app_name, title, thumb_key, operator, page_path="", describe="", thumb_url="", client_key=""
):
    """Send a mini-program card (sendApp)."""
    fields = {
        "app_name": app_name,
        "title": title,
        "thumb_key": thumb_key,
        "page_path": page_path,
        "describe": describe,
        "thumb_url": thumb_url,
    }
    return _queue(
        conversation=conversation,
        operator=operator,
        client_key=client_key,
        content_type=ContentType.MINI_PROGRAM,
        content=title,
        method="send_app",
        params={k: v for k, v in fields.items() if v},
        data=fields,
    )


@transaction.atomic
def retry_message(*, message, operator):
    """Send a failed message again (same outbox entry, fresh attempts). Other states: unchanged."""
    if message.status != Message.Status.FAILED or message.outbox_id is None:
        return message
    entry = outbox.retry(message.outbox, operator=operator)
    if entry.status in (OutboxEntry.Status.QUEUED, OutboxEntry.Status.SENDING):
        Message.objects.filter(pk=message.pk).update(status=Message.Status.QUEUED, error="")
        live.bump(message.account_id)
    message.refresh_from_db()
    return message


def record_send_result(entry):
    """Outbox result handler: the message becomes sent, or failed with the provider's reason."""
    pk = entry.subject.split(":", 1)[1]
    if entry.status == OutboxEntry.Status.SENT:
        changes = {"status": Message.Status.SENT, "error": ""}
    else:
        changes = {"status": Message.Status.FAILED, "error": entry.last_error or "?"}
    message = Message.objects.filter(pk=pk).only("pk", "account_id").first()
    if message is None:
        return
    Message.objects.filter(pk=pk).update(**changes)
    live.bump(message.account_id)


def mark_read(*, conversation):
    """Opening a conversation reads it."""
    if Conversation.objects.filter(pk=conversation.pk, unread_count__gt=0).update(unread_count=0):
        conversation.unread_count = 0
        live.bump(conversation.account_id)


def assign(*, conversation, assignee):
    """Give the conversation to an operator (or to nobody). Precondition: the assignee may use the account."""
    conversation.assignee = assignee
    conversation.save(update_fields=["assignee"])
    live.bump(conversation.account_id)


def set_state(*, conversation, state):
    conversation.state = state
    conversation.save(update_fields=["state"])
    live.bump(conversation.account_id)


def add_note(*, conversation, author, body):
    note = Note.objects.create(conversation=conversation, author=author, body=body)
    live.bump(conversation.account_id)
    return note


def open_conversation(*, account, peer):
    """The conversation with this friend or group, created (empty) if there is none yet."""
    title = ""
    if peer.endswith("@chatroom"):
        from groups.models import Group

        group = Group.objects.filter(account=account, number=peer).first()
        title = group.name if group else ""
        kind = Conversation.Kind.GROUP
    else:
        from contacts.models import Friend

        friend = Friend.objects.filter(account=account, username=peer).first()
        title = str(friend) if friend else ""
        kind = Conversation.Kind.PRIVATE
    conversation, _ = Conversation.objects.get_or_create(
        account=account, peer=peer, defaults={"kind": kind, "title": title}
    )
    return conversation

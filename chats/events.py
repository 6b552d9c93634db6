"""Handlers for inbound messages (C1 one-to-one, C2 group), the hottest callback path.

Per new message: one SELECT for the account, one upsert for the conversation (creating it,
bumping unread and the preview in the same statement), one INSERT for the message that
does nothing on a repeated msgid (E-9). Two hand-written statements because the ORM has
no "increment on conflict" upsert and no "insert unless duplicate, tell me which".
"""

from datetime import timedelta

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from accounts.events import account_for
from chats import live
from chats.content import display, preview_fields
from chats.models import ContentType, Conversation, Message
from chats.wxml import looks_like_xml
from provider import metrics
from provider.callbacks.events import PROCESSED, Duplicate, EventError, GroupMessageEvent

PREVIEW_COLUMNS = ("last_message_preview", "last_message_kind", "last_message_sender")
# E-60: an outgoing message echoed back is matched to the console's own row within this window.
ECHO_WINDOW = timedelta(minutes=5)


def _upsert_conversation(*, account_id, kind, peer, title, at, preview, unread):
    """Create or update the conversation in one statement; return its id. preview: content.preview_fields()."""
    table = connection.ops.quote_name(Conversation._meta.db_table)
    newer = f"({table}.last_message_at IS NULL OR excluded.last_message_at >= {table}.last_message_at)"
    latest = ", ".join(
        f"{column} = CASE WHEN {newer} THEN excluded.{column} ELSE {table}.{column} END" for column in PREVIEW_COLUMNS
    )
    sql = (
        f"INSERT INTO {table} (account_id, kind, peer, title, last_message_at, {', '.join(PREVIEW_COLUMNS)},"  # noqa: S608 - identifiers from the model, values bound
        " unread_count, created_at)"
        " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
        " ON CONFLICT (account_id, peer) DO UPDATE SET"
        f" title = CASE WHEN excluded.title <> '' THEN excluded.title ELSE {table}.title END,"
        f" unread_count = {table}.unread_count + excluded.unread_count, {latest},"
        f" last_message_at = CASE WHEN {newer} THEN excluded.last_message_at ELSE {table}.last_message_at END"
        " RETURNING id"
    )
    field = Conversation._meta.get_field("last_message_at")
    params = [
        account_id,
        kind,
        peer,
        title[:255],
        field.get_db_prep_save(at, connection),
        *(preview[column] for column in PREVIEW_COLUMNS),
        unread,
        field.get_db_prep_save(timezone.now(), connection),
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def _insert_message(message):
    """INSERT the message unless its (account, msgid) exists; return the new id or None."""
    meta = Message._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    values = [f.get_db_prep_save(f.pre_save(message, add=True), connection) for f in fields]
    sql = (
        f"INSERT INTO {connection.ops.quote_name(meta.db_table)} ({columns})"  # noqa: S608 - identifiers from the model
        f" VALUES ({', '.join(['%s'] * len(fields))})"
        f" ON CONFLICT DO NOTHING RETURNING {connection.ops.quote_name(meta.pk.column)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        row = cursor.fetchone()
    return row[0] if row else None


# Kinds whose echo carries the provider's XML instead of what the console sent: matched by kind and time.
XML_ECHO_KINDS = (ContentType.LINK, ContentType.CONTACT_CARD, ContentType.MINI_PROGRAM, ContentType.OFFICIAL_CARD)


def _claim_echo(account_id, conversation_id, event):
    """E-60: an outgoing message the console sent itself gets the provider's msgid, not a twin.

    The oldest unmatched console message of the same conversation, kind and content (any
    content for the XML kinds) within ECHO_WINDOW. A repeated echo finds its msgid taken and
    is a duplicate; two concurrent echoes cannot both claim (the unique msgid decides).
    """
    if Message.objects.filter(account_id=account_id, msgid=event.msgid).exists():
        raise Duplicate
    since = timezone.now() - ECHO_WINDOW
    candidates = Message.objects.filter(
        account_id=account_id,
        conversation_id=conversation_id,
        direction=Message.Direction.OUT,
        msgid__isnull=True,
        content_type=event.content_type,
        created_at__gte=since,
    ).exclude(outbox__isnull=True)
    # The echo of a card, link or mini-program, and of media sent by URL, carries WeChat's XML
    # (with CDN ids) instead of what the console sent: those match by kind and time.
    if event.content_type not in XML_ECHO_KINDS and not looks_like_xml(event.content):
        candidates = candidates.filter(content=event.content)
    candidate = candidates.order_by("created_at", "pk").values_list("pk", flat=True).first()
    if candidate is None:
        return False
    try:
        with transaction.atomic():
            Message.objects.filter(pk=candidate, msgid__isnull=True).update(msgid=event.msgid)
    except IntegrityError:
        raise Duplicate from None
    return True


def handle_message(event):
    """C1/C2: record the message once per msgid; `type` 1 is outgoing (E-60), 2 incoming.

    A revoke notice also marks the message it takes back (same conversation, by WeChat's
    message id), which keeps its content for the team.
    """
    if not event.peer:
        raise EventError("message without to_account/g_number")
    account = account_for(event.my_account)
    is_group = isinstance(event, GroupMessageEvent)
    kind = Conversation.Kind.GROUP if is_group else Conversation.Kind.PRIVATE
    at = event.sent_at or timezone.now()
    message = Message(
        account=account,
        conversation=Conversation(account=account, kind=kind, peer=event.peer),
        msgid=event.msgid,
        direction=Message.Direction.OUT if event.outgoing else Message.Direction.IN,
        content_type=event.content_type,
        content=event.content,
        file_name=event.file_name[:255],
        voice_len=event.voice_len,
        sender=(event.my_account if event.outgoing else event.counterpart)[:128],
        sender_name=(event.my_name if event.outgoing else event.counterpart_name)[:255],
        status=Message.Status.SENT if event.outgoing else Message.Status.RECEIVED,
        raw=event.raw,
        sent_at=at,
    )
    conversation_id = _upsert_conversation(
        account_id=account.pk,
        kind=kind,
        peer=event.peer,
        title=(event.group_name if is_group else event.counterpart_name) or "",
        at=at,
        preview=preview_fields(message),
        unread=0 if event.outgoing else 1,
    )
    live.bump(account.pk)
    if event.outgoing and event.msgid and _claim_echo(account.pk, conversation_id, event):
        return PROCESSED
    message.conversation_id = conversation_id
    new_id = _insert_message(message)
    if new_id is None:
        # Already recorded: roll back the conversation bump made above.
        raise Duplicate
    revoked = display(message).revoke_ids
    if revoked:
        Message.objects.filter(conversation_id=conversation_id, msgid__in=revoked, revoked_at__isnull=True).exclude(
            pk=new_id
        ).update(revoked_at=at)
    metrics.incr_messages("out" if event.outgoing else "in")
    return PROCESSED

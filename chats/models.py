import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import WeChatAccount


class ContentType(models.IntegerChoices):
    TEXT = 1, _("Text")
    IMAGE = 2, _("Image")
    EMOJI = 3, _("Sticker")
    VOICE = 4, _("Voice")
    VIDEO = 5, _("Video")
    FILE = 6, _("File")
    OFFICIAL_CARD = 7, _("Official account card")
    LINK = 8, _("Link")
    CONTACT_CARD = 9, _("Contact card")
    SYSTEM = 10, _("System message")
    MINI_PROGRAM = 11, _("Mini program")
    LOCATION = 12, _("Location")
    RED_PACKET = 13, _("Red packet")
    TRANSFER = 14, _("Transfer")
    GIF = 15, _("Animated image")


class Conversation(models.Model):
    """A chat with one friend or one group, as seen by one WeChat account."""

    class Kind(models.TextChoices):
        PRIVATE = "private", _("Private")
        GROUP = "group", _("Group")

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        PENDING = "pending", _("Pending")
        DONE = "done", _("Done")

    account = models.ForeignKey(WeChatAccount, on_delete=models.CASCADE, related_name="conversations")
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.PRIVATE)
    peer = models.CharField(_("peer"), max_length=128)  # friend account or group number
    title = models.CharField(_("title"), max_length=255, blank=True)
    last_message_at = models.DateTimeField(_("last message"), null=True, blank=True, db_index=True)
    # The last message's one-line form, kept language-neutral: the label kind ("file", see
    # chats.content.LABELS; "" for text), its text ("报价单.pdf") and, in groups, who said it.
    last_message_preview = models.CharField(_("preview"), max_length=255, blank=True)
    last_message_kind = models.CharField(_("preview kind"), max_length=16, blank=True, default="", db_default="")
    last_message_sender = models.CharField(_("preview sender"), max_length=255, blank=True, default="", db_default="")
    unread_count = models.PositiveIntegerField(_("unread"), default=0)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_conversations",
        verbose_name=_("assigned to"),
    )
    state = models.CharField(_("state"), max_length=8, choices=State.choices, default=State.OPEN, db_default=State.OPEN)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("conversation")
        verbose_name_plural = _("conversations")
        ordering = ["-last_message_at"]
        constraints = [models.UniqueConstraint(fields=["account", "peer"], name="uniq_conversation_per_peer")]
        # The inbox list: newest first, per account (and across accounts via the global index).
        indexes = [models.Index(fields=["account", "-last_message_at"], name="chats_conv_account_last")]

    def __str__(self):
        return self.title or self.peer

    @property
    def is_group(self):
        return self.kind == self.Kind.GROUP


class Message(models.Model):
    class Direction(models.TextChoices):
        IN = "in", _("Incoming")
        OUT = "out", _("Outgoing")

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        QUEUED = "queued", _("Queued")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    account = models.ForeignKey(WeChatAccount, on_delete=models.CASCADE, related_name="messages")
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="messages")
    msgid = models.CharField(_("message id"), max_length=128, null=True, blank=True)
    direction = models.CharField(_("direction"), max_length=3, choices=Direction.choices)
    content_type = models.PositiveSmallIntegerField(_("content type"), choices=ContentType.choices, default=1)
    content = models.TextField(_("content"), blank=True)
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    voice_len = models.PositiveIntegerField(_("voice length"), default=0)
    sender = models.CharField(_("sender"), max_length=128, blank=True)
    sender_name = models.CharField(_("sender name"), max_length=255, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.RECEIVED)
    error = models.TextField(_("error"), blank=True)
    operator = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    outbox = models.ForeignKey(
        "provider.OutboxEntry", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    raw = models.JSONField(_("raw event"), null=True, blank=True)
    # Outgoing cards, links and mini-programs: the fields sent (title, url, ...).
    data = models.JSONField(_("data"), null=True, blank=True)
    attachment = models.ForeignKey(
        "chats.Attachment", null=True, blank=True, on_delete=models.SET_NULL, related_name="messages"
    )
    # The composer's one-time key: a double click is one message.
    client_key = models.CharField(max_length=64, unique=True, null=True, blank=True)
    sent_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    # Taken back by its sender (a revoke notice arrived); the content is kept for the team.
    revoked_at = models.DateTimeField(_("recalled"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["sent_at", "pk"]
        constraints = [
            # E-9: deduplicate on (account, msgid) when msgid is present.
            models.UniqueConstraint(
                fields=["account", "msgid"], condition=models.Q(msgid__isnull=False), name="uniq_message_msgid"
            )
        ]
        indexes = [models.Index(fields=["conversation", "sent_at", "id"], name="chats_msg_conv_time_id")]

    def __str__(self):
        from .content import line

        return f"{self.get_direction_display()}: {line(self)}"[:80]

    @property
    def is_outgoing(self):
        return self.direction == self.Direction.OUT

    @property
    def waiting_for_rate_limit(self):
        """Queued, and its outbox entry is held back until a later time (rate limit or backoff)."""
        entry = self.outbox
        return (
            self.status == self.Status.QUEUED
            and entry is not None
            and entry.status == "queued"
            and entry.next_attempt_at > timezone.now()
        )


def attachment_path(instance, filename):
    return f"chats/{instance.token.hex[:2]}/{instance.token.hex}/{filename}"


class Attachment(models.Model):
    """A file an operator uploaded to send; the provider fetches it at its unguessable public URL."""

    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    account = models.ForeignKey(WeChatAccount, on_delete=models.CASCADE, related_name="chat_attachments")
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=300)
    name = models.CharField(_("name"), max_length=255)
    mime_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    md5 = models.CharField(max_length=32)
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("chats:media", args=[self.token, self.name])

    @property
    def public_url(self):
        """The address the provider downloads from."""
        return settings.PUBLIC_BASE_URL + self.get_absolute_url()


class Note(models.Model):
    """A private note on a conversation, seen only by operators."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    body = models.TextField(_("note"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("note")
        verbose_name_plural = _("notes")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return self.body[:40]


class QuickReply(models.Model):
    """A canned reply shared by the team; {name} and {account} are filled in when picked."""

    title = models.CharField(_("title"), max_length=100)
    body = models.TextField(_("text"))
    position = models.PositiveIntegerField(_("position"), default=0)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("quick reply")
        verbose_name_plural = _("quick replies")
        ordering = ["position", "title"]

    def __str__(self):
        return self.title

    def render(self, *, name="", account=""):
        """The body with its placeholders filled; unknown braces are left as typed."""
        return self.body.replace("{name}", name).replace("{account}", account)

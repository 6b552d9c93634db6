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

    account = models.ForeignKey(WeChatAccount, on_delete=models.CASCADE, related_name="conversations")
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.PRIVATE)
    peer = models.CharField(_("peer"), max_length=128)  # friend account or group number
    title = models.CharField(_("title"), max_length=255, blank=True)
    last_message_at = models.DateTimeField(_("last message"), null=True, blank=True, db_index=True)
    last_message_preview = models.CharField(_("preview"), max_length=255, blank=True)
    unread_count = models.PositiveIntegerField(_("unread"), default=0)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("conversation")
        verbose_name_plural = _("conversations")
        ordering = ["-last_message_at"]
        constraints = [models.UniqueConstraint(fields=["account", "peer"], name="uniq_conversation_per_peer")]

    def __str__(self):
        return self.title or self.peer


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
    sent_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
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
        indexes = [models.Index(fields=["conversation", "sent_at"])]

    def __str__(self):
        return f"{self.direction} {self.content[:40]}"

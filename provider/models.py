from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OutboxEntryQuerySet(models.QuerySet):
    """Bulk rules of the outbox; the sending logic lives in provider.outbox and provider.tasks."""

    def pending(self):
        """Entries not finished yet: queued, or being sent."""
        return self.filter(status__in=[OutboxEntry.Status.QUEUED, OutboxEntry.Status.SENDING])

    def due(self, now=None):
        """Queued entries whose next attempt time has come."""
        return self.filter(status=OutboxEntry.Status.QUEUED, next_attempt_at__lte=now or timezone.now())

    def lease_expired(self, now=None):
        """Entries marked sending whose worker stopped renewing them (killed, lost)."""
        return self.filter(status=OutboxEntry.Status.SENDING, lease_until__lt=now or timezone.now())

    def head_of(self, account_id):
        """The oldest unfinished entry of an account: the only one of it that may be sent."""
        return self.pending().filter(account_id=account_id).order_by("created_at", "pk").first()


class OutboxEntry(models.Model):
    """One outbound provider call, written before it is sent.

    `method` names a ProviderClient method, `params` its keyword arguments.
    `subject` ("app_label.Model:pk") names the domain row to update with the
    outcome, through the result handlers registered in provider.outbox.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    account = models.ForeignKey(
        "accounts.WeChatAccount", null=True, blank=True, on_delete=models.CASCADE, related_name="outbox"
    )
    method = models.CharField(_("endpoint"), max_length=64)
    params = models.JSONField(_("parameters"), default=dict)
    subject = models.CharField(_("subject"), max_length=128, blank=True)
    operator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, verbose_name=_("operator")
    )
    idempotency_key = models.CharField(max_length=128, unique=True, null=True, blank=True)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    response = models.JSONField(_("provider answer"), null=True, blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    lease_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    objects = OutboxEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("outbox entry")
        verbose_name_plural = _("outbox")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["status", "account", "created_at"])]

    def __str__(self):
        return f"{self.method} #{self.pk} ({self.status})"


class CallbackDelivery(models.Model):
    """One POST from the provider, stored raw before it is parsed."""

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        PROCESSED = "processed", _("Processed")
        DUPLICATE = "duplicate", _("Duplicate")
        FAILED = "failed", _("Failed")
        IGNORED = "ignored", _("Unknown kind, kept")

    channel = models.CharField(_("channel"), max_length=32, db_index=True)
    kind = models.CharField(_("kind"), max_length=32, blank=True, db_index=True)
    query = models.CharField(_("query string"), max_length=500, blank=True)
    content_type = models.CharField(_("content type"), max_length=255, blank=True)
    headers = models.JSONField(_("headers"), default=dict)
    body = models.BinaryField(_("body"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.RECEIVED)
    error = models.TextField(_("error"), blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    received_at = models.DateTimeField(_("received"), default=timezone.now, db_index=True)
    processed_at = models.DateTimeField(_("processed"), null=True, blank=True)

    class Meta:
        verbose_name = _("callback delivery")
        verbose_name_plural = _("callback deliveries")
        ordering = ["-received_at"]
        indexes = [
            models.Index(fields=["status", "received_at"]),
            # The drain claims the oldest unprocessed row again and again: keep that a short scan.
            models.Index(fields=["id"], condition=models.Q(status="received"), name="callback_unprocessed_idx"),
        ]

    def __str__(self):
        return f"{self.channel}/{self.kind or '?'} #{self.pk} ({self.status})"

    @property
    def body_text(self):
        return bytes(self.body).decode("utf-8", errors="replace")


class RateLimitBucket(models.Model):
    """Token bucket for the embedded default (no Redis): one row per key."""

    key = models.CharField(max_length=128, primary_key=True)
    tokens = models.FloatField()
    updated = models.FloatField()  # time.time() of the last refill

    class Meta:
        verbose_name = _("rate-limit bucket")
        verbose_name_plural = _("rate-limit buckets")

    def __str__(self):
        return f"{self.key} ({self.tokens:.2f} tokens)"

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import WeChatAccount


class Moment(models.Model):
    """A Moments post: read from the timeline (C16) or posted by the account (release)."""

    class MediaType(models.IntegerChoices):
        IMAGES = 1, _("Images")
        TEXT = 2, _("Text")
        VIDEO = 3, _("Video")

    class Status(models.TextChoices):
        SEEN = "seen", _("Seen")
        QUEUED = "queued", _("Queued")
        POSTED = "posted", _("Posted")
        FAILED = "failed", _("Failed")

    account = models.ForeignKey(WeChatAccount, on_delete=models.CASCADE, related_name="moments")
    status_id = models.CharField(_("post id"), max_length=128, null=True, blank=True)
    author = models.CharField(_("author"), max_length=128, blank=True)
    author_name = models.CharField(_("author name"), max_length=255, blank=True)
    author_avatar_url = models.URLField(_("author avatar"), max_length=1000, blank=True)
    text = models.TextField(_("text"), blank=True)
    media_type = models.PositiveSmallIntegerField(_("media type"), choices=MediaType.choices, default=2)
    media_urls = models.JSONField(_("media"), default=list, blank=True)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.SEEN)
    error = models.TextField(_("error"), blank=True)
    operator = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    posted_at = models.DateTimeField(_("posted"), default=timezone.now)
    raw = models.JSONField(null=True, blank=True)

    class Meta:
        verbose_name = _("moment")
        verbose_name_plural = _("moments")
        ordering = ["-posted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "status_id"],
                condition=models.Q(status_id__isnull=False),
                name="uniq_moment_status_id",
            )
        ]

    def __str__(self):
        return self.text[:40] or str(self.status_id)

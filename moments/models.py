import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import WeChatAccount

# The provider joins the parts of `media_url` with this (§2.8.1).
MEDIA_SEPARATOR = "{#}"
MAX_IMAGES = 9


class MomentPost(models.Model):
    """One compose: what to post, to which accounts, and when. Each target account gets its own Moment row."""

    class Kind(models.TextChoices):
        TEXT = "text", _("Text only")
        IMAGES = "images", _("Images")
        VIDEO = "video", _("Video")
        LINK = "link", _("Link")

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft (not posted)")
        SCHEDULED = "scheduled", _("Scheduled")
        POSTING = "posting", _("Posting")
        CANCELLED = "cancelled", _("Cancelled")

    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.TEXT)
    text = models.TextField(_("text"))
    link_url = models.URLField(_("link"), max_length=1000, blank=True)
    link_title = models.CharField(_("link title"), max_length=200, blank=True)
    # Media given as addresses instead of uploads (the provider downloads them itself).
    image_urls = models.JSONField(_("image addresses"), default=list, blank=True)
    video_url = models.URLField(_("video address"), max_length=1000, blank=True)
    thumb_url = models.URLField(_("thumbnail address"), max_length=1000, blank=True)
    accounts = models.ManyToManyField(WeChatAccount, related_name="moment_posts", verbose_name=_("accounts"))
    scheduled_at = models.DateTimeField(_("post at"), null=True, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("moment post")
        verbose_name_plural = _("moment posts")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.text[:40]

    def get_absolute_url(self):
        return reverse("moments:post", args=[self.pk])

    @property
    def is_editable(self):
        return self.state in (self.State.DRAFT, self.State.SCHEDULED)

    def media_of(self, role):
        return [m for m in self.media.all() if m.role == role]

    def image_list(self):
        """Image addresses in order: uploads first, then the addresses typed in."""
        return [m.public_url for m in self.media_of(MomentMedia.Role.IMAGE)] + list(self.image_urls)

    def video(self):
        uploads = self.media_of(MomentMedia.Role.VIDEO)
        return uploads[0].public_url if uploads else self.video_url

    def thumbnail(self):
        uploads = self.media_of(MomentMedia.Role.THUMB)
        return uploads[0].public_url if uploads else self.thumb_url

    def release(self):
        """(text, media_type, media_urls) as sent with FriendCircle/release.

        Link posts (E-30: the provider has no media_type for links) go out as text with the
        title and address in it; with a thumbnail they are an image post of that thumbnail.
        """
        if self.kind == self.Kind.IMAGES:
            return self.text, Moment.MediaType.IMAGES, self.image_list()
        if self.kind == self.Kind.VIDEO:
            return self.text, Moment.MediaType.VIDEO, [self.video(), self.thumbnail()]
        if self.kind == self.Kind.LINK:
            text = "\n".join(part for part in (self.text, self.link_title, self.link_url) if part)
            thumb = self.thumbnail()
            if thumb:
                return text, Moment.MediaType.IMAGES, [thumb]
            return text, Moment.MediaType.TEXT, []
        return self.text, Moment.MediaType.TEXT, []


def media_path(instance, filename):
    return f"moments/{instance.token.hex[:2]}/{instance.token.hex}/{filename}"


class MomentMedia(models.Model):
    """An uploaded image, video or thumbnail; the provider fetches it at its unguessable public URL."""

    class Role(models.TextChoices):
        IMAGE = "image", _("Image")
        VIDEO = "video", _("Video")
        THUMB = "thumb", _("Thumbnail")

    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    post = models.ForeignKey(MomentPost, on_delete=models.CASCADE, related_name="media")
    role = models.CharField(_("role"), max_length=5, choices=Role.choices)
    position = models.PositiveSmallIntegerField(default=0)
    file = models.FileField(_("file"), upload_to=media_path, max_length=300)
    name = models.CharField(_("name"), max_length=255)
    mime_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("moment media")
        verbose_name_plural = _("moment media")
        ordering = ["role", "position", "pk"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("moments:media", args=[self.token, self.name])

    @property
    def public_url(self):
        """The address the provider downloads from."""
        return settings.PUBLIC_BASE_URL + self.get_absolute_url()


class MomentQuerySet(models.QuerySet):
    def on_timeline(self):
        """What an account's timeline shows: posts read from the provider and the console's own, once sent."""
        return self.exclude(status__in=[Moment.Status.SCHEDULED, Moment.Status.CANCELLED])

    def pending(self):
        return self.filter(status__in=[Moment.Status.SCHEDULED, Moment.Status.QUEUED, Moment.Status.SENT])


class Moment(models.Model):
    """A Moments post: read from the timeline (C16) or posted by the account (release)."""

    class MediaType(models.IntegerChoices):
        IMAGES = 1, _("Images")
        TEXT = 2, _("Text")
        VIDEO = 3, _("Video")

    class Status(models.TextChoices):
        SEEN = "seen", _("Seen")
        SCHEDULED = "scheduled", _("Scheduled")
        QUEUED = "queued", _("Queued")
        SENT = "sent", _("Submitted, waiting for the result")
        POSTED = "posted", _("Posted")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    account = models.ForeignKey(WeChatAccount, on_delete=models.CASCADE, related_name="moments")
    post = models.ForeignKey(
        MomentPost, null=True, blank=True, on_delete=models.CASCADE, related_name="moments", verbose_name=_("post")
    )
    status_id = models.CharField(_("post id"), max_length=128, null=True, blank=True)
    author = models.CharField(_("author"), max_length=128, blank=True)
    author_name = models.CharField(_("author name"), max_length=255, blank=True)
    author_avatar_url = models.URLField(_("author avatar"), max_length=1000, blank=True)
    text = models.TextField(_("text"), blank=True)
    media_type = models.PositiveSmallIntegerField(_("media type"), choices=MediaType.choices, default=2)
    media_urls = models.JSONField(_("media"), default=list, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.SEEN)
    error = models.TextField(_("error"), blank=True)
    operator = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    due_at = models.DateTimeField(_("due"), null=True, blank=True, db_index=True)
    tries = models.PositiveSmallIntegerField(default=0)
    outbox = models.ForeignKey(
        "provider.OutboxEntry", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    posted_at = models.DateTimeField(_("posted"), default=timezone.now)
    raw = models.JSONField(null=True, blank=True)

    objects = MomentQuerySet.as_manager()

    class Meta:
        verbose_name = _("moment")
        verbose_name_plural = _("moments")
        ordering = ["-posted_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "status_id"],
                condition=models.Q(status_id__isnull=False),
                name="uniq_moment_status_id",
            )
        ]

    def __str__(self):
        return self.text[:40] or str(self.status_id)

    @property
    def is_pending(self):
        return self.status in (self.Status.QUEUED, self.Status.SENT)

    @property
    def is_busy(self):
        """A post or a like/comment of it on its way: its card keeps asking for news."""
        return self.is_pending or any(i.status == MomentInteraction.Status.QUEUED for i in self.interactions.all())

    @property
    def liked(self):
        return any(i.kind == "like" and i.status != MomentInteraction.Status.FAILED for i in self.interactions.all())

    @property
    def images(self):
        return self.media_urls if self.media_type == self.MediaType.IMAGES else []

    @property
    def video_url(self):
        return self.media_urls[0] if self.media_type == self.MediaType.VIDEO and self.media_urls else ""

    @property
    def video_thumb(self):
        return self.media_urls[1] if self.media_type == self.MediaType.VIDEO and len(self.media_urls) > 1 else ""

    def provider_likes(self):
        """Likes as the provider reported them (C16 `likes`, beyond the seed: shown when present)."""
        likes = (self.raw or {}).get("likes") if isinstance(self.raw, dict) else None
        return [like for like in likes or [] if isinstance(like, dict)]

    def provider_comments(self):
        comments = (self.raw or {}).get("comments") if isinstance(self.raw, dict) else None
        return [c for c in comments or [] if isinstance(c, dict)]


class MomentInteraction(models.Model):
    """A like or a comment an operator made on a post (FriendCircle/point)."""

    class Kind(models.TextChoices):
        LIKE = "like", _("Like")
        COMMENT = "comment", _("Comment")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Sending")
        SENT = "sent", _("Done")
        FAILED = "failed", _("Failed")

    moment = models.ForeignKey(Moment, on_delete=models.CASCADE, related_name="interactions")
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    content = models.TextField(_("comment"), blank=True)
    operator = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.QUEUED)
    error = models.TextField(_("error"), blank=True)
    outbox = models.ForeignKey(
        "provider.OutboxEntry", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("like or comment")
        verbose_name_plural = _("likes and comments")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return self.content[:40] or self.get_kind_display()


class MomentFetch(models.Model):
    """One getList request (timeline page, a friend's album page, or one post); its C16 answer names it by `req`."""

    account = models.ForeignKey(WeChatAccount, on_delete=models.CASCADE, related_name="moment_fetches")
    to_account = models.CharField(_("album of"), max_length=128, blank=True)
    status_id = models.CharField(_("post id"), max_length=128, blank=True)
    load = models.PositiveIntegerField(_("page"), default=1)
    req = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    requested_at = models.DateTimeField(default=timezone.now)
    received_at = models.DateTimeField(null=True, blank=True)
    count = models.PositiveIntegerField(default=0)
    error = models.TextField(_("error"), blank=True)
    outbox = models.ForeignKey(
        "provider.OutboxEntry", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("moments request")
        verbose_name_plural = _("moments requests")
        ordering = ["-requested_at", "-pk"]
        indexes = [models.Index(fields=["account", "to_account", "requested_at"])]

    def __str__(self):
        return f"{self.account_id}/{self.to_account or '-'} p{self.load}"

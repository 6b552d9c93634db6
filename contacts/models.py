from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import WeChatAccount

# A running sync that has seen no page for this long is considered lost: a new one may start.
SYNC_STALE_AFTER = timedelta(minutes=10)


class Sex(models.IntegerChoices):
    UNKNOWN = 0, _("Unknown")
    MALE = 1, _("Male")
    FEMALE = 2, _("Female")


class Label(models.Model):
    account = models.ForeignKey(WeChatAccount, on_delete=models.CASCADE, related_name="labels")
    label_id = models.BigIntegerField(_("label id"))
    name = models.CharField(_("name"), max_length=255)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("label")
        verbose_name_plural = _("labels")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["account", "label_id"], name="uniq_label_per_account")]

    def __str__(self):
        return self.name


class FriendQuerySet(models.QuerySet):
    def present(self):
        return self.filter(removed_at__isnull=True)


class Friend(models.Model):
    """A contact of one WeChat account (C12 friend-list rows, C3 new friends)."""

    account = models.ForeignKey(WeChatAccount, on_delete=models.CASCADE, related_name="friends")
    username = models.CharField(_("WeChat account"), max_length=128)  # C12 `account`
    wxid = models.CharField(_("wxid"), max_length=128, blank=True, db_index=True)  # C12 `account_alias`
    nickname = models.CharField(_("nickname"), max_length=255, blank=True)
    remark = models.CharField(_("remark"), max_length=255, blank=True)
    avatar_url = models.URLField(_("avatar"), max_length=1000, blank=True)
    sex = models.PositiveSmallIntegerField(_("sex"), choices=Sex.choices, default=Sex.UNKNOWN)
    area = models.CharField(_("area"), max_length=255, blank=True)
    description = models.TextField(_("description"), blank=True)
    do_not_disturb = models.BooleanField(_("do not disturb"), default=False)
    v1 = models.CharField(_("v1"), max_length=255, blank=True)
    labels = models.ManyToManyField(Label, blank=True, related_name="friends", verbose_name=_("labels"))
    is_zombie = models.BooleanField(_("zombie"), null=True, blank=True)
    zombie_checked_at = models.DateTimeField(_("zombie checked"), null=True, blank=True)
    removed_at = models.DateTimeField(_("removed"), null=True, blank=True)
    last_sync_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = FriendQuerySet.as_manager()

    class Meta:
        verbose_name = _("friend")
        verbose_name_plural = _("friends")
        ordering = ["nickname", "username"]
        constraints = [models.UniqueConstraint(fields=["account", "username"], name="uniq_friend_per_account")]

    def __str__(self):
        return self.remark or self.nickname or self.username


class FriendSync(models.Model):
    """One syncFriendList run; pages arrive by callback (C12)."""

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    account = models.ForeignKey(WeChatAccount, on_delete=models.CASCADE, related_name="friend_syncs")
    request_id = models.CharField(max_length=64, unique=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.RUNNING)
    total = models.PositiveIntegerField(_("total"), null=True, blank=True)
    pages = models.JSONField(_("pages received"), default=dict)  # {"1": 100, "2": 100, ...}
    received = models.PositiveIntegerField(_("received"), default=0)
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    error = models.TextField(_("error"), blank=True)
    outbox = models.ForeignKey(
        "provider.OutboxEntry", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("friend sync")
        verbose_name_plural = _("friend syncs")
        ordering = ["-started_at"]

    def __str__(self):
        return f"{self.account} {self.received}/{self.total}"

    @property
    def is_running(self):
        return self.status == self.Status.RUNNING

    def is_stale(self, now=None):
        """Running, but no page (nor the request itself) for SYNC_STALE_AFTER."""
        return self.is_running and (now or timezone.now()) - self.updated_at > SYNC_STALE_AFTER

    @property
    def received_text(self):
        """Grouped by thousands whatever the language ("4,213"): the issue's wording, and read alike in Chinese."""
        return f"{self.received:,}"

    @property
    def total_text(self):
        return "" if self.total is None else f"{self.total:,}"

    @property
    def percent(self):
        if not self.total:
            return 100 if self.status == self.Status.DONE else 0
        return min(100, round(100 * self.received / self.total))


class FriendRequest(models.Model):
    """An incoming friend request (C6, newFriendList)."""

    class Status(models.IntegerChoices):
        PENDING = 0, _("Pending")
        ACCEPTED = 1, _("Accepted")
        EXPIRED = 2, _("Expired")

    account = models.ForeignKey(WeChatAccount, on_delete=models.CASCADE, related_name="friend_requests")
    username = models.CharField(_("WeChat account"), max_length=128)
    wxid = models.CharField(_("wxid"), max_length=128, blank=True)
    nickname = models.CharField(_("nickname"), max_length=255, blank=True)
    avatar_url = models.URLField(_("avatar"), max_length=1000, blank=True)
    greeting = models.TextField(_("greeting"), blank=True)
    source = models.CharField(_("source"), max_length=255, blank=True)
    referrer_nickname = models.CharField(_("referrer"), max_length=255, blank=True)
    referrer_account = models.CharField(_("referrer account"), max_length=128, blank=True)
    source_group = models.CharField(_("source group"), max_length=128, blank=True)
    ticket = models.CharField(_("ticket"), max_length=500, blank=True)  # encodeUserName
    sex = models.PositiveSmallIntegerField(_("sex"), choices=Sex.choices, default=Sex.UNKNOWN)
    status = models.SmallIntegerField(_("status"), choices=Status.choices, default=Status.PENDING)
    provider_id = models.BigIntegerField(_("provider id"), null=True, blank=True)
    accept_entry = models.ForeignKey(
        "provider.OutboxEntry", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("friend request")
        verbose_name_plural = _("friend requests")
        ordering = ["-requested_at"]
        constraints = [models.UniqueConstraint(fields=["account", "username"], name="uniq_friend_request_per_account")]

    def __str__(self):
        return self.nickname or self.username


class ContactLookup(models.Model):
    """A newGetWacatInfo lookup and its result (C8), matched by `extend`."""

    account = models.ForeignKey(WeChatAccount, on_delete=models.CASCADE, related_name="lookups")
    query = models.CharField(_("query"), max_length=128)
    extend = models.CharField(max_length=64, unique=True)
    result = models.JSONField(_("result"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    operator = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    outbox = models.ForeignKey(
        "provider.OutboxEntry", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)

    class Meta:
        verbose_name = _("contact lookup")
        verbose_name_plural = _("contact lookups")
        ordering = ["-created_at"]

    def __str__(self):
        return self.query


class FriendInvite(models.Model):
    """One friends/add attempt for one target (a batch is one invite per target, spread by the rate limit)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    account = models.ForeignKey(WeChatAccount, on_delete=models.CASCADE, related_name="friend_invites")
    target = models.CharField(_("WeChat ID or phone"), max_length=128)
    greeting = models.CharField(_("greeting"), max_length=500)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.QUEUED)
    error = models.TextField(_("error"), blank=True)
    notice = models.CharField(_("provider notice"), max_length=500, blank=True)  # C18 friends/add notice
    operator = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    outbox = models.ForeignKey(
        "provider.OutboxEntry", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("friend invitation")
        verbose_name_plural = _("friend invitations")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.target

    @property
    def extend(self):
        """Echoed by the provider in its friends/add notice (C18)."""
        return f"invite:{self.pk}"


class LabelRename(models.Model):
    """The provider has no rename (E-22): create the new label, move the friends, delete the old one."""

    class Status(models.TextChoices):
        CREATING = "creating", _("Creating the new label")
        MOVING = "moving", _("Moving friends to the new label")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    account = models.ForeignKey(WeChatAccount, on_delete=models.CASCADE, related_name="label_renames")
    old_label = models.ForeignKey(Label, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    old_provider_id = models.BigIntegerField(_("old label id"))
    old_name = models.CharField(_("old name"), max_length=255)
    new_name = models.CharField(_("new name"), max_length=255)
    new_provider_id = models.BigIntegerField(_("new label id"), null=True, blank=True)
    request_id = models.CharField(max_length=64, unique=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.CREATING)
    error = models.TextField(_("error"), blank=True)
    operator = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("label rename")
        verbose_name_plural = _("label renames")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.old_name} → {self.new_name}"

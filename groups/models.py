from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import WeChatAccount


class Group(models.Model):
    """A group chat (`...@chatroom`) the account belongs to."""

    account = models.ForeignKey(WeChatAccount, on_delete=models.CASCADE, related_name="groups")
    number = models.CharField(_("group number"), max_length=128)
    name = models.CharField(_("name"), max_length=255, blank=True)
    avatar_url = models.URLField(_("avatar"), max_length=1000, blank=True)
    owner = models.CharField(_("owner"), max_length=128, blank=True)
    do_not_disturb = models.BooleanField(_("do not disturb"), default=False)
    notice = models.TextField(_("announcement"), blank=True)
    qr_code_url = models.TextField(_("QR code"), blank=True)
    # groupList type 2: saved to the account's contacts.
    saved = models.BooleanField(_("saved to contacts"), default=False)
    members_synced_at = models.DateTimeField(_("members fetched"), null=True, blank=True)
    left_at = models.DateTimeField(_("left"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("group")
        verbose_name_plural = _("groups")
        ordering = ["name", "number"]
        constraints = [models.UniqueConstraint(fields=["account", "number"], name="uniq_group_per_account")]

    def __str__(self):
        return self.name or self.number

    def is_owned_by(self, account):
        """True when the account is the group's owner (the provider gives the WeChat ID or the wxid)."""
        return bool(self.owner) and self.owner in account.identifiers()

    @property
    def is_left(self):
        return self.left_at is not None


class GroupMember(models.Model):
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="members")
    username = models.CharField(_("WeChat account"), max_length=128)
    nickname = models.CharField(_("nickname"), max_length=255, blank=True)
    display_name = models.CharField(_("display name"), max_length=255, blank=True)
    avatar_url = models.URLField(_("avatar"), max_length=1000, blank=True)
    removed_at = models.DateTimeField(_("removed"), null=True, blank=True)
    # True once a full member list (C13 / getGroupInfo) named this member. A row only a join
    # callback (C5) created may carry the WeChat ID where the lists carry the wxid.
    listed = models.BooleanField(_("listed"), default=False)
    joined_at = models.DateTimeField(_("joined"), auto_now_add=True)

    class Meta:
        verbose_name = _("group member")
        verbose_name_plural = _("group members")
        ordering = ["display_name", "nickname"]
        constraints = [models.UniqueConstraint(fields=["group", "username"], name="uniq_member_per_group")]

    def __str__(self):
        return self.display_name or self.nickname or self.username

    @property
    def mention_name(self):
        """The name after "@" in a group message: the in-group name, else the nickname (E-37)."""
        return self.display_name or self.nickname or self.username


class GroupEvent(models.Model):
    """Something that happened in a group, shown in the group's event log."""

    class Kind(models.TextChoices):
        JOINED = "joined", _("Joined")
        LEFT = "left", _("Left")
        REMOVED = "removed", _("Removed")
        ADDED = "added", _("Added")
        INVITED = "invited", _("Invited")
        RENAMED = "renamed", _("Renamed")
        NOTICE = "notice", _("Announcement")
        CREATED = "created", _("Created")
        FAILED = "failed", _("Provider refused")

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    actor = models.CharField(_("by"), max_length=255, blank=True)
    # For FAILED: the client method that was refused (see ACTIONS); detail is the provider's message.
    action = models.CharField(_("action"), max_length=64, blank=True)
    detail = models.TextField(_("detail"), blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("group event")
        verbose_name_plural = _("group events")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.group} {self.kind}"

    ACTIONS = {
        "group_info": _("Fetching the details"),
        "group_owner": _("Fetching the owner"),
        "group_members": _("Fetching the members"),
        "group_qrcode": _("Fetching the QR code"),
        "rename_group": _("Renaming"),
        "set_group_notice": _("Setting the announcement"),
        "leave_group": _("Leaving the group"),
        "add_group_members": _("Adding members"),
        "invite_member": _("Sending an invitation"),
        "remove_group_member": _("Removing a member"),
    }

    @property
    def action_label(self):
        return self.ACTIONS.get(self.action, self.action)


class GroupCreation(models.Model):
    """One `found` call; the new group's number arrives by callback (C15), matched by `extend`."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Creating")
        CREATED = "created", _("Created")
        FAILED = "failed", _("Failed")

    account = models.ForeignKey(WeChatAccount, on_delete=models.CASCADE, related_name="group_creations")
    name = models.CharField(_("name"), max_length=255)
    members = models.JSONField(_("members"), default=list)
    request_id = models.CharField(max_length=64, unique=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    group = models.ForeignKey(Group, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    error = models.TextField(_("error"), blank=True)
    operator = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("group creation")
        verbose_name_plural = _("group creations")
        ordering = ["-created_at"]

    def __str__(self):
        return self.name


class GroupSettings(models.Model):
    """Per-account group settings: auto-join from invitation links (groupSet, E-1)."""

    account = models.OneToOneField(WeChatAccount, on_delete=models.CASCADE, related_name="group_settings")
    # What the provider last accepted; None until the console set it once.
    auto_join = models.BooleanField(_("join groups automatically"), null=True, blank=True)
    # The value asked for and not answered yet.
    requested = models.BooleanField(null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("group settings")
        verbose_name_plural = _("group settings")

    def __str__(self):
        return f"{self.account}"

from django.db import models
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


class GroupMember(models.Model):
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="members")
    username = models.CharField(_("WeChat account"), max_length=128)
    nickname = models.CharField(_("nickname"), max_length=255, blank=True)
    display_name = models.CharField(_("display name"), max_length=255, blank=True)
    avatar_url = models.URLField(_("avatar"), max_length=1000, blank=True)
    removed_at = models.DateTimeField(_("removed"), null=True, blank=True)
    joined_at = models.DateTimeField(_("joined"), auto_now_add=True)

    class Meta:
        verbose_name = _("group member")
        verbose_name_plural = _("group members")
        ordering = ["display_name", "nickname"]
        constraints = [models.UniqueConstraint(fields=["group", "username"], name="uniq_member_per_group")]

    def __str__(self):
        return self.display_name or self.nickname or self.username

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class WeChatAccountQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Accounts the operator may see and act on: all for staff, assigned ones otherwise."""
        if not user.is_authenticated:
            return self.none()
        if user.is_staff or user.is_superuser:
            return self
        return self.filter(operators=user)

    def matching(self, identifier):
        """Accounts whose WeChat ID or wxid equals identifier (the provider uses either, E-19)."""
        identifier = (identifier or "").strip()
        if not identifier:
            return self.none()
        return self.filter(Q(account=identifier) | Q(wxid=identifier))


class WeChatAccount(models.Model):
    """A personal WeChat account controlled through the provider."""

    class Status(models.TextChoices):
        NEW = "new", _("Not logged in yet")
        ONLINE = "online", _("Online")
        OFFLINE = "offline", _("Offline")

    # `account` is what the provider gave at login (C4 `account`); it is sent as
    # `my_account` on every call. `wxid` is the internal id (C4/C10 `account_alias`).
    account = models.CharField(_("WeChat account"), max_length=128, unique=True, null=True, blank=True)
    wxid = models.CharField(_("wxid"), max_length=128, blank=True, db_index=True)
    nickname = models.CharField(_("nickname"), max_length=255, blank=True)
    avatar_url = models.URLField(_("avatar"), max_length=1000, blank=True)
    sex = models.PositiveSmallIntegerField(_("sex"), default=0)
    area = models.CharField(_("area"), max_length=255, blank=True)
    signature = models.CharField(_("signature"), max_length=500, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.NEW)
    # True when the account went offline without an operator asking for it.
    offline_unexpectedly = models.BooleanField(_("offline unexpectedly"), default=False)
    first_login_at = models.DateTimeField(_("first login"), null=True, blank=True)
    last_login_at = models.DateTimeField(_("last login"), null=True, blank=True)
    last_seen_at = models.DateTimeField(_("last seen"), null=True, blank=True)
    operators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="wechat_accounts", verbose_name=_("operators")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = WeChatAccountQuerySet.as_manager()

    class Meta:
        verbose_name = _("WeChat account")
        verbose_name_plural = _("WeChat accounts")
        ordering = ["nickname", "account"]

    def __str__(self):
        return self.nickname or self.account or self.wxid or f"#{self.pk}"

    @property
    def my_account(self):
        """The identifier sent to the provider as `my_account`."""
        return self.account or self.wxid

    @property
    def is_online(self):
        return self.status == self.Status.ONLINE

    def identifiers(self):
        return {value for value in (self.account, self.wxid) if value}

    @property
    def has_logged_in(self):
        """True once the provider knows this account: every later scanNew must name it (E-26)."""
        return self.first_login_at is not None or self.status != self.Status.NEW


class LoginSession(models.Model):
    """One QR login attempt (scanNew), followed through its callbacks."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requesting QR code")
        QR_READY = "qr_ready", _("Waiting for scan")
        SCANNED = "scanned", _("Scanned, confirm on the phone")
        ONLINE = "online", _("Online")
        EXPIRED = "expired", _("QR code expired")
        FAILED = "failed", _("Failed")

    token = models.UUIDField(_("token"), unique=True)
    account = models.ForeignKey(
        WeChatAccount, null=True, blank=True, on_delete=models.SET_NULL, related_name="login_sessions"
    )
    operator = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    task_id = models.BigIntegerField(_("task id"), null=True, blank=True, db_index=True)
    qr_url = models.TextField(_("QR code"), blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.REQUESTED)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("login session")
        verbose_name_plural = _("login sessions")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.task_id or self.token} ({self.status})"

    WAITING = (Status.REQUESTED, Status.QR_READY, Status.SCANNED)

    @property
    def is_waiting(self):
        """Still following the login (the page keeps polling)."""
        return self.status in self.WAITING

    def expires_at(self):
        return self.created_at + timedelta(seconds=settings.LOGIN_QR_TTL)

    def expire_if_stale(self, now=None):
        """Mark a login nobody finished within LOGIN_QR_TTL as expired; True if it changed."""
        now = now or timezone.now()
        if self.is_waiting and now >= self.expires_at():
            updated = LoginSession.objects.filter(pk=self.pk, status__in=self.WAITING).update(
                status=self.Status.EXPIRED, updated_at=now
            )
            if updated:
                self.status = self.Status.EXPIRED
                return True
        return False


class AccountEvent(models.Model):
    """Something that happened to an account: login, logout, failed send, ..."""

    class Kind(models.TextChoices):
        LOGIN = "login", _("Logged in")
        LOGOUT = "logout", _("Logged out")
        OFFLINE = "offline", _("Went offline")
        SEND_FAILED = "send_failed", _("Send failed")
        INFO = "info", _("Info")

    account = models.ForeignKey(WeChatAccount, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    detail = models.TextField(_("detail"), blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("account event")
        verbose_name_plural = _("account events")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.account} {self.kind}"

"""Writes of the accounts app: QR login, logout, status and profile, assignment.

Every provider call goes through the outbox (provider.outbox.enqueue) and a worker;
the outcome comes back through the result handlers in accounts.results.
"""

import uuid

from django.db import transaction
from django.utils import timezone

from provider import outbox
from provider.callbacks.urls import callback_url

from .events import logout_was_requested, mark_logout_requested
from .models import AccountEvent, LoginSession, WeChatAccount


@transaction.atomic
def start_login(*, operator, account=None):
    """Ask the provider for a login QR code (scanNew) and return the session that follows it.

    For an account that has logged in before, its identifier is always sent (E-26:
    omitting it risks "login devices full" and bans). The caller checked that the
    operator may act on `account`.
    """
    session = LoginSession.objects.create(token=uuid.uuid4(), account=account, operator=operator)
    token = str(session.token)
    params = {"callback_url": callback_url("scan", req=token), "extend": token}
    if account is not None and account.my_account and account.has_logged_in:
        params["account"] = account.my_account
    outbox.enqueue(
        method="scan_new",
        params=params,
        operator=operator,
        subject=outbox.subject_for(session),
        idempotency_key=f"scan:{token}",
    )
    return session


def _account_call(account, method, operator):
    """Queue a call that takes only `my_account`; its answer goes to the account's result handler."""
    return outbox.enqueue(
        method=method,
        params={"my_account": account.my_account},
        account=account,
        operator=operator,
        subject=outbox.subject_for(account),
    )


@transaction.atomic
def request_logout(*, account, operator):
    """Log the account out (wacat/out). Its offline callback is then expected, not a surprise."""
    mark_logout_requested(account)
    return _account_call(account, "logout", operator)


@transaction.atomic
def refresh_profile(*, account, operator=None):
    """Ask for the account's profile (wxInfo); accounts.results stores it."""
    return _account_call(account, "wx_info", operator)


@transaction.atomic
def check_status(*, account, operator=None):
    """Ask whether the account is online (wxStatus), on an operator's demand."""
    return _account_call(account, "wx_status", operator)


@transaction.atomic
def record_status(*, account, online, source):
    """Record what the provider says about the account's status (wxStatus, wxInfo).

    Online: last seen now (and back online if we believed otherwise). Offline while we
    believed it online: offline, flagged unexpected unless an operator asked for a logout.
    Returns True when the status changed.
    """
    account = WeChatAccount.objects.select_for_update().get(pk=account.pk)
    now = timezone.now()
    if online:
        fields = ["last_seen_at", "updated_at"]
        account.last_seen_at = now
        changed = account.status != WeChatAccount.Status.ONLINE
        if changed:
            account.status = WeChatAccount.Status.ONLINE
            account.offline_unexpectedly = False
            fields += ["status", "offline_unexpectedly"]
            AccountEvent.objects.create(account=account, kind=AccountEvent.Kind.INFO, detail=f"{source}: online")
        account.save(update_fields=fields)
        return changed
    if account.status != WeChatAccount.Status.ONLINE:
        return False
    expected = logout_was_requested(account)
    account.status = WeChatAccount.Status.OFFLINE
    account.offline_unexpectedly = not expected
    account.save(update_fields=["status", "offline_unexpectedly", "updated_at"])
    AccountEvent.objects.create(
        account=account,
        kind=AccountEvent.Kind.LOGOUT if expected else AccountEvent.Kind.OFFLINE,
        detail=f"{source}: offline",
    )
    return True


@transaction.atomic
def set_operators(*, account, operators):
    """Replace the operators assigned to an account (admins only; the view checks)."""
    account.operators.set(operators)


@transaction.atomic
def set_assignments(*, user, accounts):
    """Replace the accounts assigned to an operator (admins only; the view checks)."""
    user.wechat_accounts.set(accounts)

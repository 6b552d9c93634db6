"""Handlers for the provider callbacks about accounts and QR login (C4, C10, C11).

`account_for` is also what the other apps' handlers use to find the account an event is about.
"""

import re
import uuid

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import AccountEvent, LoginSession, WeChatAccount
from accounts.signals import account_logged_in
from provider.callbacks.events import DUPLICATE, PROCESSED, UnknownAccount

# WeChat IDs and wxids are ASCII; examples put nicknames (大米) in identifier fields (E-19).
_IDENTIFIER = re.compile(r"^[A-Za-z0-9_\-.@]+$")
LOGOUT_REQUEST_TTL = 600


def looks_like_identifier(value):
    return bool(value) and bool(_IDENTIFIER.match(value))


def account_for(identifier, *, queryset=None):
    """The account an inbound `my_account`/`myAccount` names, by WeChat ID or wxid (§1.7).

    Seed examples sometimes carry the nickname instead (E-14, E-15); a nickname that names
    exactly one account is accepted as a last resort. Raises UnknownAccount otherwise.
    """
    queryset = queryset if queryset is not None else WeChatAccount.objects.all()
    identifier = (identifier or "").strip()
    if identifier:
        found = list(queryset.matching(identifier)[:2])
        if not found and not looks_like_identifier(identifier):
            found = list(queryset.filter(nickname=identifier)[:2])
        if len(found) == 1:
            return found[0]
        if found:  # one account's WeChat ID is another's wxid: prefer the WeChat ID
            for account in found:
                if account.account == identifier:
                    return account
    raise UnknownAccount(identifier)


# --- logout hook --------------------------------------------------------------------------------


def _logout_key(account):
    return f"accounts:logout-requested:{account.pk}"


def mark_logout_requested(account):
    """Call before asking the provider to log an account out, so its offline event is expected."""
    cache.set(_logout_key(account), True, LOGOUT_REQUEST_TTL)


def clear_logout_requested(account):
    """The logout request failed: a later offline event is a surprise again."""
    cache.delete(_logout_key(account))


def logout_was_requested(account):
    """True when an operator asked for this logout recently (then going offline is not a surprise)."""
    return bool(cache.get(_logout_key(account)))


# --- sessions -----------------------------------------------------------------------------------


def _session_by_token(value):
    try:
        token = uuid.UUID(str(value))
    except (TypeError, ValueError):
        return None
    return LoginSession.objects.filter(token=token).first()


def _find_session(event, *, task_id=None, account=None):
    session = _session_by_token(event.request_id) if event.request_id else None
    if session is None and event.extend:
        session = _session_by_token(event.extend)
    if session is None and task_id:
        session = LoginSession.objects.filter(task_id=task_id).order_by("-created_at").first()
    if session is None and account is not None:
        session = (
            LoginSession.objects.filter(
                account=account,
                status__in=[LoginSession.Status.REQUESTED, LoginSession.Status.QR_READY, LoginSession.Status.SCANNED],
            )
            .order_by("-created_at")
            .first()
        )
    return session


def handle_qr_code(event):
    """C11: the QR code of a scanNew task arrived; the session now waits for a scan."""
    session = _find_session(event, task_id=event.task_id)
    if session is None:
        # A scan started outside the console (or before its session row): keep it anyway.
        session = LoginSession(token=uuid.uuid4(), task_id=event.task_id)
    if not event.ok or not event.url:
        session.status = LoginSession.Status.FAILED
        session.error = event.msg or "the provider sent no QR code"
    else:
        if session.pk and session.qr_url == event.url and session.status != LoginSession.Status.REQUESTED:
            return DUPLICATE
        session.qr_url = event.url
        if session.status in (LoginSession.Status.REQUESTED, LoginSession.Status.QR_READY, ""):
            session.status = LoginSession.Status.QR_READY
    if event.task_id and not session.task_id:
        session.task_id = event.task_id
    session.save()
    return PROCESSED


# --- accounts -----------------------------------------------------------------------------------


def _upsert_account(*, account_id, alias, name, avatar_url):
    """Find the account by either identifier, or create it; never two rows for one account."""
    wxid = alias if looks_like_identifier(alias) else ""
    candidates = [value for value in (account_id, wxid) if value]
    if not candidates:
        raise UnknownAccount(account_id or alias)
    found = None
    for value in candidates:
        try:
            found = account_for(value)
            break
        except UnknownAccount:
            continue
    if found is None:
        try:
            with transaction.atomic():
                found = WeChatAccount.objects.create(account=account_id or None, wxid=wxid)
        except IntegrityError:  # created concurrently by the twin delivery (C10 and C4)
            found = account_for(account_id)
    changed = []
    updates = {
        "account": account_id or found.account,
        "wxid": wxid or found.wxid,
        "nickname": name or found.nickname,
        "avatar_url": avatar_url or found.avatar_url,
    }
    if not looks_like_identifier(alias) and alias and not name:
        updates["nickname"] = alias
    for field_name, value in updates.items():
        if value != getattr(found, field_name):
            setattr(found, field_name, value)
            changed.append(field_name)
    return found, changed


def handle_scan_confirmed(event):
    """C10: the phone confirmed the scan; the account exists from now on, login follows (C4)."""
    account, changed = _upsert_account(
        account_id=event.account, alias=event.account_alias, name=event.name, avatar_url=event.avatar_url
    )
    if changed:
        account.save(update_fields=[*changed, "updated_at"])
    session = _find_session(event, account=account)
    if session is None:
        session = (
            LoginSession.objects.filter(
                account__isnull=True, status__in=[LoginSession.Status.QR_READY, LoginSession.Status.REQUESTED]
            )
            .order_by("-created_at")
            .first()
        )
    if session is not None and session.status in (LoginSession.Status.REQUESTED, LoginSession.Status.QR_READY):
        session.account = account
        session.status = LoginSession.Status.SCANNED
        session.save(update_fields=["account", "status", "updated_at"])
        return PROCESSED
    return PROCESSED if changed else DUPLICATE


def handle_account_status(event):
    """C4: `type` 1 = online (creates or updates the account), anything else = offline (E-13)."""
    if event.online:
        return _logged_in(event)
    account = account_for(event.account or event.my_account)
    with transaction.atomic():
        # Locked: the logout's own answer (accounts.results) may be marking it offline right now.
        account = WeChatAccount.objects.select_for_update().get(pk=account.pk)
        return _went_offline(account, event)


def _went_offline(account, event):
    if account.status == WeChatAccount.Status.OFFLINE:
        return DUPLICATE
    expected = logout_was_requested(account)
    now = timezone.now()
    account.status = WeChatAccount.Status.OFFLINE
    account.offline_unexpectedly = not expected
    account.last_seen_at = now
    account.save(update_fields=["status", "offline_unexpectedly", "last_seen_at", "updated_at"])
    AccountEvent.objects.create(
        account=account,
        kind=AccountEvent.Kind.LOGOUT if expected else AccountEvent.Kind.OFFLINE,
        detail=f"provider status type {event.status_type}",
    )
    return PROCESSED


def _logged_in(event):
    account, changed = _upsert_account(
        account_id=event.account, alias=event.account_alias, name=event.name, avatar_url=event.avatar_url
    )
    session = _find_session(event, task_id=event.task_id, account=account)
    session_done = session is not None and session.status == LoginSession.Status.ONLINE
    if account.status == WeChatAccount.Status.ONLINE and not changed and (session is None or session_done):
        return DUPLICATE  # the same login delivered again
    now = timezone.now()
    first_login = account.first_login_at is None
    account.status = WeChatAccount.Status.ONLINE
    account.offline_unexpectedly = False
    account.first_login_at = account.first_login_at or now
    account.last_login_at = now
    account.last_seen_at = now
    account.save()
    AccountEvent.objects.create(account=account, kind=AccountEvent.Kind.LOGIN, detail=f"task {event.task_id or '-'}")
    if session is not None and not session_done:
        session.account = account
        session.status = LoginSession.Status.ONLINE
        if event.task_id and not session.task_id:
            session.task_id = event.task_id
        session.save(update_fields=["account", "status", "task_id", "updated_at"])
        if first_login and session.operator_id:
            # The operator who brought a new account in may use it (admins see every account anyway).
            account.operators.add(session.operator_id)
    transaction.on_commit(lambda: account_logged_in.send(sender=WeChatAccount, account=account))
    return PROCESSED

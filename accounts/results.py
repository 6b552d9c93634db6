"""Outbox result handlers of the accounts app (registered in AccountsConfig.ready()).

They run in the worker, in the transaction that marks the outbox entry sent or failed.
"""

from django.utils.translation import gettext_lazy as _

from provider.models import OutboxEntry

from . import actions
from .events import clear_logout_requested
from .models import AccountEvent, LoginSession, WeChatAccount

SESSION_PREFIX = "accounts.LoginSession"
ACCOUNT_PREFIX = "accounts.WeChatAccount"


def provider_message(entry):
    """The provider's own words for a failed entry (its `msg`), or our description of the failure."""
    response = entry.response if isinstance(entry.response, dict) else {}
    return str(response.get("msg") or entry.last_error or "").strip()


def plain_error(entry):
    """A failed call in words an operator understands."""
    msg = provider_message(entry)
    if isinstance(entry.response, dict) and "code" in entry.response:
        return _("The provider refused: %(msg)s") % {"msg": msg or _("no reason given")}
    return _("The provider could not be reached (%(msg)s). Try again in a moment.") % {"msg": msg or _("no answer")}


def _object(entry, model):
    try:
        pk = int(entry.subject.split(":", 1)[1])
    except (IndexError, ValueError):
        return None
    return model.objects.filter(pk=pk).first()


def scan_result(entry):
    """scanNew answered: keep its task_id (C11 and C4 carry it), or fail the session in plain words."""
    session = _object(entry, LoginSession)
    if session is None:
        return
    if entry.status == OutboxEntry.Status.SENT:
        answer = entry.response if isinstance(entry.response, dict) else {}
        task_id = answer.get("task_id") or (answer.get("data") or {}).get("task_id")
        try:
            task_id = int(task_id)
        except (TypeError, ValueError):
            return
        LoginSession.objects.filter(pk=session.pk, task_id__isnull=True).update(task_id=task_id)
    elif session.is_waiting:
        session.status = LoginSession.Status.FAILED
        session.error = str(plain_error(entry))
        session.save(update_fields=["status", "error", "updated_at"])


def account_result(entry):
    """logout, wxInfo and wxStatus on demand: update the account from the answer."""
    account = _object(entry, WeChatAccount)
    if account is None:
        return
    sent = entry.status == OutboxEntry.Status.SENT
    if entry.method == "logout":
        if sent:
            # E-57: a successful wacat/out means offline, whether or not a C4 follows.
            actions.record_status(account=account, online=False, source="wacat/out")
        else:
            clear_logout_requested(account)
            AccountEvent.objects.create(
                account=account, kind=AccountEvent.Kind.INFO, detail=f"logout failed: {provider_message(entry)}"
            )
    elif entry.method == "wx_status" and sent:
        actions.record_status(account=account, online=entry.response is True, source="wxStatus")
    elif entry.method == "wx_info" and sent:
        _store_profile(account, entry.response if isinstance(entry.response, dict) else {})


def _store_profile(account, answer):
    from provider.types import AccountProfile

    profile = AccountProfile.from_answer(answer)
    changed = []
    for field_name, value in (
        ("nickname", profile.name),
        ("avatar_url", profile.thumb),
        ("area", profile.area),
        ("signature", profile.signature[:500]),
    ):
        if value and value != getattr(account, field_name):
            setattr(account, field_name, value)
            changed.append(field_name)
    if profile.sex != account.sex:
        account.sex = profile.sex
        changed.append("sex")
    if profile.wxid and not account.wxid:
        account.wxid = profile.wxid
        changed.append("wxid")
    if changed:
        account.save(update_fields=[*changed, "updated_at"])
    if profile.is_online is not None:
        actions.record_status(account=account, online=profile.is_online, source="wxInfo")


def register():
    from provider.outbox import register_result_handler

    register_result_handler(SESSION_PREFIX, scan_result)
    register_result_handler(ACCOUNT_PREFIX, account_result)

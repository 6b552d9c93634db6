"""Celery tasks of the accounts app. Thin: they re-fetch and call one action."""

import logging

from config.celery import app
from provider.errors import ProviderError

from . import actions
from .models import WeChatAccount

logger = logging.getLogger("accounts.tasks")


@app.task(ignore_result=True)
def check_account_statuses():
    """Celery beat: ask the provider whether each logged-in account is still online (wxStatus).

    A read, not an operator action, so it calls the client directly rather than through
    the outbox and its send rate. An account we believed online and now reported offline
    is flagged as offline unexpectedly (unless a logout was asked for).
    """
    from provider.client import get_client

    client = None
    checked = 0
    for account in WeChatAccount.objects.exclude(status=WeChatAccount.Status.NEW).exclude(account=None).iterator():
        try:
            client = client or get_client()
            online = client.wx_status(my_account=account.my_account)
        except ProviderError as exc:
            # Not the account's fault (token, network): leave its status as it is.
            logger.warning("accounts: wxStatus for %s failed: %s", account.my_account, exc)
            continue
        actions.record_status(account=account, online=online, source="wxStatus")
        checked += 1
    return checked

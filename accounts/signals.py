"""Signals other apps may listen to (they must not import accounts' internals for this)."""

import django.dispatch

# Sent after the transaction that made an account online through a login callback (C4 type 1)
# has committed. Keyword arguments: account (a WeChatAccount).
account_logged_in = django.dispatch.Signal()

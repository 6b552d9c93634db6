"""Receivers of the accounts app's own signals (connected in AccountsConfig.ready())."""

from . import actions


def refresh_profile_on_login(sender, account, **kwargs):
    """A fresh login: fetch the profile (wxInfo), which the login callback only partly carries."""
    actions.refresh_profile(account=account)

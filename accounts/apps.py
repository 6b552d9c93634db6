from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from . import receivers, results
        from .signals import account_logged_in

        results.register()
        account_logged_in.connect(receivers.refresh_profile_on_login, dispatch_uid="accounts.refresh_profile_on_login")

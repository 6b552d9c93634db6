from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContactsConfig(AppConfig):
    name = "contacts"
    verbose_name = _("Contacts")

    def ready(self):
        from accounts.signals import account_logged_in
        from contacts import results
        from provider import outbox

        for prefix, handler in results.HANDLERS.items():
            outbox.register_result_handler(prefix, handler)
        account_logged_in.connect(sync_on_login, dispatch_uid="contacts.sync_on_login")


def sync_on_login(sender, account, **kwargs):
    """An account came online: fetch its friend list (a sync already running is reused)."""
    from contacts.actions import start_friend_sync

    start_friend_sync(account=account)

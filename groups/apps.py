from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GroupsConfig(AppConfig):
    name = "groups"
    verbose_name = _("Groups")

    def ready(self):
        from accounts.signals import account_logged_in
        from groups import results
        from provider import outbox

        for prefix, handler in results.HANDLERS.items():
            outbox.register_result_handler(prefix, handler)
        account_logged_in.connect(refresh_on_login, dispatch_uid="groups.refresh_on_login")


def refresh_on_login(sender, account, **kwargs):
    """An account came online: fetch its group list (a refresh already waiting is reused).

    One call only: a login already sends the profile, labels and friend-list calls, and the
    account's send rate (SEND_RATE_BURST) is shared with the operators' messages. The saved-to-
    contacts flags and member counts come with the operator's "Refresh from WeChat".
    """
    from groups.actions import refresh_group_list

    refresh_group_list(account=account, saved=False)

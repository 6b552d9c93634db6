from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChatsConfig(AppConfig):
    name = "chats"
    verbose_name = _("Chats")

    def ready(self):
        from provider import outbox

        from .actions import record_send_result

        outbox.register_result_handler("chats.Message", record_send_result)

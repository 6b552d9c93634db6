from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MomentsConfig(AppConfig):
    name = "moments"
    verbose_name = _("Moments")

    def ready(self):
        from provider import outbox

        from . import actions

        outbox.register_result_handler("moments.Moment", actions.record_release_result)
        outbox.register_result_handler("moments.MomentInteraction", actions.record_point_result)
        outbox.register_result_handler("moments.MomentFetch", actions.record_fetch_result)

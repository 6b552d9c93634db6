from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MomentsConfig(AppConfig):
    name = "moments"
    verbose_name = _("Moments")

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScorecardsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "scorecards"
    verbose_name = _("Scorecards")

    def ready(self):
        from indicators.services import register_usage_check

        from .services import indicator_use

        register_usage_check(indicator_use)

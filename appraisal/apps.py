from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AppraisalConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "appraisal"
    verbose_name = _("Appraisal")

    def ready(self):
        from scorecards.services import register_opened_months

        from .services import opened_months

        # A scorecard version may not take effect in a month whose forms are made.
        register_opened_months(opened_months)

        from organisation.home_panels import register

        from .views import home_panel

        register("appraisal/_home_panel.html", home_panel)

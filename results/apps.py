from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResultsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "results"
    verbose_name = _("Results")

    def ready(self):
        from appraisal import services as appraisal_services

        from . import services

        # Published forms get their grade, ranks and pay; an approval that breaks the
        # forced-distribution guidance needs the general manager's recorded reason.
        appraisal_services.register_publish_listener(services.grade_period)
        appraisal_services.register_approval_check(services.check_distribution)

        from appraisal import demo as appraisal_demo

        from . import demo

        appraisal_demo.register_approval_reasons(demo.record_reasons)

        from appraisal.views import register_form_panel

        from .views import form_panel

        register_form_panel("results/_form_panel.html", form_panel)

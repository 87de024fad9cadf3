from django.urls import path

from . import excel_views, rating_views, views

urlpatterns = [
    path("appraisal/", views.period_list, name="period-list"),
    path("appraisal/periods/<int:pk>/", views.period_detail, name="period-detail"),
    path("appraisal/periods/<int:pk>/flag-late/", views.period_flag_late, name="period-flag-late"),
    path("appraisal/periods/<int:pk>/advance/", views.period_advance, name="period-advance"),
    path("appraisal/periods/<int:pk>/calculate/", views.period_calculate, name="period-calculate"),
    path("appraisal/periods/<int:pk>/actuals/import/", excel_views.actuals_import, name="period-actuals-import"),
    path("appraisal/periods/<int:pk>/actuals/template/", excel_views.actuals_template_download, name="period-actuals-template"),
    path("appraisal/periods/<int:pk>/results/export/", excel_views.results_export, name="period-results-export"),
    path("appraisal/forms/<int:pk>/export/", excel_views.form_export, name="form-export"),
    path("appraisal/forms/<int:pk>/", views.form_detail, name="form-detail"),
    path("appraisal/forms/<int:pk>/step/", views.form_step, name="form-step"),
    path("appraisal/forms/<int:pk>/evidence/", views.evidence_upload, name="evidence-upload"),
    path("appraisal/evidence/<int:pk>/", views.evidence_download, name="evidence-download"),
    path("appraisal/inspections/", views.inspection_list, name="inspection-list"),
    path("appraisal/to-sign/", views.to_sign, name="to-sign"),
    path("appraisal/approvals/", views.approvals, name="approvals"),
    path("appraisal/periods/<int:pk>/grid/", views.period_grid, name="period-grid"),
    path("appraisal/notifications/", views.notifications, name="notifications"),
    path("appraisal/inspections/record/", views.inspection_record, name="inspection-record"),
    path("appraisal/ratings/", rating_views.my_ratings, name="my-ratings"),
    path("appraisal/periods/<int:pk>/raters/", rating_views.period_raters, name="period-raters"),
]

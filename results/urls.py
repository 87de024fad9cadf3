from django.urls import path

from . import appeal_views, views

urlpatterns = [
    path("results/", views.results_home, name="results-home"),
    path("results/grades/", views.grade_settings, name="grade-settings"),
    path("results/year/", views.year_view, name="results-year"),
    path("results/pay-bases/", views.pay_bases, name="pay-bases"),
    path("results/periods/<int:pk>/", views.period_results, name="period-results"),
    path("results/periods/<int:pk>/payroll/", views.payroll_export, name="payroll-export"),
    path("results/periods/<int:pk>/interviews/", views.period_interviews, name="period-interviews"),
    path("results/forms/<int:pk>/interview/", views.interview, name="interview"),
    path("results/forms/<int:pk>/appeal/", appeal_views.appeal_file, name="appeal-file"),
    path("results/appeals/", appeal_views.appeal_list, name="appeal-list"),
    path("results/forms/<int:pk>/plan/", views.plan_make, name="improvement-plan-make"),
    path("results/plans/", views.plan_list, name="improvement-plans"),
    path("results/appeals/<int:pk>/", appeal_views.appeal_detail, name="appeal-detail"),
]

from django.urls import path

from . import round_views, views

urlpatterns = [
    path("library/", views.indicator_list, name="indicator-list"),
    path("library/new/", views.indicator_create, name="indicator-create"),
    path("library/export.xlsx", views.indicator_export, name="indicator-export"),
    path("library/import/", views.indicator_import, name="indicator-import"),
    path("library/import/template.xlsx", views.indicator_import_template, name="indicator-import-template"),
    path("library/<int:pk>/", views.indicator_detail, name="indicator-detail"),
    path("library/<int:pk>/edit/", views.indicator_update, name="indicator-update"),
    path("weighting/", round_views.round_list, name="round-list"),
    path("weighting/new/", round_views.round_create, name="round-create"),
    path("weighting/<int:pk>/", round_views.round_detail, name="round-detail"),
    path("weighting/<int:pk>/invite/", round_views.round_invite, name="round-invite"),
    path("weighting/<int:pk>/close/", round_views.round_close, name="round-close"),
]

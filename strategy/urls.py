from django.urls import path

from . import views

urlpatterns = [
    path("strategy/", views.plan_list, name="plan-list"),
    path("strategy/new/", views.plan_create, name="plan-create"),
    path("strategy/<int:pk>/", views.plan_detail, name="plan-detail"),
    path("strategy/<int:pk>/edit/", views.plan_update, name="plan-update"),
    path("strategy/<int:pk>/approve/", views.plan_approve, name="plan-approve"),
    path("strategy/<int:pk>/reopen/", views.plan_reopen, name="plan-reopen"),
    path("strategy/<int:pk>/map/", views.strategy_map, name="strategy-map"),
    path("strategy/<int:pk>/matrix/", views.matrix_edit, name="matrix-edit"),
    path("strategy/<int:pk>/matrix.xlsx", views.matrix_export, name="matrix-export"),
    path("strategy/<int:pk>/objectives/new/", views.objective_create, name="objective-create"),
    path("strategy/objectives/<int:pk>/", views.objective_detail, name="objective-detail"),
    path("strategy/objectives/<int:pk>/edit/", views.objective_update, name="objective-update"),
    path("strategy/objectives/<int:pk>/delete/", views.objective_delete, name="objective-delete"),
    path("strategy/objectives/<int:pk>/links/new/", views.link_create, name="link-create"),
    path("strategy/objectives/<int:pk>/measures/new/", views.measure_create, name="measure-create"),
    path("strategy/links/<int:pk>/delete/", views.link_delete, name="link-delete"),
    path("strategy/measures/<int:pk>/edit/", views.measure_update, name="measure-update"),
    path("strategy/measures/<int:pk>/delete/", views.measure_delete, name="measure-delete"),
]

from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", views.password_change_done, name="password_change_done"),
    path("me/", views.my_profile, name="my-profile"),
    path("company/", views.company_settings, name="company-settings"),
    path("org/departments/", views.department_list, name="department-list"),
    path("org/departments/new/", views.department_create, name="department-create"),
    path("org/departments/<int:pk>/", views.department_detail, name="department-detail"),
    path("org/departments/<int:pk>/edit/", views.department_update, name="department-update"),
    path("org/departments/<int:pk>/head/", views.department_set_head, name="department-set-head"),
    path("org/departments/<int:pk>/teams/new/", views.team_create, name="team-create"),
    path("org/teams/<int:pk>/edit/", views.team_update, name="team-update"),
    path("org/posts/", views.post_list, name="post-list"),
    path("org/posts/new/", views.post_create, name="post-create"),
    path("org/posts/<int:pk>/edit/", views.post_update, name="post-update"),
    path("org/employees/", views.employee_list, name="employee-list"),
    path("org/employees/new/", views.employee_create, name="employee-create"),
    path("org/employees/import/", views.employee_import, name="employee-import"),
    path("org/employees/import/template.xlsx", views.employee_import_template, name="employee-import-template"),
    path("org/employees/<int:pk>/", views.employee_detail, name="employee-detail"),
    path("org/employees/<int:pk>/edit/", views.employee_update, name="employee-update"),
    path("org/employees/<int:pk>/move/", views.employee_move, name="employee-move"),
    path("org/employees/<int:pk>/deactivate/", views.employee_deactivate, name="employee-deactivate"),
    path("org/employees/<int:pk>/password/", views.employee_set_password, name="employee-set-password"),
]

"""The Django admin: administrators only, every registered model's pages open."""

import pytest
from django.contrib import admin
from django.urls import reverse

from organisation.models import ApiToken

pytestmark = pytest.mark.django_db

PROJECT_APPS = {"organisation", "strategy", "indicators", "scorecards", "appraisal"}
# Third-party logs (django-axes) are read-only: their add pages are refused by design.
MODEL_PAGES = [
    f"admin:{model._meta.app_label}_{model._meta.model_name}_{page}"
    for model in admin.site._registry
    for page in (("changelist", "add") if model._meta.app_label in PROJECT_APPS else ("changelist",))
]


def test_every_project_model_is_registered_in_the_admin():
    from django.apps import apps

    models = {m for m in apps.get_models() if m._meta.app_label in PROJECT_APPS and not m.__name__.startswith("Historical")}
    assert models <= set(admin.site._registry)


@pytest.mark.parametrize("page", MODEL_PAGES)
def test_an_administrator_opens_every_admin_page(world, login, page):
    response = login(world.admin).get(reverse(page))
    # ApiToken cannot be changed once issued, so its add page is the only form.
    assert response.status_code == 200, page


@pytest.mark.parametrize("actor", ["emp_a", "head_a", "hr", "gm", "committee"])
def test_everyone_else_is_sent_to_the_admin_log_in(world, login, actor):
    response = login(getattr(world, actor).user).get(reverse("admin:organisation_employee_changelist"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_anonymous_visitors_are_sent_to_the_admin_log_in(client):
    assert client.get(reverse("admin:index")).status_code == 302


def test_the_admin_shows_a_new_token_secret_once(world, login):
    client = login(world.admin)
    response = client.post(
        reverse("admin:organisation_apitoken_add"),
        {"user": world.integrator.pk, "name": "payroll", "scopes": '["read"]', "expires_at_0": "", "expires_at_1": ""},
        follow=True,
    )
    token = ApiToken.objects.get(name="payroll")
    messages = [str(m) for m in response.context["messages"]]
    assert any(f"bsc_{token.prefix}_" in m for m in messages)
    assert token.created_by == world.admin

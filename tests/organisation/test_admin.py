"""The Django admin: administrators only, every registered model's pages open."""

import pytest
from django.contrib import admin
from django.urls import reverse

from bsc_site.admin import ReadOnlyAdminMixin

from organisation.models import ApiToken

pytestmark = pytest.mark.django_db

PROJECT_APPS = {"organisation", "strategy", "indicators", "scorecards", "appraisal", "results"}
# Records whose rules live in services are read-only in the admin, like django-axes' logs:
# only their list pages open.
MODEL_PAGES = [
    f"admin:{model._meta.app_label}_{model._meta.model_name}_{page}"
    for model, model_admin in admin.site._registry.items()
    for page in (
        ("changelist", "add")
        if model._meta.app_label in PROJECT_APPS and not isinstance(model_admin, ReadOnlyAdminMixin)
        else ("changelist",)
    )
]


def test_workflow_records_cannot_be_changed_in_the_admin(world, login):
    """An administrator could otherwise approve a plan in the GM's name or link a loop."""
    from django.test import RequestFactory

    from indicators.models import ExpertInvitation, WeightingRound
    from scorecards.models import CascadeLink, ScorecardLine, ScorecardVersion
    from strategy.models import ObjectiveLink, StrategyPlan

    request = RequestFactory().get("/")
    request.user = world.admin
    for model in (StrategyPlan, ObjectiveLink, WeightingRound, ExpertInvitation, ScorecardVersion, ScorecardLine, CascadeLink):
        model_admin = admin.site._registry[model]
        assert not model_admin.has_change_permission(request) and not model_admin.has_add_permission(request)


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


def test_a_past_version_cannot_be_saved_back_from_the_admin_history(world, login):
    """django-simple-history saves a POSTed revert form after checking only the view
    permission; read-only records (an approved plan, a closed month) must stay as they are."""
    from strategy.models import StrategyPlan
    from tests.strategy.factories import PlanFactory

    plan = PlanFactory(vision="First vision")
    plan.vision = "Second vision"
    plan.save()
    old = plan.history.order_by("history_id").first()
    url = reverse("admin:strategy_strategyplan_simple_history", args=[plan.pk, old.history_id])
    client = login(world.admin)
    page = client.get(url)
    assert page.status_code == 200 and "First vision" in page.content.decode()
    assert 'name="_save"' not in page.content.decode()
    assert client.post(url, {"vision": "First vision", "_save": "Save"}).status_code == 403
    assert StrategyPlan.objects.get(pk=plan.pk).vision == "Second vision"
    # Editable records too: a change goes through their change page, not a revert.
    department = world.dept_a
    department.name_en = "Renamed"
    department.save()
    first = department.history.order_by("history_id").first()
    url = reverse("admin:organisation_department_simple_history", args=[department.pk, first.history_id])
    assert client.post(url, {"name_en": first.name_en}).status_code == 403

"""Holes found in the review of the strategy and library modules; each stays closed."""

import pytest
from django.core.exceptions import ValidationError

from indicators import services as indicator_services
from strategy import services
from strategy.models import PlanStatus, TaskAssignment
from strategy.selectors import task_matrix
from tests.indicators.factories import IndicatorFactory

from .factories import MeasureFactory, ObjectiveFactory, PlanFactory, ensure_perspectives, perspective

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(db):
    ensure_perspectives()
    return PlanFactory(year=2026)


def test_indicator_links_to_measures_of_an_approved_plan_are_frozen(world, plan):
    measure = MeasureFactory(objective=ObjectiveFactory(plan=plan, perspective=perspective("financial")))
    indicator = IndicatorFactory()
    plan.status = PlanStatus.APPROVED
    plan.save()
    with pytest.raises(ValidationError) as error:
        indicator_services.save_indicator(by=world.hr.user, indicator=indicator, measures=[measure])
    assert "measures" in error.value.message_dict
    assert not indicator.measures.exists()


def test_a_full_update_of_an_objective_through_the_api_keeps_its_plan(world, plan, login):
    objective = ObjectiveFactory(plan=plan, code="F1", perspective=perspective("financial"))
    other = PlanFactory(year=2031)
    response = login(world.hr.user).put(
        f"/api/v1/objectives/{objective.pk}/",
        {"plan": other.pk, "perspective": objective.perspective_id, "code": "F1", "name_en": "Renamed"},
        content_type="application/json",
    )
    assert response.status_code == 200
    objective.refresh_from_db()
    assert (objective.plan, objective.name_en) == (plan, "Renamed")


def test_saving_the_matrix_changes_only_the_cells_on_the_form(world, plan, login):
    objective = ObjectiveFactory(plan=plan, perspective=perspective("financial"))
    shown, added_meanwhile = MeasureFactory(objective=objective), MeasureFactory(objective=objective)
    TaskAssignment.objects.create(measure=added_meanwhile, department=world.dept_b, role="lead")
    login(world.hr.user).post(f"/strategy/{plan.pk}/matrix/", {f"cell-{shown.pk}-{world.dept_a.pk}": "lead"})
    assert set(TaskAssignment.objects.values_list("measure_id", "department_id")) == {(shown.pk, world.dept_a.pk), (added_meanwhile.pk, world.dept_b.pk)}


def test_a_deactivated_department_with_cells_still_shows_in_the_matrix(world, plan):
    measure = MeasureFactory(objective=ObjectiveFactory(plan=plan, perspective=perspective("financial")))
    TaskAssignment.objects.create(measure=measure, department=world.dept_b, role="lead")
    world.dept_b.is_active = False
    world.dept_b.save()
    assert world.dept_b in task_matrix(plan).departments


def test_the_api_takes_weighted_ratings(world, login):
    indicator = IndicatorFactory(direction="qualitative", scoring_method="description")
    response = login(world.emp_a.user).post(
        f"/api/v1/indicators/{indicator.pk}/evaluate/", {"ratings": [[7, "3"], [4, "1"]]}, content_type="application/json"
    )
    assert response.status_code == 200
    # (100 x 3 + 57.142857 x 1) / 4
    assert response.json()["score"] == "89.29"


def test_services_still_refuse_changes_to_an_approved_plan(world, plan):
    ObjectiveFactory(plan=plan, perspective=perspective("financial"))
    services.approve_plan(by=world.gm.user, plan=plan)
    with pytest.raises(ValidationError):
        services.save_plan(by=world.hr.user, plan=plan, vision="changed")

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from strategy import services
from strategy.models import ObjectiveLink, PlanStatus, TaskAssignment

from .factories import MeasureFactory, ObjectiveFactory, PlanFactory, ensure_perspectives, perspective

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(db):
    ensure_perspectives()
    return PlanFactory(year=2026)


def objective(plan, code, where):
    return ObjectiveFactory(plan=plan, code=code, perspective=perspective(where))


def test_hr_creates_a_plan_with_vision_mission_and_values(world):
    plan = services.save_plan(by=world.hr.user, year=2027, vision="V", mission="M", values="Integrity")
    assert (plan.status, plan.history.first().history_change_reason) == (PlanStatus.DRAFT, "create plan")


@pytest.mark.parametrize("actor", ["emp_a", "head_a", "gm"])
def test_only_hr_and_administrators_edit_the_strategy(world, plan, actor):
    with pytest.raises(PermissionDenied):
        services.save_plan(by=getattr(world, actor).user, plan=plan, vision="x")


def test_two_plans_for_one_year_are_refused(world, plan):
    with pytest.raises(ValidationError) as error:
        services.save_plan(by=world.hr.user, year=plan.year)
    assert "year" in error.value.message_dict


def test_the_general_manager_approves_a_plan_with_objectives(world, plan):
    objective(plan, "F1", "financial")
    approved = services.approve_plan(by=world.gm.user, plan=plan)
    assert (approved.status, approved.approved_by) == (PlanStatus.APPROVED, world.gm.user)


def test_a_plan_without_objectives_cannot_be_approved(world, plan):
    with pytest.raises(ValidationError):
        services.approve_plan(by=world.gm.user, plan=plan)


def test_hr_cannot_approve_a_plan(world, plan):
    objective(plan, "F1", "financial")
    with pytest.raises(PermissionDenied):
        services.approve_plan(by=world.hr.user, plan=plan)


def test_an_approved_plan_is_frozen_until_the_general_manager_reopens_it(world, plan):
    objective(plan, "F1", "financial")
    services.approve_plan(by=world.gm.user, plan=plan)
    with pytest.raises(ValidationError, match="approved"):
        services.save_objective(by=world.hr.user, plan=plan, code="F2", name_en="New", perspective=perspective("financial"))
    services.reopen_plan(by=world.gm.user, plan=plan)
    created = services.save_objective(by=world.hr.user, plan=plan, code="F2", name_en="New", perspective=perspective("financial"))
    assert created.plan == plan


def test_objective_codes_are_unique_within_a_plan(world, plan):
    objective(plan, "F1", "financial")
    with pytest.raises(ValidationError):
        services.save_objective(by=world.hr.user, plan=plan, code="F1", name_en="Again", perspective=perspective("financial"))


def test_a_link_that_closes_a_loop_is_refused_with_a_message(world, plan):
    a, b, c = objective(plan, "L1", "learning_growth"), objective(plan, "P1", "internal_process"), objective(plan, "C1", "customer")
    services.link_objectives(by=world.hr.user, source=a, target=b)
    services.link_objectives(by=world.hr.user, source=b, target=c)
    with pytest.raises(ValidationError) as error:
        services.link_objectives(by=world.hr.user, source=c, target=a)
    assert "loop" in error.value.message_dict["target"][0]
    assert ObjectiveLink.objects.count() == 2


def test_a_link_in_the_usual_direction_saves_without_warning(world, plan):
    _link, warning = services.link_objectives(by=world.hr.user, source=objective(plan, "L1", "learning_growth"), target=objective(plan, "F1", "financial"))
    assert warning is None


def test_a_link_against_the_usual_direction_is_saved_with_a_warning(world, plan):
    link, warning = services.link_objectives(by=world.hr.user, source=objective(plan, "F1", "financial"), target=objective(plan, "L1", "learning_growth"))
    assert link.pk and link.against_direction
    assert "against the usual direction" in warning


def test_a_duplicate_or_self_link_is_refused(world, plan):
    a, b = objective(plan, "L1", "learning_growth"), objective(plan, "F1", "financial")
    services.link_objectives(by=world.hr.user, source=a, target=b)
    with pytest.raises(ValidationError, match="already drives"):
        services.link_objectives(by=world.hr.user, source=a, target=b)
    with pytest.raises(ValidationError, match="cannot drive itself"):
        services.link_objectives(by=world.hr.user, source=a, target=a)


def test_objectives_of_different_plans_cannot_be_linked(world, plan):
    other = PlanFactory(year=2030)
    with pytest.raises(ValidationError):
        services.link_objectives(by=world.hr.user, source=objective(plan, "L1", "learning_growth"), target=objective(other, "F1", "financial"))


def test_the_matrix_is_saved_in_one_go_and_reports_changes(world, plan):
    measure = MeasureFactory(objective=objective(plan, "F1", "financial"))
    changed = services.set_matrix(
        by=world.hr.user, plan=plan,
        cells={(measure.pk, world.dept_a.pk): "lead", (measure.pk, world.dept_b.pk): "support", (measure.pk, world.dept_hr.pk): None},
    )
    assert changed == 2
    assert dict(TaskAssignment.objects.values_list("department_id", "role")) == {world.dept_a.pk: "lead", world.dept_b.pk: "support"}
    assert services.set_matrix(by=world.hr.user, plan=plan, cells={(measure.pk, world.dept_b.pk): None}) == 1


def test_the_matrix_refuses_measures_of_another_plan_and_unknown_roles(world, plan):
    foreign = MeasureFactory(objective=objective(PlanFactory(year=2031), "F9", "financial"))
    with pytest.raises(ValidationError):
        services.set_matrix(by=world.hr.user, plan=plan, cells={(foreign.pk, world.dept_a.pk): "lead"})
    own = MeasureFactory(objective=objective(plan, "F1", "financial"))
    with pytest.raises(ValidationError):
        services.set_matrix(by=world.hr.user, plan=plan, cells={(own.pk, world.dept_a.pk): "owner"})
    assert not TaskAssignment.objects.exists()


def test_a_draft_plan_can_be_deleted_but_not_an_approved_one(world, plan):
    objective(plan, "F1", "financial")
    services.approve_plan(by=world.gm.user, plan=plan)
    with pytest.raises(ValidationError):
        services.delete_plan(by=world.hr.user, plan=plan)
    services.reopen_plan(by=world.gm.user, plan=plan)
    services.delete_plan(by=world.hr.user, plan=plan)
    assert not type(plan).objects.filter(pk=plan.pk).exists()

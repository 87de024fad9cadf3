"""Improvement plans (PDCA): made from a form with its low lines suggested, moved through
plan -> do -> check -> act -> done, open items on the person's later forms."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from appraisal import services as appraisal
from appraisal.models import Form, FormKind
from results import plans
from results.models import PlanStage
from tests.appraisal.factories import all_values, approved_cards

pytestmark = pytest.mark.django_db


@pytest.fixture
def low(world):
    """emp_a's March form calculated with every line at 4 of 8.33 (48.02)."""
    approved_cards(world)
    period = appraisal.open_period(by=world.hr.user, year=2026, month=3)
    form = Form.objects.get(period=period, employee=world.emp_a, kind=FormKind.EMPLOYEE)
    appraisal.save_values(by=world.hr.user, form=form, values=all_values(form, "4"))
    for user, action in ((world.emp_a.user, "sign_as_employee"), (world.head_a.user, "sign_as_head"), (world.hr.user, "calculate")):
        form = appraisal.take_step(by=user, form=Form.objects.get(pk=form.pk), action=action)
    return form


def item(world, **fields):
    return {"problem": "Quotes answered late", "action": "Answer within a day", "owner": world.emp_a, "due": date(2026, 5, 31), **fields}


def test_low_lines_are_suggested_and_the_head_makes_the_plan(world, low):
    assert [line["score"] for line in plans.suggestions(low)] == ["48.02"] * 4
    with pytest.raises(PermissionDenied):
        plans.make(by=world.emp_a.user, form=low, items=[item(world)])
    with pytest.raises(ValidationError, match="Add at least one item"):
        plans.make(by=world.head_a.user, form=low, items=[])
    with pytest.raises(ValidationError) as error:
        plans.make(by=world.head_a.user, form=low, items=[item(world, owner=None, due=None, action="")])
    assert error.value.messages == ["Item 1: write the problem and the action.", "Item 1: choose who owns the action.", "Item 1: give a due date."]
    plan = plans.make(by=world.head_a.user, form=low, items=[item(world)])
    assert plan.items.get().stage == PlanStage.PLAN


def test_an_item_goes_through_pdca_and_the_check_records_its_result(world, low):
    plan = plans.make(by=world.head_a.user, form=low, items=[item(world)])
    entry = plan.items.get()
    with pytest.raises(PermissionDenied):
        plans.move_on(by=world.emp_a2.user, item=entry)
    entry = plans.move_on(by=world.emp_a.user, item=entry)  # the owner: plan -> do
    entry = plans.move_on(by=world.head_a.user, item=entry)  # do -> check
    with pytest.raises(ValidationError, match="what the check found"):
        plans.move_on(by=world.head_a.user, item=entry)
    entry = plans.move_on(by=world.head_a.user, item=entry, check_result="Answered within a day 9 times of 10")
    entry = plans.move_on(by=world.hr.user, item=entry)
    assert entry.stage == PlanStage.DONE and entry.check_result.startswith("Answered")
    with pytest.raises(ValidationError, match="done"):
        plans.move_on(by=world.hr.user, item=entry)


def test_open_items_show_on_the_persons_forms_and_the_pages_work(world, low, client, login):
    login(world.head_a.user)
    page = client.get(f"/results/forms/{low.pk}/plan/").content.decode()
    assert page.count('name="problem-') == 5  # four low lines and a blank row
    data = {"count": "1", "line-0": "X", "problem-0": "Quotes late", "action-0": "Daily review", "owner-0": world.emp_a.employee_number, "due-0": "2026-05-31"}
    response = client.post(f"/results/forms/{low.pk}/plan/", data, follow=True)
    assert "Improvement plan made" in response.content.decode()
    own = login(world.emp_a.user, on=type(client)())
    assert "Daily review" in own.get(f"/appraisal/forms/{low.pk}/").content.decode()
    assert "Daily review" in own.get("/results/plans/").content.decode()
    assert "Daily review" not in login(world.emp_b.user, on=type(client)()).get("/results/plans/").content.decode()

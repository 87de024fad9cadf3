"""The API of interviews, appeals and improvement plans drives the same services."""

import pytest

from appraisal import services as appraisal
from appraisal.models import Form, FormKind, FormStatus
from tests.appraisal.factories import all_values, approved_cards

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(world):
    approved_cards(world)
    period = appraisal.open_period(by=world.hr.user, year=2026, month=3)
    form = Form.objects.get(period=period, employee=world.emp_a, kind=FormKind.EMPLOYEE)
    appraisal.save_values(by=world.hr.user, form=form, values=all_values(form, "4"))
    for user, action in ((world.emp_a.user, "sign_as_employee"), (world.head_a.user, "sign_as_head"), (world.hr.user, "calculate"),
                         (world.gm.user, "approve"), (world.hr.user, "publish")):
        form = appraisal.take_step(by=user, form=Form.objects.get(pk=form.pk), action=action)
    return form


def post(client, url, body):
    return client.post(url, body, content_type="application/json")


def test_interview_appeal_and_plan_through_the_api(world, published, client, login):
    head = login(world.head_a.user)
    body = {"form": published.pk, "held_on": "2026-04-02", "results": "48%", "improvements": "Quotes", "actions": "Weekly review"}
    interview = post(head, "/api/v1/interviews/", body).json()
    assert interview["state"] == "written"
    assert post(head, f"/api/v1/interviews/{interview['id']}/sign/", {}).json()["state"] == "half_signed"
    plan = post(head, "/api/v1/improvement-plans/", {"form": published.pk, "items": [
        {"problem": "Late quotes", "action": "Answer within a day", "owner": world.emp_a.pk, "due": "2026-05-31"}]})
    assert plan.status_code == 201
    item = plan.json()["items"][0]
    assert post(head, f"/api/v1/plan-items/{item['id']}/next/", {}).json()["stage"] == "do"

    person = login(world.emp_a.user, on=type(client)())
    appeal = post(person, "/api/v1/appeals/", {"form": published.pk, "reason": "Booked in April"})
    assert appeal.status_code == 201
    assert post(person, f"/api/v1/appeals/{appeal.json()['id']}/decide/", {"upheld": True, "decision": "x"}).status_code == 403
    committee = login(world.committee.user, on=type(client)())
    decided = post(committee, f"/api/v1/appeals/{appeal.json()['id']}/decide/", {"upheld": True, "decision": "Booked late"})
    assert decided.json()["status"] == "upheld" and Form.objects.get(pk=published.pk).status == FormStatus.SUBMITTED
    refused = post(person, "/api/v1/appeals/", {"form": published.pk, "reason": "Again"})
    assert refused.status_code == 400

"""Appeals: filed within the window by the person, commented by the head and HR, decided
by the committee; an upheld appeal reopens the form through the whole cycle again."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from appraisal import services as appraisal
from appraisal.models import Form, FormKind, FormStatus, Notification, Transition
from results import appeals
from results.models import AppealStatus, FormResult
from tests.appraisal.factories import all_values, approved_cards

pytestmark = pytest.mark.django_db


def step(world, form, *pairs):
    for user, action in pairs:
        form = appraisal.take_step(by=user, form=Form.objects.get(pk=form.pk), action=action)
    return form


@pytest.fixture
def published(world):
    approved_cards(world)
    period = appraisal.open_period(by=world.hr.user, year=2026, month=3)
    form = Form.objects.get(period=period, employee=world.emp_a, kind=FormKind.EMPLOYEE)
    appraisal.save_values(by=world.hr.user, form=form, values=all_values(form, "6"))
    return step(world, form, (world.emp_a.user, "sign_as_employee"), (world.head_a.user, "sign_as_head"), (world.hr.user, "calculate"),
                (world.gm.user, "approve"), (world.hr.user, "publish"))


def test_only_the_person_appeals_a_published_score_within_the_window(world, published):
    key = next(iter(published.snapshot["lines"]))
    with pytest.raises(PermissionDenied):
        appeals.file(by=world.head_a.user, form=published, reason="Unfair", lines=[key])
    with pytest.raises(ValidationError, match="Say why"):
        appeals.file(by=world.emp_a.user, form=published, reason=" ", lines=[key])
    with pytest.raises(ValidationError, match="not on the form"):
        appeals.file(by=world.emp_a.user, form=published, reason="Wrong", lines=["NOPE"])
    appeal = appeals.file(by=world.emp_a.user, form=published, reason="The March sales were booked in April", lines=[key])
    assert appeal.deadline == timezone.localdate() + timedelta(days=7)
    assert Notification.objects.filter(user=world.committee.user, url=f"/results/appeals/{appeal.pk}/").exists()
    with pytest.raises(ValidationError, match="already open"):
        appeals.file(by=world.emp_a.user, form=published, reason="Again", lines=[key])


def test_an_appeal_after_the_window_is_refused(world, published):
    Transition.objects.filter(form=published, action="publish").update(at=timezone.now() - timedelta(days=8))
    with pytest.raises(ValidationError, match="window closed"):
        appeals.file(by=world.emp_a.user, form=published, reason="Late", lines=[])


def test_the_committee_asks_the_head_and_hr_and_rejects_with_a_reason(world, published):
    appeal = appeals.file(by=world.emp_a.user, form=published, reason="Target too high", lines=[])
    with pytest.raises(PermissionDenied):
        appeals.ask_comments(by=world.hr.user, appeal=appeal, question="Why?")
    appeals.ask_comments(by=world.committee.user, appeal=appeal, question="Was the target agreed?")
    assert {n.user for n in Notification.objects.filter(url=f"/results/appeals/{appeal.pk}/")} >= {world.hr.user, world.head_a.user}
    appeals.comment(by=world.head_a.user, appeal=appeal, text="Agreed in January, minutes attached")
    with pytest.raises(PermissionDenied):
        appeals.comment(by=world.emp_a2.user, appeal=appeal, text="Me too")
    with pytest.raises(ValidationError, match="reason of the decision"):
        appeals.decide(by=world.committee.user, appeal=appeal, upheld=False, decision="")
    appeal = appeals.decide(by=world.committee.user, appeal=appeal, upheld=False, decision="The target was agreed")
    assert appeal.status == AppealStatus.REJECTED and Form.objects.get(pk=published.pk).status == FormStatus.PUBLISHED
    with pytest.raises(ValidationError, match="decided"):
        appeals.comment(by=world.head_a.user, appeal=appeal, text="Late")


def test_an_upheld_appeal_reopens_the_form_for_the_whole_cycle(world, published):
    assert FormResult.objects.filter(form=published).exists()
    appeal = appeals.file(by=world.emp_a.user, form=published, reason="Sales booked in April", lines=[])
    appeals.decide(by=world.committee.user, appeal=appeal, upheld=True, decision="The booking date was wrong")
    form = Form.objects.get(pk=published.pk)
    assert form.status == FormStatus.SUBMITTED and form.total is None and not FormResult.objects.filter(form=form).exists()
    reopen = form.transitions.get(action="reopen_for_appeal")
    assert reopen.by == world.committee.user and "booking date" in reopen.comment
    # HR corrects a value: the signatures void, the person and the head sign again.
    appraisal.save_values(by=world.hr.user, form=form, values=all_values(form, "8.33"))
    form = Form.objects.get(pk=published.pk)
    assert form.status == FormStatus.DRAFT
    form = step(world, form, (world.emp_a.user, "sign_as_employee"), (world.head_a.user, "sign_as_head"), (world.hr.user, "calculate"),
                (world.gm.user, "approve"), (world.hr.user, "publish"))
    assert form.total > published.total and FormResult.objects.get(form=form).grade == "A"


def test_nobody_decides_an_appeal_on_their_own_form_and_no_button_reopens(world, published, client, login):
    appeal = appeals.file(by=world.emp_a.user, form=published, reason="x", lines=[])
    with pytest.raises(PermissionDenied):
        appeals.decide(by=world.head_a.user, appeal=appeal, upheld=True, decision="y")
    with pytest.raises(ValidationError, match="only by an upheld appeal"):
        appraisal.take_step(by=world.committee.user, form=published, action="reopen_for_appeal", comment="z")
    response = login(world.committee.user).post(f"/api/v1/appraisal-forms/{published.pk}/step/", {"action": "reopen_for_appeal", "comment": "z"}, content_type="application/json")
    assert response.status_code == 409


def test_the_appeal_pages(world, published, client, login):
    key = next(iter(published.snapshot["lines"]))
    login(world.emp_a.user)
    assert "Appeal" in client.get(f"/appraisal/forms/{published.pk}/").content.decode()
    response = client.post(f"/results/forms/{published.pk}/appeal/", {"reason": "Booked late", "lines": [key]}, follow=True)
    assert "Appeal filed" in response.content.decode()
    appeal_url = response.redirect_chain[-1][0]
    committee = login(world.committee.user, on=type(client)())
    page = committee.get(appeal_url).content.decode()
    assert "Uphold" in page and "Booked late" in page
    response = committee.post(appeal_url, {"action": "reject", "text": "Booked in the right month"}, follow=True)
    assert "Appeal rejected" in response.content.decode()
    assert login(world.emp_b.user, on=type(client)()).get(appeal_url).status_code == 404

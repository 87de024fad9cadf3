"""Feedback interviews: the head writes them after publication, both sign, a change voids
the signatures, HR sees whose are missing."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from appraisal import services as appraisal
from appraisal.models import Form, FormKind, FormStatus
from results import interviews
from results.models import Interview
from tests.appraisal.factories import all_values, approved_cards

pytestmark = pytest.mark.django_db

NOTES = {"results": "Sales at 104%", "improvements": "Follow up quotes within a day", "actions": "Weekly pipeline review"}


@pytest.fixture
def published(world):
    approved_cards(world)
    period = appraisal.open_period(by=world.hr.user, year=2026, month=3)
    form = Form.objects.get(period=period, employee=world.emp_a, kind=FormKind.EMPLOYEE)
    appraisal.save_values(by=world.hr.user, form=form, values=all_values(form))
    for user, action in ((world.emp_a.user, "sign_as_employee"), (world.head_a.user, "sign_as_head"), (world.hr.user, "calculate"),
                         (world.gm.user, "approve"), (world.hr.user, "publish")):
        form = appraisal.take_step(by=user, form=Form.objects.get(pk=form.pk), action=action)
    return form


def test_the_head_writes_both_sign_and_a_change_voids(world, published):
    with pytest.raises(PermissionDenied):
        interviews.save(by=world.emp_a.user, form=published, held_on=date(2026, 4, 3), **NOTES)
    with pytest.raises(PermissionDenied):
        interviews.save(by=world.head_b.user, form=published, held_on=date(2026, 4, 3), **NOTES)
    record = interviews.save(by=world.head_a.user, form=published, held_on=date(2026, 4, 3), **NOTES)
    assert interviews.state(record) == "written"
    interviews.sign(by=world.emp_a.user, interview=record)
    assert interviews.state(Interview.objects.get(pk=record.pk)) == "half_signed"
    with pytest.raises(ValidationError, match="already"):
        interviews.sign(by=world.emp_a.user, interview=record)
    interviews.sign(by=world.head_a.user, interview=record)
    assert interviews.state(Interview.objects.get(pk=record.pk)) == "signed"
    record = interviews.save(by=world.head_a.user, form=published, held_on=date(2026, 4, 3), revision=record.revision, actions="Daily review")
    assert interviews.state(Interview.objects.get(pk=record.pk)) == "written" and record.revision == 2
    with pytest.raises(ValidationError, match="Someone changed"):
        interviews.save(by=world.head_a.user, form=published, held_on=date(2026, 4, 3), revision=1, actions="Stale")
    with pytest.raises(PermissionDenied):
        interviews.sign(by=world.emp_a2.user, interview=record)


def test_an_interview_follows_publication_and_says_what_was_agreed(world, published):
    Form.objects.filter(pk=published.pk).update(status=FormStatus.APPROVED)
    with pytest.raises(ValidationError, match="follows the publication"):
        interviews.save(by=world.head_a.user, form=Form.objects.get(pk=published.pk), held_on=date(2026, 4, 3), **NOTES)
    Form.objects.filter(pk=published.pk).update(status=FormStatus.PUBLISHED)
    with pytest.raises(ValidationError, match="day the interview"):
        interviews.save(by=world.head_a.user, form=published, held_on=date(2999, 1, 1), **NOTES)
    record = interviews.save(by=world.head_a.user, form=published, held_on=date(2026, 4, 3), results="Only this")
    with pytest.raises(ValidationError, match="before signing"):
        interviews.sign(by=world.emp_a.user, interview=record)


def test_the_pages(world, published, client, login):
    login(world.head_a.user)
    response = client.post(f"/results/forms/{published.pk}/interview/", {"held_on": "2026-04-03", **NOTES}, follow=True)
    assert "Interview saved" in response.content.decode()
    assert "Weekly pipeline review" in client.get(f"/results/forms/{published.pk}/interview/").content.decode()
    bad = client.post(f"/results/forms/{published.pk}/interview/", {"held_on": "not a date", **NOTES, "actions": "Kept"}).content.decode()
    assert "Give the day" in bad and "Kept" in bad
    hr = login(world.hr.user, on=type(client)())
    page = hr.get(f"/results/periods/{published.period_id}/interviews/").content.decode()
    assert "0 not held · 1 written · 0 signed by one · 0 signed by both" in page
    other = login(world.emp_a2.user, on=type(client)())
    assert other.get(f"/results/forms/{published.pk}/interview/").status_code == 404

"""Holes a fresh-eyes review found in the monthly cycle, each closed and kept closed."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation

from appraisal import services
from appraisal.models import Form, FormKind, FormStatus, Inspection, InspectionEntry, Notification
from organisation.models import Role
from tests.appraisal.factories import all_values, approved_cards
from tests.organisation.factories import grant

pytestmark = pytest.mark.django_db
D = Decimal
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def month(world):
    approved_cards(world)
    return services.open_period(by=world.hr.user, year=2026, month=3)


def form_of(period, employee, kind=FormKind.EMPLOYEE) -> Form:
    return Form.objects.get(period=period, employee=employee, kind=kind)


def head_form_calculated(world, month):
    form = form_of(month, world.head_a, FormKind.HEAD)
    services.save_values(by=world.head_a.user, form=form, values=all_values(form))
    services.take_step(by=world.head_a.user, form=form, action="submit_own")
    return services.take_step(by=world.hr.user, form=form_of(month, world.head_a, FormKind.HEAD), action="calculate")


def inspect(world, day, department, present):
    inspection = Inspection.objects.create(date=day, department=department, inspector=world.hr.user)
    for employee in present:
        InspectionEntry.objects.create(inspection=inspection, employee=employee, status="ok")
    return inspection


# --- not applicable ---------------------------------------------------------------------


def test_nobody_marks_a_line_of_their_own_form_not_applicable(world, month):
    """Leaving out internal-process lines would escape the inspection deduction, and a
    left-out veto line is never failed."""
    form = form_of(month, world.head_a, FormKind.HEAD)
    key = next(iter(form.snapshot["lines"]))
    with pytest.raises(ValidationError, match="Only HR marks a line of your own form not applicable"):
        services.save_values(by=world.head_a.user, form=form, values={key: {"not_applicable": True}})
    assert not form.values.filter(not_applicable=True).exists()
    services.save_values(by=world.hr.user, form=form, values={key: {"not_applicable": True}})
    assert form.values.get(line_key=key).not_applicable
    # Saving other fields of the line leaves HR's mark alone.
    services.save_values(by=world.head_a.user, form=form, values={key: {"remark": "Seasonal", "not_applicable": True}})


def test_the_form_page_offers_no_na_box_on_ones_own_form(world, month, client, login):
    form = form_of(month, world.head_a, FormKind.HEAD)
    own = login(world.head_a.user).get(f"/appraisal/forms/{form.pk}/").content.decode()
    assert "-na-present" not in own
    assert "-na-present" in login(world.hr.user, on=Client()).get(f"/appraisal/forms/{form.pk}/").content.decode()


# --- the general manager's forms and publishing -------------------------------------------


def test_the_committee_signs_and_approves_the_general_managers_forms(world, month):
    own = form_of(month, world.gm)
    services.save_values(by=world.hr.user, form=own, values=all_values(own))
    services.take_step(by=world.gm.user, form=own, action="sign_as_employee")
    with pytest.raises(PermissionDenied):
        services.take_step(by=world.head_a.user, form=form_of(month, world.gm), action="sign_as_head")
    services.take_step(by=world.committee.user, form=form_of(month, world.gm), action="sign_as_head")
    services.take_step(by=world.hr.user, form=form_of(month, world.gm), action="calculate")
    for nobody in (world.gm, world.hr, world.head_a):
        with pytest.raises(PermissionDenied):
            services.take_step(by=nobody.user, form=form_of(month, world.gm), action="approve")
    form = services.take_step(by=world.committee.user, form=form_of(month, world.gm), action="approve")
    assert form.status == FormStatus.APPROVED and form.approved_by == world.committee.user


def test_the_committee_approves_nothing_else(world, month):
    form = form_of(month, world.emp_a)
    services.save_values(by=world.hr.user, form=form, values=all_values(form))
    services.take_step(by=world.emp_a.user, form=form, action="sign_as_employee")
    services.take_step(by=world.head_a.user, form=form_of(month, world.emp_a), action="sign_as_head")
    services.take_step(by=world.hr.user, form=form_of(month, world.emp_a), action="calculate")
    with pytest.raises(PermissionDenied):
        services.take_step(by=world.committee.user, form=form_of(month, world.emp_a), action="approve")


def test_hr_publishes_the_month_including_their_own_approved_form(world, month):
    """A company with one HR person must still be able to publish."""
    form = form_of(month, world.hr)
    form.status, form.total = FormStatus.APPROVED, D("90")  # approved by the GM, as the steps above show
    form.save()
    month.status = "awaiting_approval"
    month.save()
    month = services.advance_period(by=world.hr.user, period=month)
    assert month.status == "published" and form_of(month, world.hr).status == FormStatus.PUBLISHED


# --- reviewed lists carry the revision they showed ----------------------------------------


def test_a_batch_approval_of_a_score_changed_since_the_page_was_shown_is_refused(world, month, client, login):
    form = form_of(month, world.emp_a)
    services.save_values(by=world.hr.user, form=form, values=all_values(form))
    services.take_step(by=world.emp_a.user, form=form, action="sign_as_employee")
    services.take_step(by=world.head_a.user, form=form_of(month, world.emp_a), action="sign_as_head")
    shown = services.take_step(by=world.hr.user, form=form_of(month, world.emp_a), action="calculate")
    services.take_step(by=world.hr.user, form=form_of(month, world.emp_a), action="calculate")  # recalculated meanwhile
    response = login(world.gm.user).post("/appraisal/approvals/", {"form": [form.pk], f"revision-{form.pk}": shown.revision}, follow=True)
    assert "Someone changed this form" in response.content.decode()
    assert form_of(month, world.emp_a).status == FormStatus.CALCULATED


@pytest.mark.parametrize("revision", ["abc", "", "99999999999999999999"])
def test_a_garbled_revision_is_a_stale_page_not_an_error(world, month, client, login, revision):
    form = form_of(month, world.emp_a)
    key = next(iter(form.snapshot["lines"]))
    response = login(world.hr.user).post(f"/appraisal/forms/{form.pk}/", {"revision": revision, f"v-{key}-actual-present": "1", f"v-{key}-actual": "5"})
    assert response.status_code == 200 and "Someone changed this form" in response.content.decode()
    response = client.post(f"/appraisal/forms/{form.pk}/step/", {"revision": revision, "action": "calculate"}, follow=True)
    assert response.status_code == 200


# --- who signs as head ------------------------------------------------------------------


def test_a_line_manager_signs_only_for_a_head_or_a_department_without_one(world, month):
    world.emp_a2.line_manager = world.emp_b
    world.emp_a2.save()
    form = form_of(month, world.emp_a2)
    services.save_values(by=world.hr.user, form=form, values=all_values(form))
    services.take_step(by=world.emp_a2.user, form=form, action="sign_as_employee")
    assert not world.emp_b.user.has_perm("appraisal.view_form", form_of(month, world.emp_a2))
    with pytest.raises(PermissionDenied):
        services.take_step(by=world.emp_b.user, form=form_of(month, world.emp_a2), action="sign_as_head")
    # head_a's own post form: head_a heads the department, so their line manager signs.
    world.head_a.line_manager = world.gm
    world.head_a.save()
    own = form_of(month, world.head_a)
    services.save_values(by=world.hr.user, form=own, values=all_values(own))
    services.take_step(by=world.head_a.user, form=own, action="sign_as_employee")
    assert services.take_step(by=world.gm.user, form=form_of(month, world.head_a), action="sign_as_head").status == FormStatus.SUBMITTED


# --- inspections after the fact -----------------------------------------------------------


def test_an_inspection_after_the_heads_score_is_approved_is_refused(world, month):
    form = head_form_calculated(world, month)
    services.take_step(by=world.gm.user, form=form, action="approve")
    with pytest.raises(ValidationError, match="already approved"):
        services.record_inspection(by=world.hr.user, day=date(2026, 3, 20), department=world.dept_a, entries={})


def test_an_inspection_after_the_calculation_sends_the_heads_form_back_to_hr(world, month):
    form = head_form_calculated(world, month)
    assert form.total == D("100.00")
    services.record_inspection(by=world.hr.user, day=date(2026, 3, 20), department=world.dept_a, entries={})
    form = form_of(month, world.head_a, FormKind.HEAD)
    assert form.status == FormStatus.SUBMITTED and form.total is None
    form = services.take_step(by=world.hr.user, form=form, action="calculate")
    assert form.breakdown["inspection"]["applied"] == "3.00"  # the head and two people missing


def test_a_stored_score_re_derives_with_the_points_it_was_calculated_with(world, month):
    inspect(world, date(2026, 3, 5), world.dept_a, [world.emp_a])
    form = head_form_calculated(world, month)
    assert form.breakdown["inspection"]["applied"] == "2.00"
    company = services.get_company()
    company.inspection_points_per_missing = D("5")
    company.save()
    assert services.rederive(form_of(month, world.head_a, FormKind.HEAD))


def test_nobody_records_the_inspections_of_a_department_they_head(world, month):
    grant(world.head_a.user, Role.HR)
    with pytest.raises(PermissionDenied, match="department you head"):
        services.record_inspection(by=world.head_a.user, day=date(2026, 3, 5), department=world.dept_a, entries={})


def test_violations_are_noted_only_for_people_marked_with_violations(world, month):
    with pytest.raises(ValidationError, match="only for someone marked"):
        services.record_inspection(
            by=world.hr.user, day=date(2026, 3, 5), department=world.dept_a, entries={world.emp_a.pk: ("ok", "Late to shift")}
        )


# --- evidence, the head's own form, who gets a head's form -----------------------------------


def test_evidence_attached_after_signing_voids_the_signatures(world, month, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    form = form_of(month, world.emp_a)
    services.save_values(by=world.hr.user, form=form, values=all_values(form))
    services.take_step(by=world.emp_a.user, form=form, action="sign_as_employee")
    key = next(iter(form.snapshot["lines"]))
    services.attach_evidence(by=world.hr.user, form=form_of(month, world.emp_a), line_key=key, upload=SimpleUploadedFile("a.pdf", PDF))
    form = form_of(month, world.emp_a)
    assert form.status == FormStatus.DRAFT and not form.signatures.filter(voided_at__isnull=True).exists()


def test_a_head_changes_their_own_form_only_before_submitting_it(world, month):
    form = form_of(month, world.head_a, FormKind.HEAD)
    services.save_values(by=world.head_a.user, form=form, values=all_values(form))
    form = services.take_step(by=world.head_a.user, form=form, action="submit_own")
    key = next(iter(form.snapshot["lines"]))
    with pytest.raises(PermissionDenied):
        services.save_values(by=world.head_a.user, form=form, values={key: {"actual": "1"}})
    with pytest.raises(PermissionDenied):
        services.save_values(by=world.head_a.user, form=form, values={key: {"self_assessment": "Better than it looks"}})


def test_a_head_submits_their_own_form_only_with_their_lines_filled_in(world, month):
    form = form_of(month, world.head_a, FormKind.HEAD)
    with pytest.raises(ValidationError, match="Values are missing"):
        services.take_step(by=world.head_a.user, form=form, action="submit_own")


def test_a_head_hired_after_the_month_gets_no_heads_form_and_a_late_joiner_a_share(world):
    approved_cards(world)
    world.head_b.hire_date = date(2026, 4, 10)
    world.head_b.save()
    world.head_a.hire_date = date(2026, 3, 17)  # 15 of 31 days
    world.head_a.save()
    period = services.open_period(by=world.hr.user, year=2026, month=3)
    assert not Form.objects.filter(period=period, employee=world.head_b).exists()
    assert form_of(period, world.head_a, FormKind.HEAD).share == D("0.4839")


# --- notifications ---------------------------------------------------------------------


def test_every_hand_off_tells_whoever_acts_next_once_per_queue(world, month):
    forms = []
    for employee in (world.emp_a, world.emp_a2):
        form = form_of(month, employee)
        services.save_values(by=world.hr.user, form=form, values=all_values(form))
        services.take_step(by=employee.user, form=form, action="sign_as_employee")
        forms.append(services.take_step(by=world.head_a.user, form=form_of(month, employee), action="sign_as_head"))
    hr = Notification.objects.filter(user=world.hr.user)
    assert hr.count() == 1 and hr.get().url == f"/appraisal/periods/{month.pk}/"
    for form in forms:
        services.take_step(by=world.hr.user, form=form_of(month, form.employee), action="calculate")
    gm = Notification.objects.filter(user=world.gm.user)
    assert gm.count() == 1 and gm.get().url == "/appraisal/approvals/"
    services.take_step(by=world.gm.user, form=form_of(month, world.emp_a), action="return_to_hr", comment="Check the target")
    returned = Notification.objects.filter(user=world.hr.user, url=f"/appraisal/forms/{forms[0].pk}/")
    assert returned.count() == 1
    with translation.override("zh-hans"):
        assert "退回" in returned.get().message()
    assert all("100.00" not in n.message() for n in Notification.objects.all())  # never a score


def test_a_notification_is_shown_in_the_readers_language(world, month, client, login):
    form = form_of(month, world.emp_a)
    services.save_values(by=world.hr.user, form=form, values=all_values(form))
    services.take_step(by=world.emp_a.user, form=form, action="sign_as_employee")
    services.take_step(by=world.head_a.user, form=form_of(month, world.emp_a), action="return_to_draft", comment="Recheck")
    login(world.emp_a.user)
    page = client.get("/appraisal/notifications/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "退回" in page and "sent back" not in page


# --- the form page keeps what was typed ------------------------------------------------------


def test_a_refused_save_keeps_the_typing_and_marks_the_line(world, month, client, login):
    form = form_of(month, world.emp_a)
    first, second = list(form.snapshot["lines"])[:2]
    data = {
        "revision": form.revision,
        f"v-{first}-actual-present": "1", f"v-{first}-actual": "ninety",
        f"v-{second}-actual-present": "1", f"v-{second}-actual": "97", f"v-{second}-remark": "Kept",
    }
    page = login(world.hr.user).post(f"/appraisal/forms/{form.pk}/", data).content.decode()
    assert "Nothing was saved: fix the lines marked below." in page
    assert 'value="ninety"' in page and 'value="97"' in page and 'value="Kept"' in page
    assert 'class="has-error"' in page and not form.values.exists()


# --- numbers as people type them ---------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "saved", "message"),
    [
        ("1,234.5", D("1234.5"), None),
        ("12,345,678", D("12345678"), None),
        (" 97.5 ", D("97.5"), None),
        ("97,5", None, "Use a point for decimals"),
        ("1,23", None, "Use a point for decimals"),
        ("ninety", None, "Enter a number."),
        ("1" * 20, None, "This number is too large."),
        ("NaN", None, "Enter a number."),
    ],
)
def test_typed_numbers(world, month, typed, saved, message):
    form = form_of(month, world.emp_a)
    key = next(iter(form.snapshot["lines"]))
    if message:
        with pytest.raises(ValidationError, match=message):
            services.save_values(by=world.hr.user, form=form, values={key: {"actual": typed}})
        assert not form.values.exists()
    else:
        services.save_values(by=world.hr.user, form=form, values={key: {"actual": typed}})
        assert form.values.get(line_key=key).actual == saved


def test_ratings_are_levels_of_the_scale(world, month):
    form = form_of(month, world.emp_a)
    key = next(iter(form.snapshot["lines"]))
    with pytest.raises(ValidationError, match="Ratings are levels 1 to 7, not 9, 8"):
        services.save_values(by=world.hr.user, form=form, values={key: {"ratings": ["9", "8", "7"]}})
    services.save_values(by=world.hr.user, form=form, values={key: {"ratings": ["7", "1"]}})
    assert form.values.get(line_key=key).ratings == [7, 1]

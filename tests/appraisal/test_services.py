"""The monthly cycle through its services: opening a month, entering values, signatures and
their voiding, each workflow step and who may take it, calculation and re-derivation."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from appraisal import services, workflow
from appraisal.models import Form, FormKind, FormStatus, Inspection, InspectionEntry, Period, Signature, Transition
from organisation.models import Assignment
from scorecards import services as card_services
from tests.appraisal.factories import all_values, approved_cards

D = Decimal
pytestmark = pytest.mark.django_db


@pytest.fixture
def month(world):
    approved_cards(world)
    return services.open_period(by=world.hr.user, year=2026, month=3)


def form_of(period, employee, kind=FormKind.EMPLOYEE) -> Form:
    return Form.objects.get(period=period, employee=employee, kind=kind)


def signed_by_both(world, form):
    services.save_values(by=world.hr.user, form=form, values=all_values(form))
    services.take_step(by=form.employee.user, form=form, action="sign_as_employee")
    head = form.department.head.user
    return services.take_step(by=head, form=form, action="sign_as_head")


# --- opening a month -------------------------------------------------------------------


def test_opening_a_month_gives_every_person_a_form_and_every_head_their_own(world, month):
    employees = Form.objects.filter(period=month, kind=FormKind.EMPLOYEE)
    assert employees.count() == 9  # everyone of tests/organisation/world.py
    heads = Form.objects.filter(period=month, kind=FormKind.HEAD)
    assert set(heads.values_list("employee", flat=True)) == {world.head_a.pk, world.head_b.pk, world.gm.pk}
    assert month.deadline == date(2026, 3, 25)
    form = form_of(month, world.emp_a)
    line = form.snapshot["calculation"]["lines"][0]
    assert line["target"] == "8.33"  # March's share of 100 phased evenly
    assert line["effective_weight"] == "25.00"
    assert form.status == FormStatus.DRAFT and form.share == 1


def test_a_month_is_opened_once(world, month):
    with pytest.raises(ValidationError, match="already open"):
        services.open_period(by=world.hr.user, year=2026, month=3)


def test_a_month_is_not_opened_while_a_post_has_no_approved_card(world):
    approved_cards(world)
    card = card_services.new_version(
        by=world.hr.user, scorecard=world.post_b.scorecards.get(), effective_from=3, note="rework"
    )
    assert card.status == "draft"  # the version in force in March is still v1: opening works
    services.open_period(by=world.hr.user, year=2026, month=3)
    with pytest.raises(ValidationError, match="no approved scorecard in force"):
        services.open_period(by=world.hr.user, year=2027, month=1)


def test_only_hr_opens_a_month(world):
    approved_cards(world)
    for user in (world.gm.user, world.head_a.user, world.admin):
        with pytest.raises(PermissionDenied):
            services.open_period(by=user, year=2026, month=3)


def test_a_mover_is_appraised_on_the_post_held_longest_with_the_share_of_the_month(world):
    approved_cards(world)
    current = world.emp_a1.assignments.get()
    current.end_date = date(2026, 3, 10)
    current.save()
    Assignment.objects.create(employee=world.emp_a1, department=world.dept_b, post=world.post_b, start_date=date(2026, 3, 11))
    period = services.open_period(by=world.hr.user, year=2026, month=3)
    form = form_of(period, world.emp_a1)
    assert (form.post, form.department) == (world.post_b, world.dept_b)  # 21 days against 10
    assert form.share == D("0.6774")  # 21 of 31 days in that post


def test_a_joiner_gets_a_share_of_the_month(world):
    approved_cards(world)
    world.emp_b.hire_date = date(2026, 3, 17)
    world.emp_b.save()
    assignment = world.emp_b.assignments.get()
    assignment.start_date = date(2026, 3, 17)
    assignment.save()
    period = services.open_period(by=world.hr.user, year=2026, month=3)
    assert form_of(period, world.emp_b).share == D("0.4839")  # 15 of 31 days


def test_a_company_may_leave_short_stays_out_of_the_month(world):
    from organisation.services import get_company

    approved_cards(world)
    company = get_company()
    company.appraisal_min_days = 16
    company.save()
    world.emp_b.hire_date = date(2026, 3, 17)  # 15 days in March
    world.emp_b.save()
    assignment = world.emp_b.assignments.get()
    assignment.start_date = date(2026, 3, 17)
    assignment.save()
    period = services.open_period(by=world.hr.user, year=2026, month=3)
    assert not Form.objects.filter(period=period, employee=world.emp_b).exists()
    assert Form.objects.filter(period=period, employee=world.emp_a).exists()


def test_an_opened_month_keeps_its_scorecard_version(world, month):
    card = world.post_a.scorecards.get()
    with pytest.raises(ValidationError, match="already open"):
        card_services.new_version(by=world.hr.user, scorecard=card, effective_from=3, note="x")
    v2 = card_services.new_version(by=world.hr.user, scorecard=card, effective_from=4, note="from April")
    assert form_of(month, world.emp_a).scorecard_version.number == 1 and v2.number == 2


# --- values ----------------------------------------------------------------------------


def test_who_enters_what(world, month):
    form = form_of(month, world.emp_a)
    key = next(iter(form.snapshot["lines"]))
    with pytest.raises(PermissionDenied):  # department-supplied data
        services.save_values(by=world.emp_a.user, form=form, values={key: {"actual": "5"}})
    services.save_values(by=world.emp_a.user, form=form, values={key: {"self_assessment": "Beat the plan"}})
    services.save_values(by=world.head_a.user, form=form, values={key: {"actual": "5"}})
    with pytest.raises(PermissionDenied):  # a head of another department
        services.save_values(by=world.head_b.user, form=form, values={key: {"actual": "6"}})
    services.save_values(by=world.hr.user, form=form, values={key: {"actual": "7"}})
    value = form.values.get(line_key=key)
    assert value.actual == D("7") and value.self_assessment == "Beat the plan"


def test_the_general_manager_enters_no_data(world, month):
    form = form_of(month, world.gm)  # the GM's own post form, in the GM office they head
    other = Form.objects.filter(period=month, department=world.gm.department).exclude(employee=world.gm).first()
    key = next(iter(form.snapshot["lines"]))
    with pytest.raises(PermissionDenied):
        services.save_values(by=world.gm.user, form=form, values={key: {"actual": "1"}})
    if other is not None:
        with pytest.raises(PermissionDenied):
            services.save_values(by=world.gm.user, form=other, values={key: {"actual": "1"}})
    services.save_values(by=world.gm.user, form=form, values={key: {"self_assessment": "On plan"}})


def test_a_bad_number_saves_nothing(world, month):
    form = form_of(month, world.emp_a)
    first, second = list(form.snapshot["lines"])[:2]
    with pytest.raises(ValidationError) as exc:
        services.save_values(by=world.hr.user, form=form, values={first: {"actual": "8"}, second: {"actual": "eight"}})
    assert second in exc.value.message_dict
    assert not form.values.exists()


def test_a_save_from_an_older_page_is_refused(world, month):
    form = form_of(month, world.emp_a)
    key = next(iter(form.snapshot["lines"]))
    services.save_values(by=world.hr.user, form=form, values={key: {"actual": "1"}}, revision=1)
    with pytest.raises(services.StaleForm, match="Reload the page"):
        services.save_values(by=world.head_a.user, form=form, values={key: {"actual": "2"}}, revision=1)
    assert form.values.get(line_key=key).actual == D("1")


# --- signatures ------------------------------------------------------------------------


def test_the_employee_then_the_head_signs(world, month):
    form = signed_by_both(world, form_of(month, world.emp_a))
    assert form.status == FormStatus.SUBMITTED
    assert [(s.role, s.user) for s in form.signatures.all()] == [("employee", world.emp_a.user), ("head", world.head_a.user)]
    assert services.signatures_valid(form) == {"employee": True, "head": True}
    assert list(Transition.objects.filter(form=form).values_list("action", flat=True)) == ["sign_as_employee", "sign_as_head"]


def test_nothing_is_signed_with_values_missing(world, month):
    form = form_of(month, world.emp_a)
    with pytest.raises(ValidationError, match="Values are missing"):
        services.take_step(by=world.emp_a.user, form=form, action="sign_as_employee")


def test_only_the_person_signs_as_employee_and_only_their_head_as_head(world, month):
    form = form_of(month, world.emp_a)
    services.save_values(by=world.hr.user, form=form, values=all_values(form))
    with pytest.raises(PermissionDenied):
        services.take_step(by=world.head_a.user, form=form, action="sign_as_employee")
    services.take_step(by=world.emp_a.user, form=form, action="sign_as_employee")
    for user in (world.emp_a.user, world.head_b.user, world.hr.user):
        with pytest.raises(PermissionDenied):
            services.take_step(by=user, form=form, action="sign_as_head")


def test_a_head_does_not_sign_their_own_form_as_head(world, month):
    own = form_of(month, world.head_a)  # head_a's employee form, in department A
    services.save_values(by=world.hr.user, form=own, values=all_values(own))
    services.take_step(by=world.head_a.user, form=own, action="sign_as_employee")
    with pytest.raises(PermissionDenied, match="appraised on"):
        services.take_step(by=world.head_a.user, form=own, action="sign_as_head")


def test_a_change_after_signing_voids_the_signatures_and_asks_again(world, month):
    form = signed_by_both(world, form_of(month, world.emp_a))
    key = next(iter(form.snapshot["lines"]))
    services.save_values(by=world.hr.user, form=form, values={key: {"actual": "9"}})
    form.refresh_from_db()
    assert form.status == FormStatus.DRAFT
    assert Signature.objects.filter(form=form, voided_at__isnull=False).count() == 2
    assert services.signatures_valid(form) == {}
    last = form.transitions.last()
    assert (last.action, last.from_status, last.to_status) == ("values_changed", "submitted", "draft")
    assert world.emp_a.user.notifications.filter(text__contains="needs your signature again").exists()


def test_the_head_sends_a_form_back_with_a_comment(world, month):
    form = form_of(month, world.emp_a)
    services.save_values(by=world.hr.user, form=form, values=all_values(form))
    services.take_step(by=world.emp_a.user, form=form, action="sign_as_employee")
    with pytest.raises(ValidationError):
        services.take_step(by=world.head_a.user, form=form, action="return_to_draft", comment="")
    form = services.take_step(by=world.head_a.user, form=form, action="return_to_draft", comment="Check the sales figure")
    assert form.status == FormStatus.DRAFT
    assert form.transitions.last().comment == "Check the sales figure"


# --- HR and the general manager ----------------------------------------------------------


def test_hr_calculates_the_gm_approves_and_hr_publishes(world, month):
    form = signed_by_both(world, form_of(month, world.emp_a))
    with pytest.raises(PermissionDenied):
        services.take_step(by=world.gm.user, form=form, action="calculate")
    form = services.take_step(by=world.hr.user, form=form, action="calculate")
    assert form.status == FormStatus.CALCULATED and form.total == D("100.00")  # every line 8.33 against March's 8.33
    assert form.engine_version == "1" and services.rederive(form)
    with pytest.raises(PermissionDenied):
        services.take_step(by=world.hr.user, form=form, action="approve")
    form = services.take_step(by=world.gm.user, form=form, action="approve")
    assert form.status == FormStatus.APPROVED and form.approved_by == world.gm.user
    with pytest.raises(ValidationError, match="cannot be done"):
        services.take_step(by=world.gm.user, form=form, action="approve")
    with pytest.raises(ValidationError, match="no longer change"):
        services.save_values(by=world.hr.user, form=form, values=all_values(form, "1"))
    form = services.take_step(by=world.hr.user, form=form, action="publish")
    assert form.status == FormStatus.PUBLISHED


def test_steps_out_of_order_are_refused(world, month):
    form = form_of(month, world.emp_a)
    with pytest.raises(ValidationError, match="cannot be done to a form that is a draft"):
        services.take_step(by=world.gm.user, form=form, action="approve")
    with pytest.raises(ValidationError, match="does not apply"):
        services.take_step(by=world.emp_a.user, form=form, action="submit_own")


def test_the_calculator_is_not_the_approver(world, month):
    from organisation.models import Role
    from tests.organisation.factories import grant

    grant(world.gm.user, Role.HR)  # the GM also in HR: may calculate, then not approve
    form = signed_by_both(world, form_of(month, world.emp_a))
    services.take_step(by=world.gm.user, form=form, action="calculate")
    with pytest.raises(PermissionDenied, match="calculated a score does not approve"):
        services.take_step(by=world.gm.user, form=form, action="approve")


def test_the_gm_does_not_approve_their_own_form(world, month):
    own = form_of(month, world.gm, FormKind.HEAD)
    services.take_step(by=world.gm.user, form=own, action="submit_own")
    services.save_values(by=world.hr.user, form=own, values=all_values(own))
    services.take_step(by=world.hr.user, form=own, action="calculate")
    with pytest.raises(PermissionDenied, match="appraised on"):
        services.take_step(by=world.gm.user, form=own, action="approve")


def test_the_gm_sends_a_score_back_to_hr(world, month):
    form = signed_by_both(world, form_of(month, world.emp_a))
    services.take_step(by=world.hr.user, form=form, action="calculate")
    form = services.take_step(by=world.gm.user, form=form, action="return_to_hr", comment="Recheck the target")
    assert form.status == FormStatus.SUBMITTED and form.total is None


# --- the department head's own form and the daily inspections ----------------------------


def test_a_heads_form_loses_a_point_per_person_missing_from_an_inspection(world, month):
    form = form_of(month, world.head_a, FormKind.HEAD)
    services.save_values(by=world.head_a.user, form=form, values=all_values(form))
    services.take_step(by=world.head_a.user, form=form, action="submit_own")
    inspection = Inspection.objects.create(date=date(2026, 3, 5), department=world.dept_a, inspector=world.hr.user)
    InspectionEntry.objects.create(inspection=inspection, employee=world.emp_a, status="ok")
    InspectionEntry.objects.create(inspection=inspection, employee=world.emp_a2, status="violation", violations="Late")
    # head_a has no entry: one person missing, one point off the internal-process score
    form = services.take_step(by=world.hr.user, form=form, action="calculate")
    assert form.breakdown["inspection"]["applied"] == "1.00"
    assert form.total == D("99.00")  # 100 less the point


def test_an_employees_form_has_no_inspection_deduction(world, month):
    form = signed_by_both(world, form_of(month, world.emp_a))
    Inspection.objects.create(date=date(2026, 3, 5), department=world.dept_a, inspector=world.hr.user)
    form = services.take_step(by=world.hr.user, form=form, action="calculate")
    assert form.breakdown["inspection"] is None


# --- late forms ------------------------------------------------------------------------


def test_forms_not_with_hr_after_the_deadline_are_flagged_late(world, month):
    signed_by_both(world, form_of(month, world.emp_a))
    with pytest.raises(ValidationError, match="has not passed"):
        services.flag_late(by=world.hr.user, period=month, today=date(2026, 3, 25))
    flagged = services.flag_late(by=world.hr.user, period=month, today=date(2026, 3, 26))
    assert flagged == Form.objects.filter(period=month).count() - 1  # heads' own forms not submitted too
    assert not form_of(month, world.emp_a).is_late


def test_the_workflow_table_is_the_only_source_of_steps():
    assert {step.action for step in workflow.STEPS} == set(workflow.Action)
    assert Period._meta.get_field("status")


# --- recording inspections ---------------------------------------------------------------


def test_hr_records_an_inspection_and_blanks_count_as_missing(world):
    inspection = services.record_inspection(
        by=world.hr.user, day=date(2026, 3, 5), department=world.dept_a,
        entries={world.emp_a.pk: ("ok", ""), world.emp_a2.pk: ("violation", "Helmet off")},
    )
    statuses = dict(inspection.entries.values_list("employee", "status"))
    assert statuses == {world.emp_a.pk: "ok", world.emp_a2.pk: "violation", world.head_a.pk: "missing"}
    assert [item.missing for item in services.month_inspections(world.dept_a.pk, 2026, 3)] == [1]
    again = services.record_inspection(
        by=world.hr.user, day=date(2026, 3, 5), department=world.dept_a,
        entries={pk: ("ok", "") for pk in (world.emp_a.pk, world.emp_a2.pk, world.head_a.pk)},
    )
    assert again.pk == inspection.pk and [item.missing for item in services.month_inspections(world.dept_a.pk, 2026, 3)] == [0]


def test_inspection_records_are_checked(world):
    record = lambda **kw: services.record_inspection(by=world.hr.user, department=world.dept_a, **kw)  # noqa: E731
    with pytest.raises(ValidationError, match="Only people of"):
        record(day=date(2026, 3, 5), entries={world.emp_b.pk: ("ok", "")})
    with pytest.raises(ValidationError, match="Note the violations"):
        record(day=date(2026, 3, 5), entries={world.emp_a.pk: ("violation", " ")})
    with pytest.raises(ValidationError, match="on or after the day"):
        record(day=date(2099, 1, 1), entries={})
    with pytest.raises(PermissionDenied):
        services.record_inspection(by=world.head_a.user, day=date(2026, 3, 5), department=world.dept_a, entries={})


# --- evidence --------------------------------------------------------------------------


def upload(name, content):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)


def test_evidence_is_checked_by_name_content_and_size(world, month, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    form = form_of(month, world.emp_a)
    key = next(iter(form.snapshot["lines"]))
    evidence = services.attach_evidence(by=world.emp_a.user, form=form, line_key=key, upload=upload("receipt.pdf", b"%PDF-1.7 ..."))
    assert evidence.name == "receipt.pdf" and evidence.value.line_key == key
    with pytest.raises(ValidationError, match="does not match its name"):
        services.attach_evidence(by=world.emp_a.user, form=form, line_key=key, upload=upload("virus.pdf", b"MZ\x90\x00"))
    with pytest.raises(ValidationError, match="Attach a PDF"):
        services.attach_evidence(by=world.emp_a.user, form=form, line_key=key, upload=upload("run.exe", b"MZ"))
    settings.EVIDENCE_MAX_UPLOAD_BYTES = 10
    with pytest.raises(ValidationError, match="larger than"):
        services.attach_evidence(by=world.emp_a.user, form=form, line_key=key, upload=upload("big.txt", b"x" * 11))
    with pytest.raises(PermissionDenied):
        services.attach_evidence(by=world.emp_b.user, form=form, line_key=key, upload=upload("a.txt", b"hi"))


# --- the month moves on ------------------------------------------------------------------


def test_hr_moves_the_month_through_its_states(world, month):
    form = signed_by_both(world, form_of(month, world.emp_a))
    month = services.advance_period(by=world.hr.user, period=month)
    assert month.status == "calculating"
    with pytest.raises(ValidationError, match="1 forms with HR are not calculated"):
        services.advance_period(by=world.hr.user, period=month)
    services.take_step(by=world.hr.user, form=form, action="calculate")
    month = services.advance_period(by=world.hr.user, period=month)
    assert month.status == "awaiting_approval"
    services.take_step(by=world.gm.user, form=Form.objects.get(pk=form.pk), action="approve")
    month = services.advance_period(by=world.hr.user, period=month)
    assert month.status == "published" and Form.objects.get(pk=form.pk).status == FormStatus.PUBLISHED
    month = services.advance_period(by=world.hr.user, period=month)
    assert month.status == "closed"
    with pytest.raises(ValidationError, match="closed"):
        services.advance_period(by=world.hr.user, period=month)
    other = form_of(month, world.emp_a2)
    with pytest.raises(ValidationError, match="This month is closed"):
        services.save_values(by=world.hr.user, form=other, values=all_values(other))
    with pytest.raises(PermissionDenied):
        services.advance_period(by=world.gm.user, period=month)

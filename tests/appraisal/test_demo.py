"""The demo appraisal months (appraisal/demo.py) on top of the organisation, strategy,
indicator and scorecard demos, loaded for a fixed day: 28 October 2026, so July, August and
September are published and October is in collection, three days past its deadline."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.urls import reverse

from appraisal import services
from appraisal.demo import demo_months
from appraisal.demo import load_demo as load_appraisal
from appraisal.models import (
    EntryStatus,
    Form,
    FormKind,
    FormStatus,
    FormValue,
    Inspection,
    InspectionEntry,
    Notification,
    Period,
    PeriodStatus,
    Signature,
    Transition,
)
from indicators.demo import load_demo as load_indicators
from organisation.demo import load_demo as load_org
from organisation.models import Department, User
from organisation.services import get_company
from scorecards.demo import load_demo as load_scorecards
from strategy.demo import YEAR
from strategy.demo import load_demo as load_strategy

pytestmark = pytest.mark.django_db

TODAY = date(2026, 10, 28)
PAST, CURRENT = [7, 8, 9], 10
MODELS = (Period, Form, FormValue, Signature, Transition, Inspection, InspectionEntry, Notification)


@pytest.fixture(scope="module")
def _demo(django_db_setup, django_db_blocker):
    """The demos loaded once for this module, in a transaction rolled back at its end; each
    test runs in a savepoint inside it, so nothing a test does leaks."""
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        with transaction.atomic():
            load_org()
            load_strategy()
            load_indicators()
            load_scorecards()
            summary = load_appraisal(today=TODAY)
            yield summary
            transaction.set_rollback(True)


@pytest.fixture
def summary(db, _demo):
    return _demo


def forms(month, **filters):
    return Form.objects.filter(period__year=YEAR, period__month=month, **filters).select_related("employee__user", "department", "post")


def past_forms(**filters):
    return Form.objects.filter(period__year=YEAR, period__month__in=PAST, **filters).select_related("employee__user", "department", "post")


def get_user(name):
    return User.objects.get(username=name)


def username(form) -> str:
    return form.employee.user.username


def counts() -> dict:
    numbers = {model.__name__: model.objects.count() for model in MODELS}
    numbers |= {f"history of {model.__name__}": model.history.count() for model in MODELS if hasattr(model, "history")}
    numbers["read"] = Notification.objects.filter(read_at__isnull=False).count()
    numbers["late"] = Form.objects.filter(is_late=True).count()
    return numbers


# --- the months ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "months"),
    [
        (date(2026, 11, 23), ([8, 9, 10], 11)),
        (date(2026, 10, 28), ([7, 8, 9], 10)),
        (date(2026, 5, 2), ([2, 3, 4], 5)),
        (date(2026, 2, 10), ([2, 3, 4], 5)),  # early in the year: the first months after January
        (date(2025, 12, 31), ([2, 3, 4], 5)),
        (date(2027, 3, 1), ([9, 10, 11], 12)),  # after the plan year: its last months
    ],
)
def test_the_demo_months_follow_the_date_within_the_plan_year_after_january(today, months):
    assert demo_months(today) == months


def test_three_past_months_are_published_and_the_current_month_is_collecting(summary):
    statuses = dict(Period.objects.filter(year=YEAR).values_list("month", "status"))
    assert statuses == {7: PeriodStatus.PUBLISHED, 8: PeriodStatus.PUBLISHED, 9: PeriodStatus.PUBLISHED, 10: PeriodStatus.COLLECTING}


def test_every_person_and_every_head_has_a_form_each_month(summary):
    heads = Department.objects.filter(is_active=True, head__isnull=False).count()
    for month in [*PAST, CURRENT]:
        assert forms(month, kind=FormKind.HEAD).count() == heads
        assert forms(month, kind=FormKind.EMPLOYEE).count() == 48


# --- the past months ----------------------------------------------------------------------


def test_a_past_month_publishes_every_form(summary):
    for month in PAST:
        assert not forms(month).exclude(status=FormStatus.PUBLISHED).exists()
        assert forms(month, status=FormStatus.PUBLISHED).count() == 58


def test_the_committee_signs_and_approves_the_general_managers_own_forms(summary):
    for form in past_forms(employee__user__username="gm").prefetch_related("signatures__user"):
        assert form.approved_by.username == "committee"
        heads = [signature.user.username for signature in form.signatures.all() if signature.role == "head"]
        assert heads == (["committee"] if form.kind == FormKind.EMPLOYEE else [])


def test_a_published_employee_form_was_signed_by_the_employee_and_the_head_calculated_by_hr_and_approved_by_the_gm(summary):
    for form in past_forms(kind=FormKind.EMPLOYEE, status=FormStatus.PUBLISHED).prefetch_related("signatures__user", "transitions__by"):
        signatures = [(signature.role, signature.user) for signature in form.signatures.all() if signature.voided_at is None]
        head = form.department.head
        if username(form) == "gm":
            continue  # the committee's (above)
        if head.user == form.employee.user:  # the head's own post form: the head above, or the line manager
            head = form.department.parent.head if form.department.parent else form.employee.line_manager
        assert signatures == [("employee", form.employee.user), ("head", head.user)], form
        assert services.signatures_valid(form) == {"employee": True, "head": True}  # the score is not part of what was signed
        hr = "hr.head" if username(form) == "hr" else "hr"
        assert (form.calculated_by.username, form.approved_by.username) == (hr, "gm"), form
        steps = [(transition.action, transition.by.username) for transition in form.transitions.all()]
        assert steps == [
            ("sign_as_employee", username(form)), ("sign_as_head", head.user.username),
            ("calculate", hr), ("approve", "gm"), ("publish", hr),
        ], form


def test_heads_submit_their_own_department_forms_and_hr_supplies_the_rest(summary):
    for form in past_forms(kind=FormKind.HEAD).prefetch_related("transitions__by", "values__entered_by"):
        steps = [(transition.action, transition.by.username) for transition in form.transitions.all()]
        assert steps[0] == ("submit_own", username(form)), form
        for value in form.values.all():
            owner = form.snapshot["lines"][value.line_key]["data_owner"]
            if owner == "department":  # the head themselves; HR for the general manager, who enters no data
                expected = get_user("hr") if username(form) == "gm" else form.employee.user
                assert value.entered_by == expected, (form, value.line_key)
            elif owner in ("finance", "hr"):
                assert value.entered_by.username == "hr", (form, value.line_key)
            else:  # ratings: the head's superior, or HR at the top
                parent = form.department.parent
                assert value.entered_by == (parent.head.user if parent else get_user("hr")), (form, value.line_key)


def test_department_data_comes_from_the_head_and_finance_and_hr_data_from_hr(summary):
    form = forms(PAST[0], employee__user__username="employee").get()
    for value in form.values.select_related("entered_by").filter(self_assessment=""):
        owner = form.snapshot["lines"][value.line_key]["data_owner"]
        expected = "head.sales" if owner in ("department", "raters") else "hr"
        assert value.entered_by.username == expected, value.line_key


def test_employees_write_a_self_assessment(summary):
    for form in past_forms(kind=FormKind.EMPLOYEE).prefetch_related("values"):
        assert any(value.self_assessment for value in form.values.all()), form


def test_every_calculated_form_stores_a_breakdown_that_the_engine_gives_again(summary):
    calculated = Form.objects.filter(period__year=YEAR, breakdown__isnull=False).select_related("period")
    assert calculated.count() >= 3 * 50
    for form in calculated:
        assert form.engine_version and form.total is not None, form
        assert services.rederive(form), form


def test_actuals_lie_around_the_targets(summary):
    achievements = []
    for breakdown in past_forms(status=FormStatus.PUBLISHED).values_list("breakdown", flat=True):
        achievements += [Decimal(line["achievement"]) for line in breakdown["lines"] if line["achievement"] is not None]
    near = [value for value in achievements if Decimal(80) <= value <= Decimal(125)]
    assert len(near) >= 0.9 * len(achievements)
    totals = list(past_forms(status=FormStatus.PUBLISHED).values_list("total", flat=True))
    assert Decimal(85) <= sum(totals) / len(totals) <= Decimal(98)


def test_one_person_fails_a_veto_line_once_and_their_total_shows_it(summary):
    vetoed = [form for form in Form.objects.filter(period__year=YEAR, breakdown__isnull=False).select_related("post", "period")
              if form.breakdown["veto"] and form.breakdown["veto"]["failed"]]
    assert len(vetoed) == 1
    form = vetoed[0]
    assert (form.period.month, form.post.code, form.status) == (PAST[1], "PRD1-OPR", FormStatus.PUBLISHED)
    veto = form.breakdown["veto"]
    assert veto["failed"] == ["HD-N01"] and veto["mode"] == "zero"
    assert Decimal(veto["total_before"]) > 60 and form.total == Decimal("0.00")
    assert "AQ-" in form.values.get(line_key="HD-N01").remark


def test_the_exhibition_hall_consultants_get_both_front_line_figures(summary):
    hall = past_forms(post__code="SAL-HAL", status=FormStatus.PUBLISHED)
    assert hall.count() == 3 * 4
    for form in hall:
        figures = form.breakdown["front_line"]
        assert figures["financial_score"] is not None and figures["bsc_total"] is not None, form
        assert Decimal(figures["bsc_total"]) == form.total, form
    others = past_forms(post__code="SAL-REP", status=FormStatus.PUBLISHED)
    assert all(form.breakdown["front_line"] is None for form in others)


def test_the_sales_department_s_revenue_is_what_its_people_sold(summary):
    for month in PAST:
        sold = sum(
            (FormValue.objects.get(form=form, line_key="HD-F02" if form.post.code == "SAL-HAL" else "HD-F01").actual
             for form in forms(month, department__code="SAL", kind=FormKind.EMPLOYEE, post__code__in=["SAL-REP", "SAL-HAL"])),
            Decimal(0),
        )
        head = forms(month, department__code="SAL", kind=FormKind.HEAD).get()
        assert head.values.get(line_key="HD-F01").actual == sold.quantize(Decimal("0.1"))


# --- daily inspections ----------------------------------------------------------------------


def test_every_department_is_inspected_at_least_four_times_a_month_but_one(summary):
    minimum = get_company().inspections_per_month
    departments = Department.objects.filter(is_active=True)
    for month in PAST:
        counts_ = services.inspection_counts(YEAR, month)
        short = {department.code for department in departments if counts_.get(department.pk, 0) < minimum}
        assert short == ({"PUR"} if month == PAST[-1] else set()), month
    assert services.inspection_counts(YEAR, PAST[-1])[departments.get(code="PUR").pk] == 3


def test_everyone_of_the_department_is_on_each_record_or_missing(summary):
    inspections = Inspection.objects.filter(date__year=YEAR).prefetch_related("entries")
    assert inspections.filter(date__month=CURRENT, date__gt=TODAY).count() == 0
    statuses = set()
    for inspection in inspections:
        people = {person.pk for person in services.department_people(inspection.department, inspection.date)}
        assert {entry.employee_id for entry in inspection.entries.all()} == people
        statuses |= {entry.status for entry in inspection.entries.all()}
        assert all(entry.violations for entry in inspection.entries.all() if entry.status == EntryStatus.VIOLATION)
    assert statuses == {EntryStatus.OK, EntryStatus.VIOLATION, EntryStatus.MISSING}


def test_people_missing_from_the_record_cost_their_head_a_point_each(summary):
    points = get_company().inspection_points_per_missing
    deducted = 0
    for form in past_forms(kind=FormKind.HEAD):
        missing = InspectionEntry.objects.filter(
            inspection__department=form.department, inspection__date__month=form.period.month, status=EntryStatus.MISSING
        ).count()
        inspection = form.breakdown["inspection"]
        assert Decimal(inspection["requested"]) == points * missing, form
        process = next(item for item in form.breakdown["perspectives"] if item["code"] == "internal_process")
        assert process["deduction"] == inspection["applied"], form
        deducted += Decimal(inspection["applied"]) > 0
    assert deducted >= 6


def test_employees_forms_carry_no_inspection_deduction(summary):
    assert all(breakdown["inspection"] is None for breakdown in past_forms(kind=FormKind.EMPLOYEE, breakdown__isnull=False).values_list("breakdown", flat=True))


# --- the current month ----------------------------------------------------------------------


def test_the_current_month_has_forms_at_every_stage_before_the_general_manager(summary):
    statuses = {status: forms(CURRENT, status=status).count() for status in FormStatus.values}
    assert statuses["draft"] >= 10 and statuses["employee_signed"] >= 5 and statuses["submitted"] >= 5
    assert 2 <= statuses["calculated"] <= 8
    assert statuses["approved"] == statuses["published"] == 0


def test_some_drafts_of_the_current_month_are_partly_filled_in(summary):
    partial = [form for form in forms(CURRENT, status=FormStatus.DRAFT).prefetch_related("values")
               if 0 < len(form.values.all()) < len(form.snapshot["lines"])]
    assert len(partial) >= 5


def test_one_form_was_sent_back_by_its_head_with_a_comment(summary):
    sent_back = Transition.objects.filter(form__period__month=CURRENT, action="return_to_draft").select_related("form__employee__user", "by")
    assert sent_back.count() == 1
    transition = sent_back.get()
    assert (username(transition.form), transition.by.username, transition.form.status) == ("employee", "head.sales", FormStatus.DRAFT)
    assert "CRM" in transition.comment
    assert transition.form.signatures.get().voided_at is not None


def test_forms_not_with_hr_after_the_deadline_are_flagged_late(summary):
    period = Period.objects.get(year=YEAR, month=CURRENT)
    assert period.deadline < TODAY
    late = set(forms(CURRENT, is_late=True).values_list("pk", flat=True))
    assert late == set(forms(CURRENT, status__in=[FormStatus.DRAFT, FormStatus.EMPLOYEE_SIGNED]).values_list("pk", flat=True))


def test_hand_offs_of_the_past_months_are_read_and_those_of_this_month_are_not(summary):
    current = str(Period.objects.get(year=YEAR, month=CURRENT))
    notifications = list(Notification.objects.all())
    assert notifications and all(notification.params.get("period") for notification in notifications)
    assert all(notification.read_at for notification in notifications if notification.params["period"] != current)
    assert all(notification.read_at is None for notification in notifications if notification.params["period"] == current)
    # A queue is told once, not once per form: HR and the GM get a link to the queue.
    queue = [n for n in notifications if n.url == reverse("approvals") and n.params["period"] == current]
    assert len(queue) == len({n.user_id for n in queue})


# --- loading ----------------------------------------------------------------------------------


def test_the_summary_says_what_the_months_hold(summary):
    assert summary.startswith(f"Appraisal {YEAR} (4 new): July, August, September published: 174 of 174 forms")
    assert "October in collection" in summary and "1 vetoed form" in summary


def test_loading_the_demo_again_changes_nothing(summary):
    before = counts()
    again = load_appraisal(today=TODAY)
    assert counts() == before
    assert again == summary.replace(" (4 new)", "")


def test_manage_py_load_demo_loads_the_appraisal_months(summary):
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    assert f"Appraisal {YEAR}" in out.getvalue()


def test_past_months_read_like_real_months(summary):
    from django.utils import timezone

    form = past_forms(kind=FormKind.EMPLOYEE, status=FormStatus.PUBLISHED).first()
    days = [timezone.localtime(t.at).date() for t in form.transitions.all()]
    assert all((day.year, day.month) == (form.period.year, form.period.month) for day in days)
    assert days == sorted(days) and days[0].day == 20 and days[-1].day == 28

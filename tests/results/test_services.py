"""Grades, ranks and pay fixed at publication; the forced-distribution guidance before
approval; the grade and pay-base settings; the payroll export and API."""

import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from appraisal import services as appraisal
from appraisal.models import Form, FormKind, FormStatus
from organisation.models import ApiScope
from organisation.services import create_api_token
from results import services
from results.models import FormResult, GradeBand, PayBase
from tests.appraisal.factories import all_values, approved_cards
from tests.organisation.factories import EmployeeFactory

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def team(world):
    """Department A gets four more people on post A: six employee forms in all."""
    return [EmployeeFactory(department=world.dept_a, post=world.post_a, line_manager=world.head_a) for _ in range(4)]


@pytest.fixture
def month(world, team):
    approved_cards(world)
    return appraisal.open_period(by=world.hr.user, year=2026, month=3)


def calculated(world, form, actual):
    """A form taken to "calculated" with every line at ``actual`` (8.33 a month is 100%)."""
    appraisal.save_values(by=world.hr.user, form=form, values=all_values(form, actual))
    appraisal.take_step(by=form.employee.user, form=form, action="sign_as_employee")
    appraisal.take_step(by=world.head_a.user, form=Form.objects.get(pk=form.pk), action="sign_as_head")
    return appraisal.take_step(by=world.hr.user, form=Form.objects.get(pk=form.pk), action="calculate")


def people_of_a(world, month):
    return [form for form in Form.objects.filter(period=month, kind=FormKind.EMPLOYEE, department=world.dept_a).exclude(employee=world.head_a)
            .select_related("employee").order_by("employee__employee_number")]


# Actuals per person (percentage method, cap 120): 8.33 -> 100, 7.9 -> 94.84, 7.2 -> 86.43,
# 6.3 -> 75.63, 5.4 -> 64.83, 4.0 -> 48.02.
ACTUALS = ["8.33", "7.9", "7.2", "6.3", "5.4", "4.0"]


def scored(world, month, actuals=ACTUALS):
    return [calculated(world, form, actual) for form, actual in zip(people_of_a(world, month), actuals, strict=True)]


def test_the_guidance_holds_an_approval_until_the_gm_gives_a_reason(world, month):
    forms = scored(world, month, ["8.33", "8.33", "7.2", "6.3", "5.4", "4.0"])  # two A of six: 20% allows 1
    with pytest.raises(ValidationError, match="the company break the distribution guidance"):
        appraisal.take_step(by=world.gm.user, form=forms[0], action="approve")
    company, alpha = services.distribution_checks(month)  # the company's six forms are department A's
    assert (company.department, alpha.department) == (None, world.dept_a)
    [breach] = alpha.breaches
    assert (breach.rule.grade, breach.count, breach.allowed, len(breach.candidates)) == ("A", 2, 1, 1)
    with pytest.raises(PermissionDenied):
        services.waive(by=world.hr.user, period=month, department=world.dept_a, reason="Two excellent people")
    with pytest.raises(ValidationError, match="Say why"):
        services.waive(by=world.gm.user, period=month, department=world.dept_a, reason=" ")
    services.waive(by=world.gm.user, period=month, department=None, reason="A strong month company-wide")
    with pytest.raises(ValidationError, match="Alpha break the distribution guidance"):
        appraisal.take_step(by=world.gm.user, form=Form.objects.get(pk=forms[0].pk), action="approve")
    services.waive(by=world.gm.user, period=month, department=world.dept_a, reason="Both closed the Wuhan contract")
    assert appraisal.take_step(by=world.gm.user, form=Form.objects.get(pk=forms[0].pk), action="approve").status == FormStatus.APPROVED
    with pytest.raises(ValidationError, match="already recorded"):
        services.waive(by=world.gm.user, period=month, department=world.dept_a, reason="Again")


def test_rounding_spares_small_shares_and_small_groups_are_not_checked(world, month):
    scored(world, month, ["8.33", "8.33", "7.2", "6.3", "5.4", "5.4"])  # no E of six: at least 5% -> 0.3 -> 0 required
    assert [breach.rule.grade for breach in services.distribution_checks(month)[0].breaches] == ["A"]
    settings = services.get_settings()
    settings.distribution_min_people = 7  # six scored forms: not checked
    settings.save()
    assert services.distribution_checks(month) == []


def test_the_guidance_can_be_off(world, month):
    forms = scored(world, month, ["8.33", "8.33", "8.33", "6.3", "5.4", "4.0"])
    settings = services.get_settings()
    settings.distribution_on = False
    settings.save()
    assert appraisal.take_step(by=world.gm.user, form=forms[0], action="approve").status == FormStatus.APPROVED


def test_publication_fixes_grade_ranks_and_pay(world, month):
    forms = scored(world, month)
    PayBase.objects.create(post=world.post_a, amount=D("3000"))
    PayBase.objects.create(employee=forms[1].employee, amount=D("4000"))
    for department in (None, world.dept_a):
        services.waive(by=world.gm.user, period=month, department=department, reason="Two A this month")
    for form in forms:
        appraisal.take_step(by=world.gm.user, form=Form.objects.get(pk=form.pk), action="approve")
    month.status = "awaiting_approval"
    month.save()
    appraisal.advance_period(by=world.hr.user, period=month)
    results = {result.form.employee_id: result for result in FormResult.objects.select_related("form")}
    got = [(results[f.employee_id].form.total, results[f.employee_id].grade, results[f.employee_id].department_rank, results[f.employee_id].pay) for f in forms]
    assert got == [
        (D("100.00"), "A", 1, D("3600.00")),  # 3000 x 1.2
        (D("94.84"), "A", 2, D("4800.00")),  # own base 4000 x 1.2
        (D("86.43"), "B", 3, D("3000.00")),
        (D("75.63"), "C", 4, D("2400.00")),
        (D("64.83"), "D", 5, D("1500.00")),
        (D("48.02"), "E", 6, D("0.00")),
    ]
    assert {result.department_size for result in results.values()} == {6}
    # Later band changes do not regrade a published month.
    GradeBand.objects.filter(code="A").update(coefficient=D("2"))
    assert FormResult.objects.get(form=forms[0]).coefficient == D("1.2")


def test_a_mover_is_paid_for_their_share(world, month):
    [form] = scored(world, month, ["8.33", "7.9", "7.2", "6.3", "5.4", "4.0"])[:1]
    Form.objects.filter(pk=form.pk).update(share=D("0.5"), status=FormStatus.PUBLISHED)
    PayBase.objects.create(post=world.post_a, amount=D("3000"))
    services.grade_period(month)
    assert FormResult.objects.get(form=form).pay == D("1800.00")


def test_grades_are_saved_all_or_nothing(world):
    rows = [{"code": "S", "lower_bound": "95", "coefficient": "1.5"}, {"code": "A", "lower_bound": "80", "coefficient": "1.1"}, {"code": "B", "lower_bound": "0", "coefficient": "0.6"}]
    services.save_grades(by=world.hr.user, rows=rows, distribution=[{"grade": "S", "limit": "at_most", "percent": "10"}], distribution_on=True, currency="usd", min_people="4")
    assert list(GradeBand.objects.values_list("code", "coefficient")) == [("S", D("1.5")), ("A", D("1.1")), ("B", D("0.6"))]
    assert services.get_settings().currency == "USD" and services.get_settings().distribution_min_people == 4
    bad = [{"code": "S", "lower_bound": "95", "coefficient": "11"}, {"code": "A", "lower_bound": "10", "coefficient": "1"}]
    with pytest.raises(ValidationError) as error:
        services.save_grades(by=world.hr.user, rows=bad, distribution=[], distribution_on=True, currency="CNY")
    assert "The lowest grade must start at 0, so every score has a grade." in error.value.messages
    assert "Grade S: the coefficient must be between 0 and 10." in error.value.messages
    assert GradeBand.objects.count() == 3
    with pytest.raises(PermissionDenied):
        services.save_grades(by=world.gm.user, rows=rows, distribution=[], distribution_on=True, currency="CNY")


def test_pay_bases(world):
    with pytest.raises(ValidationError, match="0 or more"):
        services.set_pay_base(by=world.hr.user, amount="-5", post=world.post_a)
    services.set_pay_base(by=world.hr.user, amount="2500.5", post=world.post_a)
    assert PayBase.objects.get(post=world.post_a).amount == D("2500.50")
    services.set_pay_base(by=world.hr.user, amount=None, post=world.post_a)
    assert not PayBase.objects.exists()
    with pytest.raises(PermissionDenied):
        services.set_pay_base(by=world.head_a.user, amount="1", post=world.post_a)


@pytest.fixture
def published(world, month):
    forms = scored(world, month)
    PayBase.objects.create(post=world.post_a, amount=D("3000"))
    settings = services.get_settings()
    settings.distribution_on = False
    settings.save()
    for form in forms:
        appraisal.take_step(by=world.gm.user, form=Form.objects.get(pk=form.pk), action="approve")
        appraisal.take_step(by=world.hr.user, form=Form.objects.get(pk=form.pk), action="publish")
    return month


def test_the_payroll_workbook_has_a_row_per_published_form(world, published, client, login):
    response = login(world.hr.user).get(f"/results/periods/{published.pk}/payroll/")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 6
    assert (rows[0][6], rows[0][7], rows[0][11]) == (100, "A", 3600)


@pytest.mark.parametrize(("who", "status"), [("hr", 200), ("gm", 200), ("head_a", 403), ("emp_a", 403)])
def test_who_sees_the_payroll(world, published, client, login, who, status):
    login(getattr(world, who).user)
    assert client.get(f"/results/periods/{published.pk}/payroll/").status_code == status
    assert client.get(f"/api/v1/payroll/?period={published.pk}").status_code == status


def test_the_payroll_api_for_a_token_and_its_figures(world, published, client):
    _token, secret = create_api_token(by=world.admin, user=world.integrator, name="payroll", scopes=[ApiScope.READ])
    response = client.get(f"/api/v1/payroll/?period={published.pk}", HTTP_AUTHORIZATION=f"Bearer {secret}")
    rows = response.json()["results"]
    assert [(row["grade"], row["pay"]) for row in rows] == [("A", "3600.00"), ("A", "3600.00"), ("B", "3000.00"), ("C", "2400.00"), ("D", "1500.00"), ("E", "0.00")]
    assert client.get("/api/v1/payroll/", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 400


def test_a_head_sees_grades_of_their_department_without_pay(world, published, client, login):
    page = login(world.head_a.user).get(f"/results/periods/{published.pk}/").content.decode()
    assert "Rank in the department" in page and "Performance pay" not in page and "3600" not in page


def test_the_results_page_names_the_candidates_at_the_boundary(world, month, client, login):
    scored(world, month, ["8.33", "7.9", "7.2", "6.3", "5.4", "4.0"])
    Form.objects.filter(period=month, employee=world.emp_a).update(total=D("95"))  # a second A
    page = login(world.gm.user).get(f"/results/periods/{month.pk}/").content.decode()
    assert "Grade A: 2 people, the rule allows 1" in page and "Record the reason" in page


def test_the_year_lists_months_grades_and_who_needs_a_plan(world, client, login, team):
    approved_cards(world)
    settings = services.get_settings()
    settings.distribution_on = False
    settings.save()
    for month, actuals in ((3, ["8.33", "4.0", "7.2", "6.3", "5.4", "5.4"]), (4, ["7.9", "4.0", "7.2", "6.3", "5.4", "5.4"])):
        period = appraisal.open_period(by=world.hr.user, year=2026, month=month)
        for form in scored(world, period, actuals):
            appraisal.take_step(by=world.gm.user, form=Form.objects.get(pk=form.pk), action="approve")
            appraisal.take_step(by=world.hr.user, form=Form.objects.get(pk=form.pk), action="publish")
    rows = {row.employee: row for row in services.year_rows(2026, Form.objects.all())}
    first, second = people_of_a(world, period)[:2]
    assert rows[first.employee].year.average == D("97.42") and rows[first.employee].year.grade_counts == {"A": 2}
    assert rows[second.employee].needs_plan and not rows[first.employee].needs_plan  # E twice
    page = login(world.head_a.user).get("/results/year/?year=2026&plans=1").content.decode()
    assert second.employee.display_name in page and first.employee.display_name not in page
    assert login(world.emp_a.user, on=type(client)()).get("/results/year/").status_code == 403

"""Grades, ranks, pay and the forced-distribution guidance around the monthly scores
(the rules themselves are the pure functions of results.grading)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from appraisal.models import Form, FormStatus, Period
from organisation.models import Department

from . import grading
from .models import DistributionRule, DistributionWaiver, FormResult, GradeBand, PayBase, ResultSettings

SCORED = [FormStatus.CALCULATED, FormStatus.APPROVED, FormStatus.PUBLISHED]


def get_settings() -> ResultSettings:
    settings, _created = ResultSettings.objects.get_or_create(pk=1)
    return settings


def bands() -> tuple[grading.Band, ...]:
    return grading.bands_from((band.code, band.lower_bound) for band in GradeBand.objects.all())


def rules() -> list[grading.DistributionRule]:
    return [
        grading.DistributionRule(rule.band.code, grading.Limit(rule.limit), rule.percent)
        for rule in DistributionRule.objects.select_related("band").order_by("-band__lower_bound", "limit")
    ]


# ---------------------------------------------------------------------------------------
# Settings


@transaction.atomic
def save_grades(
    *, by, rows: list[dict], distribution: list[dict], distribution_on: bool, currency: str, min_people=None, plan_grade=None, plan_times=None,
) -> None:
    """Replace the grade bands (code, lower_bound, coefficient) and the distribution rules
    (grade, limit, percent) at once: all or nothing, every problem reported."""
    if not by.has_perm("results.manage_results"):
        raise PermissionDenied
    try:
        new_bands = grading.bands_from((row["code"].strip(), Decimal(row["lower_bound"])) for row in rows)
        new_rules = [grading.DistributionRule(rule["grade"].strip(), rule["limit"], Decimal(rule["percent"])) for rule in distribution]
    except (KeyError, ValueError, ArithmeticError, TypeError):
        raise ValidationError(_("Every grade needs a code, a lower bound and a coefficient; every rule a grade, a limit and a share.")) from None
    problems = grading.band_problems(new_bands) + grading.rule_problems(new_rules, new_bands)
    for row in rows:
        coefficient = Decimal(row.get("coefficient") or 0)
        if not 0 <= coefficient <= 10:
            problems.append(grading.Problem("bands", grading.gettext_noop("Grade %(code)s: the coefficient must be between 0 and 10."), {"code": row["code"]}))
    if problems:
        raise ValidationError([_(problem.template) % problem.params if problem.params else _(problem.template) for problem in problems])
    coefficients = {row["code"].strip(): Decimal(row.get("coefficient") or 0) for row in rows}
    GradeBand.objects.all().delete()
    created = {band.code: GradeBand.objects.create(code=band.code, lower_bound=band.lower, coefficient=coefficients[band.code]) for band in new_bands}
    for rule in new_rules:
        DistributionRule.objects.create(band=created[rule.grade], limit=rule.limit, percent=rule.percent)
    settings = get_settings()
    settings.distribution_on, settings.currency = distribution_on, (currency or "CNY").strip().upper()[:3]
    if plan_grade not in (None, ""):
        if plan_grade.strip() not in coefficients:
            raise ValidationError({"plan_grade": _("There is no grade %(code)s.") % {"code": plan_grade}})
        settings.plan_grade = plan_grade.strip()
    if plan_times not in (None, ""):
        try:
            settings.plan_times = max(1, min(12, int(str(plan_times).strip())))
        except ValueError:
            raise ValidationError({"plan_times": _("Enter a whole number of times.")}) from None
    if min_people not in (None, ""):
        try:
            settings.distribution_min_people = max(1, min(1000, int(str(min_people).strip())))
        except ValueError:
            raise ValidationError({"min_people": _("Enter a whole number of people.")}) from None
    settings.save()


@transaction.atomic
def set_pay_base(*, by, amount, post=None, employee=None) -> PayBase | None:
    """Set (or with ``amount`` None, remove) the monthly base of a post or an employee."""
    if not by.has_perm("results.manage_results"):
        raise PermissionDenied
    if (post is None) == (employee is None):
        raise ValidationError(_("A base belongs to a post or to an employee."))
    found = PayBase.objects.filter(post=post, employee=employee).first()
    if amount in (None, ""):
        if found:
            found.delete()
        return None
    try:
        amount = Decimal(str(amount))
    except ArithmeticError:
        amount = Decimal(-1)
    if not amount.is_finite() or amount < 0 or amount >= Decimal("1E10"):
        raise ValidationError({"amount": _("Enter an amount of 0 or more.")})
    base = found or PayBase(post=post, employee=employee)
    base.amount = amount.quantize(Decimal("0.01"))
    base.save()
    return base


# ---------------------------------------------------------------------------------------
# Grading a month


def _base_of(form: Form, by_employee: dict, by_post: dict) -> Decimal | None:
    return by_employee.get(form.employee_id, by_post.get(form.post_id))


def grade_period(period: Period) -> int:
    """Grade, rank and pay every published form of the month (ranks among the published
    forms of the same kind, in the department and in the company). Returns how many."""
    band_list = bands()
    if not band_list:
        return 0
    coefficients = dict(GradeBand.objects.values_list("code", "coefficient"))
    forms = list(Form.objects.filter(period=period, status=FormStatus.PUBLISHED, total__isnull=False))
    by_employee = dict(PayBase.objects.filter(employee__isnull=False).values_list("employee_id", "amount"))
    by_post = dict(PayBase.objects.filter(post__isnull=False).values_list("post_id", "amount"))
    currency = get_settings().currency
    groups: dict = {}
    for form in forms:
        groups.setdefault(("company", form.kind), {})[form.pk] = form.total
        groups.setdefault((form.department_id, form.kind), {})[form.pk] = form.total
    ranks = {key: grading.rank(scores) for key, scores in groups.items()}
    existing = {result.form_id: result for result in FormResult.objects.filter(form__in=forms)}
    changed, new = [], []
    for form in forms:
        grade = grading.grade_for(form.total, band_list)
        coefficient = coefficients[grade]
        base = _base_of(form, by_employee, by_post)
        result = existing.get(form.pk) or FormResult(form=form)
        result.grade, result.coefficient, result.currency = grade, coefficient, currency
        result.department_rank = ranks[(form.department_id, form.kind)][form.pk]
        result.department_size = len(groups[(form.department_id, form.kind)])
        result.company_rank = ranks[("company", form.kind)][form.pk]
        result.company_size = len(groups[("company", form.kind)])
        result.base = base
        result.pay = None if base is None else grading.performance_pay(base, coefficient, form.share)
        (changed if result.pk else new).append(result)
    FormResult.objects.bulk_create(new)
    FormResult.objects.bulk_update(
        changed, ["grade", "coefficient", "department_rank", "department_size", "company_rank", "company_size", "base", "pay", "currency", "graded_at"]
    )
    return len(forms)


# ---------------------------------------------------------------------------------------
# Forced distribution


@dataclass
class GroupCheck:
    department: Department | None  # None: the company
    people: int
    breaches: list[grading.Breach]
    waiver: DistributionWaiver | None
    forms: dict  # form id -> form, for naming the candidates


def distribution_checks(period: Period, department_ids=None) -> list[GroupCheck]:
    """Per department (and the company) of the month: where the provisional grades of the
    scored forms break the rules, with the candidates at the boundary."""
    band_list, rule_list = bands(), rules()
    if not band_list or not rule_list or not get_settings().distribution_on:
        return []
    forms = list(Form.objects.filter(period=period, status__in=SCORED, total__isnull=False).select_related("employee", "department"))
    waivers = {waiver.department_id: waiver for waiver in DistributionWaiver.objects.filter(period=period).select_related("by")}
    groups: dict = {}
    for form in forms:
        groups.setdefault(form.department_id, []).append(form)
    smallest = get_settings().distribution_min_people
    checks = []
    for department_id, members in [(None, forms), *sorted(groups.items(), key=lambda item: item[0])]:
        if (department_ids is not None and department_id not in department_ids) or len(members) < smallest:
            continue
        people = [grading.Person(form.pk, form.total, grading.grade_for(form.total, band_list)) for form in members]
        found = grading.breaches(people, rule_list, band_list)
        if found:
            department = members[0].department if department_id is not None else None
            checks.append(GroupCheck(department, len(people), found, waivers.get(department_id), {form.pk: form for form in members}))
    return checks


def check_distribution(*, form: Form, by) -> None:
    """Refuse an approval while the form's department or the company breaks the guidance
    without the general manager's recorded reason."""
    for check in distribution_checks(form.period, department_ids={None, form.department_id}):
        if check.waiver is None:
            where = check.department.display_name if check.department else _("the company")
            raise ValidationError(
                _("The grades of %(where)s break the distribution guidance; record a reason on the results page to approve anyway.")
                % {"where": where}
            )


@transaction.atomic
def waive(*, by, period: Period, department: Department | None, reason: str) -> DistributionWaiver:
    if not by.has_perm("appraisal.approve"):
        raise PermissionDenied
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the scores are approved anyway.")})
    try:
        with transaction.atomic():
            return DistributionWaiver.objects.create(period=period, department=department, reason=reason.strip()[:2000], by=by)
    except IntegrityError:
        raise ValidationError(_("A reason is already recorded for this group.")) from None


# ---------------------------------------------------------------------------------------
# The year


@dataclass
class PersonYear:
    employee: object
    year: grading.Year
    needs_plan: bool


def year_rows(year: int, forms) -> list[PersonYear]:
    """Each person's year from their published employee forms among ``forms`` (already
    narrowed to what the caller may see), with whether the plan rule calls for a plan."""
    settings = get_settings()
    results = (
        FormResult.objects.filter(form__in=forms, form__period__year=year, form__kind="employee")
        .select_related("form__employee__department", "form__period")
        .order_by("form__employee__department__sort_order", "form__employee__employee_number")
    )
    months: dict = {}
    people: dict = {}
    for result in results:
        employee = result.form.employee
        people[employee.pk] = employee
        months.setdefault(employee.pk, {})[result.form.period.month] = (result.form.total, result.grade)
    rows = []
    for pk, employee in people.items():
        person_year = grading.year_of(months[pk])
        needs_plan = grading.grades_at_least([grade for _score, grade in months[pk].values()], settings.plan_grade, settings.plan_times)
        rows.append(PersonYear(employee, person_year, needs_plan))
    return rows

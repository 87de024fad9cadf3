"""180° / 360° ratings of rated lines (competency PCI and attitude WAI lines whose rating
mode is 180° or 360°): who rates whom, the raters' answers, and what forms show and score
of them.

The cycle of a month: HR (or the person's head) assigns raters, usually all at once from
the organisation ("the usual raters": the superior who signs the form, the person
themselves where the line asks for it, colleagues of the department, and for a head the
people of the department they head); raters answer on the seven-level scale in "my
ratings"; HR reminds the late ones and closes the ratings. Only then do forms show the
groups (``rating_groups.summarise``, small anonymous groups merged) and may be signed:
groups that changed while people watched could give a rater away. The line's value is
worked out from the answers at calculation (``line_ratings``), never copied onto the form,
so no value history holds single answers.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from organisation.models import Employee
from organisation.services import get_company
from scorecards import card_rules

from . import rating_groups, workflow
from .models import Form, Period, RatingRequest, Relation
from .rules import heads_form

RATED_MODES = tuple(card_rules.RATER_RELATIONS)


def rules_of(period: Period) -> tuple[int, bool]:
    """(smallest anonymous group shown, whether HR sees single answers) of the month."""
    rules = period.rating_rules or {}
    return int(rules.get("minimum", 3)), bool(rules.get("hr_sees_answers", False))


def freeze_rules(period: Period) -> None:
    company = get_company()
    period.rating_rules = {"minimum": company.rating_min_group, "hr_sees_answers": company.hr_sees_rating_answers}


def rated_keys(form: Form) -> list[str]:
    return [key for key, info in form.snapshot["lines"].items() if info.get("rating_mode") in RATED_MODES]


def weights_of(form: Form, key: str) -> dict[str, object]:
    info = form.snapshot["lines"].get(key, {})
    return card_rules.rater_weights_for(info.get("rating_mode", ""), info.get("rater_weights"))


def may_assign(user, form: Form) -> bool:
    """HR, or a head who signs the form; never on one's own form."""
    if form.employee.user_id == user.pk:
        return False
    return user.has_perm("appraisal.manage_periods") or heads_form(user, form)


def _check_open(form: Form) -> None:
    if form.period.ratings_closed_at is not None:
        raise ValidationError(_("The ratings of %(period)s are closed.") % {"period": form.period})
    if form.status != workflow.State.DRAFT:
        raise ValidationError(_("This form is no longer a draft; its raters no longer change."))


def _check_relation(form: Form, key: str, rater: Employee, relation: str) -> None:
    info = form.snapshot["lines"].get(key)
    if info is None or info.get("rating_mode") not in RATED_MODES:
        raise ValidationError({"line": _("This line is not rated by 180° or 360° raters.")})
    weights = weights_of(form, key)
    if relation not in weights:
        raise ValidationError({"relation": _("This line has no raters of that relation.")})
    if (relation == Relation.SELF) != (rater.pk == form.employee_id):
        raise ValidationError({"rater": _("Only the person rated rates as “self”, and nobody rates themselves otherwise.")})
    if relation == Relation.SELF and not weights[relation]:
        raise ValidationError({"relation": _("This line does not ask for a self-rating.")})
    if not rater.is_active:
        raise ValidationError({"rater": _("%(person)s has left.") % {"person": rater.display_name}})


@transaction.atomic
def assign(*, by, form: Form, line_key: str, rater: Employee, relation: str) -> RatingRequest:
    if not may_assign(by, form):
        raise PermissionDenied
    form = Form.objects.select_for_update(of=("self",)).select_related("period", "employee").get(pk=form.pk)
    _check_open(form)
    _check_relation(form, line_key, rater, relation)
    try:
        with transaction.atomic():
            return RatingRequest.objects.create(form=form, line_key=line_key, rater=rater, relation=relation, assigned_by=by)
    except IntegrityError:
        raise ValidationError({"rater": _("%(person)s already rates this line.") % {"person": rater.display_name}}) from None


@transaction.atomic
def unassign(*, by, request: RatingRequest) -> None:
    if not may_assign(by, request.form):
        raise PermissionDenied
    _check_open(Form.objects.select_for_update(of=("self",)).select_related("period").get(pk=request.form_id))
    request.delete()


class _People:
    """The active employees, read once: colleagues by department, and who is below whom
    (the people of the departments someone heads, and their direct reports)."""

    def __init__(self):
        self.by_department: dict[int, list[Employee]] = {}
        self.below: dict[int, list[Employee]] = {}
        for employee in Employee.objects.filter(is_active=True).select_related("department"):
            self.by_department.setdefault(employee.department_id, []).append(employee)
            for boss in {employee.department.head_id, employee.line_manager_id} - {None, employee.pk}:
                self.below.setdefault(boss, []).append(employee)


def usual_raters(form: Form, key: str, people: _People | None = None) -> list[tuple[Employee, str]]:
    """Who usually rates the line: the superior who signs the form, the person where the
    line weighs a self-rating, and for 360° the colleagues of the department and, for a
    head, the people of the department they head."""
    people = people or _People()
    weights = weights_of(form, key)
    person = form.employee
    chosen: dict[int, tuple[Employee, str]] = {}
    department = form.department
    superior = department.head if department.head_id and department.head_id != person.pk else person.line_manager
    if superior is not None and "superior" in weights and superior.is_active:
        chosen[superior.pk] = (superior, Relation.SUPERIOR)
    if weights.get("self"):
        chosen[person.pk] = (person, Relation.SELF)
    if "subordinate" in weights:
        for employee in people.below.get(person.pk, []):
            chosen.setdefault(employee.pk, (employee, Relation.SUBORDINATE))
    if "peer" in weights:
        for employee in people.by_department.get(person.department_id, []):
            if employee.pk != person.pk:
                chosen.setdefault(employee.pk, (employee, Relation.PEER))
    return list(chosen.values())


@transaction.atomic
def assign_usual(*, by, period: Period) -> int:
    """The usual raters for every rated line of the month's draft forms; returns how many
    requests were added (those already there stay)."""
    if not by.has_perm("appraisal.manage_periods"):
        raise PermissionDenied
    if period.ratings_closed_at is not None:
        raise ValidationError(_("The ratings of %(period)s are closed.") % {"period": period})
    existing = set(RatingRequest.objects.filter(form__period=period).values_list("form_id", "line_key", "rater_id"))
    new = []
    forms = period.forms.filter(status=workflow.State.DRAFT).select_related("employee__line_manager", "department__head")
    people = _People()
    for form in forms:
        for key in rated_keys(form):
            for rater, relation in usual_raters(form, key, people):
                if (form.pk, key, rater.pk) not in existing:
                    new.append(RatingRequest(form=form, line_key=key, rater=rater, relation=relation, assigned_by=by))
    RatingRequest.objects.bulk_create(new)
    return len(new)


@transaction.atomic
def answer(*, by, request: RatingRequest, level, comment: str = "") -> RatingRequest:
    """The rater's answer (changeable until the ratings close)."""
    request = RatingRequest.objects.select_for_update(of=("self",)).select_related("form__period", "rater").get(pk=request.pk)
    if request.rater.user_id != by.pk:
        raise PermissionDenied
    _check_open(request.form)
    try:
        level = int(str(level).strip())
    except (TypeError, ValueError):
        level = 0
    if level not in rating_groups.LEVELS:
        raise ValidationError({"level": _("Choose a level from 1 (very poor) to 7 (very good).")})
    request.level, request.comment = level, str(comment or "").strip()[:2000]
    request.save(update_fields=["level", "comment"])
    return request


@transaction.atomic
def close_ratings(*, by, period: Period) -> Period:
    if not by.has_perm("appraisal.manage_periods"):
        raise PermissionDenied
    period = Period.objects.select_for_update().get(pk=period.pk)
    if period.ratings_closed_at is None:
        period.ratings_closed_at = timezone.now()
        period._change_reason = "ratings closed"
        period.save()
    return period


def remind(*, by, period: Period) -> int:
    """One reminder per rater with answers still to give; returns how many were told."""
    from .services import notify

    if not by.has_perm("appraisal.manage_periods"):
        raise PermissionDenied
    if period.ratings_closed_at is not None:
        return 0
    raters = Employee.objects.filter(rating_requests__form__period=period, rating_requests__level__isnull=True).distinct().select_related("user")
    for rater in raters:
        notify(rater.user, gettext_noop("Ratings for %(period)s wait for you."), url=reverse("my-ratings"), params={"period": period}, once=True)
    return len(raters)


# ---------------------------------------------------------------------------------------
# What forms show and score


def _answers(form: Form) -> dict[str, list[rating_groups.Answer]]:
    answers: dict[str, list[rating_groups.Answer]] = {}
    for request in form.rating_requests.all():
        answers.setdefault(request.line_key, [])
        if request.level is not None:
            answers[request.line_key].append(rating_groups.Answer(request.relation, request.level))
    return answers


def summaries(form: Form) -> dict[str, rating_groups.Summary]:
    """Each line with raters -> its groups (only answers count)."""
    minimum, _hr_sees = rules_of(form.period)
    return {
        key: rating_groups.summarise(answers, weights_of(form, key), minimum)
        for key, answers in _answers(form).items()
    }


def line_ratings(form: Form) -> dict[str, tuple]:
    """For the calculation: each line with raters -> its weighted ratings."""
    return {key: summary.ratings() for key, summary in summaries(form).items()}


def fingerprint(form: Form) -> dict[str, list]:
    """What a signature vouches for of the ratings: the groups shown, not single answers."""
    return {
        key: [[list(group.relations), group.count, str(group.mean_level)] for group in summary.groups]
        for key, summary in sorted(summaries(form).items())
    }


def open_for_signing(form: Form) -> bool:
    """A form with raters is signed (or submitted) only once the month's ratings are closed."""
    return form.period.ratings_closed_at is not None or not form.rating_requests.exists()


def requests_for_rater(user):
    """The rating requests of ``user`` as a rater, newest month first."""
    return (
        RatingRequest.objects.filter(rater__user=user)
        .select_related("form__period", "form__employee", "form__department")
        .order_by("-form__period__year", "-form__period__month", "form__employee__employee_number", "line_key")
    )


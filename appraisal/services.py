"""The monthly appraisal: opening a period (a form per person from the scorecard version in
force), entering values, signing, the workflow steps, HR's calculation, the general
manager's approval and publication.

Every step locks the form row, re-checks its state under the lock against the one table in
workflow.py, checks the user is the actor the step needs for this form (segregation of
duties), records a Transition and notifies whoever acts next. A save based on an older
page (``revision``) is refused rather than silently overwriting someone else's change.
"""

import calendar
import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from bsc_site.numbers import plain
from indicators.scoring import NotApplicablePolicy
from organisation.models import Assignment, Department, Employee, User
from organisation.roles import headed_department_ids
from organisation.rules import is_committee_member, is_general_manager, is_hr, is_integrator
from organisation.services import get_company
from scorecards import card_rules
from scorecards.models import Level, Scorecard, ScorecardVersion, owner_key
from scorecards.selectors import version_for_month

from . import calculation, ratings, workflow
from .models import EntryStatus, Evidence, Form, FormKind, FormStatus, FormValue, Inspection, Notification, Period, PeriodStatus, Signature, SignatureRole, Transition



class StaleForm(ValidationError):
    """The form changed since the page was loaded: reload and try again."""


class Conflict(ValidationError):
    """Someone else moved the form first (two simultaneous approvals, ...)."""


def _require(user, perm: str, obj=None) -> None:
    if not user.has_perm(perm, obj):
        raise PermissionDenied


# ---------------------------------------------------------------------------------------
# Opening a period




def snapshot_of(version: ScorecardVersion, month: int) -> tuple[dict, dict]:
    """The calculation snapshot of a version for a month, and what the pages show besides
    (names, units, annual targets, who supplies each value), both keyed by indicator code."""
    lines = list(version.lines.select_related("indicator", "perspective").order_by("perspective__sort_order", "sort_order", "pk"))
    from scorecards.services import rule_card

    effective = card_rules.effective_weights(rule_card(version, lines))
    snapshot_lines, info = [], {}
    for line in lines:
        indicator = line.indicator
        month_target = Decimal(str(line.month_targets[month - 1])) if len(line.month_targets) == 12 else line.target
        snapshot_lines.append(
            calculation.SnapshotLine(
                key=indicator.code, indicator_code=indicator.code, indicator_type=indicator.type,
                perspective=line.perspective.code, effective_weight=effective[str(line.pk)], method=line.method,
                params=dict(line.params or {}), direction=indicator.direction, target=month_target,
                target_low=line.target_low, target_high=line.target_high, formula=indicator.formula, label=indicator.display_name,
            )
        )
        info[indicator.code] = {
            "name_en": indicator.name_en, "name_zh": indicator.name_zh, "unit": indicator.unit, "type": indicator.type,
            "perspective": line.perspective.code, "data_owner": line.data_owner, "rating_mode": line.rating_mode,
            "annual_target": plain(line.target), "weight": plain(effective[str(line.pk)]),
            "rater_weights": {relation: plain(weight) for relation, weight in card_rules.rater_weights_for(line.rating_mode, line.rater_weights).items()},
            "inputs": [name.strip() for name in indicator.formula_inputs.split(",") if name.strip()],
        }
    snapshot = calculation.FormSnapshot(
        lines=tuple(snapshot_lines), veto_mode=version.veto_mode, veto_ceiling=version.veto_ceiling,
        veto_deduction=version.veto_deduction, front_line=version.front_line, inspection_deduction=version.inspection_deduction,
    )
    return calculation.snapshot_to_dict(snapshot), info


def _days(start: date, end: date) -> int:
    return (end - start).days + 1


def _placement(employee: Employee, first: date, last: date) -> tuple[int, int, int] | None:
    """(department id, post id, days) of the assignment covering most of the month (the
    later one on a tie); None when the person held no post in the month."""
    best = None
    for assignment in employee.assignments.all():
        start = max(assignment.start_date, first)
        end = min(assignment.end_date or last, last)
        if employee.leave_date:
            end = min(end, employee.leave_date)
        if start > end:
            continue
        days = _days(start, end)
        if best is None or days >= best[2]:
            best = (assignment.department_id, assignment.post_id, days)
    return best




@transaction.atomic
def open_period(*, by, year: int, month: int) -> Period:
    """Open a month: one form per person employed in it, from the approved version of their
    post's card in force that month, and a head's form for each department head from their
    department's card. All or nothing: a post without an approved card stops the opening."""
    _require(by, "appraisal.manage_periods")
    if not 1 <= month <= 12:
        raise ValidationError({"month": _("Choose a month from 1 to 12.")})
    if Period.objects.filter(year=year, month=month).exists():
        raise ValidationError({"month": _("%(period)s is already open.") % {"period": f"{year}-{month:02d}"}})
    company = get_company()
    first, last = date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
    cards = {card.owner_key: card for card in Scorecard.objects.filter(year=year).select_related("post", "department")}
    people = (
        Employee.objects.filter(hire_date__lte=last).exclude(leave_date__lt=first)
        .select_related("user", "department", "post").prefetch_related("assignments")
    )
    planned, missing = [], {}
    versions: dict[str, ScorecardVersion | None] = {}

    def version_of(key: str) -> ScorecardVersion | None:
        if key not in versions:
            card = cards.get(key)
            versions[key] = version_for_month(card, month) if card else None
        return versions[key]

    month_days = _days(first, last)
    for person in people:
        placement = _placement(person, first, last)
        if placement is None:
            continue
        department_id, post_id, days = placement
        if days < company.appraisal_min_days:
            continue  # too short a time in the post to be appraised this month (company setting)
        key = owner_key(Level.POST, post_id=post_id)
        version = version_of(key)
        if version is None:
            missing.setdefault(post_id, person.post.display_name if person.post_id == post_id else str(post_id))
            continue
        share = (Decimal(days) / Decimal(month_days)).quantize(Decimal("0.0001"))
        planned.append((person, FormKind.EMPLOYEE, department_id, post_id, version, share))
    for department in Department.objects.filter(is_active=True, head__isnull=False).select_related("head"):
        head = department.head
        # The department's current head, for the part of the month they were employed
        # (the same minimum stay as for everyone's own form).
        start, end = max(head.hire_date or first, first), min(head.leave_date or last, last)
        if start > end or _days(start, end) < max(company.appraisal_min_days, 1):
            continue
        version = version_of(owner_key(Level.DEPARTMENT, department_id=department.pk))
        if version is None:
            missing.setdefault(f"d{department.pk}", department.display_name)
            continue
        share = (Decimal(_days(start, end)) / Decimal(month_days)).quantize(Decimal("0.0001"))
        planned.append((head, FormKind.HEAD, department.pk, head.post_id, version, share))
    if missing:
        names = sorted(missing.values())
        raise ValidationError(
            _("These have no approved scorecard in force in %(period)s: %(names)s. Approve their cards first.")
            % {"period": f"{year}-{month:02d}", "names": ", ".join(names[:15]) + ("…" if len(names) > 15 else "")}
        )
    deadline = date(year, month, company.appraisal_deadline_day)
    try:
        with transaction.atomic():
            period = Period(year=year, month=month, deadline=deadline, opened_by=by, status=PeriodStatus.COLLECTING)
            ratings.freeze_rules(period)
            period.save()
    except IntegrityError:  # opened by someone else a moment ago
        raise ValidationError({"month": _("%(period)s is already open.") % {"period": f"{year}-{month:02d}"}}) from None
    snapshots: dict[int, tuple[dict, dict]] = {}
    forms = []
    for person, kind, department_id, post_id, version, share in planned:
        if version.pk not in snapshots:
            snapshots[version.pk] = snapshot_of(version, month)
        snapshot, info = snapshots[version.pk]
        forms.append(Form(
            period=period, employee=person, kind=kind, department_id=department_id, post_id=post_id, scorecard_version=version,
            snapshot={"calculation": snapshot, "lines": info}, share=share,
        ))
    Form.objects.bulk_create(forms)
    return period


def opened_months(year: int) -> set[int]:
    """For scorecards: months of the year already opened (their forms froze a version)."""
    return set(Period.objects.filter(year=year).values_list("month", flat=True))


# ---------------------------------------------------------------------------------------
# Values


def _lock(form: Form) -> Form:
    """The form, locked for this transaction; a closed month's forms no longer change."""
    form = Form.objects.select_for_update(of=("self",)).select_related("period", "employee__user", "employee__line_manager").get(pk=form.pk)
    if form.period.status == PeriodStatus.CLOSED:
        raise ValidationError(_("This month is closed."))
    return form


def _check_revision(form: Form, revision) -> None:
    if revision is None:
        return
    try:
        revision = int(revision)
    except (TypeError, ValueError):
        revision = None
    if revision != form.revision:
        raise StaleForm(_("Someone changed this form while you were editing it. Reload the page to see their change, then enter yours again."), code="stale")


THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
LARGEST = Decimal("1E14")


def _decimal(value, field_name: str):
    """A typed number: a point for decimals; commas only between groups of three digits
    (1,234.5). "97,5" is refused rather than read as 975."""
    if value in (None, ""):
        return None
    if isinstance(value, float):
        raise TypeError("Build Decimals from strings.")
    text = str(value).strip()
    if "," in text:
        if not THOUSANDS.match(text):
            raise ValidationError({field_name: _("Use a point for decimals (97.5); commas only between thousands (1,234.5).")})
        text = text.replace(",", "")
    try:
        number = Decimal(text)
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        raise ValidationError({field_name: _("Enter a number.")})
    if abs(number) >= LARGEST:
        raise ValidationError({field_name: _("This number is too large.")})
    return number


HEAD_SUPPLIES = {"department", "employee"}  # data owners whose values a head enters on their own form


def who_enters(form: Form, user, line_key: str) -> set[str]:
    """What ``user`` may enter on a line: "value" (actual, inputs, ratings, N/A, remark)
    and / or "self" (the self-assessment)."""
    rights = set()
    info = form.snapshot["lines"].get(line_key, {})
    owner = info.get("data_owner")
    own_form = form.employee.user_id == user.pk
    heads = form.department_id in headed_department_ids(user) and not own_form
    if user.has_perm("appraisal.manage_periods") and not own_form:
        rights.add("value")  # HR supplies and corrects every value
    if is_integrator(user) and owner in ("hr", "finance", "department"):
        rights.add("value")  # a system feeding actuals (the API checks the token's scope)
    if owner == "employee" and own_form:
        rights.add("value")
    if owner in ("department", "raters") and heads:
        rights.add("value")
    if form.kind == FormKind.HEAD and own_form and owner in HEAD_SUPPLIES and form.status == FormStatus.DRAFT:
        rights.add("value")  # the head fills in their own form, until it is with HR
    if is_general_manager(user) and not is_hr(user):
        rights.discard("value")  # the general manager approves scores and enters no data
    if own_form and (form.kind == FormKind.EMPLOYEE or form.status == FormStatus.DRAFT):
        rights.add("self")
    return rights


def _content_hash(form: Form) -> str:
    """What a signature vouches for: the frozen card and every value."""
    values = [
        {
            "line": value.line_key, "actual": plain(value.actual), "inputs": value.inputs, "ratings": value.ratings,
            "na": value.not_applicable, "self": value.self_assessment, "remark": value.remark,
            "evidence": sorted([evidence.pk, evidence.name] for evidence in value.evidence.all()),
        }
        for value in form.values.prefetch_related("evidence").order_by("line_key")
    ]
    # The score is not in it: HR calculates after both have signed, and a recalculation
    # from the same values is the same score.
    content = {"snapshot": form.snapshot, "values": values, "ratings": ratings.fingerprint(form)}
    return hashlib.sha256(json.dumps(content, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _void_signatures(form: Form, by, reason: str) -> bool:
    voided = form.signatures.filter(voided_at__isnull=True).update(voided_at=timezone.now(), void_reason=reason[:200])
    return voided > 0


def _record(form: Form, by, action: str, old: str, new: str, comment: str = "") -> None:
    Transition.objects.create(form=form, action=action, from_status=old, to_status=new, by=by, comment=comment)


VALUE_FIELDS = ("actual", "inputs", "ratings", "not_applicable", "remark")


def _levels(raw, params: dict) -> list[int]:
    """Ratings as whole levels of the line's scale (the seven-level scale by default)."""
    levels = [int(str(level).strip()) for level in raw or []]
    allowed = {int(level["value"]) for level in (params.get("levels") or [])} or set(range(1, 8))
    wrong = [level for level in levels if level not in allowed]
    if wrong:
        raise ValidationError(
            _("Ratings are levels %(low)s to %(high)s, not %(wrong)s.") % {"low": min(allowed), "high": max(allowed), "wrong": ", ".join(map(str, wrong))}
        )
    return levels


@transaction.atomic
def save_values(*, by, form: Form, values: dict[str, dict], revision=None) -> Form:
    """Enter values on a form: ``values`` maps a line key to its fields (actual, inputs,
    ratings, not_applicable, remark, self_assessment). A change to a signed or calculated
    form voids its signatures and score and sends it back: an employee's form to draft for
    re-signing, a head's own form back to HR."""
    _require(by, "appraisal.view_form", form)
    form = _lock(form)
    _check_revision(form, revision)
    if not workflow.values_editable(form.status):
        raise ValidationError(_("This form is %(state)s; its values no longer change.") % {"state": form.get_status_display().lower()})
    lines = form.snapshot["lines"]
    params = {line["key"]: line.get("params") for line in form.snapshot["calculation"]["lines"]}
    rated = set(form.rating_requests.values_list("line_key", flat=True))
    existing = {value.line_key: value for value in form.values.all()}
    errors: dict[str, list[str]] = {}
    changed = False
    for key, fields in values.items():
        if key not in lines:
            errors.setdefault(key, []).append(_("This line is not on the form."))
            continue
        rights = who_enters(form, by, key)
        value = existing.get(key) or FormValue(form=form, line_key=key)
        before = (plain(value.actual), value.inputs, value.ratings, value.not_applicable, value.remark, value.self_assessment)
        try:
            if any(name in fields for name in VALUE_FIELDS) and "value" not in rights:
                raise PermissionDenied
            if "self_assessment" in fields and "self" not in rights:
                raise PermissionDenied
            if "actual" in fields:
                value.actual = _decimal(fields["actual"], "actual")
            if "inputs" in fields:
                value.inputs = {name: plain(_decimal(number, "inputs")) for name, number in (fields["inputs"] or {}).items() if number not in (None, "")}
            if "ratings" in fields:
                if key in rated:
                    raise ValidationError(_("This line is rated by its raters; their answers give its value."))
                value.ratings = _levels(fields["ratings"], params.get(key) or {})
            if "not_applicable" in fields:
                not_applicable = bool(fields["not_applicable"])
                if not_applicable != value.not_applicable and form.employee.user_id == by.pk:
                    # A line left out is a line not scored: the appraised person could
                    # escape a veto or the inspection deduction by leaving out their own.
                    raise ValidationError(_("Only HR marks a line of your own form not applicable."))
                value.not_applicable = not_applicable
            if "remark" in fields:
                value.remark = str(fields["remark"] or "")[:2000]
            if "self_assessment" in fields:
                value.self_assessment = str(fields["self_assessment"] or "")[:4000]
        except ValidationError as exc:
            errors.setdefault(key, []).extend(exc.messages)
            continue
        except (TypeError, ValueError):
            errors.setdefault(key, []).append(_("Enter the ratings as whole numbers."))
            continue
        after = (plain(value.actual), value.inputs, value.ratings, value.not_applicable, value.remark, value.self_assessment)
        if after != before:
            value.entered_by = by
            value._change_reason = "values"
            value.save()
            changed = True
    if errors:
        raise ValidationError(errors)
    if changed:
        _after_change(form, by)
    return form


def _after_change(form: Form, by, reason: str = gettext_noop("values changed")) -> None:
    """A change voids signatures and the score, and says so in the history."""
    old = form.status
    voided = _void_signatures(form, by, reason)
    if form.status == FormStatus.CALCULATED or form.total is not None:
        form.breakdown, form.total, form.engine_version, form.calculated_by, form.calculated_at = None, None, "", None, None
    if form.kind == FormKind.EMPLOYEE and (voided or old in workflow.signed_states()):
        form.status = FormStatus.DRAFT
    elif form.kind == FormKind.HEAD and old == FormStatus.CALCULATED:
        form.status = FormStatus.SUBMITTED
    form.revision += 1
    form.save()
    if form.status != old or voided:
        _record(form, by, "values_changed", old, form.status, _("%(reason)s: signatures and score voided.") % {"reason": _(reason).capitalize()} if voided else _(reason).capitalize())
        if voided:
            notify(form.employee.user, gettext_noop("Your appraisal form for %(period)s changed and needs your signature again."), form, params={"period": form.period})


# ---------------------------------------------------------------------------------------
# Workflow steps


def _actor_allowed(step: workflow.Step, form: Form, user) -> bool:
    own = form.employee.user_id == user.pk
    if step.actor is workflow.Actor.APPRAISED:
        return own
    if step.actor is workflow.Actor.HEAD:
        return user.has_perm("appraisal.sign_as_head", form)
    if step.actor is workflow.Actor.HEAD_OR_HR:
        return user.has_perm("appraisal.sign_as_head", form) or (user.has_perm("appraisal.manage_periods") and not own)
    if step.actor is workflow.Actor.HR:
        return user.has_perm("appraisal.calculate", form)
    if step.actor is workflow.Actor.GENERAL_MANAGER:
        return user.has_perm("appraisal.approve", form) and form.calculated_by_id != user.pk
    if step.actor is workflow.Actor.PUBLISHER:
        return user.has_perm("appraisal.publish", form)
    if step.actor is workflow.Actor.COMMITTEE:
        return is_committee_member(user) and not own
    return False


def steps_for(user, form: Form) -> list[workflow.Step]:
    """The steps ``user`` may take on the form now (the buttons a page offers)."""
    return [
        step for step in workflow.STEPS
        if step.action not in workflow.INTERNAL and form.kind in step.kinds and form.status in step.sources and _actor_allowed(step, form, user)
    ]


def score_visible(user, form: Form) -> bool:
    """The person appraised sees their score once it is published; everyone else who may
    see the form sees it as soon as HR has calculated it."""
    if form.employee.user_id == user.pk:
        return form.status == FormStatus.PUBLISHED
    return True


def _refusal(step: workflow.Step, form: Form, user) -> str:
    if form.employee.user_id == user.pk and step.actor not in (workflow.Actor.APPRAISED, workflow.Actor.PUBLISHER):
        return _("Nobody signs, calculates or approves a form they are appraised on.")
    if step.actor is workflow.Actor.GENERAL_MANAGER and form.calculated_by_id == user.pk:
        return _("The person who calculated a score does not approve it.")
    return _("You cannot take this step on this form.")


def _step(form: Form, action: workflow.Action, by) -> workflow.Step:
    try:
        step = workflow.step_for(form.kind, form.status, action)
    except workflow.WorkflowError as exc:
        params = {key: _(value) for key, value in exc.params.items()}
        raise Conflict(_(exc.template) % params if params else _(exc.template), code="conflict") from None
    if not _actor_allowed(step, form, by):
        raise PermissionDenied(_refusal(step, form, by))
    return step


# Apps above the appraisal (results) hook in here: a check that may refuse an approval
# (the forced-distribution guidance) and listeners told when forms of a month are
# published (grades, ranks and pay).
_approval_checks: list = []
_publish_listeners: list = []


def register_approval_check(check) -> None:
    """``check(form=..., by=...)`` raises ValidationError to refuse the approval."""
    if check not in _approval_checks:
        _approval_checks.append(check)


def register_publish_listener(listener) -> None:
    """``listener(period)`` runs in the transaction that published forms of the period."""
    if listener not in _publish_listeners:
        _publish_listeners.append(listener)


def _published(period: Period) -> None:
    for listener in _publish_listeners:
        listener(period)


@transaction.atomic
def take_step(*, by, form: Form, action: str, comment: str = "", revision=None, tell_listeners: bool = True, internal: bool = False) -> Form:
    """Move a form one step (workflow.STEPS): sign, submit, return, calculate, approve,
    publish. The state is checked again under the row lock, so of two simultaneous
    approvals one succeeds and the other gets a Conflict."""
    _require(by, "appraisal.view_form", form)
    form = _lock(form)
    _check_revision(form, revision)
    if workflow.Action(action) in workflow.INTERNAL and not internal:
        raise Conflict(_("A published form is reopened only by an upheld appeal."), code="conflict")
    step = _step(form, workflow.Action(action), by)
    if step.needs_comment and not comment.strip():
        raise ValidationError({"comment": _("Say why you send it back: whoever acts next reads the comment.")})
    old = form.status
    if step.action in (workflow.Action.SIGN_AS_EMPLOYEE, workflow.Action.SUBMIT_OWN) and not ratings.open_for_signing(form):
        raise ValidationError(_("The 180° / 360° ratings of this form are still open; HR closes them before it is signed."))
    if step.action is workflow.Action.CALCULATE:
        _calculate(form, by)
    elif step.action is workflow.Action.APPROVE:
        for check in _approval_checks:
            check(form=form, by=by)
        form.approved_by, form.approved_at = by, timezone.now()
    elif step.action is workflow.Action.SUBMIT_OWN:
        # The head hands over their own form with their lines filled in; HR supplies the rest.
        _check_complete_for_signing(form, {key for key in form.snapshot["lines"] if "value" in who_enters(form, by, key)})
    elif step.action in (workflow.Action.SIGN_AS_EMPLOYEE, workflow.Action.SIGN_AS_HEAD):
        _check_complete_for_signing(form)
        role = SignatureRole.EMPLOYEE if step.action is workflow.Action.SIGN_AS_EMPLOYEE else SignatureRole.HEAD
        Signature.objects.create(form=form, role=role, user=by, content_hash=_content_hash(form))
    elif step.action is workflow.Action.RETURN_TO_DRAFT:
        _void_signatures(form, by, gettext_noop("sent back"))
    elif step.action in (workflow.Action.RETURN_TO_HR, workflow.Action.REOPEN):
        form.breakdown, form.total, form.engine_version, form.calculated_by, form.calculated_at = None, None, "", None, None
        form.approved_by, form.approved_at = None, None
    form.status = step.target
    form.revision += 1
    form.save()
    _record(form, by, step.action.value, old, form.status, comment.strip())
    _notify_next(form, step)
    if step.action is workflow.Action.PUBLISH and tell_listeners:
        _published(form.period)
    return form


def line_label(form: Form, key: str) -> str:
    """A line as people name it: its code and its indicator's name in the active language."""
    info = form.snapshot["lines"].get(key, {})
    first, second = ("name_zh", "name_en") if (translation.get_language() or "").startswith("zh") else ("name_en", "name_zh")
    name = info.get(first) or info.get(second) or ""
    return f"{key} {name}".strip()


def missing_lines(form: Form, keys: set[str] | None = None) -> list[str]:
    """The lines still without a value (their labels), among ``keys`` or all."""
    try:
        _breakdown(form)
    except calculation.CalculationError as exc:
        return [
            line_label(form, problem.line_key) for problem in exc.problems
            if problem.field in ("actual", "inputs", "ratings") and problem.line_key and (keys is None or problem.line_key in keys)
        ]
    return []


def _check_complete_for_signing(form: Form, keys: set[str] | None = None) -> None:
    """Nothing is signed with values still missing: the signer would vouch for blanks."""
    missing = missing_lines(form, keys)
    if missing:
        raise ValidationError(_("Values are missing for: %(lines)s.") % {"lines": ", ".join(missing)})


def signatures_valid(form: Form) -> dict[str, bool]:
    """Each current signature's role -> whether the form still has the content signed."""
    current = _content_hash(form)
    return {signature.role: signature.content_hash == current for signature in form.signatures.filter(voided_at__isnull=True)}


# ---------------------------------------------------------------------------------------
# Calculation


def _line_values(form: Form) -> dict[str, calculation.LineValue]:
    """The form's values; a line with raters takes its ratings from their answers."""
    rated = ratings.line_ratings(form)
    values = {}
    for value in form.values.all():
        values[value.line_key] = calculation.LineValue(
            actual=value.actual, inputs={name: Decimal(number) for name, number in (value.inputs or {}).items()},
            ratings=rated.pop(value.line_key, None) or tuple(value.ratings or ()), not_applicable=value.not_applicable,
        )
    for key, weighted in rated.items():
        values[key] = calculation.LineValue(ratings=weighted)
    return values


def month_inspections(department_id: int, year: int, month: int) -> list[calculation.Inspection]:
    inspections = Inspection.objects.filter(department_id=department_id, date__year=year, date__month=month).order_by("date")
    result = []
    for inspection in inspections.prefetch_related("entries"):
        present = {entry.employee_id for entry in inspection.entries.all() if entry.status != EntryStatus.MISSING}
        people = _department_people(department_id, inspection.date)
        result.append(calculation.Inspection(label=inspection.date.isoformat(), missing=len(people - present)))
    return result


def _department_people(department_id: int, day: date) -> set[int]:
    """Who belonged to the department that day (their daily record should be there)."""
    return set(
        Assignment.objects.filter(department_id=department_id, start_date__lte=day)
        .exclude(end_date__lt=day).exclude(employee__leave_date__lt=day).values_list("employee_id", flat=True)
    )


def _breakdown(form: Form, stored: dict | None = None) -> calculation.Breakdown:
    """The form's breakdown from its snapshot and values, with this month's inspections and
    the company's points per missing person; or, given a ``stored`` breakdown, with the
    inspections and points it was calculated with (to re-derive it exactly)."""
    snapshot = calculation.snapshot_from_dict(form.snapshot["calculation"])
    inspections = []
    points = get_company().inspection_points_per_missing
    if snapshot.inspection_deduction and form.kind == FormKind.HEAD:
        used = (stored or {}).get("inspection")
        if used is not None:
            inspections = [calculation.Inspection(label=item["label"], missing=item["missing"]) for item in used["items"]]
            points = Decimal(used["points_per_missing"])
        else:
            inspections = month_inspections(form.department_id, form.period.year, form.period.month)
    elif snapshot.inspection_deduction:
        snapshot = calculation.FormSnapshot(**{**snapshot.__dict__, "inspection_deduction": False})
    return calculation.calculate(
        snapshot, _line_values(form), inspections=inspections, points_per_missing=points, policy=NotApplicablePolicy.EXCLUDE,
    )


def calculation_problems(error: calculation.CalculationError) -> list[str]:
    messages = []
    for problem in error.problems:
        text = _(problem.template) % problem.params if problem.params else _(problem.template)
        messages.append(f"{problem.label}: {text}" if problem.label else text)
    return messages


def _calculate(form: Form, by) -> None:
    try:
        result = _breakdown(form)
    except calculation.CalculationError as exc:
        raise ValidationError(calculation_problems(exc)) from None
    form.breakdown = result.to_dict()
    form.engine_version = result.engine_version
    form.total = result.total
    form.calculated_by, form.calculated_at = by, timezone.now()


def rederive(form: Form) -> bool:
    """Whether the stored breakdown is exactly what the engine gives again from the stored
    snapshot and values (for audits; a form calculated by an older engine says False)."""
    if form.breakdown is None:
        return False
    return _breakdown(form, stored=form.breakdown).to_dict() == form.breakdown


# ---------------------------------------------------------------------------------------
# Notifications


def notify(user, text: str, form: Form | None = None, url: str = "", params: dict | None = None, once: bool = False) -> None:
    """Tell someone in the app (and by e-mail): a link, never a score. ``text`` is the
    English message (marked with gettext_noop) with ``params``; it is translated when shown
    and the e-mail carries it in English and Chinese. ``once``: not again while the same
    message is still unread (a queue needs one reminder, not one per form)."""
    link = url or (reverse("form-detail", args=[form.pk]) if form is not None else "")
    params = {key: str(value) for key, value in (params or {}).items()}
    if once and Notification.objects.filter(user=user, text=text, params=params, url=link, read_at__isnull=True).exists():
        return
    Notification.objects.create(user=user, text=text[:300], params=params, url=link)
    if user.email:
        from django.core.mail import send_mail

        versions = []
        for language in ("en", "zh-hans"):
            with translation.override(language):
                versions.append(_(text) % params if params else _(text))
        body = "\n".join(versions) + f"\n\n{link}"
        transaction.on_commit(lambda: send_mail(versions[0][:200], body, None, [user.email], fail_silently=True))


def hr_users():
    from organisation.models import Role

    return User.objects.filter(is_active=True, groups__name=Role.HR).distinct()


def _approvers(form: Form):
    from organisation.models import Role

    role = Role.COMMITTEE if is_general_manager(form.employee.user) else Role.GENERAL_MANAGER
    return User.objects.filter(is_active=True, groups__name=role).exclude(pk=form.employee.user_id).distinct()


def _head_signers(form: Form):
    """Who signs the form as head: the department head, or the line manager where they
    sign (rules.signs_as_line_manager), or for the general manager the committee."""
    from organisation.models import Role

    from .rules import signs_as_line_manager

    head = form.department.head
    if head is not None and not signs_as_line_manager(form):
        return [head.user]
    manager = form.employee.line_manager
    if manager is not None:
        return [manager.user]
    return list(User.objects.filter(is_active=True, groups__name=Role.COMMITTEE).distinct())


def _notify_next(form: Form, step: workflow.Step) -> None:
    """Tell whoever acts next (every hand-off of workflow.STEPS)."""
    person, params = form.employee, {"person": form.employee, "period": form.period}
    month = {"period": form.period}
    period_link = reverse("period-detail", args=[form.period_id])
    action = step.action
    if action is workflow.Action.SIGN_AS_EMPLOYEE:
        for user in _head_signers(form):
            notify(user, gettext_noop("%(person)s signed their %(period)s form; it waits for your signature."), form, params=params)
    elif action in (workflow.Action.SIGN_AS_HEAD, workflow.Action.SUBMIT_OWN):
        for user in hr_users().exclude(pk=person.user_id):
            notify(user, gettext_noop("Forms of %(period)s have reached HR to be checked and calculated."), url=period_link, params=month, once=True)
    elif action is workflow.Action.RETURN_TO_DRAFT:
        notify(person.user, gettext_noop("Your %(period)s form was sent back; see the comment."), form, params=params)
    elif action is workflow.Action.CALCULATE:
        for user in _approvers(form):
            notify(user, gettext_noop("Scores of %(period)s wait for your approval."), url=reverse("approvals"), params=month, once=True)
    elif action is workflow.Action.RETURN_TO_HR:
        for user in hr_users().exclude(pk=person.user_id):
            notify(user, gettext_noop("The score of %(person)s for %(period)s was sent back to HR; see the comment."), form, params=params)
    elif action is workflow.Action.APPROVE:
        for user in hr_users():
            notify(user, gettext_noop("Approved scores of %(period)s are ready to publish."), url=period_link, params=month, once=True)
    elif action is workflow.Action.PUBLISH:
        notify(person.user, gettext_noop("Your %(period)s result is published."), form, params=params)
    elif action is workflow.Action.REOPEN:
        for user in hr_users().exclude(pk=person.user_id):
            notify(user, gettext_noop("An appeal on the %(period)s score of %(person)s was upheld: correct and calculate the form again."), form, params=params)


# ---------------------------------------------------------------------------------------
# Late forms


@transaction.atomic
def flag_late(*, by, period: Period, today: date | None = None) -> int:
    """After the deadline, flag the forms HR has not collected yet. Returns how many."""
    _require(by, "appraisal.manage_periods")
    today = today or timezone.localdate()
    if today <= period.deadline:
        raise ValidationError(_("The deadline (%(date)s) has not passed yet.") % {"date": period.deadline.isoformat()})
    late = period.forms.filter(status__in=[FormStatus.DRAFT, FormStatus.EMPLOYEE_SIGNED], is_late=False)
    return late.update(is_late=True)


# ---------------------------------------------------------------------------------------
# Daily inspections


def department_people(department: Department, day: date) -> list[Employee]:
    """Everyone whose daily record the department's form should hold that day."""
    ids = _department_people(department.pk, day)
    return list(Employee.objects.filter(pk__in=ids).order_by("employee_number"))


@transaction.atomic
def record_inspection(*, by, day: date, department: Department, entries: dict[int, tuple[str, str]], note: str = "") -> Inspection:
    """Record (or re-record) a department's daily inspection: ``entries`` maps each person
    of the department that day to (status, violations). A person left out is missing: even
    someone with nothing to report must be on the record."""
    _require(by, "appraisal.record_inspections")
    if day > timezone.localdate():
        raise ValidationError({"date": _("An inspection is recorded on or after the day it took place.")})
    if department.head is not None and department.head.user_id == by.pk:
        # The record sets the head's own deduction.
        raise PermissionDenied(_("Someone else records the inspections of a department you head."))
    period = Period.objects.filter(year=day.year, month=day.month).first()
    head_forms = Form.objects.none()
    if period is not None:
        if period.status == PeriodStatus.CLOSED:
            raise ValidationError({"date": _("%(period)s is closed; its inspections no longer change.") % {"period": period}})
        head_forms = Form.objects.filter(period=period, department=department, kind=FormKind.HEAD)
        if head_forms.filter(status__in=[FormStatus.APPROVED, FormStatus.PUBLISHED]).exists():
            raise ValidationError(
                {"date": _("The department head's score for %(period)s is already approved; its inspections no longer change.") % {"period": period}}
            )
    people = {person.pk: person for person in department_people(department, day)}
    unknown = sorted(set(entries) - set(people))
    if unknown:
        raise ValidationError({"entries": _("Only people of %(department)s that day can be on its record.") % {"department": department.display_name}})
    statuses = {value for value, _label in EntryStatus.choices}
    for status, violations in entries.values():
        if status not in statuses:
            raise ValidationError({"entries": _("Choose whether each person is on the record.")})
        if status == EntryStatus.VIOLATION and not violations.strip():
            raise ValidationError({"entries": _("Note the violations of everyone marked with violations.")})
        if status != EntryStatus.VIOLATION and violations.strip():
            raise ValidationError({"entries": _("Violations are noted only for someone marked “with violations”.")})
    inspection, _created = Inspection.objects.select_for_update().get_or_create(
        date=day, department=department, defaults={"inspector": by, "note": note}
    )
    inspection.inspector, inspection.note = by, note
    inspection._change_reason = "record inspection"
    inspection.save()
    inspection.entries.all().delete()
    from .models import InspectionEntry

    InspectionEntry.objects.bulk_create(
        InspectionEntry(
            inspection=inspection, employee_id=pk,
            status=entries.get(pk, (EntryStatus.MISSING, ""))[0], violations=entries.get(pk, ("", ""))[1].strip(),
        )
        for pk in people
    )
    for form in head_forms.filter(total__isnull=False):
        # The deduction changes: the calculated score no longer stands.
        _after_change(_lock(form), by, gettext_noop("inspections changed"))
    return inspection


def inspection_counts(year: int, month: int) -> dict[int, int]:
    """Inspections per department in a month (at least the company's minimum are due)."""
    counts: dict[int, int] = {}
    for department_id in Inspection.objects.filter(date__year=year, date__month=month).values_list("department_id", flat=True):
        counts[department_id] = counts.get(department_id, 0) + 1
    return counts


# ---------------------------------------------------------------------------------------
# Several forms at once


@dataclass
class BulkResult:
    done: list[Form] = field(default_factory=list)
    refused: list[tuple[Form, str]] = field(default_factory=list)


def take_steps(*, by, forms, action: str, comment: str = "", revisions: dict | None = None, tell_listeners: bool = True) -> BulkResult:
    """The same step on several forms after review (a head signing, the GM approving):
    each form moves on its own, so one refusal does not hold back the others; each refusal
    is reported with its reason. ``revisions`` (form id -> the revision reviewed) refuses a
    form changed since the page showed it."""
    result = BulkResult()
    forms = list(forms)
    for form in forms:
        try:
            revision = None if revisions is None else revisions.get(form.pk, "")
            result.done.append(take_step(by=by, form=form, action=action, comment=comment, revision=revision, tell_listeners=False))
        except (ValidationError, PermissionDenied) as exc:
            message = "; ".join(exc.messages) if isinstance(exc, ValidationError) else (str(exc) or _("You cannot take this step on this form."))
            result.refused.append((form, message))
    if action == workflow.Action.PUBLISH and tell_listeners:
        for period in {form.period_id: form.period for form in result.done}.values():
            with transaction.atomic():
                _published(period)
    return result


@transaction.atomic
def save_grid(*, by, entries: list[tuple[Form, int, dict]]) -> int:
    """HR's grid: (form, revision, values) for many forms, all or nothing. Errors come back
    keyed by form id; returns how many forms changed."""
    errors: dict[str, list[str]] = {}
    changed = 0
    for form, revision, values in entries:
        try:
            with transaction.atomic():
                before = form.revision
                saved = save_values(by=by, form=form, values=values, revision=revision)
                changed += saved.revision != before
        except PermissionDenied:
            errors.setdefault(str(form.pk), []).append(_("You cannot enter this value."))
        except ValidationError as exc:
            errors.setdefault(str(form.pk), []).extend(exc.messages)
    if errors:
        raise ValidationError(errors)
    return changed


@transaction.atomic
def mark_read(*, by, notification: Notification) -> None:
    if notification.user_id != by.pk:
        raise PermissionDenied
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])


# ---------------------------------------------------------------------------------------
# Evidence


@transaction.atomic
def attach_evidence(*, by, form: Form, line_key: str, upload) -> Evidence:
    """Attach a file to a line: whoever may enter the line's value or the self-assessment."""
    from .evidence import check_file

    _require(by, "appraisal.view_form", form)
    form = _lock(form)
    if line_key not in form.snapshot["lines"]:
        raise ValidationError({"line": _("This line is not on the form.")})
    if not workflow.values_editable(form.status):
        raise ValidationError(_("This form is %(state)s; its values no longer change.") % {"state": form.get_status_display().lower()})
    if not who_enters(form, by, line_key):
        raise PermissionDenied
    name = check_file(upload)
    value, _created = FormValue.objects.get_or_create(form=form, line_key=line_key, defaults={"entered_by": by})
    evidence = Evidence.objects.create(value=value, file=upload, name=name, uploaded_by=by)
    _after_change(form, by, gettext_noop("evidence attached"))  # signed content includes the files
    return evidence


# ---------------------------------------------------------------------------------------
# Moving the month on


def _names(forms: list[Form], most: int = 10) -> str:
    names = [f"{form.employee.display_name} ({form.get_kind_display()})" if form.kind == FormKind.HEAD else form.employee.display_name for form in forms]
    return ", ".join(names[:most]) + ("…" if len(names) > most else "")


@transaction.atomic
def advance_period(*, by, period: Period) -> Period:
    """HR moves the month to its next state (workflow.PERIOD_NEXT):

    * collecting -> calculating: collection ends; forms not yet with HR stay where they are
      and are flagged late when the deadline has passed;
    * calculating -> awaiting approval: every form with HR has been calculated;
    * awaiting approval -> published: every approved form is published to its person;
    * published -> closed: nothing is left waiting for the general manager.
    """
    _require(by, "appraisal.manage_periods")
    period = Period.objects.select_for_update().get(pk=period.pk)
    current = workflow.PeriodState(period.status)
    if current not in workflow.PERIOD_NEXT:
        raise ValidationError(_("This month is closed."))
    target = workflow.PERIOD_NEXT[current]
    forms = period.forms.all()
    if target == workflow.PeriodState.CALCULATING and timezone.localdate() > period.deadline:
        forms.filter(status__in=[FormStatus.DRAFT, FormStatus.EMPLOYEE_SIGNED]).update(is_late=True)
    if target == workflow.PeriodState.AWAITING_APPROVAL:
        waiting = list(forms.filter(status=FormStatus.SUBMITTED).select_related("employee"))
        if waiting:
            raise ValidationError(
                _("%(n)s forms with HR are not calculated yet: %(names)s.") % {"n": len(waiting), "names": _names(waiting)}
            )
    if target == workflow.PeriodState.PUBLISHED:
        result = take_steps(by=by, forms=list(forms.filter(status=FormStatus.APPROVED)), action=workflow.Action.PUBLISH)
        if result.refused:
            raise ValidationError([f"{form.employee}: {reason}" for form, reason in result.refused])
    if target == workflow.PeriodState.CLOSED:
        waiting = list(forms.filter(status__in=[FormStatus.CALCULATED, FormStatus.APPROVED]).select_related("employee"))
        if waiting:
            raise ValidationError(
                _("%(n)s forms are still waiting for approval or publication: %(names)s.") % {"n": len(waiting), "names": _names(waiting)}
            )
    period.status = target
    period._change_reason = f"period {target}"
    period.save()
    return period

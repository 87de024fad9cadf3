"""Changes to the strategy. An approved plan is frozen: the general manager reopens it
before anything in it changes."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .graph import closes_cycle
from .models import Measure, Objective, ObjectiveLink, Perspective, PlanStatus, StrategyPlan, TaskAssignment, TaskRole

PLAN_FIELDS = ("year", "vision", "mission", "values")
OBJECTIVE_FIELDS = ("perspective", "code", "name_zh", "name_en", "description", "owner_department", "sort_order")
MEASURE_FIELDS = ("code", "name_zh", "name_en", "description", "sort_order")


def _require(user, perm: str, obj=None) -> None:
    if not user.has_perm(perm, obj):
        raise PermissionDenied


def _save(instance, reason: str):
    instance.full_clean()
    instance._change_reason = reason
    instance.save()
    return instance


def _editable(plan: StrategyPlan) -> StrategyPlan:
    """Lock the plan row and refuse changes to an approved plan."""
    plan = StrategyPlan.objects.select_for_update().get(pk=plan.pk)
    if plan.status == PlanStatus.APPROVED:
        raise ValidationError(_("The %(year)s plan is approved. The general manager reopens it before it changes.") % {"year": plan.year})
    return plan


@transaction.atomic
def rename_perspective(*, by, perspective: Perspective, **fields) -> Perspective:
    _require(by, "strategy.edit_strategy")
    perspective = Perspective.objects.select_for_update().get(pk=perspective.pk)
    # The order is fixed (financial on top): the map and the direction warnings rely on it.
    for name in ("name_zh", "name_en"):
        if name in fields:
            setattr(perspective, name, fields[name])
    perspective.full_clean()
    perspective.save()
    return perspective


@transaction.atomic
def save_plan(*, by, plan: StrategyPlan | None = None, **fields) -> StrategyPlan:
    _require(by, "strategy.edit_strategy")
    plan = StrategyPlan() if plan is None else _editable(plan)
    reason = "create plan" if plan.pk is None else "update plan"
    for name in PLAN_FIELDS:
        if name in fields:
            setattr(plan, name, fields[name])
    return _save(plan, reason)


@transaction.atomic
def delete_plan(*, by, plan: StrategyPlan) -> None:
    """A draft plan may be thrown away; an approved one is history."""
    _require(by, "strategy.edit_strategy")
    _editable(plan).delete()


@transaction.atomic
def approve_plan(*, by, plan: StrategyPlan) -> StrategyPlan:
    _require(by, "strategy.approve_plan", plan)
    plan = _editable(plan)
    if not plan.objectives.exists():
        raise ValidationError(_("A plan without objectives cannot be approved."))
    plan.status, plan.approved_by, plan.approved_at = PlanStatus.APPROVED, by, timezone.now()
    return _save(plan, "approve plan")


@transaction.atomic
def reopen_plan(*, by, plan: StrategyPlan) -> StrategyPlan:
    _require(by, "strategy.approve_plan", plan)
    plan = StrategyPlan.objects.select_for_update().get(pk=plan.pk)
    if plan.status != PlanStatus.APPROVED:
        raise ValidationError(_("Only an approved plan can be reopened."))
    plan.status, plan.approved_by, plan.approved_at = PlanStatus.DRAFT, None, None
    return _save(plan, "reopen plan")


@transaction.atomic
def save_objective(*, by, plan: StrategyPlan, objective: Objective | None = None, **fields) -> Objective:
    _require(by, "strategy.edit_strategy")
    plan = _editable(plan)
    objective = Objective(plan=plan) if objective is None else Objective.objects.select_for_update().get(pk=objective.pk, plan=plan)
    reason = "create objective" if objective.pk is None else "update objective"
    for name in OBJECTIVE_FIELDS:
        if name in fields:
            setattr(objective, name, fields[name])
    return _save(objective, reason)


@transaction.atomic
def delete_objective(*, by, objective: Objective) -> None:
    _require(by, "strategy.edit_strategy")
    _editable(objective.plan)
    objective.delete()


@transaction.atomic
def link_objectives(*, by, source: Objective, target: Objective) -> tuple[ObjectiveLink, str | None]:
    """Link a driver to its outcome. Returns the link and a warning when it runs against
    the usual direction (learning -> process -> customer -> financial)."""
    _require(by, "strategy.edit_strategy")
    if source.plan_id != target.plan_id:
        raise ValidationError({"target": _("Both objectives must belong to the same plan.")})
    plan = _editable(source.plan)
    if source.pk == target.pk:
        raise ValidationError({"target": _("An objective cannot drive itself.")})
    if ObjectiveLink.objects.filter(source=source, target=target).exists():
        raise ValidationError({"target": _("%(source)s already drives %(target)s.") % {"source": source.code, "target": target.code}})
    edges = ObjectiveLink.objects.filter(source__plan=plan).values_list("source_id", "target_id")
    if closes_cycle(list(edges), source.pk, target.pk):
        raise ValidationError(
            {"target": _("This link would close a loop: %(target)s already leads back to %(source)s.") % {"source": source.code, "target": target.code}}
        )
    link = _save(ObjectiveLink(source=source, target=target), "link objectives")
    warning = None
    if link.against_direction:
        warning = _(
            "%(source)s (%(sp)s) drives %(target)s (%(tp)s): against the usual direction learning → process → customer → financial. Saved anyway."
        ) % {"source": source.code, "sp": source.perspective, "target": target.code, "tp": target.perspective}
    return link, warning


@transaction.atomic
def unlink_objectives(*, by, link: ObjectiveLink) -> None:
    _require(by, "strategy.edit_strategy")
    _editable(link.source.plan)
    link.delete()


@transaction.atomic
def save_measure(*, by, objective: Objective, measure: Measure | None = None, **fields) -> Measure:
    _require(by, "strategy.edit_strategy")
    _editable(objective.plan)
    measure = Measure(objective=objective) if measure is None else Measure.objects.select_for_update().get(pk=measure.pk, objective=objective)
    reason = "create measure" if measure.pk is None else "update measure"
    for name in MEASURE_FIELDS:
        if name in fields:
            setattr(measure, name, fields[name])
    return _save(measure, reason)


@transaction.atomic
def delete_measure(*, by, measure: Measure) -> None:
    _require(by, "strategy.edit_strategy")
    _editable(measure.objective.plan)
    measure.delete()


@transaction.atomic
def set_matrix(*, by, plan: StrategyPlan, cells: dict[tuple[int, int], str | None]) -> int:
    """Write cells of the task division matrix at once: (measure id, department id) ->
    "lead", "support" or None (empty). Returns the number of cells changed."""
    _require(by, "strategy.edit_strategy")
    plan = _editable(plan)
    measure_ids = set(Measure.objects.filter(objective__plan=plan).values_list("pk", flat=True))
    unknown = {m for m, _d in cells} - measure_ids
    if unknown:
        raise ValidationError(_("Some measures are not part of the %(year)s plan.") % {"year": plan.year})
    existing = {(c.measure_id, c.department_id): c for c in TaskAssignment.objects.select_for_update().filter(measure_id__in=measure_ids)}
    changed = 0
    for key, role in cells.items():
        if role not in (None, "", *TaskRole.values):
            raise ValidationError(_("Unknown role %(role)s.") % {"role": role})
        cell = existing.get(key)
        if not role:
            if cell is not None:
                cell.delete()
                changed += 1
        elif cell is None:
            _save(TaskAssignment(measure_id=key[0], department_id=key[1], role=role), "set matrix cell")
            changed += 1
        elif cell.role != role:
            cell.role = role
            _save(cell, "set matrix cell")
            changed += 1
    return changed

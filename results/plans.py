"""Improvement plans (PDCA): items with a problem, an action, an owner and a due date that
go plan -> do -> check -> act -> done; the check records what came of the action.

A plan is made from a form by the head who signs it or by HR, with items suggested for
lines that scored below the company's threshold (default 60). The person, their head and
HR see it; the item's owner or the head moves it on. Open items are listed on the
person's later forms and on the plan list of their head.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from appraisal.models import Form
from appraisal.rules import heads_form
from organisation.models import Employee
from organisation.roles import headed_department_ids

from .models import ImprovementPlan, PlanItem, PlanStage
from .services import get_settings

NEXT = {PlanStage.PLAN: PlanStage.DO, PlanStage.DO: PlanStage.CHECK, PlanStage.CHECK: PlanStage.ACT, PlanStage.ACT: PlanStage.DONE}


def may_make(user, form: Form) -> bool:
    return form.employee.user_id != user.pk and (heads_form(user, form) or user.has_perm("appraisal.manage_periods"))


def suggestions(form: Form) -> list[dict]:
    """The form's lines that scored below the threshold, lowest first."""
    if not form.breakdown:
        return []
    below = get_settings().plan_below
    lines = [line for line in form.breakdown["lines"] if line.get("score") is not None and Decimal(line["score"]) < below]
    return sorted(lines, key=lambda line: Decimal(line["score"]))


@transaction.atomic
def make(*, by, form: Form, items: list[dict]) -> ImprovementPlan:
    """A plan for the form's person with its items (problem, action, owner, due, line)."""
    if not may_make(by, form):
        raise PermissionDenied
    if not items:
        raise ValidationError(_("Add at least one item: the problem, the action, who and by when."))
    plan = ImprovementPlan.objects.create(employee=form.employee, form=form, created_by=by)
    for index, item in enumerate(items, start=1):
        add_item(plan=plan, index=index, **item)
    return plan


def add_item(*, plan: ImprovementPlan, index: int = 1, problem: str, action: str, owner: Employee | None, due: date | None, line_key: str = "") -> PlanItem:
    problems = []
    if not (problem or "").strip() or not (action or "").strip():
        problems.append(_("Item %(n)s: write the problem and the action.") % {"n": index})
    if owner is None:
        problems.append(_("Item %(n)s: choose who owns the action.") % {"n": index})
    if due is None:
        problems.append(_("Item %(n)s: give a due date.") % {"n": index})
    if problems:
        raise ValidationError(problems)
    return PlanItem.objects.create(plan=plan, line_key=line_key[:40], problem=problem.strip()[:2000], action=action.strip()[:2000], owner=owner, due=due)


def may_move(user, item: PlanItem) -> bool:
    plan = item.plan
    heads = plan.employee.department_id in headed_department_ids(user) and plan.employee.user_id != user.pk
    return item.owner.user_id == user.pk or heads or user.has_perm("appraisal.manage_periods")


@transaction.atomic
def move_on(*, by, item: PlanItem, check_result: str = "") -> PlanItem:
    """The next PDCA stage; leaving "check" needs the result of the check."""
    item = PlanItem.objects.select_for_update().select_related("plan__employee", "owner").get(pk=item.pk)
    if not may_move(by, item):
        raise PermissionDenied
    if item.stage not in NEXT:
        raise ValidationError(_("This item is done."))
    if item.stage == PlanStage.CHECK:
        if not check_result.strip():
            raise ValidationError({"check_result": _("Record what the check found before acting on it.")})
        item.check_result = check_result.strip()[:2000]
    item.stage = NEXT[PlanStage(item.stage)]
    item.save()
    return item


def plans_visible_to(user):
    plans = ImprovementPlan.objects.select_related("employee", "form__period").prefetch_related("items__owner")
    if user.has_perm("appraisal.manage_periods") or user.has_perm("results.view_pay"):
        return plans
    return plans.filter(Q(employee__user=user) | Q(employee__department_id__in=headed_department_ids(user)) | Q(items__owner__user=user)).distinct()


def open_items(employee: Employee):
    return PlanItem.objects.filter(plan__employee=employee).exclude(stage=PlanStage.DONE).select_related("owner").order_by("due")

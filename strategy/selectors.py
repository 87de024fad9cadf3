"""Reads of the strategy. Every signed-in user may read it (strategy.rules)."""

from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet

from organisation.models import Department
from organisation.rules import is_active_user

from .graph import MatrixProblem, matrix_problems
from .models import Measure, Objective, ObjectiveLink, PlanStatus, StrategyPlan, TaskAssignment


def plans_visible_to(user) -> QuerySet[StrategyPlan]:
    if not is_active_user(user):
        return StrategyPlan.objects.none()
    return StrategyPlan.objects.select_related("approved_by")


def current_plan(user) -> StrategyPlan | None:
    """The newest approved plan, or the newest draft when none is approved yet."""
    plans = plans_visible_to(user)
    return plans.filter(status=PlanStatus.APPROVED).order_by("-year").first() or plans.order_by("-year").first()


def objectives_visible_to(user) -> QuerySet[Objective]:
    if not is_active_user(user):
        return Objective.objects.none()
    return Objective.objects.select_related("plan", "perspective", "owner_department")


def links_visible_to(user) -> QuerySet[ObjectiveLink]:
    if not is_active_user(user):
        return ObjectiveLink.objects.none()
    return ObjectiveLink.objects.select_related("source__perspective", "target__perspective", "source__plan").order_by("pk")


def measures_visible_to(user) -> QuerySet[Measure]:
    if not is_active_user(user):
        return Measure.objects.none()
    return Measure.objects.select_related("objective__plan", "objective__perspective")


def assignments_visible_to(user) -> QuerySet[TaskAssignment]:
    if not is_active_user(user):
        return TaskAssignment.objects.none()
    return TaskAssignment.objects.select_related("measure__objective__plan", "department").order_by("pk")


@dataclass
class Matrix:
    plan: StrategyPlan
    measures: list[Measure]
    departments: list[Department]
    cells: dict[tuple[int, int], str]
    problems: list[MatrixProblem]

    def problem_measures(self) -> list[tuple[Measure, int]]:
        by_id = {m.pk: m for m in self.measures}
        return [(by_id[p.measure_id], p.leads) for p in self.problems]


def task_matrix(plan: StrategyPlan) -> Matrix:
    measures = list(
        Measure.objects.filter(objective__plan=plan).select_related("objective__perspective").prefetch_related(
            Prefetch("assignments", queryset=TaskAssignment.objects.only("measure_id", "department_id", "role"))
        )
    )
    cells = {(a.measure_id, a.department_id): a.role for m in measures for a in m.assignments.all()}
    used = {department_id for _measure, department_id in cells}
    departments = list(Department.objects.filter(Q(is_active=True) | Q(pk__in=used)).order_by("sort_order", "code"))
    problems = matrix_problems([m.pk for m in measures], [(m, d, r) for (m, d), r in cells.items()])
    return Matrix(plan, measures, departments, cells, problems)

"""The demo strategy (strategy/demo.py) and the demo indicator library (indicators/demo.py)."""

import csv

import pytest

from indicators.demo import MEASURE_INDICATORS
from indicators.demo import load_demo as load_indicators
from indicators.library import LIBRARY_CSV
from indicators.models import Indicator
from organisation.demo import load_demo as load_org
from organisation.models import Department
from strategy.demo import LINKS, OBJECTIVES, YEAR
from strategy.demo import load_demo as load_strategy
from strategy.graph import closes_cycle
from strategy.models import Measure, Objective, ObjectiveLink, Perspective, PlanStatus, StrategyPlan, TaskAssignment
from strategy.selectors import task_matrix

pytestmark = pytest.mark.django_db

MODELS = (StrategyPlan, Objective, ObjectiveLink, Measure, TaskAssignment, Indicator, Perspective)


def load_all() -> tuple[str, str]:
    load_org()
    return load_strategy(), load_indicators()


def counts() -> dict[str, int]:
    """Rows of every model the demos write, their history rows and the indicator-measure links."""
    numbers = {m.__name__: m.objects.count() for m in MODELS}
    numbers |= {f"history of {m.__name__}": m.history.count() for m in MODELS if hasattr(m, "history")}
    numbers["indicator-measure"] = Indicator.measures.through.objects.count()
    numbers["cells by role"] = sorted(TaskAssignment.objects.values_list("measure_id", "department_id", "role"))
    return numbers


@pytest.fixture
def demo():
    load_all()
    return StrategyPlan.objects.get(year=YEAR)


def test_the_plan_is_approved_by_the_general_manager(demo):
    assert demo.status == PlanStatus.APPROVED
    assert demo.approved_by.username == "gm"
    assert demo.approved_at is not None
    assert demo.vision and demo.mission and demo.values


def test_objectives_cover_the_four_perspectives_with_names_and_owners(demo):
    objectives = list(demo.objectives.select_related("perspective", "owner_department"))
    assert len(objectives) >= 12
    assert {o.perspective.code for o in objectives} == {"financial", "customer", "internal_process", "learning_growth"}
    for objective in objectives:
        assert objective.name_zh and objective.name_en and objective.description, objective.code
        assert objective.owner_department is not None, objective.code
    per_band = {}
    for objective in objectives:
        per_band.setdefault(objective.perspective.code, []).append(objective.sort_order)
    assert all(len(orders) == len(set(orders)) for orders in per_band.values()), "each band has a clear left-to-right order"


def test_the_map_has_about_twenty_links_and_no_loop(demo):
    links = list(ObjectiveLink.objects.filter(source__plan=demo))
    assert len(links) >= 18
    edges = [(link.source_id, link.target_id) for link in links]
    for edge in edges:
        others = [e for e in edges if e != edge]
        assert not closes_cycle(others, *edge), f"{edge} closes a loop"


def test_exactly_one_link_runs_against_the_usual_direction(demo):
    against = [link for link in ObjectiveLink.objects.filter(source__plan=demo).select_related("source__perspective", "target__perspective") if link.against_direction]
    assert len(against) == 1
    assert (against[0].source.perspective.code, against[0].target.perspective.code) == ("financial", "learning_growth")


def test_every_objective_is_on_the_map(demo):
    linked = set(ObjectiveLink.objects.filter(source__plan=demo).values_list("source_id", flat=True))
    linked |= set(ObjectiveLink.objects.filter(source__plan=demo).values_list("target_id", flat=True))
    assert linked == set(demo.objectives.values_list("pk", flat=True))


def test_measures_and_a_full_task_division_matrix(demo):
    for objective in demo.objectives.all():
        assert 1 <= objective.measures.count() <= 3, objective.code
    for measure in Measure.objects.filter(objective__plan=demo):
        assert measure.name_zh and measure.name_en, measure.code
        roles = list(measure.assignments.values_list("role", flat=True))
        assert roles.count("lead") == 1, measure.code
        assert roles.count("support") <= 3, measure.code
    assert task_matrix(demo).problems == []


def test_running_the_demos_twice_changes_nothing(demo):
    before = counts()
    strategy_summary, indicators_summary = load_all()
    assert counts() == before
    assert f"Strategy {YEAR}" in strategy_summary and "KPI library" in indicators_summary


def test_a_reload_restores_the_demo_map_and_matrix(demo):
    ObjectiveLink.objects.filter(source__plan=demo).first().delete()
    measure = Measure.objects.filter(objective__plan=demo).first()
    measure.assignments.update(role="lead")  # several leads now
    extra = Department.objects.exclude(pk__in=measure.assignments.values("department_id")).first()
    TaskAssignment.objects.create(measure=measure, department=extra, role="lead")
    load_strategy()
    assert ObjectiveLink.objects.filter(source__plan=demo).count() == len(LINKS)
    assert task_matrix(demo).problems == []


def test_the_strategy_demo_recreates_missing_perspectives():
    # Transactional tests flush the rows the migration created.
    Perspective.objects.all().delete()
    load_all()
    assert sorted(Perspective.objects.values_list("code", "sort_order")) == [
        ("customer", 2), ("financial", 1), ("internal_process", 3), ("learning_growth", 4),
    ]
    assert Objective.objects.filter(plan__year=YEAR).count() == len(OBJECTIVES)


def test_the_indicator_demo_imports_the_library_and_links_every_measure(demo):
    library = {row["code"]: row for row in csv.DictReader(LIBRARY_CSV.open(encoding="utf-8"))}
    assert Indicator.objects.count() == len(library)
    measures = list(Measure.objects.filter(objective__plan=demo).prefetch_related("indicators"))
    assert {(m.objective.code, m.code) for m in measures} == set(MEASURE_INDICATORS)
    for measure in measures:
        codes = {i.code for i in measure.indicators.all()}
        assert 1 <= len(codes) <= 2, measure.code
        assert codes <= set(library), measure.code


def test_linked_indicators_point_the_right_way(demo):
    """Costs, errors, turnover and days are lower-better; a measure of a count of incidents too."""
    lower = {i.code for i in Indicator.objects.filter(measures__objective__plan=demo, direction="lower_better")}
    assert {"F-015", "F-010", "L-006", "C-005", "P-003", "P-085", "P-066"} <= lower
    higher = {i.code for i in Indicator.objects.filter(measures__objective__plan=demo, direction="higher_better")}
    assert {"F-026", "C-018", "L-002", "P-020"} <= higher


def test_the_summaries_say_what_was_loaded():
    strategy_summary, indicators_summary = load_all()
    assert strategy_summary.startswith(f"Strategy {YEAR}: {len(OBJECTIVES)} objectives")
    assert f"{len(LINKS)} cause-and-effect links" in strategy_summary
    assert indicators_summary.startswith(f"KPI library: {Indicator.objects.count()} indicators")

"""The organisation world of tests/organisation/world.py plus a draft strategy plan:
what the access matrix exercises every route with."""

from indicators import rounds
from tests.indicators.factories import IndicatorFactory
from tests.organisation.world import build_world
from tests.strategy.factories import CellFactory, LinkFactory, MeasureFactory, ObjectiveFactory, PlanFactory, ensure_perspectives, perspective


def build_full_world():
    world = build_world()
    ensure_perspectives()
    world.plan = PlanFactory(year=2026)
    world.objective = ObjectiveFactory(plan=world.plan, code="F1", perspective=perspective("financial"))
    driver = ObjectiveFactory(plan=world.plan, code="C1", perspective=perspective("customer"))
    world.link = LinkFactory(source=driver, target=world.objective)
    world.measure = MeasureFactory(objective=world.objective, code="M1")
    world.cell = CellFactory(measure=world.measure, department=world.dept_a, role="lead")
    world.perspective = perspective("financial")
    world.indicator = IndicatorFactory(perspective=world.perspective)
    world.indicator.measures.add(world.measure)
    world.round = rounds.open_round(
        by=world.hr.user, name="Perspectives", method="points",
        items=[{"key": "financial", "label": "Financial"}, {"key": "customer", "label": "Customer"}],
    )
    rounds.invite_experts(by=world.hr.user, round=world.round, experts=[world.gm.user], panel_group="senior_manager")
    return world

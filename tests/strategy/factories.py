from importlib import import_module

import factory
from factory.django import DjangoModelFactory

from strategy.models import Measure, Objective, ObjectiveLink, Perspective, StrategyPlan, TaskAssignment

ORDER = {"financial": 1, "customer": 2, "internal_process": 3, "learning_growth": 4}


# (code, English, Chinese, order): the rows the migration ships.
SHIPPED = {row[0]: row for row in import_module("strategy.migrations.0002_perspectives").PERSPECTIVES}


def perspective(code: str) -> Perspective:
    """The four rows come from a migration; transactional tests flush them, so recreate
    them as shipped (both names)."""
    _code, name_en, name_zh, order = SHIPPED[code]
    return Perspective.objects.get_or_create(code=code, defaults={"name_en": name_en, "name_zh": name_zh, "sort_order": order})[0]


def ensure_perspectives() -> list[Perspective]:
    return [perspective(code) for code in ORDER]


class PlanFactory(DjangoModelFactory):
    class Meta:
        model = StrategyPlan

    year = factory.Sequence(lambda n: 2026 + n)
    vision = "Be the region's most trusted maker."


class ObjectiveFactory(DjangoModelFactory):
    class Meta:
        model = Objective

    plan = factory.SubFactory(PlanFactory)
    perspective = factory.LazyFunction(lambda: perspective("financial"))
    code = factory.Sequence(lambda n: f"O{n:02d}")
    name_en = factory.Sequence(lambda n: f"Objective {n}")


class LinkFactory(DjangoModelFactory):
    class Meta:
        model = ObjectiveLink

    source = factory.SubFactory(ObjectiveFactory, perspective=factory.LazyFunction(lambda: perspective("customer")))
    target = factory.SubFactory(ObjectiveFactory, plan=factory.SelfAttribute("..source.plan"))


class MeasureFactory(DjangoModelFactory):
    class Meta:
        model = Measure

    objective = factory.SubFactory(ObjectiveFactory)
    code = factory.Sequence(lambda n: f"M{n:02d}")
    name_en = factory.Sequence(lambda n: f"Measure {n}")


class CellFactory(DjangoModelFactory):
    class Meta:
        model = TaskAssignment

    measure = factory.SubFactory(MeasureFactory)
    role = "lead"

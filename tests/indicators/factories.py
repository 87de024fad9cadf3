import factory
from factory.django import DjangoModelFactory

from indicators.models import Indicator
from tests.strategy.factories import perspective


class IndicatorFactory(DjangoModelFactory):
    class Meta:
        model = Indicator

    code = factory.Sequence(lambda n: f"K-{n:03d}")
    name_en = factory.Sequence(lambda n: f"Indicator {n}")
    name_zh = factory.Sequence(lambda n: f"指标{n}")
    perspective = factory.LazyFunction(lambda: perspective("financial"))
    direction = "higher_better"
    scoring_method = "percentage"

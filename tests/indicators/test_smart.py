from indicators.models import Indicator
from indicators.smart import smart_checklist


def marks(indicator, measures=0):
    return {item.letter: item.ok for item in smart_checklist(indicator, measures)}


def test_a_complete_quantitative_indicator_passes_every_check_but_attainable():
    indicator = Indicator(definition_en="Revenue / plan", unit="%", direction="higher_better", scoring_method="percentage", cycle="monthly")
    assert marks(indicator, measures=1) == {"S": True, "M": True, "A": None, "R": True, "T": True}


def test_an_indicator_without_definition_unit_or_measure_is_flagged():
    indicator = Indicator(direction="higher_better", scoring_method="percentage", cycle="monthly")
    assert marks(indicator) == {"S": False, "M": False, "A": None, "R": False, "T": True}


def test_a_rated_indicator_is_measurable_by_described_levels():
    indicator = Indicator(definition_zh="上级评定", direction="qualitative", scoring_method="description", cycle="monthly")
    assert marks(indicator)["M"] is True

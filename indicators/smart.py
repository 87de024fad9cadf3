"""The SMART check of seed 003, derived from what the library knows about an indicator."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from .models import Direction, Indicator, ScoringMethod


@dataclass(frozen=True)
class SmartItem:
    letter: str
    label: str
    ok: bool | None  # None: decided elsewhere (a target is set on a scorecard line)
    note: str


def smart_checklist(indicator: Indicator, measure_count: int) -> list[SmartItem]:
    qualitative = indicator.direction == Direction.QUALITATIVE
    measurable = indicator.scoring_method == ScoringMethod.DESCRIPTION if qualitative else bool(indicator.unit or indicator.formula)
    return [
        SmartItem("S", _("Specific"), bool(indicator.definition_zh or indicator.definition_en), _("has a definition")),
        SmartItem(
            "M", _("Measurable"), measurable,
            _("rated on described levels") if qualitative else _("has a unit or a calculation formula"),
        ),
        SmartItem("A", _("Attainable"), None, _("judged on each scorecard line against its target")),
        SmartItem("R", _("Relevant"), measure_count > 0, _("linked to a strategic measure")),
        SmartItem("T", _("Time-based"), bool(indicator.cycle), _("has an appraisal cycle")),
    ]

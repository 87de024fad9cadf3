"""The demo company's indicator library: the shipped library (indicators/data/kpi_library.csv)
and, for each measure of the demo strategy, the library indicators it expands into.
Running it again changes nothing."""

from django.db import transaction

from strategy.demo import YEAR, ensure_perspectives
from strategy.models import Measure

from .library import import_kpi_library
from .models import Indicator

# (objective code, measure code) of strategy/demo.py -> library indicator codes. Chosen so the
# indicator's direction suits the measure (costs, turnover, errors, days: lower is better).
MEASURE_INDICATORS = {
    ("F1", "F1.1"): ["F-015", "F-001"],    # company / department expense budget achievement
    ("F1", "F1.2"): ["F-010"],             # total labour cost control rate
    ("F1", "F1.3"): ["F-002", "F-006"],    # (new) product R&D expense budget achievement
    ("F2", "F2.1"): ["FR-007"],            # interest coverage ratio
    ("F2", "F2.2"): ["FR-008"],            # cash flow to current liabilities
    ("F2", "F2.3"): ["FR-004", "FR-001"],  # debt-to-asset ratio, current ratio (target ranges)
    ("F3", "F3.1"): ["F-026", "F-024"],    # sales revenue achievement, sales target achievement
    ("F3", "F3.2"): ["P-106"],             # new product development and launch success rate
    ("C1", "C1.1"): ["P-002"],             # work objectives completed on plan
    ("C1", "C1.2"): ["C-001"],             # customer satisfaction with packaging
    ("C2", "C2.1"): ["C-018"],             # customer satisfaction
    ("C2", "C2.2"): ["C-019"],             # satisfaction with complaint resolution
    ("C3", "C3.1"): ["P-107"],             # new customer acquisition success rate
    ("C3", "C3.2"): ["C-025"],             # direct sales customer satisfaction
    ("C4", "C4.1"): ["C-021"],             # new customer growth
    ("C4", "C4.2"): ["C-002"],             # market share of a key product
    ("P1", "P1.1"): ["F-001"],             # department expense budget achievement
    ("P1", "P1.2"): ["P-064"],             # completeness of warehouse in/out formalities
    ("P2", "P2.1"): ["P-095"],             # implementation / improvement of work rules and processes
    ("P2", "P2.2"): ["P-066"],             # number of safety incidents
    ("P3", "P3.1"): ["P-048"],             # ISO 9000 quality manual kept effective
    ("P3", "P3.2"): ["P-001"],             # documented processes (ISO standard)
    ("P4", "P4.1"): ["C-005"],             # complaint resolution speed (days)
    ("P4", "P4.2"): ["C-004"],             # complaint resolution rate
    ("P5", "P5.1"): ["P-108", "C-023"],    # number of new products developed
    ("P5", "P5.2"): ["P-105"],             # project plan target achievement rate
    ("L1", "L1.1"): ["P-085"],             # system and network failure rate
    ("L1", "L1.2"): ["P-003"],             # report data error rate
    ("L2", "L2.1"): ["L-006"],             # natural staff turnover rate
    ("L2", "L2.2"): ["L-011", "L-016"],    # satisfaction with training and motivation, internal staff satisfaction
    ("L2", "L2.3"): ["P-020", "P-019"],    # appraisals on time, appraisal data accuracy
    ("L3", "L3.1"): ["L-002", "L-015"],    # department training plan completion, training participation
    ("L3", "L3.2"): ["L-009"],             # mastery and application of new technology
}


@transaction.atomic
def load_demo() -> str:
    ensure_perspectives()
    imported = import_kpi_library()
    indicators = {i.code: i for i in Indicator.objects.filter(code__in={c for codes in MEASURE_INDICATORS.values() for c in codes})}
    measures = {
        (m.objective.code, m.code): m
        for m in Measure.objects.filter(objective__plan__year=YEAR).select_related("objective")
    }
    added = 0
    for key, codes in MEASURE_INDICATORS.items():
        measure = measures.get(key)
        if measure is None:  # the strategy demo was not loaded, or the measure was deleted
            continue
        for code in codes:
            indicator = indicators[code]
            # Only add what is missing: an empty add would still write an m2m history row.
            if not indicator.measures.filter(pk=measure.pk).exists():
                indicator.measures.add(measure)
                added += 1
    total = Indicator.objects.count()
    linked = Indicator.objects.filter(measures__objective__plan__year=YEAR).distinct().count()
    measures_linked = Measure.objects.filter(objective__plan__year=YEAR, indicators__isnull=False).distinct().count()
    new = f" ({imported.created} new)" if imported.created else ""
    return f"KPI library: {total} indicators{new}; {linked} linked to {measures_linked} measures of the {YEAR} strategy."

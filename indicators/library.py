"""The shipped KPI library (indicators/data/kpi_library.csv, from seed 001)."""

import csv
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from strategy.models import Perspective

from .models import Direction, Indicator, IndicatorType, ScoringMethod
from .scoring import default_params

LIBRARY_CSV = Path(__file__).resolve().parent / "data" / "kpi_library.csv"


@dataclass
class LibraryImport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def default_method(direction: str) -> str:
    """Rated indicators are scored by described levels; measured ones by percentage."""
    return ScoringMethod.DESCRIPTION if direction == Direction.QUALITATIVE else ScoringMethod.PERCENTAGE


def library_rows(path: Path = LIBRARY_CSV) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@transaction.atomic
def import_kpi_library(*, update: bool = False, path: Path = LIBRARY_CSV) -> LibraryImport:
    """Create the library's indicators by code. Existing ones are left as HR edited them
    unless `update` is true, which refreshes their texts (never their scoring)."""
    perspectives = {p.code: p for p in Perspective.objects.all()}
    existing = {i.code: i for i in Indicator.objects.all()}
    outcome = LibraryImport()
    for row in library_rows(path):
        texts = {
            "name_zh": row["name_zh"], "name_en": row["name_en"],
            "definition_zh": row["definition_zh"], "definition_en": row["definition_en"],
            "data_source_zh": row["data_source_zh"], "data_source_en": row["data_source_en"],
            "category": row["category"], "unit": row["unit"],
        }
        indicator = existing.get(row["code"])
        if indicator is None:
            direction = row["direction"] or Direction.HIGHER_BETTER
            indicator = Indicator(
                code=row["code"], perspective=perspectives[row["perspective"]], type=IndicatorType.KPI,
                direction=direction, scoring_method=default_method(direction),
                scoring_params=default_params(default_method(direction)).to_dict(), **texts,
            )
            indicator.full_clean()
            indicator._change_reason = "import library"
            indicator.save()
            outcome.created += 1
        elif update and any(getattr(indicator, k) != v for k, v in texts.items()):
            for key, value in texts.items():
                setattr(indicator, key, value)
            indicator.full_clean()
            indicator._change_reason = "update from library"
            indicator.save()
            outcome.updated += 1
        else:
            outcome.unchanged += 1
    return outcome

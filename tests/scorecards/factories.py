"""Scorecards for tests, built through the services (so they are what users would make)."""

from decimal import Decimal

from scorecards import services
from scorecards.models import Level
from tests.indicators.factories import IndicatorFactory
from tests.strategy.factories import ensure_perspectives, perspective

D = Decimal


def indicator(code, perspective_code="financial", type="KPI", unit="", method="percentage", **fields):
    ensure_perspectives()
    return IndicatorFactory(code=code, perspective=perspective(perspective_code), type=type, unit=unit, scoring_method=method, **fields)


def weights(financial="25", customer="25", process="25", learning="25"):
    return {"financial": financial, "customer": customer, "internal_process": process, "learning_growth": learning}


def valid_card(by, *, year=2026, level=Level.COMPANY, department=None, team=None, post=None, indicators=None):
    """A card whose draft version 1 passes every check: one line per perspective, 25% each."""
    ensure_perspectives()
    card = services.create_scorecard(by=by, year=year, level=level, department=department, team=team, post=post)
    version = card.versions.get()
    codes = ("financial", "customer", "internal_process", "learning_growth")
    indicators = indicators or [indicator(f"T-{year}-{code[:3]}-{card.pk}", code) for code in codes]
    for item in indicators:
        services.save_line(by=by, version=version, indicator=item, weight=D("25"), target=D("100"))
    return card, version

"""The demo scorecards (scorecards/demo.py) on top of the organisation, strategy and
indicator demos."""

import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

from indicators.demo import load_demo as load_indicators
from indicators.models import Indicator
from organisation.demo import load_demo as load_org
from organisation.models import Department, Employee, Post, Team
from organisation.services import get_company
from scorecards import services
from scorecards.demo import load_demo as load_scorecards
from scorecards.models import (
    CascadeLink,
    Level,
    Scorecard,
    ScorecardLine,
    ScorecardVersion,
    SeasonalProfile,
    VersionStatus,
    VetoMode,
    owner_key,
)
from strategy.demo import YEAR
from strategy.demo import load_demo as load_strategy

pytestmark = pytest.mark.django_db

PERSPECTIVES = {"financial", "customer", "internal_process", "learning_growth"}
MODELS = (SeasonalProfile, Scorecard, ScorecardVersion, ScorecardLine, CascadeLink, Indicator)


def load_all() -> str:
    load_org()
    load_strategy()
    load_indicators()
    return load_scorecards()


@pytest.fixture(scope="module")
def _demo(django_db_setup, django_db_blocker):
    """The demos loaded once for this module, in a transaction rolled back at its end; each
    test runs in a savepoint inside it, so nothing a test does leaks."""
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        with transaction.atomic():
            yield load_all()
            transaction.set_rollback(True)


@pytest.fixture
def summary(db, _demo):
    return _demo


def card(level, **owner) -> Scorecard:
    ids = {f"{name}_id": value.pk for name, value in owner.items()}
    return Scorecard.objects.get(year=YEAR, owner_key=owner_key(level, **ids))


def version_of(scorecard) -> ScorecardVersion:
    return scorecard.versions.get()


def lines_of(scorecard):
    return list(version_of(scorecard).lines.select_related("indicator", "perspective", "profile"))


def counts() -> dict:
    numbers = {model.__name__: model.objects.count() for model in MODELS}
    numbers |= {f"history of {model.__name__}": model.history.count() for model in MODELS if hasattr(model, "history")}
    return numbers


def test_the_company_card_is_submitted_by_hr_and_approved_by_the_general_manager(summary):
    version = version_of(card(Level.COMPANY))
    assert version.status == VersionStatus.APPROVED
    assert (version.submitted_by.username, version.approved_by.username) == ("hr", "gm")


def test_the_company_card_weighs_kpis_of_all_four_perspectives_to_100_with_annual_targets(summary):
    version = version_of(card(Level.COMPANY))
    lines = lines_of(card(Level.COMPANY))
    assert {line.perspective.code for line in lines} == PERSPECTIVES
    assert sum(line.weight for line in lines) == 100
    assert sum(Decimal(weight) for weight in version.perspective_weights.values()) == 100
    assert all(version.weight_of(code) > 0 for code in PERSPECTIVES)
    assert {line.indicator.type for line in lines} == {"KPI", "NNI"}
    assert all(isinstance(line.target, Decimal) for line in lines if line.method in ("percentage", "zero_one"))


def test_the_company_card_has_a_weightless_veto_line_and_caps_a_vetoed_total(summary):
    version = version_of(card(Level.COMPANY))
    veto = [line for line in lines_of(card(Level.COMPANY)) if line.indicator.type == "NNI"]
    assert len(veto) == 1
    assert veto[0].weight == 0 and veto[0].method in ("zero_one", "deduction")
    assert version.veto_mode == VetoMode.CAP and version.veto_ceiling < 60


def test_every_active_department_has_an_approved_card_with_the_daily_inspection_deduction(summary):
    for department in Department.objects.filter(is_active=True):
        version = version_of(card(Level.DEPARTMENT, department=department))
        assert version.status == VersionStatus.APPROVED, department.code
        assert version.approved_by.username == "hr", department.code
        assert version.inspection_deduction, department.code


def test_every_active_employee_s_post_has_an_approved_card(summary):
    posts = Post.objects.filter(holders__is_active=True).distinct()
    assert posts.count() == Post.objects.filter(is_active=True).count()
    for post in posts:
        assert version_of(card(Level.POST, post=post)).status == VersionStatus.APPROVED, post.code
    covered = set(Scorecard.objects.filter(year=YEAR, level=Level.POST).values_list("post_id", flat=True))
    assert not Employee.objects.filter(is_active=True).exclude(post_id__in=covered).exists()


def test_every_approved_card_has_no_problems_and_stays_within_the_line_limit(summary):
    approved = ScorecardVersion.objects.filter(scorecard__year=YEAR, status=VersionStatus.APPROVED).select_related("scorecard")
    assert approved.count() == Scorecard.objects.filter(year=YEAR).count()
    for version in approved:
        assert services.card_problems(version) == [], str(version.scorecard)
        assert version.lines.count() <= get_company().max_scorecard_lines, str(version.scorecard)


def test_the_sales_profile_is_low_in_the_first_quarter_and_peaks_in_the_fourth(summary):
    shares = SeasonalProfile.objects.get(code="sales").share_values()
    assert sum(shares) == 100
    quarters = [sum(shares[i:i + 3]) for i in range(0, 12, 3)]
    assert quarters[0] == min(quarters) and quarters[3] == max(quarters)


def test_the_sales_department_s_revenue_lines_are_phased_by_the_profile_and_add_up(summary):
    sales = card(Level.DEPARTMENT, department=Department.objects.get(code="SAL"))
    revenue = [line for line in lines_of(sales) if line.indicator.unit == "万元"]
    assert revenue
    for line in revenue:
        assert (line.phasing, line.profile.code, line.aggregation) == ("profile", "sales", "sum")
        months = line.month_values()
        assert sum(months) == line.target
        assert sum(months[:3]) < sum(months[9:])


def test_rates_average_over_the_months_and_year_end_levels_take_the_last(summary):
    finance = lines_of(card(Level.DEPARTMENT, department=Department.objects.get(code="FIN")))
    aggregations = {line.indicator.code: line.aggregation for line in finance}
    assert aggregations["F-015"] == "average"  # an expense budget achievement rate
    assert aggregations["FR-004"] == "last"  # the debt-to-asset ratio at the year's end
    assert aggregations["P-065"] == "sum"  # accounting errors are counted


def test_the_exhibition_hall_group_has_a_team_card_under_the_sales_front_line_rule(summary):
    hall = Team.objects.get(code="SAL-HALL")
    version = version_of(card(Level.TEAM, team=hall))
    assert version.status == VersionStatus.APPROVED and version.front_line
    assert any(line.perspective.code == "financial" for line in version.lines.select_related("perspective"))
    consultants = version_of(card(Level.POST, post=Post.objects.get(code="SAL-HAL")))
    assert consultants.front_line


def test_the_hall_s_revenue_feeds_the_sales_department_s_revenue(summary):
    sales = card(Level.DEPARTMENT, department=Department.objects.get(code="SAL"))
    hall_revenue = version_of(card(Level.TEAM, team=Team.objects.get(code="SAL-HALL"))).lines.get(indicator__code="HD-F02")
    link = hall_revenue.up_links.get()
    assert (link.upper_scorecard, link.upper_indicator.code, link.feed) == (sales, "HD-F01", "sum")


def test_department_lines_feed_the_company_line_of_the_same_indicator(summary):
    company = card(Level.COMPANY)
    on_company = set(version_of(company).lines.values_list("indicator_id", flat=True))
    shared = ScorecardLine.objects.filter(
        version__scorecard__year=YEAR, version__scorecard__level=Level.DEPARTMENT, indicator_id__in=on_company
    )
    assert shared.count() >= 20
    for line in shared.select_related("indicator").prefetch_related("up_links"):
        feeds = {(link.upper_scorecard_id, link.upper_indicator_id): link.feed for link in line.up_links.all()}
        expected = {"sum": "sum", "average": "average", "last": "last"}[line.aggregation]
        assert feeds.get((company.pk, line.indicator_id)) == expected, line


def test_post_lines_from_the_department_card_feed_it(summary):
    for line in ScorecardLine.objects.filter(
        version__scorecard__year=YEAR, version__scorecard__level=Level.POST, indicator__type__in=["KPI", "NNI"]
    ).select_related("version__scorecard__post", "indicator").prefetch_related("up_links__upper_scorecard"):
        department = card(Level.DEPARTMENT, department=line.version.scorecard.post.department)
        if version_of(department).lines.filter(indicator=line.indicator).exists():
            assert [link.upper_scorecard for link in line.up_links.all()] == [department], line


def test_post_cards_add_rated_competencies_and_work_attitude(summary):
    for scorecard in Scorecard.objects.filter(year=YEAR, level=Level.POST):
        lines = lines_of(scorecard)
        types = {line.indicator.type for line in lines}
        assert {"PCI", "WAI"} <= types, str(scorecard)
        assert all(line.rating_mode for line in lines if line.indicator.type == "PCI"), str(scorecard)


def test_a_sales_representative_carries_a_share_of_the_department_s_revenue(summary):
    rep = lines_of(card(Level.POST, post=Post.objects.get(code="SAL-REP")))
    sales = lines_of(card(Level.DEPARTMENT, department=Department.objects.get(code="SAL")))
    rep_revenue = next(line for line in rep if line.indicator.code == "HD-F01")
    department_revenue = next(line for line in sales if line.indicator.code == "HD-F01")
    assert 0 < rep_revenue.target < department_revenue.target


def test_the_demo_adds_the_indicator_types_the_library_lacks(summary):
    demo = Indicator.objects.filter(code__startswith="HD-")
    assert set(demo.values_list("type", flat=True)) == {"KPI", "PRI", "PCI", "WAI", "NNI"}


def test_the_summary_counts_the_cards(summary):
    assert summary.startswith(f"Scorecards {YEAR}: {Scorecard.objects.filter(year=YEAR).count()} approved")
    assert "1 company" in summary and "1 team" in summary


def test_loading_the_demos_again_changes_nothing(summary):
    before = counts()
    again = load_all()
    assert counts() == before
    assert again == summary.replace(f" ({Scorecard.objects.filter(year=YEAR).count()} new)", "")


def test_manage_py_load_demo_loads_the_scorecards(summary):
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    assert f"Scorecards {YEAR}:" in out.getvalue()

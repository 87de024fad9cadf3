"""The shipped KPI library (indicators/data/kpi_library.csv) and `manage.py import_kpi_library`."""

import io
from collections import Counter

import pytest
from django.core.management import call_command

from indicators.library import LIBRARY_CSV, import_kpi_library, library_rows
from indicators.models import Indicator
from indicators.services import check_indicator, save_indicator
from tests.strategy.factories import ensure_perspectives

pytestmark = pytest.mark.django_db

LIBRARY_SIZE = 223


@pytest.fixture(scope="module")
def _library(django_db_setup, django_db_blocker):
    """The library imported once for this module (an import takes about a second); each
    test still runs in its own rolled-back transaction, so edits do not leak."""
    with django_db_blocker.unblock():
        ensure_perspectives()  # a transactional test elsewhere may have flushed them
        outcome = import_kpi_library()
    yield outcome
    codes = [row["code"] for row in library_rows()]
    with django_db_blocker.unblock():
        Indicator.history.filter(code__in=codes).delete()
        Indicator.objects.filter(code__in=codes).delete()


@pytest.fixture
def loaded(db, _library):
    return _library


def test_the_shipped_file_holds_the_seed_library_with_unique_codes():
    rows = library_rows(LIBRARY_CSV)
    assert len(rows) == LIBRARY_SIZE
    assert len({row["code"] for row in rows}) == LIBRARY_SIZE


def test_the_import_creates_every_indicator_of_the_library(loaded):
    assert (loaded.created, loaded.updated, loaded.unchanged) == (LIBRARY_SIZE, 0, 0)
    assert Indicator.objects.count() == LIBRARY_SIZE


def test_perspectives_are_mapped_from_the_file(loaded):
    expected = Counter(row["perspective"] for row in library_rows())
    actual = Counter(Indicator.objects.values_list("perspective__code", flat=True))
    assert actual == expected
    assert set(actual) == {"financial", "customer", "internal_process", "learning_growth"}


def test_qualitative_indicators_are_scored_by_description_and_the_others_by_percentage(loaded):
    methods = {(d, m) for d, m in Indicator.objects.values_list("direction", "scoring_method")}
    assert methods == {
        ("qualitative", "description"),
        ("higher_better", "percentage"),
        ("lower_better", "percentage"),
        ("target_range", "percentage"),
    }


def test_every_imported_indicator_passes_the_save_checks(loaded):
    for indicator in Indicator.objects.all():
        check_indicator(indicator)


def test_imported_indicators_have_english_and_chinese_texts(loaded):
    indicator = Indicator.objects.get(code="F-001")
    assert indicator.name_zh == "部门费用预算达成率"
    assert indicator.name_en == "Department expense budget achievement rate"
    assert indicator.data_source_zh and indicator.data_source_en
    assert (indicator.direction, indicator.unit, indicator.type) == ("lower_better", "%", "KPI")
    assert not Indicator.objects.filter(name_zh="").exists()
    assert not Indicator.objects.filter(name_en="").exists()


def test_the_import_leaves_history_with_a_reason(loaded):
    indicator = Indicator.objects.get(code="F-001")
    assert [h.history_change_reason for h in indicator.history.all()] == ["import library"]


def test_a_second_import_creates_nothing(loaded):
    again = import_kpi_library()
    assert (again.created, again.updated, again.unchanged) == (0, 0, LIBRARY_SIZE)
    assert Indicator.objects.count() == LIBRARY_SIZE


def test_a_second_import_keeps_what_hr_edited(world, loaded):
    indicator = Indicator.objects.get(code="F-001")
    save_indicator(by=world.hr.user, indicator=indicator, name_en="Our expense ratio")
    import_kpi_library()
    indicator.refresh_from_db()
    assert indicator.name_en == "Our expense ratio"


def test_update_refreshes_texts_but_keeps_the_scoring_method_hr_chose(world, loaded):
    indicator = Indicator.objects.get(code="F-001")
    save_indicator(
        by=world.hr.user, indicator=indicator, name_en="Our expense ratio", scoring_method="zero_one", scoring_params={"full": "80"}
    )
    outcome = import_kpi_library(update=True)
    indicator.refresh_from_db()
    assert (outcome.created, outcome.updated, outcome.unchanged) == (0, 1, LIBRARY_SIZE - 1)
    assert indicator.name_en == "Department expense budget achievement rate"
    assert (indicator.scoring_method, indicator.scoring_params) == ("zero_one", {"full": "80"})
    assert indicator.history.order_by("history_id").last().history_change_reason == "update from library"


def test_the_command_prints_its_counts(loaded):
    Indicator.objects.filter(code="F-001").delete()
    Indicator.objects.filter(code="F-002").update(name_en="Edited")
    first, second = io.StringIO(), io.StringIO()
    call_command("import_kpi_library", stdout=first)
    call_command("import_kpi_library", "--update", stdout=second)
    assert first.getvalue().strip() == f"KPI library: 1 created, 0 updated, {LIBRARY_SIZE - 1} unchanged."
    assert second.getvalue().strip() == f"KPI library: 0 created, 1 updated, {LIBRARY_SIZE - 1} unchanged."

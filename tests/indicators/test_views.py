"""The library pages: list with filters, export, detail with the formula tester, the HR
edit form with its per-method parameter fields, and who may open what."""

import io
from decimal import Decimal

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from indicators.models import Indicator
from tests.strategy.factories import perspective

from .factories import IndicatorFactory

pytestmark = pytest.mark.django_db

D = Decimal
BANDS = "|60|0\n60|80|60\n80|100|80\n100||100"


def user_of(world, role):
    person = getattr(world, role)
    return getattr(person, "user", person)


@pytest.fixture
def library(world):
    """Three indicators that differ in every filter."""
    return {
        "expense": IndicatorFactory(
            code="F-001", name_zh="部门费用预算达成率", name_en="Expense budget achievement", type="KPI",
            perspective=perspective("financial"), owner_department=world.dept_a, direction="lower_better",
        ),
        "complaints": IndicatorFactory(
            code="C-001", name_zh="客户投诉次数", name_en="Customer complaints", type="PRI",
            perspective=perspective("customer"), owner_post=world.post_b, direction="lower_better",
        ),
        "training": IndicatorFactory(
            code="L-001", name_zh="培训计划完成率", name_en="Training plan completion", type="WAI",
            perspective=perspective("learning_growth"), status="retired",
        ),
    }


def codes_listed(response) -> set[str]:
    assert response.status_code == 200
    return {i.code for i in response.context["page"]}


# --- list and filters -----------------------------------------------------------------


def test_the_list_shows_every_indicator_without_a_filter(world, library, login):
    assert codes_listed(login(world.emp_a.user).get("/library/")) == {"F-001", "C-001", "L-001"}


def test_the_list_filters_by_perspective(world, library, login):
    response = login(world.emp_a.user).get("/library/", {"perspective": perspective("customer").pk})
    assert codes_listed(response) == {"C-001"}


def test_the_list_filters_by_type(world, library, login):
    assert codes_listed(login(world.emp_a.user).get("/library/", {"type": "WAI"})) == {"L-001"}


def test_the_list_filters_by_owner_department_including_its_posts(world, library, login):
    client = login(world.emp_a.user)
    assert codes_listed(client.get("/library/", {"owner": world.dept_a.pk})) == {"F-001"}
    assert codes_listed(client.get("/library/", {"owner": world.dept_b.pk})) == {"C-001"}


def test_the_list_searches_chinese_text(world, library, login):
    assert codes_listed(login(world.emp_a.user).get("/library/", {"q": "费用"})) == {"F-001"}


def test_the_list_searches_english_text_regardless_of_case(world, library, login):
    assert codes_listed(login(world.emp_a.user).get("/library/", {"q": "customer COMPLAINTS"})) == {"C-001"}


def test_the_list_searches_codes(world, library, login):
    assert codes_listed(login(world.emp_a.user).get("/library/", {"q": "l-001"})) == {"L-001"}


def test_the_list_filters_by_status(world, library, login):
    client = login(world.emp_a.user)
    assert codes_listed(client.get("/library/", {"status": "retired"})) == {"L-001"}
    assert codes_listed(client.get("/library/", {"status": "active"})) == {"F-001", "C-001"}


def test_filters_combine(world, library, login):
    response = login(world.emp_a.user).get("/library/", {"q": "客户", "type": "KPI"})
    assert codes_listed(response) == set()
    assert "No indicators match." in response.content.decode()


def test_the_export_link_carries_the_filter(world, library, login):
    html = login(world.emp_a.user).get("/library/", {"q": "费用", "type": "KPI"}).content.decode()
    assert "/library/export.xlsx?q=%E8%B4%B9%E7%94%A8&amp;type=KPI" in html


def test_the_list_pages_after_fifty(world, login):
    IndicatorFactory.create_batch(55)
    client = login(world.emp_a.user)
    first, second = client.get("/library/"), client.get("/library/", {"page": 2})
    assert len(first.context["page"]) == 50 and len(second.context["page"]) == 5
    assert codes_listed(first).isdisjoint(codes_listed(second))


def test_the_list_query_count_does_not_grow_with_the_rows(world, login, django_assert_max_num_queries):
    IndicatorFactory.create_batch(5, owner_department=world.dept_a)
    IndicatorFactory.create_batch(5, owner_post=world.post_b)
    client = login(world.emp_a.user)
    client.get("/library/")  # warm the per-user caches
    with CaptureQueriesContext(connection) as ten:
        client.get("/library/")
    IndicatorFactory.create_batch(25, owner_department=world.dept_a, perspective=perspective("customer"))
    IndicatorFactory.create_batch(25, owner_post=world.post_a)
    # Today 11: session, user, count, the user's groups, employee, department heads, user and
    # group permissions, the perspectives and departments of the filter form, one page of
    # indicators with their perspective and owners joined.
    with django_assert_max_num_queries(len(ten.captured_queries)):
        response = client.get("/library/")
    assert len(response.context["page"]) == 50


# --- export ---------------------------------------------------------------------------


def exported(response) -> tuple[list, list[list]]:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    return rows[0], rows[1:]


def test_the_export_holds_the_filtered_indicators(world, library, login):
    header, rows = exported(login(world.emp_a.user).get("/library/export.xlsx", {"q": "费用"}))
    assert header[0] == "Code / 编码"
    assert [row[0] for row in rows] == ["F-001"]
    row = dict(zip(header, rows[0], strict=True))
    assert row["Name (Chinese) / 指标名称"] == "部门费用预算达成率"
    assert row["Perspective / 维度"] == "financial"
    assert row["Direction / 方向"] == "lower_better"


def test_the_export_without_a_filter_holds_everything(world, library, login):
    _header, rows = exported(login(world.emp_a.user).get("/library/export.xlsx"))
    assert sorted(row[0] for row in rows) == ["C-001", "F-001", "L-001"]


def test_the_export_writes_user_text_as_text_not_formulas(world, login):
    IndicatorFactory(code="X-1", name_en='=HYPERLINK("http://evil.example","x")', category="+1+1", definition_en="@SUM(A1)")
    response = login(world.emp_a.user).get("/library/export.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    header = [c.value for c in sheet[1]]
    cells = {name: sheet.cell(row=2, column=header.index(name) + 1) for name in header}
    name = cells["Name (English) / 英文名称"]
    assert name.value == '=HYPERLINK("http://evil.example","x")'
    assert name.data_type == "s"
    assert cells["Category / 类别"].data_type == "s"
    assert cells["Definition (English) / 英文定义"].value == "@SUM(A1)"


# --- detail and formula tester ----------------------------------------------------------


@pytest.fixture
def cost(db):
    return IndicatorFactory(code="F-010", formula="planned_cost / actual_cost * 100", direction="higher_better")


def test_the_detail_shows_the_formula_tester_with_one_field_per_input(world, cost, login):
    response = login(world.emp_a.user).get(f"/library/{cost.pk}/")
    assert response.status_code == 200
    assert [f.name for f in response.context["input_fields"]] == ["input_actual_cost", "input_planned_cost"]
    html = response.content.decode()
    assert "Formula tester" in html
    assert 'name="input_planned_cost"' in html and 'name="target"' in html
    assert response.context["evaluation"] is None


def test_the_tester_scores_an_actual_against_a_target(world, cost, login):
    response = login(world.emp_a.user).post(f"/library/{cost.pk}/", {"actual": "90", "target": "100"})
    evaluation = response.context["evaluation"]
    assert (evaluation.actual, evaluation.achievement, evaluation.score) == (D("90"), D("90.00"), D("90.00"))
    assert 'data-testid="score">90.00<' in response.content.decode()


def test_the_tester_computes_the_actual_from_the_formula_inputs(world, cost, login):
    data = {"input_planned_cost": "45", "input_actual_cost": "60", "target": "80"}
    evaluation = login(world.emp_a.user).post(f"/library/{cost.pk}/", data).context["evaluation"]
    assert (evaluation.actual, evaluation.achievement, evaluation.score) == (D("75"), D("93.75"), D("93.75"))


def test_the_tester_shows_a_division_by_zero_and_computes_nothing(world, cost, login):
    data = {"input_planned_cost": "45", "input_actual_cost": "0", "target": "80"}
    response = login(world.emp_a.user).post(f"/library/{cost.pk}/", data)
    assert response.status_code == 200
    assert response.context["evaluation"] is None
    assert response.context["tester"].errors
    html = response.content.decode()
    assert "Division by zero" in html and "actual_cost" in html


def test_the_tester_shows_a_missing_input(world, cost, login):
    response = login(world.emp_a.user).post(f"/library/{cost.pk}/", {"input_planned_cost": "45", "target": "80"})
    assert response.context["evaluation"] is None
    assert "Missing input: actual_cost." in response.content.decode()


def test_the_tester_shows_a_missing_target_next_to_the_target_field(world, cost, login):
    response = login(world.emp_a.user).post(f"/library/{cost.pk}/", {"actual": "90"})
    assert response.context["tester"].errors["target"] == ["A target is required."]


def test_the_tester_refuses_text_as_a_number(world, cost, login):
    response = login(world.emp_a.user).post(f"/library/{cost.pk}/", {"actual": "ninety", "target": "100"})
    assert "actual" in response.context["tester"].errors
    assert response.context["evaluation"] is None


def test_the_tester_scores_description_ratings(world, login):
    rated = IndicatorFactory(direction="qualitative", scoring_method="description")
    response = login(world.emp_a.user).post(f"/library/{rated.pk}/", {"ratings": "7，5"})
    assert response.context["evaluation"].score == D("85.71")


def test_the_tester_saves_nothing(world, cost, login):
    before = (cost.history.count(), Indicator.objects.get(pk=cost.pk).formula)
    login(world.hr.user).post(f"/library/{cost.pk}/", {"input_planned_cost": "45", "input_actual_cost": "60", "target": "80"})
    assert (cost.history.count(), Indicator.objects.get(pk=cost.pk).formula) == before


def test_an_unknown_indicator_is_404(world, login):
    assert login(world.emp_a.user).get("/library/999999/").status_code == 404


# --- the HR edit form ---------------------------------------------------------------------


def form_data(indicator, **overrides):
    data = {
        "code": indicator.code, "name_zh": indicator.name_zh, "name_en": indicator.name_en, "type": indicator.type,
        "perspective": indicator.perspective_id, "category": "", "definition_zh": "", "definition_en": "", "purpose": "",
        "owner_department": "", "owner_post": "", "data_source_zh": "", "data_source_en": "", "cycle": "monthly",
        "unit": "%", "direction": indicator.direction, "formula": indicator.formula, "scoring_method": indicator.scoring_method,
        "status": "active",
    }
    return {**data, **overrides}


def test_the_edit_form_shows_the_stored_bands_as_text(world, login):
    indicator = IndicatorFactory(
        scoring_method="interval",
        scoring_params={"bands": [{"lower": None, "upper": "50", "score": "0"}, {"lower": "50", "upper": None, "score": "100"}]},
    )
    form = login(world.hr.user).get(f"/library/{indicator.pk}/edit/").context["form"]
    assert form.initial["int_bands"] == " | 50 | 0\n50 |  | 100"


def resubmitted(form) -> dict:
    """What the browser posts back for an unchanged form."""
    return {name: "" if form[name].value() is None else form[name].value() for name in form.fields}


@pytest.mark.parametrize(
    ("method", "direction", "params"),
    [
        ("percentage", "higher_better", {"cap": "150", "floor": "10", "zero_below": "50"}),
        ("interval", "higher_better", {"basis": "actual", "bands": [{"lower": None, "upper": "5", "score": "0"}, {"lower": "5", "upper": None, "score": "100"}]}),
        ("zero_one", "higher_better", {"full": "90"}),
        ("deduction", "lower_better", {"points_per_occurrence": "2.5", "full": "100", "floor": "20"}),
        ("description", "qualitative", {}),
    ],
)
def test_saving_the_edit_form_unchanged_keeps_the_parameters(world, login, method, direction, params):
    from indicators.services import check_indicator

    indicator = IndicatorFactory(scoring_method=method, direction=direction, scoring_params=params)
    check_indicator(indicator)
    indicator.save()
    stored = indicator.scoring_params
    client = login(world.hr.user)
    form = client.get(f"/library/{indicator.pk}/edit/").context["form"]
    response = client.post(f"/library/{indicator.pk}/edit/", resubmitted(form))
    assert response.status_code == 302, response.context["form"].errors
    indicator.refresh_from_db()
    assert indicator.scoring_params == stored


def test_hr_switches_to_interval_bands_and_they_are_saved(world, login):
    indicator = IndicatorFactory()
    data = form_data(indicator, scoring_method="interval", int_basis="achievement", int_bands=BANDS)
    response = login(world.hr.user).post(f"/library/{indicator.pk}/edit/", data)
    assert response.status_code == 302, response.context["form"].errors
    indicator.refresh_from_db()
    assert indicator.scoring_method == "interval"
    assert indicator.scoring_params == {
        "basis": "achievement",
        "bands": [
            {"lower": None, "upper": "60", "score": "0"},
            {"lower": "60", "upper": "80", "score": "60"},
            {"lower": "80", "upper": "100", "score": "80"},
            {"lower": "100", "upper": None, "score": "100"},
        ],
    }
    assert indicator.history.order_by("history_id").last().history_change_reason == "update indicator"


def test_a_gap_in_the_bands_is_shown_next_to_the_bands_field(world, login):
    indicator = IndicatorFactory()
    data = form_data(indicator, scoring_method="interval", int_basis="achievement", int_bands="|60|0\n70||100")
    response = login(world.hr.user).post(f"/library/{indicator.pk}/edit/", data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == ["int_bands"]
    assert "gap" in errors["int_bands"][0]
    indicator.refresh_from_db()
    assert indicator.scoring_method == "percentage"


def test_a_band_line_with_too_few_parts_is_shown_next_to_the_bands_field(world, login):
    indicator = IndicatorFactory()
    data = form_data(indicator, scoring_method="interval", int_basis="achievement", int_bands="|60\n60||100")
    response = login(world.hr.user).post(f"/library/{indicator.pk}/edit/", data)
    assert response.context["form"].errors["int_bands"] == ["Line 1 needs 3 parts separated by |."]


def test_a_bad_percentage_cap_is_shown_next_to_the_cap_field(world, login):
    indicator = IndicatorFactory()
    response = login(world.hr.user).post(f"/library/{indicator.pk}/edit/", form_data(indicator, pct_cap="5000"))
    assert list(response.context["form"].errors) == ["pct_cap"]


def test_a_bad_deduction_parameter_is_shown_next_to_its_field(world, login):
    indicator = IndicatorFactory(direction="lower_better")
    data = form_data(indicator, scoring_method="deduction", ded_points="0", ded_full="100", ded_floor="0")
    response = login(world.hr.user).post(f"/library/{indicator.pk}/edit/", data)
    assert list(response.context["form"].errors) == ["ded_points"]


def test_a_method_that_does_not_fit_the_direction_is_shown_on_the_direction(world, login):
    indicator = IndicatorFactory()
    response = login(world.hr.user).post(f"/library/{indicator.pk}/edit/", form_data(indicator, direction="qualitative"))
    assert list(response.context["form"].errors) == ["direction"]


def test_hr_saves_described_levels_from_the_textarea(world, login):
    indicator = IndicatorFactory(direction="qualitative", scoring_method="description")
    levels = "3 | good | 好 | 100\n2 | fair | 一般 | 60\n\n1 | poor | 差 | 0"
    response = login(world.hr.user).post(f"/library/{indicator.pk}/edit/", form_data(indicator, desc_levels=levels))
    assert response.status_code == 302
    indicator.refresh_from_db()
    assert indicator.scoring_params == {
        "levels": [
            {"value": 3, "label_en": "good", "label_zh": "好", "score": "100"},
            {"value": 2, "label_en": "fair", "label_zh": "一般", "score": "60"},
            {"value": 1, "label_en": "poor", "label_zh": "差", "score": "0"},
        ]
    }


def test_a_repeated_level_is_shown_next_to_the_levels_field(world, login):
    indicator = IndicatorFactory(direction="qualitative", scoring_method="description")
    levels = "3 | good | 好 | 100\n3 | fair | 一般 | 60"
    response = login(world.hr.user).post(f"/library/{indicator.pk}/edit/", form_data(indicator, desc_levels=levels))
    assert list(response.context["form"].errors) == ["desc_levels"]


def test_a_bad_formula_is_shown_next_to_the_formula_field(world, login):
    indicator = IndicatorFactory()
    response = login(world.hr.user).post(f"/library/{indicator.pk}/edit/", form_data(indicator, formula="a % b"))
    assert list(response.context["form"].errors) == ["formula"]


def test_two_owners_are_refused_on_the_owner_post_field(world, login):
    indicator = IndicatorFactory()
    data = form_data(indicator, owner_department=world.dept_a.pk, owner_post=world.post_a.pk)
    response = login(world.hr.user).post(f"/library/{indicator.pk}/edit/", data)
    assert "owner_post" in response.context["form"].errors


def test_hr_creates_an_indicator(world, login):
    template = IndicatorFactory.build(code="N-001", perspective=perspective("customer"), formula="a / b * 100")
    response = login(world.hr.user).post("/library/new/", form_data(template, pct_cap="150"))
    created = Indicator.objects.get(code="N-001")
    assert response.status_code == 302 and response["Location"] == f"/library/{created.pk}/"
    assert created.scoring_params == {"cap": "150", "floor": "0", "zero_below": None}
    assert created.history.get().history_change_reason == "create indicator"


def test_a_duplicate_code_is_refused_on_create(world, login):
    existing = IndicatorFactory(code="N-001")
    response = login(world.hr.user).post("/library/new/", form_data(existing))
    assert "code" in response.context["form"].errors
    assert Indicator.objects.count() == 1


# --- who may open what ------------------------------------------------------------------


@pytest.mark.parametrize("role", ["emp_a", "head_a", "hr", "gm", "committee", "admin"])
def test_every_signed_in_role_reads_the_list_and_the_detail(world, cost, login, role):
    client = login(user_of(world, role))
    assert client.get("/library/").status_code == 200
    assert client.get(f"/library/{cost.pk}/").status_code == 200
    assert client.get("/library/export.xlsx").status_code == 200


@pytest.mark.parametrize("role", ["emp_a", "head_a", "gm", "committee"])
def test_other_roles_do_not_see_the_edit_buttons(world, cost, login, role):
    client = login(user_of(world, role))
    assert client.get("/library/").context["can_edit"] is False
    html = client.get(f"/library/{cost.pk}/").content.decode()
    assert f"/library/{cost.pk}/edit/" not in html


@pytest.mark.parametrize("role", ["emp_a", "head_a", "gm", "committee"])
def test_other_roles_get_403_on_edit_create_and_import(world, cost, login, role):
    client = login(user_of(world, role))
    for url in [f"/library/{cost.pk}/edit/", "/library/new/", "/library/import/", "/library/import/template.xlsx"]:
        assert client.get(url).status_code == 403, url
    assert client.post(f"/library/{cost.pk}/edit/", form_data(cost, name_en="Hacked")).status_code == 403
    assert client.post("/library/new/", form_data(IndicatorFactory.build(code="Z-1"))).status_code == 403
    cost.refresh_from_db()
    assert cost.name_en != "Hacked"
    assert not Indicator.objects.filter(code="Z-1").exists()


@pytest.mark.parametrize("role", ["hr", "admin"])
def test_hr_and_administrators_open_the_edit_pages(world, cost, login, role):
    client = login(user_of(world, role))
    for url in [f"/library/{cost.pk}/edit/", "/library/new/", "/library/import/", "/library/import/template.xlsx"]:
        assert client.get(url).status_code == 200, url


def test_anonymous_visitors_are_sent_to_log_in(client, cost):
    response = client.get("/library/")
    assert response.status_code == 302 and "login" in response["Location"]


def test_hr_links_an_indicator_to_strategic_measures_on_the_edit_page(world, login):
    from tests.indicators.factories import IndicatorFactory
    from tests.strategy.factories import MeasureFactory, ensure_perspectives

    ensure_perspectives()
    measure = MeasureFactory()
    indicator = IndicatorFactory()
    client = login(world.hr.user)
    form = client.get(f"/library/{indicator.pk}/edit/").context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None and k != "measures"}
    data.update({"perspective": indicator.perspective_id, "measures": [measure.pk]})
    response = client.post(f"/library/{indicator.pk}/edit/", data)
    assert response.status_code == 302, response.context["form"].errors
    assert list(indicator.measures.all()) == [measure]


def test_an_indicator_without_stored_parameters_shows_its_method_defaults(world, login):
    from tests.indicators.factories import IndicatorFactory

    indicator = IndicatorFactory(scoring_params={})
    html = login(world.emp_a.user).get(f"/library/{indicator.pk}/").content.decode()
    assert "cap 120, floor 0" in html

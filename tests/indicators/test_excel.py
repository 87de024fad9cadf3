"""The library in Excel: the template, the all-or-nothing import by code with every
problem located, and the refusal of files that are not a plain .xlsx."""

import io

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from bsc_site.xlsx import SpreadsheetError, read_table
from indicators.indicator_excel import COLUMNS, HEADER, import_indicators, indicator_template
from indicators.models import Direction, Indicator, ScoringMethod
from tests.strategy.factories import perspective

from .factories import IndicatorFactory

pytestmark = pytest.mark.django_db

SHEET = "Indicators 指标"


def xlsx(rows: list[dict], *, header: list[str] | None = None, title: str = SHEET) -> bytes:
    """A workbook whose first sheet has the header and one row per dict (keyed by column key).
    A value starting with "=" is written as a live formula, as Excel would store it."""
    header = header or [HEADER[key] for key in ("code", "name_zh", "name_en", "perspective", "type", "direction", "scoring_method", "formula")]
    keys = {HEADER[c.key]: c.key for c in COLUMNS}
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = title
    sheet.append(header)
    for row in rows:
        sheet.append([row.get(keys.get(name, name)) for name in header])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def row(code="N-001", **values):
    return {"code": code, "name_zh": "新指标", "name_en": "New indicator", "perspective": "financial", **values}


def problems(result) -> list[tuple]:
    return [(e.sheet, e.row, e.column, e.message) for e in result.errors]


def only_problem(result):
    assert len(result.errors) == 1, problems(result)
    return result.errors[0]


@pytest.fixture
def hr(world):
    return world.hr.user


# --- template ---------------------------------------------------------------------------


def test_the_template_reads_back_with_every_column_and_no_rows():
    table = read_table(indicator_template(), COLUMNS)
    assert (table.rows, table.errors, table.sheet) == ([], [], SHEET)
    workbook = openpyxl.load_workbook(io.BytesIO(indicator_template()))
    assert [c.value for c in workbook.worksheets[0][1]] == [c.headers[0] for c in COLUMNS]
    assert workbook.sheetnames == [SHEET, "Instructions 说明"]


def test_importing_the_empty_template_changes_nothing(hr):
    result = import_indicators(by=hr, data=indicator_template())
    assert (result.created, result.updated, result.errors) == (0, 0, [])


def test_the_filled_in_template_imports(hr):
    workbook = openpyxl.load_workbook(io.BytesIO(indicator_template()))
    sheet = workbook.worksheets[0]
    header = [c.value for c in sheet[1]]
    values = {"Code / 编码": "007", "Name (Chinese) / 指标名称": "回款率", "Perspective / 维度": "financial", "Unit / 单位": "%"}
    for name, value in values.items():
        sheet.cell(row=2, column=header.index(name) + 1, value=value)
    out = io.BytesIO()
    workbook.save(out)
    result = import_indicators(by=hr, data=out.getvalue())
    assert (result.created, result.errors) == (1, [])
    assert Indicator.objects.get(code="007").unit == "%"


# --- creating and updating by code --------------------------------------------------------


def test_import_creates_new_indicators_with_their_values(hr):
    data = xlsx([
        row("N-001", type="PRI", direction="lower_better", scoring_method="percentage", formula="actual_cost / planned_cost * 100"),
        row("N-002", perspective="customer", direction="qualitative", scoring_method="description"),
    ])
    result = import_indicators(by=hr, data=data)
    assert (result.created, result.updated, result.errors) == (2, 0, [])
    first = Indicator.objects.get(code="N-001")
    assert (first.type, first.direction, first.formula, first.perspective.code) == ("PRI", "lower_better", "actual_cost / planned_cost * 100", "financial")
    assert first.scoring_params == {"cap": "120", "floor": "0", "zero_below": None}
    assert first.history.get().history_change_reason == "import indicators"
    assert Indicator.objects.get(code="N-002").scoring_params["levels"][0]["value"] == 7


def test_import_updates_an_existing_indicator_by_code_and_keeps_what_is_not_in_the_file(hr):
    existing = IndicatorFactory(code="F-001", name_en="Old", unit="%", scoring_params={"cap": "150", "floor": "0", "zero_below": None})
    result = import_indicators(by=hr, data=xlsx([{"code": "F-001", "name_en": "New name"}]))
    assert (result.created, result.updated, result.errors) == (0, 1, [])
    existing.refresh_from_db()
    assert (existing.name_en, existing.unit, existing.perspective.code) == ("New name", "%", "financial")
    assert existing.scoring_params["cap"] == "150"


def test_import_creates_and_updates_in_one_file(hr):
    IndicatorFactory(code="F-001")
    result = import_indicators(by=hr, data=xlsx([{"code": "F-001", "name_en": "Renamed"}, row("N-001")]))
    assert (result.created, result.updated, result.errors) == (1, 1, [])


def test_changing_the_scoring_method_of_an_existing_indicator_starts_from_the_new_methods_defaults(hr):
    """The old method's parameters do not fit the new method: they are reset."""
    existing = IndicatorFactory(
        code="F-001", scoring_method="interval",
        scoring_params={"bands": [{"lower": None, "upper": "60", "score": "0"}, {"lower": "60", "upper": None, "score": "100"}], "basis": "achievement"},
    )
    result = import_indicators(by=hr, data=xlsx([{"code": "F-001", "scoring_method": "percentage"}]))
    assert problems(result) == []
    existing.refresh_from_db()
    assert (existing.scoring_method, existing.scoring_params) == ("percentage", {"cap": "120", "floor": "0", "zero_below": None})


def test_one_bad_row_saves_nothing(hr):
    IndicatorFactory(code="F-001", name_en="Old")
    data = xlsx([{"code": "F-001", "name_en": "New"}, row("N-001"), row("N-002", perspective="marketing")])
    result = import_indicators(by=hr, data=data)
    assert (result.created, result.updated) == (0, 0)
    assert [(e.row, e.column) for e in result.errors] == [(4, "Perspective / 维度")]
    assert set(Indicator.objects.values_list("code", "name_en")) == {("F-001", "Old")}


def test_an_exported_library_imports_back_unchanged(world, hr, login):
    IndicatorFactory(code="F-001", type="PRI", direction="lower_better", formula="actual_cost / planned_cost * 100", unit="%", cycle="quarterly")
    IndicatorFactory(code="C-001", name_en="=1+1 is not a formula here", perspective=perspective("customer"), status="retired")
    IndicatorFactory(code="L-001", direction="qualitative", scoring_method="description", perspective=perspective("learning_growth"))
    before = {i.code: (i.name_en, i.type, i.direction, i.formula, i.unit, i.cycle, i.status, i.scoring_method, i.perspective_id) for i in Indicator.objects.all()}
    exported = login(world.emp_a.user).get("/library/export.xlsx").content
    result = import_indicators(by=hr, data=exported)
    assert (result.created, result.updated, problems(result)) == (0, 3, [])
    after = {i.code: (i.name_en, i.type, i.direction, i.formula, i.unit, i.cycle, i.status, i.scoring_method, i.perspective_id) for i in Indicator.objects.all()}
    assert after == before


# --- located problems -------------------------------------------------------------------


def test_a_file_without_a_code_column_is_refused_as_a_whole(hr):
    data = xlsx([row()], header=[HEADER["name_zh"], HEADER["name_en"], HEADER["perspective"]])
    with pytest.raises(SpreadsheetError, match="Missing required columns: Code / 编码"):
        import_indicators(by=hr, data=data)


def test_a_row_without_a_code_is_located(hr):
    error = only_problem(import_indicators(by=hr, data=xlsx([row(code=None)])))
    assert (error.sheet, error.row, error.column, error.message) == (SHEET, 2, "Code / 编码", "is required")


def test_a_code_twice_in_the_file_names_the_first_row(hr):
    result = import_indicators(by=hr, data=xlsx([row("N-001"), row("N-002"), row("N-001")]))
    assert problems(result) == [(SHEET, 4, "Code / 编码", "N-001 is also on row 2")]
    assert not Indicator.objects.exists()


def test_an_unknown_perspective_is_located(hr):
    error = only_problem(import_indicators(by=hr, data=xlsx([row(perspective="Marketing")])))
    assert (error.sheet, error.row, error.column) == (SHEET, 2, "Perspective / 维度")
    assert "Marketing" in error.message


def test_a_new_indicator_needs_a_perspective(hr):
    error = only_problem(import_indicators(by=hr, data=xlsx([row(perspective=None)])))
    assert (error.column, error.message) == ("Perspective / 维度", "is required for a new indicator")


@pytest.mark.parametrize(
    ("key", "value"),
    [("type", "KRA"), ("direction", "sideways"), ("scoring_method", "guess"), ("cycle", "weekly"), ("status", "paused")],
)
def test_an_unknown_choice_is_located_and_lists_the_choices(hr, key, value):
    header = [HEADER["code"], HEADER["name_en"], HEADER["perspective"], HEADER[key]]
    error = only_problem(import_indicators(by=hr, data=xlsx([row(**{key: value})], header=header)))
    assert (error.sheet, error.row, error.column) == (SHEET, 2, HEADER[key])
    assert value in error.message and "is not one of" in error.message


def test_a_number_in_a_choice_column_is_refused(hr):
    error = only_problem(import_indicators(by=hr, data=xlsx([row(direction=1)])))
    assert (error.column, error.message) == (HEADER["direction"], "1 is not one of: higher_better, lower_better, target_range, qualitative")


def test_a_bad_formula_is_located_on_the_formula_column(hr):
    error = only_problem(import_indicators(by=hr, data=xlsx([row(formula="a % b")])))
    assert (error.sheet, error.row, error.column) == (SHEET, 2, "Formula / 计算公式")


def test_a_method_that_does_not_fit_the_direction_is_located_on_the_direction_column(hr):
    error = only_problem(import_indicators(by=hr, data=xlsx([row(direction="qualitative", scoring_method="percentage")])))
    assert (error.row, error.column) == (2, "Direction / 方向")


def test_a_formula_cell_is_refused_not_evaluated(hr):
    error = only_problem(import_indicators(by=hr, data=xlsx([row(name_en="=1+1")])))
    assert (error.sheet, error.row, error.column) == (SHEET, 2, "Name (English) / 英文名称")
    assert "formula" in error.message
    assert not Indicator.objects.exists()


def test_every_problem_of_every_row_is_listed_in_row_order(hr):
    data = xlsx([row("N-001", type="KRA"), row("N-002"), row("N-003", perspective="x", direction="sideways")])
    result = import_indicators(by=hr, data=data)
    assert [(e.row, e.column) for e in result.errors] == [(2, "Type / 类型"), (4, "Direction / 方向"), (4, "Perspective / 维度")]
    assert all(e.sheet == SHEET for e in result.errors)


def test_the_sheet_name_is_the_one_of_the_file(hr):
    error = only_problem(import_indicators(by=hr, data=xlsx([row(type="KRA")], title="Sheet1")))
    assert error.sheet == "Sheet1"


# --- choices in either language ----------------------------------------------------------


def test_choices_are_accepted_as_stored_values_and_english_labels(hr):
    data = xlsx([
        row("N-001", direction="Lower is better", scoring_method="Percentage", type="kpi"),
        row("N-002", direction="HIGHER_BETTER", scoring_method="zero_one"),
    ])
    result = import_indicators(by=hr, data=data)
    assert result.errors == []
    assert Indicator.objects.get(code="N-001").direction == "lower_better"
    assert Indicator.objects.get(code="N-002").scoring_method == "zero_one"


def test_choices_are_accepted_as_chinese_labels(hr):
    with translation.override("zh-hans"):
        direction, method = str(Direction.LOWER_BETTER.label), str(ScoringMethod.DEDUCTION.label)
    result = import_indicators(by=hr, data=xlsx([row(direction=direction, scoring_method=method)]))
    assert result.errors == []
    indicator = Indicator.objects.get(code="N-001")
    assert (indicator.direction, indicator.scoring_method) == ("lower_better", "deduction")


def test_perspectives_are_accepted_by_code_and_by_name_in_either_language(hr):
    customer = perspective("customer")
    data = xlsx([row("N-001", perspective=customer.name_zh), row("N-002", perspective=customer.name_en.upper()), row("N-003", perspective="customer")])
    assert import_indicators(by=hr, data=data).errors == []
    assert set(Indicator.objects.values_list("perspective__code", flat=True)) == {"customer"}


def test_chinese_headers_are_accepted(hr):
    data = xlsx([{"指标编码": "N-001", "名称": "回款率", "维度": "financial"}], header=["指标编码", "名称", "维度"])
    result = import_indicators(by=hr, data=data)
    assert result.errors == []
    assert Indicator.objects.get(code="N-001").name_zh == "回款率"


# --- refused files and callers ---------------------------------------------------------


def test_a_caller_who_may_not_edit_is_refused_before_the_file_is_read(world):
    with pytest.raises(PermissionDenied):
        import_indicators(by=world.emp_a.user, data=b"not even a spreadsheet")


def test_a_file_over_the_size_limit_is_refused(hr, settings):
    data = xlsx([row()])
    settings.XLSX_MAX_UPLOAD_BYTES = len(data) - 1
    with pytest.raises(SpreadsheetError, match="larger than"):
        import_indicators(by=hr, data=data)


def test_a_csv_file_renamed_xlsx_is_refused_with_a_message(hr):
    with pytest.raises(SpreadsheetError, match="looks like a CSV"):
        import_indicators(by=hr, data="code,name_zh,perspective\nN-001,新指标,financial\n".encode())


def test_a_binary_file_renamed_xlsx_is_refused(hr):
    with pytest.raises(SpreadsheetError, match="not an Excel .xlsx file"):
        import_indicators(by=hr, data=bytes(range(256)) * 4)


# --- the import page --------------------------------------------------------------------


def upload(data: bytes, name="indicators.xlsx"):
    return {"file": SimpleUploadedFile(name, data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")}


def test_the_import_page_imports_and_goes_back_to_the_list(world, login):
    client = login(world.hr.user)
    response = client.post("/library/import/", upload(xlsx([row("N-001"), row("N-002")])))
    assert response.status_code == 302 and response["Location"] == "/library/"
    assert Indicator.objects.count() == 2
    assert "2 indicators created, 0 updated." in [str(m) for m in client.get("/library/").context["messages"]]


def test_the_import_page_shows_every_problem_with_sheet_row_and_column(world, login):
    response = login(world.hr.user).post("/library/import/", upload(xlsx([row("N-001"), row("N-002", type="KRA")])))
    assert response.status_code == 200
    assert [(e.sheet, e.row, e.column) for e in response.context["errors"]] == [(SHEET, 3, "Type / 类型")]
    html = response.content.decode()
    assert "1 problem found — nothing was saved" in html
    assert f"<td>{SHEET}</td><td>3</td><td>Type / 类型</td><td>KRA is not one of" in html
    assert not Indicator.objects.exists()


def test_the_import_page_shows_why_a_csv_file_is_refused(world, login):
    response = login(world.hr.user).post("/library/import/", upload(b"code,name\nN-001,x\n"))
    assert response.status_code == 200
    assert "looks like a CSV" in response.context["form"].errors["file"][0]


def test_the_import_page_refuses_a_file_over_the_limit_before_reading_it(world, login, settings):
    settings.XLSX_MAX_UPLOAD_BYTES = 100
    response = login(world.hr.user).post("/library/import/", upload(xlsx([row()])))
    assert "larger than" in response.context["form"].errors["file"][0]
    assert not Indicator.objects.exists()


def test_an_employee_cannot_post_to_the_import_page(world, login):
    response = login(world.emp_a.user).post("/library/import/", upload(xlsx([row()])))
    assert response.status_code == 403
    assert not Indicator.objects.exists()


def test_the_owner_column_takes_a_department_or_a_post_code(world):
    from bsc_site.xlsx import write_workbook
    from indicators.indicator_excel import COLUMNS, import_indicators
    from indicators.models import Indicator
    from tests.strategy.factories import ensure_perspectives

    ensure_perspectives()
    header = [c.headers[0] for c in COLUMNS]
    keys = [c.key for c in COLUMNS]

    def row(**values):
        return [values.get(k, "") for k in keys]

    data = write_workbook([("Indicators", header, [
        row(code="OWN-1", name_en="By department", perspective="financial", owner=world.dept_a.code),
        row(code="OWN-2", name_en="By post", perspective="financial", owner=world.post_b.code),
    ])])
    result = import_indicators(by=world.hr.user, data=data)
    assert result.errors == []
    assert Indicator.objects.get(code="OWN-1").owner_department == world.dept_a
    assert Indicator.objects.get(code="OWN-2").owner_post == world.post_b
    bad = write_workbook([("Indicators", header, [row(code="OWN-3", name_en="x", perspective="financial", owner="NOPE")])])
    errors = import_indicators(by=world.hr.user, data=bad).errors
    assert [(e.row, e.column) for e in errors] == [(2, "Owner (department or post code) / 责任部门或岗位编码")]

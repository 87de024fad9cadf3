"""A scorecard in Excel: the printed layout, the template, and the all-or-nothing import
from the same layout, with every problem located by sheet, row and column."""

import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied
from django.utils import translation

from bsc_site.xlsx import SpreadsheetError
from indicators import scoring
from indicators.models import Indicator, ScoringMethod
from scorecards import selectors, services
from scorecards.card_excel import FIELD, HEADER, POSITION, SHEET, export_template, export_version, import_scorecard
from scorecards.models import CascadeLink, Level, Scorecard, VersionStatus
from strategy.models import Perspective
from tests.scorecards.factories import indicator, valid_card, weights

D = Decimal
pytestmark = pytest.mark.django_db

PROFILE_SHARES = ["5", "5", "6", "7", "8", "9", "10", "10", "9", "9", "10", "12"]


@pytest.fixture
def hr(world):
    return world.hr.user


def rich_card(by, post, *, year=2026):
    """A post card using every setting: within-perspective weights, a capped veto, the
    front-line rule, manual, profile and year-end phasing, custom parameters, a PCI line."""
    profile = services.save_profile(by=by, code="sales", name_en="Sales season", shares=PROFILE_SHARES)
    card = services.create_scorecard(by=by, year=year, level=Level.POST, post=post)
    version = services.update_version(
        by=by, version=card.versions.get(), convention="within_perspective", perspective_weights=weights("40", "30", "20", "10"),
        veto_mode="cap", veto_ceiling=D("59.99"), front_line=True, effective_from=3, note="=Agreed with sales",
    )

    def add(item, **fields):
        services.save_line(by=by, version=version, indicator=item, **fields)

    add(indicator("F-REV", "financial", unit="万元"), weight=D("100"), target=D("1200"), phasing="manual", month_targets=["90"] * 6 + ["110"] * 6)
    add(indicator("C-SAL", "customer"), weight=D("60"), target=D("1200.50"), phasing="profile", profile=profile)
    add(
        indicator("C-SAT", "customer", unit="%", method="zero_one", direction="target_range"), weight=D("40"), target=D("95"),
        target_low=D("90"), target_high=D("98.5"), params={"full": "90"}, data_owner="hr",
    )
    add(indicator("P-VETO", "internal_process", type="NNI", method="zero_one"), target=D("0"))
    add(
        indicator("P-LVL", "internal_process"), weight=D("100"), target=D("120"), aggregation="last", phasing_start=D("30"),
        params={"cap": "150", "floor": "0", "zero_below": "50"},
    )
    add(indicator("L-COMP", "learning_growth", type="PCI", method="description"), weight=D("100"), rating_mode="360", data_owner="raters")
    assert services.card_problems(version) == []
    return card, version


def department_card(by, department):
    items = [indicator(f"D-{code[:3].upper()}", code) for code in ("financial", "customer", "internal_process", "learning_growth")]
    return valid_card(by, level=Level.DEPARTMENT, department=department, indicators=items)


def snapshot(card) -> dict:
    """Everything the import restores: the owner, the newest version's settings, every line."""
    version = selectors.latest_version(card)
    return {
        "level": card.level,
        "owner": card.owner_key,
        "settings": {name: getattr(version, name) for name in services.VERSION_FIELDS},
        "lines": [
            {"indicator": line.indicator.code, **{name: getattr(line, name) for name in services.LINE_FIELDS}}
            for line in version.lines.select_related("indicator", "perspective", "profile")
        ],
    }


def workbook_of(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data))


def header_row(sheet, key) -> int:
    return next(row for row in range(1, 40) if sheet.cell(row=row, column=1).value == FIELD[key].label)


def line_row(sheet, code) -> int:
    return next(row for row in range(1, sheet.max_row + 1) if sheet.cell(row=row, column=1).value == code)


def edit(data: bytes, *, header=None, lines=None, change=None) -> bytes:
    """The file with header values (by field key) and line cells ({code: {column key: value}})
    changed; `change(sheet)` may do more. A value starting with "=" becomes a live formula."""
    workbook = workbook_of(data)
    sheet = workbook[SHEET]
    for key, value in (header or {}).items():
        sheet.cell(row=header_row(sheet, key), column=3).value = value
    for code, values in (lines or {}).items():
        row = line_row(sheet, code)
        for key, value in values.items():
            sheet.cell(row=row, column=POSITION[key]).value = value
    if change:
        change(sheet)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def problems(result) -> list[tuple]:
    return [(e.sheet, e.row, e.column, e.message) for e in result.errors]


def only_problem(result):
    assert len(result.errors) == 1, problems(result)
    return result.errors[0]


# --- the printed layout ---------------------------------------------------------------------


def test_the_export_has_a_header_block_with_the_card_and_its_policies(world, hr):
    card, version = rich_card(hr, world.post_a)
    sheet = workbook_of(export_version(version))[SHEET]
    value = lambda key: sheet.cell(row=header_row(sheet, key), column=3).value  # noqa: E731
    assert (value("year"), value("level"), value("owner_code"), value("owner_name")) == (2026, "Post", world.post_a.code, card.owner_name)
    assert (value("version"), value("status"), value("effective_from")) == (1, "Draft", 3)
    assert value("convention") == "Line weights are % of their perspective"
    assert (value("veto_mode"), value("veto_ceiling"), value("veto_deduction")) == ("Total capped at a ceiling", 59.99, None)
    assert (value("front_line"), value("inspection_deduction"), value("note")) == ("Yes / 是", "No / 否", "=Agreed with sales")
    note = sheet.cell(row=header_row(sheet, "convention"), column=7).value
    assert "% of the line's perspective" in note and "effective weight: % of the whole card" in note and "权重为占所属维度的百分比" in note


def test_the_export_groups_lines_under_perspective_headings_with_weights_and_totals(world, hr):
    card, version = rich_card(hr, world.post_a)
    sheet = workbook_of(export_version(version))[SHEET]
    table = next(row for row in range(1, 40) if sheet.cell(row=row, column=1).value == HEADER["code"])
    assert [c.value for c in sheet[table]][:4] == ["Code / 编码", "Indicator / 指标名称", "Type / 类型", "Weight (%) / 权重"]
    assert [c.value for c in sheet[table]][-12:] == [f"{m} / {n}月" for n, m in enumerate(("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1)]
    rows = [[c.value for c in sheet[row]] for row in range(table + 1, sheet.max_row + 1)]
    heading = {p.code: f"{p.name_en} / {p.name_zh}" for p in Perspective.objects.all()}
    # (code, name, weight, effective weight): a heading row has no code and names the perspective.
    assert [(row[0], row[1] if row[0] is None else None, row[3], row[4]) for row in rows] == [
        (None, heading["financial"], 40, 40),
        ("F-REV", None, 100, 40),
        (None, heading["customer"], 30, 30),
        ("C-SAL", None, 60, 18),
        ("C-SAT", None, 40, 12),
        (None, heading["internal_process"], 20, 20),
        ("P-VETO", None, 0, 0),
        ("P-LVL", None, 100, 20),
        (None, heading["learning_growth"], 10, 10),
        ("L-COMP", None, 100, 10),
        (None, "Total / 合计 (6)", 100, 100),
    ]
    assert rows[1][1] == Indicator.objects.get(code="F-REV").name_en
    revenue = dict(zip([c.value for c in sheet[table]], rows[1], strict=True))
    assert revenue["Annual target / 年度目标值"] == 1200 and revenue["Unit / 单位"] == "万元"
    assert revenue["Phasing / 目标分解方式"] == "Manual" and revenue["Jan / 1月"] == 90 and revenue["Dec / 12月"] == 110
    satisfaction = dict(zip([c.value for c in sheet[table]], rows[4], strict=True))
    assert satisfaction["Scoring parameters (JSON) / 计分参数"] == '{"full":"90"}'
    assert satisfaction["Data supplied by / 数据提供方"] == "HR" and satisfaction["Aggregation / 汇总方式"] == "Average of the months (rates)"


def test_the_export_prints_landscape_one_page_wide_with_the_header_row_repeated(world, hr):
    card, version = rich_card(hr, world.post_a)
    sheet = workbook_of(export_version(version))[SHEET]
    table = next(row for row in range(1, 40) if sheet.cell(row=row, column=1).value == HEADER["code"])
    assert sheet.page_setup.orientation == "landscape"
    assert (sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight, sheet.sheet_properties.pageSetUpPr.fitToPage) == (1, 0, True)
    assert sheet.print_title_rows == f"${table}:${table}"
    assert sheet.cell(row=table, column=1).font.bold


def test_a_formula_looking_indicator_name_is_exported_as_text(world, hr):
    card, version = department_card(hr, world.dept_a)
    line = version.lines.get(indicator__code="D-FIN")
    line.indicator.name_en = '=HYPERLINK("http://evil.example","click")'
    line.indicator.save()
    sheet = workbook_of(export_version(version))[SHEET]
    cell = sheet.cell(row=line_row(sheet, "D-FIN"), column=POSITION["name"])
    assert (cell.value, cell.data_type, cell.quotePrefix) == ('=HYPERLINK("http://evil.example","click")', "s", True)


# --- round trips ----------------------------------------------------------------------------


def test_an_exported_card_imports_into_another_year_unchanged(world, hr):
    card, version = rich_card(hr, world.post_a)
    result = import_scorecard(by=hr, data=edit(export_version(version), header={"year": 2027}))
    assert problems(result) == []
    assert (result.created, result.scorecard.year, result.version.number, result.lines) == (True, 2027, 1, 6)
    assert snapshot(result.scorecard) == snapshot(card)
    assert selectors.latest_version(result.scorecard).lines.get(indicator__code="F-REV").month_targets == ["90"] * 6 + ["110"] * 6


def test_a_deleted_card_comes_back_from_its_export(world, hr):
    card, version = rich_card(hr, world.post_a)
    before = snapshot(card)
    exported = export_version(version)
    services.delete_scorecard(by=hr, scorecard=card)
    result = import_scorecard(by=hr, data=exported)
    assert problems(result) == [] and result.created
    assert snapshot(result.scorecard) == before
    assert services.card_problems(result.version) == []


def test_a_card_exported_in_chinese_imports_unchanged(world, hr):
    card, version = rich_card(hr, world.post_a)
    with translation.override("zh-hans"):
        exported = export_version(version)
    sheet = workbook_of(exported)[SHEET]
    assert sheet.cell(row=header_row(sheet, "level"), column=3).value == "岗位"
    result = import_scorecard(by=hr, data=edit(exported, header={"year": 2027}))
    assert problems(result) == []
    assert snapshot(result.scorecard) == snapshot(card)


def test_choices_are_accepted_as_chinese_labels_and_stored_values(world, hr):
    card, version = department_card(hr, world.dept_a)
    with translation.override("zh-hans"):
        level, interval = str(Level.DEPARTMENT.label), str(ScoringMethod.INTERVAL.label)
    assert (level, interval) == ("部门", "区间赋分法")
    data = edit(
        export_version(version), header={"year": 2027, "level": level, "veto_mode": "deduct", "veto_deduction": 10},
        lines={"D-FIN": {"method": interval, "params": None}, "D-CUS": {"method": "zero_one", "params": None, "aggregation": "LAST"}},
    )
    result = import_scorecard(by=hr, data=data)
    assert problems(result) == []
    lines = {line.indicator.code: line for line in result.version.lines.all()}
    assert (lines["D-FIN"].method, lines["D-FIN"].params) == ("interval", scoring.default_params("interval").to_dict())
    assert (lines["D-CUS"].method, lines["D-CUS"].aggregation) == ("zero_one", "last")
    assert (result.version.veto_mode, result.version.veto_deduction) == ("deduct", D("10"))


# --- importing into an existing card ----------------------------------------------------


def test_reimporting_replaces_the_content_of_the_draft(world, hr):
    card, version = rich_card(hr, world.post_a)
    data = edit(
        export_version(version), header={"effective_from": 4, "note": "Second try"},
        lines={"F-REV": {"target": 2400, "phasing": "Even"}},
        change=lambda sheet: sheet.delete_rows(line_row(sheet, "C-SAT")),
    )
    services.save_line(by=hr, version=version, indicator=indicator("F-NEW", "financial"))  # not in the file: goes
    result = import_scorecard(by=hr, data=data)
    assert problems(result) == []
    assert (result.created, result.scorecard, result.version) == (False, card, version)
    version.refresh_from_db()
    assert (version.effective_from, version.note) == (4, "Second try")
    assert list(version.lines.values_list("indicator__code", flat=True)) == ["F-REV", "C-SAL", "P-VETO", "P-LVL", "L-COMP"]
    revenue = version.lines.get(indicator__code="F-REV")
    assert (revenue.target, revenue.phasing, revenue.month_values()[0]) == (D("2400"), "even", D("200"))


def test_reimporting_keeps_the_cascade_links_of_lines_still_on_the_card(world, hr):
    company, company_version = valid_card(hr)
    shared = company_version.lines.first().indicator
    department, version = valid_card(
        hr, level=Level.DEPARTMENT, department=world.dept_a,
        indicators=[shared] + [indicator(f"E-{code}", code) for code in ("customer", "internal_process", "learning_growth")],
    )
    services.link_line(by=hr, line=version.lines.get(indicator=shared), upper_scorecard=company, upper_indicator=shared)
    result = import_scorecard(by=hr, data=export_version(version))
    assert problems(result) == []
    assert CascadeLink.objects.filter(line__version=version, upper_scorecard=company, upper_indicator=shared).count() == 1


def test_an_approved_card_refuses_the_import_and_says_to_start_a_new_version(world, hr):
    card, version = department_card(hr, world.dept_a)
    services.submit_version(by=hr, version=version)
    services.approve_version(by=hr, version=version)
    before = snapshot(card)
    data = edit(export_version(version), lines={"D-FIN": {"weight": 30}, "D-CUS": {"weight": 20}})
    error = only_problem(import_scorecard(by=hr, data=data))
    sheet = workbook_of(data)[SHEET]
    assert (error.sheet, error.row, error.column) == (SHEET, header_row(sheet, "status"), FIELD["status"].label)
    assert error.message == "Version 1 is approved and cannot change; make a new version instead."
    assert snapshot(card) == before


def test_a_new_version_in_draft_takes_the_import(world, hr):
    card, version = department_card(hr, world.dept_a)
    services.submit_version(by=hr, version=version)
    services.approve_version(by=hr, version=version)
    v2 = services.new_version(by=hr, scorecard=card, effective_from=6, note="mid-year")
    data = edit(export_version(version), header={"effective_from": 6, "note": "mid-year"}, lines={"D-FIN": {"target": 150}})
    result = import_scorecard(by=hr, data=data)
    assert problems(result) == []
    assert result.version == v2
    assert v2.lines.get(indicator__code="D-FIN").target == D("150")
    assert version.lines.get(indicator__code="D-FIN").target == D("100")


# --- located problems, nothing saved ------------------------------------------------------


@pytest.mark.parametrize(
    ("cells", "column", "message"),
    [
        ({"code": "NOPE"}, "Code / 编码", "no indicator in the library has the code NOPE"),
        ({"weight": "abc"}, "Weight (%) / 权重", "“abc” is not a number."),
        ({"code": "X-PCI"}, "Type / 类型", "A PCI indicator cannot be used on a Department scorecard; allowed types: KPI, PRI, NNI."),
        ({"method": "Guesswork"}, "Scoring method / 计分方法", "Guesswork is not one of: percentage, interval, zero_one, deduction, description"),
        ({"weight": "=10+15"}, "Weight (%) / 权重", "holds a formula; enter the value itself"),
        ({"params": "{cap: 120"}, "Scoring parameters (JSON) / 计分参数", "enter the parameters as JSON text, or leave it blank"),
        ({"phasing": "Manual", "m5": "lots"}, "May / 5月", "“lots” is not a number."),
        ({"profile": "nope"}, "Profile code / 季节系数编码", "no seasonal profile has the code nope"),
    ],
)
def test_a_bad_cell_is_located_and_nothing_is_saved(world, hr, cells, column, message):
    indicator("X-PCI", "customer", type="PCI")
    card, version = department_card(hr, world.dept_a)
    exported = export_version(version)
    row = line_row(workbook_of(exported)[SHEET], "D-CUS")
    error = only_problem(import_scorecard(by=hr, data=edit(exported, header={"year": 2027}, lines={"D-CUS": cells})))
    assert (error.sheet, error.row, error.column, error.message) == (SHEET, row, column, message)
    assert not Scorecard.objects.filter(year=2027).exists()


def test_a_bad_file_leaves_the_existing_draft_as_it_was(world, hr):
    card, version = department_card(hr, world.dept_a)
    before = snapshot(card)
    data = edit(export_version(version), header={"note": "changed"}, lines={"D-FIN": {"weight": 40}, "D-CUS": {"code": "NOPE"}})
    result = import_scorecard(by=hr, data=data)
    assert [e.column for e in result.errors] == ["Code / 编码"]
    assert (result.scorecard, result.version, result.created) == (None, None, False)
    assert snapshot(card) == before


def test_every_problem_is_listed_in_sheet_order(world, hr):
    card, version = department_card(hr, world.dept_a)
    data = edit(
        export_version(version), header={"year": 2027, "convention": "sideways"},
        lines={"D-LEA": {"weight": "x"}, "D-FIN": {"code": "NOPE", "method": "Guess"}, "D-CUS": {"method": "Guess", "target": "?"}},
    )
    sheet = workbook_of(data)[SHEET]
    result = import_scorecard(by=hr, data=data)
    assert [(e.row, e.column) for e in result.errors] == [
        (header_row(sheet, "convention"), FIELD["convention"].label),
        (line_row(sheet, "NOPE"), "Code / 编码"),
        (line_row(sheet, "D-CUS"), "Annual target / 年度目标值"),
        (line_row(sheet, "D-CUS"), "Scoring method / 计分方法"),
        (line_row(sheet, "D-LEA"), "Weight (%) / 权重"),
    ]


def test_the_services_refusals_come_back_on_the_cell_they_are_about(world, hr):
    """A veto line with a weight and a capped veto without a ceiling are refused by the
    services; the messages land on the weight cell and the ceiling row."""
    card, version = rich_card(hr, world.post_a)
    data = edit(export_version(version), header={"year": 2027, "veto_ceiling": None}, lines={"P-VETO": {"weight": 5}})
    sheet = workbook_of(data)[SHEET]
    result = import_scorecard(by=hr, data=data)
    assert [(e.row, e.column) for e in result.errors] == [
        (header_row(sheet, "veto_ceiling"), FIELD["veto_ceiling"].label),
        (line_row(sheet, "P-VETO"), "Weight (%) / 权重"),
    ]
    assert "Enter the ceiling" in result.errors[0].message and "carries no weight" in result.errors[1].message
    assert not Scorecard.objects.filter(year=2027).exists()


def test_a_month_out_of_range_is_refused_by_the_services_on_the_effective_from_row(world, hr):
    card, version = department_card(hr, world.dept_a)
    data = edit(export_version(version), header={"year": 2027, "effective_from": 13})
    error = only_problem(import_scorecard(by=hr, data=data))
    assert (error.row, error.column) == (header_row(workbook_of(data)[SHEET], "effective_from"), FIELD["effective_from"].label)
    assert "12" in error.message
    assert not Scorecard.objects.filter(year=2027).exists()


def test_manual_phasing_with_a_month_left_blank_names_the_month(world, hr):
    card, version = department_card(hr, world.dept_a)
    months = {f"m{n}": 10 for n in range(1, 13)} | {"m7": None}
    error = only_problem(import_scorecard(by=hr, data=edit(export_version(version), lines={"D-FIN": {"phasing": "manual", **months}})))
    assert (error.column, error.message) == ("Jul / 7月", "Enter twelve monthly targets.")


def test_a_company_card_has_no_owner_code(world, hr):
    card, version = valid_card(hr)
    exported = export_version(version)
    assert workbook_of(exported)[SHEET].cell(row=header_row(workbook_of(exported)[SHEET], "owner_code"), column=3).value is None
    result = import_scorecard(by=hr, data=edit(exported, header={"year": 2027}))
    assert problems(result) == []
    assert (result.scorecard.level, result.scorecard.owner_key) == ("company", "company")
    error = only_problem(import_scorecard(by=hr, data=edit(exported, header={"year": 2028, "owner_code": "A"})))
    assert (error.column, error.message) == (FIELD["owner_code"].label, "A company scorecard has no department, team or post.")


def test_an_unknown_owner_code_is_located_on_the_owner_row(world, hr):
    card, version = department_card(hr, world.dept_a)
    data = edit(export_version(version), header={"year": 2027, "owner_code": "ZZ"})
    error = only_problem(import_scorecard(by=hr, data=data))
    assert (error.row, error.column, error.message) == (header_row(workbook_of(data)[SHEET], "owner_code"), FIELD["owner_code"].label, "no department has the code ZZ")


def test_a_line_without_a_code_is_reported_not_dropped(world, hr):
    card, version = department_card(hr, world.dept_a)
    data = edit(export_version(version), header={"year": 2027}, lines={"D-CUS": {"code": None}})
    error = only_problem(import_scorecard(by=hr, data=data))
    assert (error.column, error.message) == ("Code / 编码", "is required")


def test_a_weight_formatted_as_a_percentage_reads_as_the_percentage_shown(world, hr):
    card, version = department_card(hr, world.dept_a)

    def percent(sheet):
        cell = sheet.cell(row=line_row(sheet, "D-FIN"), column=POSITION["weight"])
        cell.value, cell.number_format = 0.25, "0%"

    result = import_scorecard(by=hr, data=edit(export_version(version), header={"year": 2027}, change=percent))
    assert problems(result) == []
    assert result.version.lines.get(indicator__code="D-FIN").weight == D("25")


# --- the template -----------------------------------------------------------------------------


def test_the_filled_in_template_creates_a_card(world, hr):
    indicator("T-REV", "financial")
    workbook = workbook_of(export_template())
    assert workbook.sheetnames == [SHEET, "Instructions 说明"]
    sheet = workbook[SHEET]
    for key, value in {"year": 2026, "level": "post", "owner_code": world.post_a.code}.items():
        sheet.cell(row=header_row(sheet, key), column=3).value = value
    financial = next(row for row in range(1, sheet.max_row + 1) if sheet.cell(row=row, column=2).value == "Financial / 财务")
    for key, value in {"code": "T-REV", "weight": 25, "target": 1000}.items():
        sheet.cell(row=financial + 1, column=POSITION[key]).value = value
    out = io.BytesIO()
    workbook.save(out)
    result = import_scorecard(by=hr, data=out.getvalue())
    assert problems(result) == []
    version = result.version
    assert (result.scorecard.level, result.scorecard.post, version.perspective_weights) == ("post", world.post_a, weights())
    line = version.lines.get()
    assert (line.indicator.code, line.perspective.code, line.weight, line.target, line.method) == ("T-REV", "financial", D("25"), D("1000"), "percentage")


def test_the_empty_template_asks_for_the_year_and_saves_nothing(world, hr):
    result = import_scorecard(by=hr, data=export_template())
    assert [(e.column, e.message) for e in result.errors] == [("Year / 年度", "is required"), ("Level / 层级", "is required")]
    assert not Scorecard.objects.exists()


# --- refused files and callers ---------------------------------------------------------------


@pytest.mark.parametrize("actor", ["emp_a", "head_a", "gm"])
def test_only_people_who_edit_scorecards_may_import(world, hr, actor):
    card, version = department_card(hr, world.dept_a)
    data = edit(export_version(version), header={"year": 2027})
    with pytest.raises(PermissionDenied):
        import_scorecard(by=getattr(world, actor).user, data=data)
    assert not Scorecard.objects.filter(year=2027).exists()


def test_a_csv_file_is_refused_as_a_whole(hr):
    with pytest.raises(SpreadsheetError, match="looks like a CSV"):
        import_scorecard(by=hr, data=b"code,weight\nD-FIN,25\n")


def test_a_workbook_without_a_line_table_is_refused_as_a_whole(hr):
    workbook = openpyxl.Workbook()
    workbook.active.append(["Year / 年度", None, 2026])
    out = io.BytesIO()
    workbook.save(out)
    with pytest.raises(SpreadsheetError, match="No header row found in the first rows. Expected columns: Code / 编码, Weight"):
        import_scorecard(by=hr, data=out.getvalue())


def test_the_draft_status_is_what_a_new_import_gets(world, hr):
    card, version = department_card(hr, world.dept_a)
    result = import_scorecard(by=hr, data=edit(export_version(version), header={"year": 2027, "status": "Approved"}))
    assert problems(result) == []
    assert result.version.status == VersionStatus.DRAFT

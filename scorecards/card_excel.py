"""A scorecard in Excel: a version laid out the way HR prints it, an empty template, and
the import of a card from the same layout (all or nothing, every problem located by
sheet, row and column).

The "Scorecard" sheet holds a title, a header block (the label in column A, the value in
column C, a note from column G) and the line table: a header row, then for each
perspective a heading row (no code, the perspective's name in the name column and its
weight in the weight column) followed by its lines, then a totals row. On import a line
row is a row with an indicator code; heading rows give the perspective weights and the
perspective of the lines below them; the totals row is skipped. Name, type, unit and
effective weight are printed for reading and taken from the library and the card on
import; monthly targets are read back for manual phasing only (even and profile months
are worked out again).
"""

import json
import logging
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

import openpyxl
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl.cell.cell import TYPE_ERROR, TYPE_FORMULA
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from bsc_site.xlsx_print import notes_sheet, BOLD, BOX, CENTRE_WRAP, GROUP_FILL, HEADER_FILL, LABEL_FILL, TITLE_FONT, WRAP, put, to_bytes, landscape
from bsc_site.xlsx import load_rows, CellError, Column, SpreadsheetError, check_upload, normalise_header, text_of
from indicators import scoring
from indicators.models import Indicator, ScoringMethod
from organisation.models import Department, Post, Team
from organisation.services import get_company
from strategy.models import Perspective

from . import card_rules, services
from .models import (
    Aggregation,
    DataOwner,
    Level,
    PhasingMethod,
    RatingMode,
    Scorecard,
    ScorecardLine,
    ScorecardVersion,
    SeasonalProfile,
    VersionStatus,
    VetoMode,
    WeightConvention,
    owner_key,
)
from .selectors import latest_version

logger = logging.getLogger(__name__)

SHEET = "Scorecard"
INSTRUCTIONS_SHEET = "Instructions 说明"
LABEL_COLUMN, VALUE_COLUMN, NOTE_COLUMN = 1, 3, 7  # A (merged A:B), C (merged C:F), G
VALUE_SEARCH = range(1, 6)  # 0-based cells B..F: where the import looks for a header value
TABLE_SEARCH_ROWS = 60
TEMPLATE_EMPTY_ROWS = 3
CENT = Decimal("0.01")
MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


# ---------------------------------------------------------------------------------------
# The layout


@dataclass(frozen=True)
class HeaderField:
    key: str
    label: str  # printed in column A; the first spelling the import accepts
    spellings: tuple[str, ...] = ()
    exported_only: bool = False  # printed for reading, ignored on import


HEADER_FIELDS = [
    HeaderField("company", "Company / 公司", ("公司名称",), exported_only=True),
    HeaderField("year", "Year / 年度", ("年份", "plan year")),
    HeaderField("level", "Level / 层级", ("级别",)),
    HeaderField("owner_code", "Owner code / 考核对象编码", ("对象编码", "部门或岗位编码", "owner code")),
    HeaderField("owner_name", "Owner / 考核对象", ("对象名称",), exported_only=True),
    HeaderField("version", "Version / 版本", ("版本号",), exported_only=True),
    HeaderField("status", "Status / 状态", (), exported_only=True),
    HeaderField("effective_from", "Effective from month / 生效月份", ("effective from", "生效月")),
    HeaderField("convention", "Weight convention / 权重口径", ("权重规则",)),
    HeaderField("veto_mode", "Veto policy / 否决方式", ("veto", "否决规则")),
    HeaderField("veto_ceiling", "Veto ceiling (points) / 否决封顶分", ("veto ceiling",)),
    HeaderField("veto_deduction", "Veto deduction (points) / 否决扣分", ("veto deduction",)),
    HeaderField("front_line", "Sales front-line rule / 销售一线规则", ("front line",)),
    HeaderField("inspection_deduction", "Daily-inspection deduction / 日常巡检扣分", ("inspection deduction",)),
    HeaderField("note", "Reason for this version / 版本说明", ("note", "说明")),
]
FIELD = {f.key: f for f in HEADER_FIELDS}
REQUIRED_FIELDS = ("year", "level")

COLUMNS = [
    Column("code", ("Code / 编码", "Indicator code", "指标编码", "code"), required=True),
    Column("name", ("Indicator / 指标名称", "Name", "名称", "name")),
    Column("type", ("Type / 类型", "指标类型", "type")),
    Column("weight", ("Weight (%) / 权重", "weight"), required=True),
    Column("effective_weight", ("Effective weight (% of total) / 实际权重", "effective weight")),
    Column("target", ("Annual target / 年度目标值", "目标值", "年度目标", "target")),
    Column("target_low", ("Range from / 目标区间下限", "target range from", "target_low")),
    Column("target_high", ("Range to / 目标区间上限", "target range to", "target_high")),
    Column("unit", ("Unit / 单位", "unit")),
    Column("method", ("Scoring method / 计分方法", "method")),
    Column("params", ("Scoring parameters (JSON) / 计分参数", "scoring parameters", "params")),
    Column("data_owner", ("Data supplied by / 数据提供方", "数据来源", "data owner")),
    Column("rating_mode", ("Rating mode / 评价方式", "rating mode")),
    Column("aggregation", ("Aggregation / 汇总方式", "months give the year by", "aggregation")),
    Column("phasing", ("Phasing / 目标分解方式", "目标分解", "phasing")),
    Column("profile", ("Profile code / 季节系数编码", "seasonal profile", "profile")),
    Column("phasing_start", ("Start level / 年初水平", "level at the start of the year", "start")),
    *[Column(f"m{n}", (f"{MONTH_NAMES[n - 1]} / {n}月", f"m{n}")) for n in range(1, 13)],
]
HEADER = {c.key: c.headers[0] for c in COLUMNS}
POSITION = {c.key: index for index, c in enumerate(COLUMNS, start=1)}  # where the export puts each column
MONTH_KEYS = [f"m{n}" for n in range(1, 13)]
# Columns the import reads on a line row (the others are printed for reading).
READ_KEYS = ("weight", "target", "target_low", "target_high", "method", "params", "data_owner", "rating_mode", "aggregation", "phasing", "profile", "phasing_start", *MONTH_KEYS)
WIDTHS = {
    "code": 14, "name": 30, "type": 7, "weight": 9, "effective_weight": 11, "target": 12, "target_low": 10, "target_high": 10, "unit": 7, "method": 16,
    "params": 34, "data_owner": 14, "rating_mode": 14, "aggregation": 16, "phasing": 12, "profile": 12, "phasing_start": 10,
}
TOTAL_SPELLINGS = {"total", "合计", "总计"}
YES, NO = "Yes / 是", "No / 否"
BOOLEANS = {
    "yes / 是": True, "yes": True, "y": True, "true": True, "1": True, "on": True, "是": True, "√": True, "✓": True,
    "no / 否": False, "no": False, "n": False, "false": False, "0": False, "off": False, "否": False, "×": False,
}

LINE_CHOICES = {"method": ScoringMethod, "data_owner": DataOwner, "rating_mode": RatingMode, "aggregation": Aggregation, "phasing": PhasingMethod}
HEADER_CHOICES = {"level": Level, "convention": WeightConvention, "veto_mode": VetoMode}



# ---------------------------------------------------------------------------------------
# Writing




def _plain(value: Decimal | None) -> Decimal | None:
    """A Decimal without trailing zeros (25.00 -> 25), so the sheet shows what was typed."""
    if value is None:
        return None
    value = Decimal(value)
    normal = value.normalize()
    return normal.quantize(Decimal(1)) if normal == normal.to_integral_value() else normal


def _yes_no(value: bool) -> str:
    return YES if value else NO


def _label(choices, value) -> str:
    return str(choices(value).label) if value in choices.values else (value or "")


def _perspective_heading(perspective: Perspective) -> str:
    return " / ".join(name for name in (perspective.name_en, perspective.name_zh) if name) or perspective.code


def _new_sheet():
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = SHEET
    return workbook, sheet


def _write_header_block(sheet, values: dict, notes: dict) -> tuple[int, dict[str, int]]:
    """Title in row 1, then one row per header field; returns the next free row and the
    row of each field."""
    last = get_column_letter(len(COLUMNS))
    put(sheet, 1, 1, values.pop("title"), font=TITLE_FONT)
    sheet.merge_cells(f"A1:{last}1")
    sheet.row_dimensions[1].height = 24
    row, rows = 3, {}
    for header_field in HEADER_FIELDS:
        rows[header_field.key] = row
        put(sheet, row, LABEL_COLUMN, header_field.label, font=BOLD, fill=LABEL_FILL, border=BOX)
        put(sheet, row, LABEL_COLUMN + 1, None, fill=LABEL_FILL, border=BOX)
        sheet.merge_cells(start_row=row, start_column=LABEL_COLUMN, end_row=row, end_column=LABEL_COLUMN + 1)
        value = values.get(header_field.key)
        put(sheet, row, VALUE_COLUMN, value, border=BOX, alignment=Alignment(horizontal="left"))
        for column in range(VALUE_COLUMN + 1, NOTE_COLUMN):
            put(sheet, row, column, None, border=BOX)
        sheet.merge_cells(start_row=row, start_column=VALUE_COLUMN, end_row=row, end_column=NOTE_COLUMN - 1)
        if notes.get(header_field.key):
            put(sheet, row, NOTE_COLUMN, notes[header_field.key], font=Font(italic=True, color="595959"))
        row += 1
    return row + 1, rows


def _write_table_header(sheet, row: int) -> None:
    for column in COLUMNS:
        put(sheet, row, POSITION[column.key], column.headers[0], font=BOLD, fill=HEADER_FILL, alignment=CENTRE_WRAP, border=BOX)
        sheet.column_dimensions[get_column_letter(POSITION[column.key])].width = WIDTHS.get(column.key, 9)
    sheet.row_dimensions[row].height = 45


def _write_group(sheet, row: int, perspective: Perspective, weight, effective) -> None:
    for position in range(1, len(COLUMNS) + 1):
        put(sheet, row, position, None, fill=GROUP_FILL, border=BOX)
    put(sheet, row, POSITION["name"], _perspective_heading(perspective), font=BOLD, fill=GROUP_FILL, border=BOX)
    put(sheet, row, POSITION["weight"], weight, font=BOLD, fill=GROUP_FILL, border=BOX)
    put(sheet, row, POSITION["effective_weight"], effective, font=BOLD, fill=GROUP_FILL, border=BOX, number_format="0.00")


def _write_line(sheet, row: int, values: dict) -> None:
    for column in COLUMNS:
        key = column.key
        number_format = {"effective_weight": "0.00", "code": "@"}.get(key)  # codes keep their leading zeros
        # Names wrap; the parameters' JSON stays on one line (the cell keeps all of it).
        alignment = WRAP if key == "name" else Alignment(vertical="top")
        put(sheet, row, POSITION[key], values.get(key), number_format=number_format, alignment=alignment, border=BOX)


def _write_totals(sheet, row: int, count: int, weight, effective) -> None:
    for position in range(1, len(COLUMNS) + 1):
        put(sheet, row, position, None, fill=HEADER_FILL, border=BOX)
    label = "Total / 合计" + (f" ({count})" if count else "")
    put(sheet, row, POSITION["name"], label, font=BOLD, fill=HEADER_FILL, border=BOX)
    put(sheet, row, POSITION["weight"], weight, font=BOLD, fill=HEADER_FILL, border=BOX)
    put(sheet, row, POSITION["effective_weight"], effective, font=BOLD, fill=HEADER_FILL, border=BOX, number_format="0.00")


def _dropdown(choices) -> str | None:
    """An in-cell list of the labels (else the values) in the active language."""
    for options in ([str(label) for _value, label in choices.choices], list(choices.values)):
        text = ",".join(options)
        if not any("," in option or '"' in option for option in options) and len(text) <= 250:
            return f'"{text}"'
    return None


def _add_dropdowns(sheet, header_rows: dict[str, int], first_line_row: int, last_line_row: int) -> None:
    """Pick lists for choice cells; typing another accepted spelling stays allowed."""
    targets = [(choices, f"{get_column_letter(VALUE_COLUMN)}{header_rows[key]}") for key, choices in HEADER_CHOICES.items()]
    yes_no = f'"{YES},{NO}"'
    targets += [(yes_no, f"{get_column_letter(VALUE_COLUMN)}{header_rows[key]}") for key in ("front_line", "inspection_deduction")]
    for key, choices in LINE_CHOICES.items():
        letter = get_column_letter(POSITION[key])
        targets.append((choices, f"{letter}{first_line_row}:{letter}{max(last_line_row, first_line_row) + 50}"))
    for choices, cells in targets:
        formula = choices if isinstance(choices, str) else _dropdown(choices)
        if formula is None:
            continue
        validation = DataValidation(type="list", formula1=formula, allow_blank=True, showErrorMessage=False)
        sheet.add_data_validation(validation)
        validation.add(cells)


def _print_setup(sheet, table_header_row: int) -> None:
    landscape(sheet, table_header_row)
    sheet.freeze_panes = sheet.cell(row=table_header_row + 1, column=POSITION["name"] + 1)




def _effective_weights(version: ScorecardVersion, lines: list[ScorecardLine]) -> dict[str, Decimal]:
    """Each line's share of the total, rounded to 0.01 (adding up to 100 when the card does)."""
    card = services.rule_card(version, lines)
    try:
        return card_rules.effective_weights(card)
    except card_rules.CardError:
        return {key: weight.quantize(CENT, ROUND_HALF_UP) for key, weight in card_rules.unrounded_effective_weights(card).items()}


# Notes printed next to the header block and on the instructions sheet: bilingual, like
# the headers, so a printout reads the same whatever the language of the page.
CONVENTION_NOTES = {
    WeightConvention.OF_TOTAL: (
        "Weight: % of the whole card (each perspective's lines add up to its weight); effective weight: the same. / "
        "权重为占整张计分卡的百分比（各维度指标权重之和等于该维度权重）；实际权重与之相同。"
    ),
    WeightConvention.WITHIN_PERSPECTIVE: (
        "Weight: % of the line's perspective (each perspective's lines add up to 100); effective weight: % of the whole card. / "
        "权重为占所属维度的百分比（各维度指标权重之和为100）；实际权重为占整张计分卡的百分比。"
    ),
}
VETO_NOTES = {
    VetoMode.ZERO: "A vetoed card's total is 0. / 触发否决时总分为0。",
    VetoMode.CAP: "A vetoed card's total is capped at the ceiling. / 触发否决时总分不超过封顶分。",
    VetoMode.DEDUCT: "The deduction is taken off a vetoed card's total. / 触发否决时从总分中扣除扣分。",
}
OWNER_NOTE = "Department, team or post code; blank for the company. / 部门、小组或岗位编码；公司计分卡留空。"
FRONT_LINE_NOTE = "Financial perspective scored separately, counted at full marks in the BSC total. / 财务维度单独计分，在BSC总分中按满分计。"
INSPECTION_NOTE = "One point off the internal-process score per person missing from an inspection record. / 日常巡检记录每缺一人，内部流程得分扣1分。"


def export_version(version: ScorecardVersion) -> bytes:
    """One version of a card as the printable "Scorecard" sheet (see the module's doc)."""
    version = ScorecardVersion.objects.select_related("scorecard__department", "scorecard__team", "scorecard__post").get(pk=version.pk)
    card = version.scorecard
    lines = list(version.lines.select_related("indicator", "perspective", "profile"))
    effective = _effective_weights(version, lines)
    owner = card.owner
    values = {
        "title": f"Balanced scorecard / 平衡计分卡: {card.owner_name}, {card.year}",
        "company": get_company().display_name,
        "year": card.year,
        "level": _label(Level, card.level),
        "owner_code": owner.code if owner is not None else "",
        "owner_name": card.owner_name,
        "version": version.number,
        "status": version.get_status_display(),
        "effective_from": version.effective_from,
        "convention": _label(WeightConvention, version.convention),
        "veto_mode": _label(VetoMode, version.veto_mode),
        "veto_ceiling": _plain(version.veto_ceiling),
        "veto_deduction": _plain(version.veto_deduction),
        "front_line": _yes_no(version.front_line),
        "inspection_deduction": _yes_no(version.inspection_deduction),
        "note": version.note,
    }
    notes = {
        "owner_code": OWNER_NOTE,
        "effective_from": f"{MONTH_NAMES[version.effective_from - 1]} / {version.effective_from}月" if 1 <= version.effective_from <= 12 else "",
        "convention": CONVENTION_NOTES.get(version.convention, ""),
        "veto_mode": VETO_NOTES.get(version.veto_mode, ""),
        "front_line": FRONT_LINE_NOTE,
        "inspection_deduction": INSPECTION_NOTE,
    }
    workbook, sheet = _new_sheet()
    header_row, header_rows = _write_header_block(sheet, values, notes)
    _write_table_header(sheet, header_row)
    row = header_row + 1
    total_weight = Decimal(0)
    for perspective in Perspective.objects.order_by("sort_order"):
        group = [line for line in lines if line.perspective_id == perspective.pk]
        group_effective = sum((effective.get(str(line.pk), Decimal(0)) for line in group), Decimal(0))
        _write_group(sheet, row, perspective, _plain(version.weight_of(perspective.code)), group_effective)
        row += 1
        for line in group:
            _write_line(sheet, row, _line_values(line, effective.get(str(line.pk))))
            total_weight += line.weight
            row += 1
    if version.convention == WeightConvention.WITHIN_PERSPECTIVE:
        total_weight = sum((Decimal(str(weight)) for weight in version.perspective_weights.values()), Decimal(0))
    _write_totals(sheet, row, len(lines), _plain(total_weight), sum(effective.values(), Decimal(0)))
    _add_dropdowns(sheet, header_rows, header_row + 1, row)
    _print_setup(sheet, header_row)
    return to_bytes(workbook)


def _line_values(line: ScorecardLine, effective: Decimal | None) -> dict:
    indicator = line.indicator
    values = {
        "code": indicator.code,
        "name": indicator.display_name,
        "type": indicator.type,
        "weight": _plain(line.weight),
        "effective_weight": effective,
        "target": _plain(line.target),
        "target_low": _plain(line.target_low),
        "target_high": _plain(line.target_high),
        "unit": indicator.unit,
        "method": _label(ScoringMethod, line.method),
        "params": json.dumps(line.params or {}, ensure_ascii=False, separators=(",", ":")),
        "data_owner": _label(DataOwner, line.data_owner),
        "rating_mode": _label(RatingMode, line.rating_mode) if line.rating_mode else "",
        "aggregation": _label(Aggregation, line.aggregation),
        "phasing": _label(PhasingMethod, line.phasing),
        "profile": line.profile.code if line.profile else "",
        "phasing_start": _plain(line.phasing_start),
    }
    for key, month in zip(MONTH_KEYS, line.month_targets or [], strict=False):
        values[key] = _plain(Decimal(str(month)))
    return values


def _equal_shares(count: int) -> list[Decimal]:
    if not count:
        return []
    cents = 10000 // count
    shares = [Decimal(cents) / 100] * count
    for index in range(10000 - cents * count):
        shares[index] += CENT
    return [_plain(share) for share in shares]


def export_template() -> bytes:
    """An empty card to fill in: the header block, one heading per perspective (weighed
    equally) with a few empty rows under each, and an instructions sheet."""
    values = {
        "title": "Balanced scorecard / 平衡计分卡",
        "company": get_company().display_name,
        "effective_from": 1,
        "convention": _label(WeightConvention, WeightConvention.OF_TOTAL),
        "veto_mode": _label(VetoMode, VetoMode.ZERO),
        "front_line": _yes_no(False),
        "inspection_deduction": _yes_no(False),
    }
    notes = {
        "year": "Required, e.g. 2026. / 必填，例如2026。",
        "level": ", ".join(str(label) for _value, label in Level.choices),
        "owner_code": OWNER_NOTE,
        "effective_from": "1 to 12. / 1至12。",
        "convention": ", ".join(str(label) for _value, label in WeightConvention.choices),
        "veto_mode": ", ".join(str(label) for _value, label in VetoMode.choices),
        "veto_ceiling": "With a capped veto. / 否决方式为封顶时填写。",
        "veto_deduction": "With a fixed deduction. / 否决方式为固定扣分时填写。",
        "front_line": FRONT_LINE_NOTE,
        "inspection_deduction": "Department cards only. / 仅适用于部门计分卡。",
    }
    workbook, sheet = _new_sheet()
    header_row, header_rows = _write_header_block(sheet, values, notes)
    _write_table_header(sheet, header_row)
    row = header_row + 1
    perspectives = list(Perspective.objects.order_by("sort_order"))
    for perspective, share in zip(perspectives, _equal_shares(len(perspectives)), strict=True):
        _write_group(sheet, row, perspective, share, None)
        row += 1
        for _blank in range(TEMPLATE_EMPTY_ROWS):
            _write_line(sheet, row, {})
            row += 1
    _write_totals(sheet, row, 0, None, None)
    _add_dropdowns(sheet, header_rows, header_row + 1, row)
    _print_setup(sheet, header_row)
    _write_instructions(workbook.create_sheet(INSTRUCTIONS_SHEET))
    return to_bytes(workbook)


def _write_instructions(sheet) -> None:
    def choices(kind) -> str:
        return ", ".join(f"{value} ({label})" for value, label in kind.choices)

    notes = [
        ("Header / 表头", "Fill in the value column. Year and level are required; the owner code is a department, team or post code, "
                          "blank for the company. / 填写取值列。年度和层级必填；考核对象编码填部门、小组或岗位编码，公司计分卡留空。"),
        ("Lines / 指标行", "A line is a row with an indicator code from the library. Insert rows under the heading of the line's perspective. / "
                           "有指标编码（指标库中的编码）的行即为指标行。请在所属维度标题下插入行。"),
        ("Headings / 维度标题", "A perspective heading row has no code; its weight column holds the perspective's weight (they add up to 100). / "
                               "维度标题行不填编码；其权重列为该维度权重（各维度合计100）。"),
        (HEADER["weight"], f"{CONVENTION_NOTES[WeightConvention.OF_TOTAL]}\n{CONVENTION_NOTES[WeightConvention.WITHIN_PERSPECTIVE]}"),
        (HEADER["method"], choices(ScoringMethod)),
        (HEADER["params"], "Blank: the indicator's own parameters (a new method: its defaults). Exported cards show them as JSON text. / "
                           "留空则使用指标库中的参数（更换计分方法时使用该方法的默认参数）。导出的计分卡以JSON文本显示参数。"),
        (HEADER["data_owner"], choices(DataOwner)),
        (HEADER["rating_mode"], choices(RatingMode) + ". Competency (PCI) lines only. / 仅适用于岗位胜任特征指标（PCI）。"),
        (HEADER["aggregation"], choices(Aggregation)),
        (HEADER["phasing"], choices(PhasingMethod) + ". Monthly targets are read for manual phasing only. / 仅手工分解时读取各月目标值。"),
        (HEADER["profile"], "The code of a seasonal profile, for profile phasing. / 按季节系数分解时填写季节系数编码。"),
        ("Read only / 只读", "Name, type, unit and effective weight come from the library and the card. / 指标名称、类型、单位和实际权重取自指标库和计分卡，导入时不读取。"),
        ("All or nothing / 全部或不导入", "If any cell has a problem nothing is saved and every problem is listed. / 任一单元格有问题则全部不导入，并列出所有问题。"),
        ("Existing card / 已有计分卡", "A card of the same year and owner is replaced if its newest version is a draft; otherwise start a new version first. / "
                                      "同一年度、同一考核对象已有计分卡时：最新版本为草稿则被替换，否则请先新建版本。"),
    ]
    notes_sheet(sheet, notes, (32, 100))


# ---------------------------------------------------------------------------------------
# Reading


@dataclass
class ScorecardImport:
    errors: list[CellError] = field(default_factory=list)
    scorecard: Scorecard | None = None
    version: ScorecardVersion | None = None
    created: bool = False
    lines: int = 0


class _Problems:
    """Collects CellErrors, one per cell, sortable in sheet order."""

    def __init__(self, sheet: str):
        self.sheet = sheet
        self.found: list[tuple[int, int, CellError]] = []
        self.cells: set[tuple[int, str]] = set()

    def add(self, row: int, column: str, message: str, position: int = 0) -> None:
        if (row, column) not in self.cells:
            self.cells.add((row, column))
            self.found.append((row, position, CellError(row, column, message, self.sheet)))

    def at_line(self, row: int, key: str, message: str) -> None:
        self.add(row, HEADER[key], message, POSITION[key])

    def at_field(self, rows: dict[str, int], key: str, message: str) -> None:
        if key not in rows:  # the row is not in the file: report at the year
            key = "year"
        self.add(rows[key], FIELD[key].label, message, VALUE_COLUMN)

    def has_row(self, row: int) -> bool:
        return any(found_row == row for found_row, _position, _error in self.found)

    def sorted(self) -> list[CellError]:
        return [error for _row, _position, error in sorted(self.found, key=lambda item: (item[0], item[1]))]


def _choice_lookup(choices) -> dict[str, str]:
    """The stored value or its label in either language (as indicators.indicator_excel)."""
    lookup = {}
    for value, label in choices.choices:
        lookup[value.lower()] = value
        for language in ("en", "zh-hans"):
            with translation.override(language):
                lookup[str(label).strip().lower()] = value
    return lookup


def _matcher(spellings) -> set[str]:
    names = set()
    for spelling in spellings:
        names.add(normalise_header(spelling))
        names.update(normalise_header(part) for part in str(spelling).split("/"))
    names.discard("")
    return names


def _matches(value, names: set[str]) -> bool:
    if value is None:
        return False
    text = str(value)
    return any(normalise_header(candidate) in names for candidate in [text, *text.split("/")])


def _raw(cell):
    """(value, problem) of a cell: None for an empty one, refusing formulas and error values."""
    if cell is None or cell.value is None:
        return None, None
    if cell.data_type == TYPE_FORMULA:
        return None, _("holds a formula; enter the value itself")
    if cell.data_type == TYPE_ERROR:
        return None, _("holds an error value (%(value)s)") % {"value": cell.value}
    if isinstance(cell.value, str) and not cell.value.strip():
        return None, None
    return cell.value, None


def _text(cell):
    value, problem = _raw(cell)
    return ("" if value is None else text_of(value)), problem


def _decimal(cell):
    """A number as Decimal (never float): numeric cells go through str(); a cell formatted
    as a percentage holds a hundredth of what it shows; "1,200" and "25%" are accepted."""
    value, problem = _raw(cell)
    if value is None or problem:
        return None, problem
    shown = text_of(value)
    if isinstance(value, bool):
        return None, _("“%(value)s” is not a number.") % {"value": shown}
    try:
        if isinstance(value, (int, float, Decimal)):
            number = Decimal(str(value))
            if "%" in (getattr(cell, "number_format", "") or ""):
                number *= 100
        else:
            text = str(value).strip().replace(",", "").replace("，", "").replace(" ", "")
            number = Decimal(text.rstrip("%％"))
    except InvalidOperation:
        return None, _("“%(value)s” is not a number.") % {"value": shown}
    if not number.is_finite():
        return None, _("“%(value)s” is not a number.") % {"value": shown}
    return number, None


def _whole(cell):
    number, problem = _decimal(cell)
    if number is not None and number != number.to_integral_value():
        return None, _("Enter a whole number.")
    return (None if number is None else int(number)), problem


@dataclass
class _Line:
    row: int
    code: str
    indicator: Indicator | None = None
    perspective: Perspective | None = None
    fields: dict = field(default_factory=dict)


@dataclass
class _Parsed:
    sheet: str
    problems: _Problems
    rows: dict[str, int] = field(default_factory=dict)  # header field -> sheet row
    header: dict = field(default_factory=dict)  # header field -> value (only the rows present)
    owner: object = None
    weights: dict[str, str] = field(default_factory=dict)
    first_heading_row: int | None = None
    lines: list[_Line] = field(default_factory=list)




def _find_table(rows) -> tuple[int, dict[str, int]]:
    """The index (in rows) of the line table's header row and its columns (key -> cell index)."""
    lookup = [(column, _matcher(column.headers)) for column in COLUMNS]
    for index, (_number, cells) in enumerate(rows[:TABLE_SEARCH_ROWS]):
        found = {}
        for position, cell in enumerate(cells):
            for column, names in lookup:
                if column.key not in found and _matches(cell.value, names):
                    found[column.key] = position
                    break
        if "code" in found and len(found) >= 3:
            missing = [column.headers[0] for column in COLUMNS if column.required and column.key not in found]
            if missing:
                raise SpreadsheetError(_("Missing required columns: %(cols)s.") % {"cols": ", ".join(missing)})
            return index, found
    required = ", ".join(column.headers[0] for column in COLUMNS if column.required)
    raise SpreadsheetError(_("No header row found in the first rows. Expected columns: %(cols)s.") % {"cols": required})


def _parse(data: bytes) -> _Parsed:
    title, rows = load_rows(data, SHEET)
    table_index, columns = _find_table(rows)
    parsed = _Parsed(sheet=title, problems=_Problems(title))
    _parse_header(parsed, rows[:table_index])
    _parse_lines(parsed, rows[table_index + 1:], columns)
    return parsed


def _parse_header(parsed: _Parsed, rows) -> None:
    problems = parsed.problems
    names = {f.key: _matcher((f.label, *f.spellings)) for f in HEADER_FIELDS}
    cells = {}
    for number, row in rows:
        if not row:
            continue
        key = next((key for key, spelling in names.items() if _matches(row[0].value, spelling)), None)
        if key is None or key in cells:
            continue
        parsed.rows[key] = number  # printed-only rows too: a problem may be shown at one
        if FIELD[key].exported_only:
            cells[key] = None
            continue
        cells[key] = next((row[i] for i in VALUE_SEARCH if i < len(row) and row[i].value not in (None, "")), None)
    missing = [FIELD[key].label for key in REQUIRED_FIELDS if key not in cells]
    if missing:
        raise SpreadsheetError(_("The header block has no row for %(rows)s.") % {"rows": ", ".join(missing)})

    def problem(key, message):
        problems.at_field(parsed.rows, key, message)

    year, error = _whole(cells["year"])
    if error or year is None:
        problem("year", error or _("is required"))
    parsed.header["year"] = year
    level = _choice(cells["level"], Level, lambda message: problem("level", message))
    if level is None and not problems.has_row(parsed.rows["level"]):
        problem("level", _("is required"))
    parsed.header["level"] = level
    code, error = _text(cells.get("owner_code"))
    if error:
        problem("owner_code", error)
    elif level is not None:
        parsed.owner = _owner(level, code, lambda message: problem("owner_code", message))
    if "effective_from" in cells:
        month, error = _whole(cells["effective_from"])  # 1-12 is checked by update_version
        if error:
            problem("effective_from", error)
        parsed.header["effective_from"] = 1 if month is None else month
    for key, choices, default in (("convention", WeightConvention, WeightConvention.OF_TOTAL), ("veto_mode", VetoMode, VetoMode.ZERO)):
        if key in cells:
            parsed.header[key] = _choice(cells[key], choices, lambda message, key=key: problem(key, message)) or default
    for key in ("veto_ceiling", "veto_deduction"):
        if key in cells:
            number, error = _decimal(cells[key])
            if error:
                problem(key, error)
            parsed.header[key] = number
    for key in ("front_line", "inspection_deduction"):
        if key in cells:
            text, error = _text(cells[key])
            if error or (text and text.lower() not in BOOLEANS):
                problem(key, error or _("%(value)s is not one of: %(choices)s") % {"value": text, "choices": "Yes, No, 是, 否"})
            parsed.header[key] = BOOLEANS.get(text.lower(), False)
    if "note" in cells:
        value, error = _raw(cells["note"])
        if error:
            problem("note", error)
        parsed.header["note"] = "" if value is None else (value.strip() if isinstance(value, str) else text_of(value))


def _choice(cell, choices, report, lookup=None):
    text, error = _text(cell)
    if error:
        report(error)
        return None
    if not text:
        return None
    lookup = lookup or _choice_lookup(choices)
    value = lookup.get(text.strip().lower())
    if value is None:
        report(_("%(value)s is not one of: %(choices)s") % {"value": text, "choices": ", ".join(choices.values)})
    return value


def _owner(level: str, code: str, report):
    if level == Level.COMPANY:
        if code:
            report(_("A company scorecard has no department, team or post."))
        return None
    model = {Level.DEPARTMENT: Department, Level.TEAM: Team, Level.POST: Post}[level]
    if not code:
        report(_("is required"))
        return None
    owner = model.objects.filter(code=code).first() or model.objects.filter(code__iexact=code).first()
    if owner is None:
        report(_("no %(level)s has the code %(value)s") % {"level": services.level_name(level).lower(), "value": code})
    return owner


def _parse_lines(parsed: _Parsed, rows, columns: dict[str, int]) -> None:
    problems = parsed.problems
    perspective_names = {p: _matcher((p.code, p.name_en, p.name_zh, _perspective_heading(p))) for p in Perspective.objects.all()}
    totals = _matcher(TOTAL_SPELLINGS)
    indicators = {i.code: i for i in Indicator.objects.select_related("perspective")}
    folded = {code.lower(): i for code, i in indicators.items()}
    profiles = {}
    for profile in SeasonalProfile.objects.all():
        for name in (profile.name_en, profile.name_zh, profile.code):
            if name:
                profiles[name.strip().lower()] = profile
    lookups = {key: _choice_lookup(choices) for key, choices in LINE_CHOICES.items()}
    level = parsed.header.get("level")
    allowed = card_rules.ALLOWED_TYPES[card_rules.Level(level)] if level else None
    headings: dict[str, int] = {}
    seen: dict[str, int] = {}
    current = None

    def cell(cells, key):
        index = columns.get(key)
        return cells[index] if index is not None and index < len(cells) else None

    for number, cells in rows:
        code, error = _text(cell(cells, "code"))
        if error:
            problems.at_line(number, "code", error)
            continue
        if not code:
            name, _error = _text(cell(cells, "name"))
            perspective = next((p for p, names in perspective_names.items() if name and _matches(name, names)), None)
            if perspective is not None:
                current = perspective
                if perspective.code in headings:
                    problems.at_line(number, "name", _("%(value)s is also on row %(row)s") % {"value": name, "row": headings[perspective.code]})
                    continue
                headings[perspective.code] = number
                parsed.first_heading_row = parsed.first_heading_row or number
                weight, error = _decimal(cell(cells, "weight"))
                if error:
                    problems.at_line(number, "weight", error)
                elif weight is not None and (weight < 0 or weight > 100 or weight.as_tuple().exponent < -2):
                    problems.at_line(
                        number, "weight",
                        _("The weight of %(perspective)s must be a number from 0 to 100 with at most two decimals.")
                        % {"perspective": perspective.display_name},
                    )
                parsed.weights[perspective.code] = str(weight) if weight is not None else "0"
            elif name and _matches(name, totals):
                continue
            elif any(_raw(cell(cells, key))[0] is not None for key in READ_KEYS if key != "weight"):
                problems.at_line(number, "code", _("is required"))
            elif name:
                choices = ", ".join(_perspective_heading(p) for p in perspective_names)
                problems.at_line(number, "name", _("%(value)s is not one of: %(choices)s") % {"value": name, "choices": choices})
            continue
        line = _Line(row=number, code=code, perspective=current)
        parsed.lines.append(line)
        if code in seen:
            problems.at_line(number, "code", _("%(value)s is also on row %(row)s") % {"value": code, "row": seen[code]})
            continue
        seen[code] = number
        line.indicator = indicators.get(code) or folded.get(code.lower())
        if line.indicator is None:
            problems.at_line(number, "code", _("no indicator in the library has the code %(value)s") % {"value": code})
            continue
        if allowed is not None and line.indicator.type not in allowed:
            problems.at_line(number, "type", _type_message(line.indicator.type, level, allowed))
        _parse_line_fields(line, lambda key: cell(cells, key), lookups, profiles, problems)


def _type_message(kind: str, level: str, allowed) -> str:
    # The card rules' own message (card_rules.Problem), so it reads the same as in the editor.
    problem = card_rules.Problem(
        "indicator", None, "A %(type)s indicator cannot be used on a %(level)s scorecard; allowed types: %(allowed)s.",
        {"type": kind, "level": level, "allowed": ", ".join(k for k in card_rules.INDICATOR_TYPES if k in allowed)},
    )
    return services.problem_message(problem)


def _parse_line_fields(line: _Line, cell, lookups, profiles, problems: _Problems) -> None:
    """Every field of a line as save_line takes it: what the file leaves blank is the
    default a new line gets, so an imported line equals one added by hand."""
    indicator, row = line.indicator, line.row

    def report(key):
        return lambda message: problems.at_line(row, key, message)

    def number(key):
        value, error = _decimal(cell(key))
        if error:
            problems.at_line(row, key, error)
        return value

    choice = {key: _choice(cell(key), LINE_CHOICES[key], report(key), lookups[key]) for key in LINE_CHOICES}
    method = choice["method"] or indicator.scoring_method
    params_text, error = _raw(cell("params"))
    if error:
        problems.at_line(row, "params", error)
    if params_text is None or error:
        if method == indicator.scoring_method:
            params = dict(indicator.scoring_params or {})
        else:
            params = scoring.default_params(method).to_dict() if method in scoring.Method._value2member_map_ else {}
    else:
        try:
            params = json.loads(str(params_text))
        except ValueError:
            params = None
        if not isinstance(params, dict):
            problems.at_line(row, "params", _("enter the parameters as JSON text, or leave it blank"))
    phasing = choice["phasing"] or PhasingMethod.EVEN
    profile = None
    profile_text, error = _text(cell("profile"))
    if error:
        problems.at_line(row, "profile", error)
    elif profile_text:
        profile = profiles.get(profile_text.lower())
        if profile is None:
            problems.at_line(row, "profile", _("no seasonal profile has the code %(value)s") % {"value": profile_text})
    months = []
    if phasing == PhasingMethod.MANUAL:
        read = [_decimal(cell(key)) for key in MONTH_KEYS]
        for key, (_value, error) in zip(MONTH_KEYS, read, strict=True):
            if error:
                problems.at_line(row, key, error)
        values = [value for value, _error in read]
        blank = [key for key, (value, error) in zip(MONTH_KEYS, read, strict=True) if value is None and not error]
        if any(value is not None for value in values) and blank and len(blank) < len(MONTH_KEYS):
            problems.at_line(row, blank[0], _("Enter twelve monthly targets."))
        months = [str(value) for value in values if value is not None]
    weight = number("weight")
    line.fields = {
        "perspective": line.perspective or indicator.perspective,
        "weight": Decimal(0) if weight is None else weight,
        "target": number("target"),
        "target_low": number("target_low"),
        "target_high": number("target_high"),
        "method": method,
        "params": params,
        "data_owner": choice["data_owner"] or DataOwner.DEPARTMENT,
        "rating_mode": choice["rating_mode"] or "",
        "aggregation": choice["aggregation"] or services.default_aggregation(indicator),
        "phasing": phasing,
        "profile": profile,
        "phasing_start": number("phasing_start"),
        "month_targets": months,
    }


# ---------------------------------------------------------------------------------------
# Importing

LINE_ERROR_KEYS = {
    "weight": "weight", "target": "target", "target_low": "target_low", "target_high": "target_high", "method": "method", "params": "params", "data_owner": "data_owner",
    "rating_mode": "rating_mode", "aggregation": "aggregation", "phasing": "phasing", "profile": "profile",
    "phasing_start": "phasing_start", "month_targets": "m1",
}
HEADER_ERROR_KEYS = {
    "year": "year", "level": "level", "department": "owner_code", "team": "owner_code", "post": "owner_code",
    "effective_from": "effective_from", "convention": "convention", "veto_mode": "veto_mode", "veto_ceiling": "veto_ceiling",
    "veto_deduction": "veto_deduction", "front_line": "front_line", "inspection_deduction": "inspection_deduction", "note": "note",
}
SETTINGS = ("effective_from", "convention", "veto_mode", "veto_ceiling", "veto_deduction", "front_line", "inspection_deduction", "note")


def _messages(exc: ValidationError) -> list[tuple[str, str]]:
    if hasattr(exc, "error_dict"):
        return [(key, message) for key, messages in exc.message_dict.items() for message in messages]
    return [(NON_FIELD_ERRORS, message) for message in exc.messages]


def import_scorecard(*, by, data: bytes) -> ScorecardImport:
    """Create or replace a card from the "Scorecard" sheet. The card is found by year and
    owner; a missing card is created, an existing one must have a draft as its newest
    version, whose settings and lines are replaced by the file's (lines already on the
    draft are updated in place, so their cascade links stay). All or nothing: any problem
    saves nothing and comes back as a CellError; an unreadable file raises SpreadsheetError."""
    if not by.has_perm("scorecards.edit_scorecards"):
        raise PermissionDenied
    check_upload(data)
    parsed = _parse(data)
    result = ScorecardImport()
    problems = parsed.problems
    header_ok = not any(problems.has_row(parsed.rows[key]) for key in ("year", "level", "owner_code") if key in parsed.rows)
    if header_ok:
        with transaction.atomic():
            _apply(by, parsed, result)
            if problems.found:
                transaction.set_rollback(True)
    result.errors = problems.sorted()
    if result.errors:
        result.scorecard, result.version, result.created, result.lines = None, None, False, 0
    return result


def _apply(by, parsed: _Parsed, result: ScorecardImport) -> None:
    problems, header = parsed.problems, parsed.header
    level, owner = header["level"], parsed.owner
    owners = {
        "department": owner if level == Level.DEPARTMENT else None,
        "team": owner if level == Level.TEAM else None,
        "post": owner if level == Level.POST else None,
    }
    key = owner_key(level, *(getattr(owners[name], "pk", None) for name in ("department", "team", "post")))
    card = Scorecard.objects.select_for_update().filter(year=header["year"], owner_key=key).first()
    if card is None:
        try:
            card = services.create_scorecard(by=by, year=header["year"], level=level, **owners)
        except ValidationError as exc:
            for field_name, message in _messages(exc):
                problems.at_field(parsed.rows, HEADER_ERROR_KEYS.get(field_name, "year"), message)
            return
        result.created = True
        version = card.versions.get()
    else:
        version = latest_version(card)
        if version.status != VersionStatus.DRAFT:
            problems.at_field(
                parsed.rows, "status" if "status" in parsed.rows else "year",
                _("Version %(number)s is %(status)s and cannot change; make a new version instead.")
                % {"number": version.number, "status": version.get_status_display().lower()},
            )
            return
    result.scorecard, result.version = card, version

    wanted = {line.indicator.pk for line in parsed.lines if line.indicator is not None}
    existing = {}
    for line in version.lines.all():
        if line.indicator_id in wanted:
            existing[line.indicator_id] = line
        else:
            services.delete_line(by=by, line=line)

    settings = {name: header[name] for name in SETTINGS if name in header}
    if parsed.weights:
        settings["perspective_weights"] = parsed.weights
    try:
        version = services.update_version(by=by, version=version, **settings)
    except ValidationError as exc:
        for field_name, message in _messages(exc):
            if field_name == "perspective_weights" and parsed.first_heading_row:
                problems.at_line(parsed.first_heading_row, "weight", message)
            else:
                problems.at_field(parsed.rows, HEADER_ERROR_KEYS.get(field_name, "year"), message)
    result.version = version

    for order, line in enumerate(parsed.lines, start=1):
        if line.indicator is None or problems.has_row(line.row):
            continue
        current = existing.get(line.indicator.pk)
        try:
            if current is not None:
                services.save_line(by=by, version=version, line=current, sort_order=order, **line.fields)
            else:
                services.save_line(by=by, version=version, indicator=line.indicator, sort_order=order, **line.fields)
        except ValidationError as exc:
            for field_name, message in _messages(exc):
                problems.at_line(line.row, LINE_ERROR_KEYS.get(field_name, "code"), message)
        else:
            result.lines += 1

"""The monthly appraisal in Excel: the bulk actuals template and its import, a form printed
the way the paper form reads, and a department results table.

**Actuals.** ``actuals_template`` gives one row per (form, line) the uploader enters (``services.
who_enters`` says "value") on the period's forms whose values can still change, pre-filled
with what is stored. ``import_actuals`` reads it back all or nothing: every problem comes
back as a ``CellError`` (sheet, row, column) and nothing is saved; otherwise each form with a
change gets one ``services.save_values`` call (which checks the rights again, voids
signatures and scores, and records the change).

Re-importing a file changes nothing: a row equal to what is stored is left alone, so no
revision moves and no signature is voided. A hidden "check" column holds a fingerprint of
each row's stored value when the template was made, so an import never silently
overwrites a change someone else made since: a row the uploader did not touch keeps the
newer value, and a row both changed is refused with a message. Rights and the form's state
are checked on the rows that change something: a re-uploaded file whose other forms have
moved on since still imports.

No scores in the template; ``export_form`` shows them only when asked (the view decides
who may see them).
"""

import hashlib
import json
import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

import openpyxl
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl.cell.cell import TYPE_ERROR, TYPE_FORMULA
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from bsc_site.numbers import plain
from bsc_site.xlsx_print import notes_sheet, BOLD, BOX, CENTRE_WRAP, GROUP_FILL, HEADER_FILL, LABEL_FILL, READ_ONLY_FILL, TITLE_FONT, WRAP, put, to_bytes, landscape
from bsc_site.xlsx import load_rows, CellError, Column, SpreadsheetError, check_upload, clean_text, normalise_header, text_of
from organisation.models import Employee
from organisation.services import get_company
from scorecards.card_excel import BOOLEANS, NO, YES
from scorecards.models import DataOwner
from strategy.models import Perspective

from . import services, workflow
from .models import Form, FormKind, FormValue, Period, SignatureRole
from .selectors import forms_visible_to

logger = logging.getLogger(__name__)

SHEET = "Actuals 实际值"
INSTRUCTIONS_SHEET = "Instructions 说明"
HEADER_SEARCH_ROWS = 10
PLACES = Decimal("0.0001")  # FormValue.actual keeps four decimal places
LIMIT = Decimal("1E14")

# ---------------------------------------------------------------------------------------
# The actuals sheet

COLUMNS = [
    Column("month", ("Month / 月份", "考核月份", "period", "month")),
    Column("employee_number", ("Employee number / 工号", "员工编号", "员工工号", "Employee No", "employee_number"), required=True),
    Column("name", ("Name / 姓名", "name")),
    Column("department", ("Department / 部门", "department")),
    Column("form", ("Form / 考核表", "考核表类型", "form kind", "form")),
    Column("status", ("Form status / 考核表状态", "status", "状态")),
    Column("code", ("Indicator code / 指标编码", "Code / 编码", "indicator_code", "code"), required=True),
    Column("indicator", ("Indicator / 指标名称", "指标", "indicator")),
    Column("unit", ("Unit / 单位", "unit")),
    Column("target", ("Target this month / 本月目标值", "本月目标", "target")),
    Column("actual", ("Actual / 实际值", "实际完成值", "完成值", "actual"), required=True),
    Column("inputs", ("Formula inputs / 公式输入", "公式输入值", "inputs")),
    Column("ratings", ("Ratings / 评价等级", "评价", "ratings")),
    Column("not_applicable", ("Not applicable / 不适用", "N/A", "NA", "not_applicable")),
    Column("remark", ("Remark / 备注", "说明", "remark")),
    Column("data_owner", ("Data supplied by / 数据提供方", "数据来源", "data owner")),
    Column("check", ("Check (do not edit) / 校验码", "校验", "check")),
]
HEADER = {column.key: column.headers[0] for column in COLUMNS}
POSITION = {column.key: index for index, column in enumerate(COLUMNS, start=1)}
READ_ONLY = ("name", "department", "status", "indicator", "unit", "data_owner", "target")
TEXT_KEYS = ("month", "employee_number", "form", "code", "inputs", "ratings", "remark", "check")
WIDTHS = {
    "month": 9, "employee_number": 12, "name": 16, "department": 16, "form": 16, "status": 16, "code": 14, "indicator": 30,
    "unit": 7, "data_owner": 14, "target": 11, "actual": 12, "inputs": 26, "ratings": 12, "not_applicable": 10, "remark": 28, "check": 12,
}
FORM_LABELS = {FormKind.EMPLOYEE: "Employee form / 员工考核表", FormKind.HEAD: "Head's form / 部门负责人考核表"}
FORM_SPELLINGS = {
    FormKind.EMPLOYEE: ("employee", "员工", "员工考核表", "employee form", "employee's form"),
    FormKind.HEAD: ("head", "部门负责人", "负责人", "head form", "head's form", "department head's form"),
}
INPUT_SEPARATORS = re.compile(r"[;；\n]")









def _number_cell(value: Decimal | None):
    """A Decimal as a numeric cell when a spreadsheet shows it exactly (15 significant
    digits, Excel's precision), else as text."""
    if value is None:
        return None
    normal = Decimal(value).normalize()
    normal = normal.quantize(Decimal(1)) if normal == normal.to_integral_value() else normal
    return normal if len(normal.as_tuple().digits) <= 15 else plain(normal)


def _line_name(info: dict, key: str) -> str:
    chinese = (translation.get_language() or "").startswith("zh")
    first, second = ("name_zh", "name_en") if chinese else ("name_en", "name_zh")
    return info.get(first) or info.get(second) or key


def _owner_label(owner: str) -> str:
    try:
        return str(DataOwner(owner).label)
    except ValueError:
        return owner or ""


def _state(value: FormValue | None) -> dict:
    """What the import compares: a line's value fields, spelled as services stores them."""
    if value is None:
        return {"actual": None, "inputs": {}, "ratings": [], "not_applicable": False, "remark": ""}
    return {
        "actual": plain(value.actual),
        "inputs": {str(name): plain(number) for name, number in (value.inputs or {}).items() if number not in (None, "")},
        "ratings": [int(level) for level in value.ratings or []],
        "not_applicable": bool(value.not_applicable),
        "remark": clean_text(value.remark or ""),
    }


def _fingerprint(state: dict) -> str:
    text = json.dumps(state, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _inputs_text(info: dict, state: dict) -> str:
    names = list(info.get("inputs") or [])
    names += [name for name in state["inputs"] if name not in names]
    return "; ".join(f"{name}={state['inputs'].get(name) or ''}" for name in names)


def _enterable(user, period: Period, forms=None) -> Iterable[tuple[Form, dict, dict]]:
    """(form, snapshot line, line info) for every line ``user`` enters the value of, on the
    period's forms whose values can still change, in the forms' order."""
    if forms is None:
        forms = forms_visible_to(user).filter(period=period).prefetch_related("values")
    for form in forms:
        if not workflow.values_editable(form.status):
            continue
        for line in form.snapshot["calculation"]["lines"]:
            key = line["key"]
            if "value" in services.who_enters(form, user, key):
                yield form, line, form.snapshot["lines"].get(key, {})


def may_import_actuals(user, period: Period) -> bool:
    """Whether ``user`` enters some value on the period's forms (HR, heads for their
    departments' lines, people for the lines they supply themselves)."""
    if not user.has_perm("appraisal.view_appraisal"):
        return False
    forms = forms_visible_to(user).filter(period=period)
    return next(iter(_enterable(user, period, forms.iterator())), None) is not None


def actuals_template(*, by, period: Period) -> bytes:
    """The period's lines ``by`` enters, one row per form and line, with what is stored."""
    if not by.has_perm("appraisal.view_appraisal"):
        raise PermissionDenied
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = SHEET
    for column in COLUMNS:
        fill = READ_ONLY_FILL if column.key in READ_ONLY else HEADER_FILL
        put(sheet, 1, POSITION[column.key], column.headers[0], font=BOLD, fill=fill, alignment=CENTRE_WRAP, border=BOX)
        sheet.column_dimensions[get_column_letter(POSITION[column.key])].width = WIDTHS.get(column.key, 12)
    sheet.row_dimensions[1].height = 32
    row = 1
    month = str(period)
    values: dict[int, dict[str, FormValue]] = {}
    for form, line, info in _enterable(by, period):
        row += 1
        if form.pk not in values:
            values[form.pk] = {value.line_key: value for value in form.values.all()}
        state = _state(values[form.pk].get(line["key"]))
        cells = {
            "month": month,
            "employee_number": form.employee.employee_number,
            "name": form.employee.display_name,
            "department": form.department.display_name,
            "form": FORM_LABELS.get(form.kind, form.kind),
            "status": form.get_status_display(),
            "code": line["key"],
            "indicator": _line_name(info, line["key"]),
            "unit": info.get("unit", ""),
            "data_owner": _owner_label(info.get("data_owner", "")),
            "target": _number_cell(line.get("target")),
            "actual": _number_cell(state["actual"]),
            "inputs": _inputs_text(info, state) or None,
            "ratings": ", ".join(str(level) for level in state["ratings"]) or None,
            "not_applicable": YES if state["not_applicable"] else None,
            "remark": state["remark"] or None,
            "check": _fingerprint(state),
        }
        for key, value in cells.items():
            fill = READ_ONLY_FILL if key in READ_ONLY else None
            put(sheet, row, POSITION[key], value, fill=fill, number_format="@" if key in TEXT_KEYS else None)
    last = max(row, 2) + 200
    for key in TEXT_KEYS:  # typed identifiers keep their leading zeros
        letter = get_column_letter(POSITION[key])
        for empty in range(row + 1, last):
            sheet[f"{letter}{empty}"].number_format = "@"
    for key, options in (("not_applicable", f'"{YES},{NO}"'), ("form", f'"{",".join(FORM_LABELS.values())}"')):
        validation = DataValidation(type="list", formula1=options, allow_blank=True, showErrorMessage=False)
        sheet.add_data_validation(validation)
        letter = get_column_letter(POSITION[key])
        validation.add(f"{letter}2:{letter}{last}")
    sheet.column_dimensions[get_column_letter(POSITION["check"])].hidden = True
    sheet.freeze_panes = sheet.cell(row=2, column=POSITION["name"] + 1)  # the header and who the row is about
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{max(row, 2)}"
    _write_instructions(workbook.create_sheet(INSTRUCTIONS_SHEET), period)
    return to_bytes(workbook)


def _write_instructions(sheet, period: Period) -> None:
    owners = ", ".join(f"{value} ({label})" for value, label in DataOwner.choices)
    notes = [
        ("Rows / 行", f"One row per form and indicator whose value you enter in {period}; grey columns are for reading. / "
                      f"每行对应您在{period}需要填写的一张考核表的一个指标；灰色列仅供阅读，导入时不读取。"),
        (HEADER["month"], f"{period}. A file for another month is refused. / 其他月份的文件不会被导入。"),
        (HEADER["form"], "Blank is fine unless a person has both forms with the same indicator. / "
                         "一般可留空；同一人的两张考核表含同一指标时须填写。"),
        (HEADER["actual"], "A number; 1,200 and 95% are read as 1200 and 95. Kept to four decimal places. Blank clears the value. / "
                           "填数字；1,200和95%分别读作1200和95。保留四位小数。留空则清除该值。"),
        (HEADER["inputs"], "For formula indicators: name=number pairs separated by semicolons, e.g. planned=100; actual=95. "
                           "A given actual wins over the formula. / 公式指标填写：名称=数值，以分号分隔，例如 planned=100; actual=95。填写实际值时以实际值为准。"),
        (HEADER["ratings"], "For described levels: whole numbers separated by commas, e.g. 7, 6, 5. / 说明法指标：以逗号分隔的整数等级，例如 7, 6, 5。"),
        (HEADER["not_applicable"], f"{YES} or blank. / 填“{YES}”或留空。"),
        (HEADER["data_owner"], owners),
        (HEADER["check"], "Hidden. It tells the import whether someone else changed the value after this file was made; "
                          "such a value is never overwritten silently. / 隐藏列，用于判断文件生成后他人是否修改过该值；他人修改过的值不会被悄悄覆盖。"),
        ("Signed forms / 已签字的考核表", "Changing a value on a signed or calculated form voids its signatures and score; "
                                       "a row left as it is changes nothing. / 修改已签字或已计算考核表的值会使签字和得分作废；未修改的行不会改变任何内容。"),
        ("All or nothing / 全部或不导入", "If any cell has a problem nothing is saved and every problem is listed. / "
                                         "任一单元格有问题则全部不导入，并列出所有问题。"),
    ]
    notes_sheet(sheet, notes, (30, 110))


# ---------------------------------------------------------------------------------------
# Reading the actuals sheet


@dataclass
class ActualsImport:
    errors: list[CellError] = field(default_factory=list)
    changed: int = 0  # rows whose value was saved
    unchanged: int = 0  # rows equal to what is stored (or left as the template had them)
    forms: int = 0  # forms saved


class _Problems:
    """CellErrors, one per cell, in sheet order."""

    def __init__(self, sheet: str, positions: dict[str, int]):
        self.sheet = sheet
        self.positions = positions
        self.found: list[tuple[int, int, CellError]] = []
        self.cells: set[tuple[int, str]] = set()
        self.rows: set[int] = set()

    def add(self, row: int, key: str, message: str) -> None:
        column = HEADER[key]
        if (row, column) not in self.cells:
            self.cells.add((row, column))
            self.rows.add(row)
            self.found.append((row, self.positions.get(key, POSITION[key]), CellError(row, column, message, self.sheet)))

    def sorted(self) -> list[CellError]:
        return [error for _row, _position, error in sorted(self.found, key=lambda item: (item[0], item[1]))]


@dataclass
class _Row:
    number: int
    employee_number: str = ""
    kind: str | None = None
    code: str = ""
    fields: dict = field(default_factory=dict)  # the value fields whose columns the file has
    inputs_text: str | None = None
    check: str = ""
    form: Form | None = None
    key: str = ""


def _matcher(spellings) -> set[str]:
    names = set()
    for spelling in spellings:
        names.add(normalise_header(spelling))
        names.update(normalise_header(part) for part in str(spelling).split("/") if len(normalise_header(part)) > 1)
    names.discard("")
    return names


def _matches(value, names: set[str]) -> bool:
    if value is None:
        return False
    text = str(value)
    return any(normalise_header(candidate) in names for candidate in [text, *text.split("/")])




def _find_header(rows) -> tuple[int, dict[str, int]]:
    lookup = [(column, _matcher(column.headers)) for column in COLUMNS]
    for index, (_number, cells) in enumerate(rows[:HEADER_SEARCH_ROWS]):
        found: dict[str, int] = {}
        for position, cell in enumerate(cells):
            for column, names in lookup:
                if column.key not in found and _matches(cell.value, names):
                    found[column.key] = position
                    break
        if "employee_number" in found and "code" in found:
            missing = [column.headers[0] for column in COLUMNS if column.required and column.key not in found]
            if missing:
                raise SpreadsheetError(_("Missing required columns: %(cols)s.") % {"cols": ", ".join(missing)})
            return index, found
    required = ", ".join(column.headers[0] for column in COLUMNS if column.required)
    raise SpreadsheetError(_("No header row found in the first rows. Expected columns: %(cols)s.") % {"cols": required})


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


def _text(cell) -> tuple[str, str | None]:
    value, problem = _raw(cell)
    return ("" if value is None else text_of(value)), problem


def _parse_number(text: str) -> Decimal | None:
    text = str(text).strip().replace(",", "").replace("，", "").replace(" ", "")
    try:
        number = Decimal(text.rstrip("%％"))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _checked(number: Decimal | None, shown: str) -> tuple[Decimal | None, str | None]:
    if number is None:
        return None, _("“%(value)s” is not a number.") % {"value": shown}
    if abs(number) >= LIMIT:
        return None, _("“%(value)s” is too large.") % {"value": shown}
    return number, None


def _decimal(cell) -> tuple[Decimal | None, str | None]:
    """A number as Decimal (never float); a cell formatted as a percentage holds a
    hundredth of what it shows, so 95% reads as 95, like the text "95%"."""
    value, problem = _raw(cell)
    if value is None or problem:
        return None, problem
    shown = text_of(value)
    if isinstance(value, bool) or isinstance(value, (datetime, date)):
        return None, _("“%(value)s” is not a number.") % {"value": shown}
    if isinstance(value, (int, float, Decimal)):
        number = Decimal(str(value))
        if "%" in (getattr(cell, "number_format", "") or ""):
            number *= 100
        return _checked(number, shown)
    return _checked(_parse_number(value), shown)


def _month(cell) -> tuple[str | None, str | None]:
    """The row's month as "YYYY-MM" (a date cell too: Excel turns typed months into dates)."""
    value, problem = _raw(cell)
    if value is None or problem:
        return None, problem
    if isinstance(value, (datetime, date)):
        return f"{value.year}-{value.month:02d}", None
    match = re.match(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?\s*$", str(value))
    if not match:
        return text_of(value), None
    return f"{int(match[1])}-{int(match[2]):02d}", None


def _kind_lookup() -> dict[str, str]:
    lookup = {}
    for kind, label in FORM_LABELS.items():
        names = (label, *label.split(" / "), *FORM_SPELLINGS[kind])
        lookup.update({normalise_header(name): kind for name in names})
        for language in ("en", "zh-hans"):
            with translation.override(language):
                lookup[normalise_header(str(FormKind(kind).label))] = kind
    return lookup


def _parse_row(number: int, cells, columns: dict[str, int], problems: _Problems, period: Period, kinds: dict[str, str]) -> _Row:
    def cell(key):
        index = columns.get(key)
        return cells[index] if index is not None and index < len(cells) else None

    row = _Row(number=number)
    month, error = _month(cell("month"))
    if error:
        problems.add(number, "month", error)
    elif month and month != str(period):
        problems.add(number, "month", _("This row is for %(value)s; this import is for %(period)s.") % {"value": month, "period": period})
    row.employee_number, error = _text(cell("employee_number"))
    if error or not row.employee_number:
        problems.add(number, "employee_number", error or _("is required"))
    row.code, error = _text(cell("code"))
    if error or not row.code:
        problems.add(number, "code", error or _("is required"))
    kind_text, error = _text(cell("form"))
    if error:
        problems.add(number, "form", error)
    elif kind_text:
        row.kind = kinds.get(normalise_header(kind_text))
        if row.kind is None:
            problems.add(number, "form", _("%(value)s is not one of: %(choices)s") % {"value": kind_text, "choices": ", ".join(FORM_LABELS.values())})
    row.check, _error = _text(cell("check"))

    actual, error = _decimal(cell("actual"))
    if error:
        problems.add(number, "actual", error)
    row.fields["actual"] = None if actual is None else plain(actual.quantize(PLACES, ROUND_HALF_UP))
    if "inputs" in columns:
        row.inputs_text, error = _text(cell("inputs"))
        if error:
            problems.add(number, "inputs", error)
    if "ratings" in columns:
        text, error = _text(cell("ratings"))
        levels = [part.strip() for part in re.split(r"[,，、;；\s]+", text) if part.strip()]
        if error or not all(re.fullmatch(r"[+-]?\d+(\.0+)?", level) for level in levels):
            problems.add(number, "ratings", error or _("Enter the ratings as whole numbers."))
        else:
            row.fields["ratings"] = [int(Decimal(level)) for level in levels]
    if "not_applicable" in columns:
        text, error = _text(cell("not_applicable"))
        if error or (text and text.lower() not in BOOLEANS):
            problems.add(number, "not_applicable", error or _("%(value)s is not one of: %(choices)s") % {"value": text, "choices": f"{YES}, {NO}"})
        else:
            row.fields["not_applicable"] = BOOLEANS.get(text.lower(), False)
    if "remark" in columns:
        value, error = _raw(cell("remark"))
        if error:
            problems.add(number, "remark", error)
        else:
            remark = "" if value is None else (value if isinstance(value, str) else text_of(value))
            row.fields["remark"] = clean_text(remark)[:2000]
    return row


def _parse_inputs(row: _Row, info: dict, problems: _Problems) -> None:
    """"planned=100; actual=95" -> {"planned": "100", "actual": "95"} (blank numbers left out)."""
    if row.inputs_text is None:
        return
    allowed = list(info.get("inputs") or [])
    inputs = {}
    for part in INPUT_SEPARATORS.split(row.inputs_text):
        if not part.strip():
            continue
        name, equals, text = part.replace("＝", "=").partition("=")
        name = name.strip()
        if not equals or name not in allowed:
            choices = ", ".join(allowed) or "—"
            problems.add(row.number, "inputs", _("%(value)s is not one of: %(choices)s") % {"value": name or part.strip(), "choices": choices})
            return
        if not text.strip():
            continue
        number, error = _checked(_parse_number(text), text.strip())
        if error:
            problems.add(row.number, "inputs", f"{name}: {error}")
            return
        inputs[name] = plain(number)
    row.fields["inputs"] = inputs


def _parse(data: bytes, period: Period) -> tuple[str, _Problems, list[_Row]]:
    title, rows = load_rows(data, SHEET)
    header_index, columns = _find_header(rows)
    problems = _Problems(title, {key: position + 1 for key, position in columns.items()})
    kinds = _kind_lookup()
    parsed = [_parse_row(number, cells, columns, problems, period, kinds) for number, cells in rows[header_index + 1:]]
    return title, problems, parsed


def _resolve(rows: list[_Row], forms: list[Form], problems: _Problems, period: Period) -> None:
    """Find each row's form and line; a person whose form ``by`` cannot see reads as unknown."""
    by_number: dict[str, dict[str, Form]] = {}
    for form in forms:
        by_number.setdefault(form.employee.employee_number, {})[form.kind] = form
    seen: dict[tuple[int, str], int] = {}
    for row in rows:
        if not row.employee_number or not row.code:
            continue
        person = by_number.get(row.employee_number)
        if person is None:
            problems.add(
                row.number, "employee_number",
                _("No form of %(period)s that you can see has the employee number %(value)s.") % {"period": period, "value": row.employee_number},
            )
            continue

        def key_on(form, code=row.code):
            keys = form.snapshot["lines"]
            return code if code in keys else next((key for key in keys if key.lower() == code.lower()), None)

        if row.kind:
            form = person.get(row.kind)
            if form is None:
                problems.add(row.number, "form", _("This person has no such form in %(period)s.") % {"period": period})
                continue
        else:
            candidates = [form for form in person.values() if key_on(form)]
            if len(candidates) > 1:
                problems.add(row.number, "form", _("This person has two forms with this indicator; say which one."))
                continue
            form = candidates[0] if candidates else next(iter(person.values()))
        key = key_on(form)
        if key is None:
            problems.add(row.number, "code", _("%(value)s is not on this person's form.") % {"value": row.code})
            continue
        if (form.pk, key) in seen:
            problems.add(row.number, "code", _("%(value)s is also on row %(row)s") % {"value": row.code, "row": seen[(form.pk, key)]})
            continue
        seen[(form.pk, key)] = row.number
        row.form, row.key = form, key
        _parse_inputs(row, form.snapshot["lines"].get(key, {}), problems)


FIELD_KEYS = ("actual", "inputs", "ratings", "not_applicable", "remark")


def import_actuals(*, by, period: Period, data: bytes) -> ActualsImport:
    """Read the actuals sheet and save it, all or nothing (see the module's doc). An
    unreadable file raises SpreadsheetError; someone who enters nothing in the period gets
    PermissionDenied."""
    if not may_import_actuals(by, period):
        raise PermissionDenied
    check_upload(data)
    _title, problems, rows = _parse(data, period)
    numbers = {row.employee_number for row in rows if row.employee_number}
    forms = list(forms_visible_to(by).filter(period=period, employee__employee_number__in=numbers))
    _resolve(rows, forms, problems, period)
    result = ActualsImport()
    if problems.found:
        result.errors = problems.sorted()
        return result
    with transaction.atomic():
        changes = _compare(by, rows, problems, result)
        if not problems.found:
            _save_changes(by, changes, problems, result)
        if problems.found:
            transaction.set_rollback(True)
    if problems.found:
        result.errors = problems.sorted()
        result.changed = result.unchanged = result.forms = 0
    return result


def _compare(by, rows: list[_Row], problems: _Problems, result: ActualsImport) -> dict[int, tuple[Form, dict[str, _Row]]]:
    """Under the forms' locks: each row against what is stored. Returns the rows to save by form."""
    ids = sorted({row.form.pk for row in rows})
    locked = {
        form.pk: form
        for form in Form.objects.select_for_update(of=("self",)).select_related("period", "employee__user", "department").filter(pk__in=ids).order_by("pk")
    }
    stored = {(value.form_id, value.line_key): value for value in FormValue.objects.filter(form_id__in=ids)}
    changes: dict[int, tuple[Form, dict[str, _Row]]] = {}
    for row in rows:
        form = locked[row.form.pk]
        now = _state(stored.get((form.pk, row.key)))
        wanted = {**now, **row.fields}
        if wanted == now:
            result.unchanged += 1
            continue
        if row.check and _fingerprint(wanted) == row.check:
            result.unchanged += 1  # left as the template had it; someone changed it since: theirs stays
            continue
        first = next(key for key in FIELD_KEYS if wanted[key] != now[key])
        if row.check and _fingerprint(now) != row.check:
            problems.add(row.number, first, _("Someone else changed this value after the file was made (it is now %(value)s). Download a new template.") % {"value": _shown(now)})
            continue
        if not workflow.values_editable(form.status):
            problems.add(row.number, first, _("This form is %(state)s; its values no longer change.") % {"state": form.get_status_display().lower()})
            continue
        if "value" not in services.who_enters(form, by, row.key):
            owner = _owner_label(form.snapshot["lines"][row.key].get("data_owner", "")) or "—"
            problems.add(row.number, first, _("You do not enter this value (data supplied by: %(owner)s).") % {"owner": owner})
            continue
        changes.setdefault(form.pk, (form, {}))[1][row.key] = row
    return changes


def _shown(state: dict) -> str:
    if state["not_applicable"]:
        return _("N/A")
    if state["actual"] is not None:
        return state["actual"]
    if state["inputs"]:
        return "; ".join(f"{name}={number}" for name, number in state["inputs"].items())
    if state["ratings"]:
        return ", ".join(str(level) for level in state["ratings"])
    return "—"


def _save_changes(by, changes: dict[int, tuple[Form, dict[str, _Row]]], problems: _Problems, result: ActualsImport) -> None:
    """One services.save_values per form; its refusals land on the rows they are about."""
    for form, rows in changes.values():
        values = {key: dict(row.fields) for key, row in rows.items()}
        try:
            services.save_values(by=by, form=form, values=values)
        except PermissionDenied:
            for row in rows.values():
                problems.add(row.number, "actual", _("You cannot enter this value."))
            continue
        except ValidationError as exc:
            messages = exc.message_dict if hasattr(exc, "error_dict") else {None: exc.messages}
            for key, texts in messages.items():
                for row in ([rows[key]] if key in rows else rows.values()):
                    problems.add(row.number, "actual", " ".join(texts))
            continue
        result.changed += len(rows)
        result.forms += 1


# ---------------------------------------------------------------------------------------
# A form, printed


def _person(user) -> str:
    if user is None:
        return ""
    try:
        employee = user.employee
    except Employee.DoesNotExist:
        employee = None
    if employee is not None:
        return f"{employee.display_name} ({employee.employee_number})"
    return user.get_full_name() or user.get_username()


def _when(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def _perspective_heading(perspective: Perspective) -> str:
    return " / ".join(name for name in (perspective.name_en, perspective.name_zh) if name) or perspective.code


def _decimal_of(value) -> Decimal | None:
    return None if value in (None, "") else Decimal(str(value))


SCORE_KEYS = ("achievement", "score", "points")
SIGNATURE_LABELS = {SignatureRole.EMPLOYEE: "Employee / 员工", SignatureRole.HEAD: "Department head / 部门负责人"}


def export_form(form: Form, *, scores: bool = True) -> bytes:
    """A form as the printable paper form: the header, the lines by perspective with
    weights, this month's targets and actuals, then, with ``scores`` and once calculated,
    each line's score and points, the subtotals, deductions, veto and total; and the
    signatures with names and times (voided ones marked)."""
    form = Form.objects.select_related("period", "employee", "department", "post", "calculated_by", "approved_by").get(pk=form.pk)
    breakdown = form.breakdown if scores else None
    values = {value.line_key: value for value in form.values.all()}
    lines = form.snapshot["calculation"]["lines"]
    info = form.snapshot["lines"]
    results = {line["key"]: line for line in (breakdown or {}).get("lines", [])}
    with_inputs = any(info.get(line["key"], {}).get("inputs") for line in lines)
    columns = [
        ("code", "Code / 编码", 13), ("name", "Indicator / 指标", 30), ("type", "Type / 类型", 7), ("unit", "Unit / 单位", 7),
        ("owner", "Data supplied by / 数据提供方", 13), ("weight", "Weight (%) / 权重", 9), ("annual", "Annual target / 年度目标值", 11),
        ("target", "Target this month / 本月目标值", 11), ("actual", "Actual / 实际值", 12),
    ]
    if with_inputs:
        columns.append(("inputs", "Formula inputs / 公式输入", 22))
    if breakdown:
        columns += [("achievement", "Achievement (%) / 完成率", 11), ("score", "Score / 得分", 9), ("points", "Points / 加权得分", 9)]
    columns += [("self", "Self-assessment / 自评", 28), ("remark", "Remark / 备注", 22)]
    position = {key: index for index, (key, _header, _width) in enumerate(columns, start=1)}
    width = len(columns)

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Form 考核表"
    put(sheet, 1, 1, f"Appraisal form / 绩效考核表: {form.employee.display_name}, {form.period}", font=TITLE_FONT)
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    sheet.row_dimensions[1].height = 24
    header = [
        ("Company / 公司", get_company().display_name),
        ("Employee / 姓名", form.employee.display_name),
        ("Employee number / 工号", form.employee.employee_number),
        ("Post / 岗位", form.post.display_name),
        ("Department / 部门", form.department.display_name),
        ("Month / 考核月份", str(form.period)),
        ("Form / 考核表", FORM_LABELS.get(form.kind, form.kind)),
        ("Status / 状态", form.get_status_display() + (" · late / 逾期" if form.is_late else "")),
    ]
    if form.share < 1:
        header.append(("Share of the month / 在岗比例", _number_cell(form.share)))
    row = 3
    for label, value in header:
        _label_value(sheet, row, label, value)
        row += 1
    row += 1
    table_header = row
    for key, text, column_width in columns:
        put(sheet, row, position[key], text, font=BOLD, fill=HEADER_FILL, alignment=CENTRE_WRAP, border=BOX)
        sheet.column_dimensions[get_column_letter(position[key])].width = column_width
    sheet.row_dimensions[row].height = 32
    row += 1

    perspectives = {p.code: p for p in Perspective.objects.order_by("sort_order")}
    order = list(perspectives) + sorted({line["perspective"] for line in lines} - set(perspectives))
    subtotals = {item["code"]: item for item in (breakdown or {}).get("perspectives", [])}
    for code in order:
        group = [line for line in lines if line["perspective"] == code]
        if not group:
            continue
        weight = sum((_decimal_of(info.get(line["key"], {}).get("weight")) or Decimal(0) for line in group), Decimal(0))
        heading = _perspective_heading(perspectives[code]) if code in perspectives else code
        cells = {"name": heading, "weight": _number_cell(weight)}
        if breakdown and code in subtotals:
            result = subtotals[code]
            cells["points"] = _number_cell(_decimal_of(result["subtotal_after"]))
            if _decimal_of(result["deduction"]):
                cells["remark"] = f"−{result['deduction']} (inspections / 巡检扣分)"
        _band(sheet, row, width, position, cells, GROUP_FILL)
        row += 1
        for line in group:
            key = line["key"]
            _line_row(sheet, row, position, line, info.get(key, {}), values.get(key), results.get(key))
            row += 1

    if breakdown:
        row = _result_rows(sheet, row, width, position, breakdown, form, lines)
    else:
        note = "Not calculated yet / 尚未计算" if form.breakdown is None else "The score is shown once published / 得分在公布后显示"
        _band(sheet, row, width, position, {"name": note}, HEADER_FILL)
        row += 1

    row = _signature_rows(sheet, row + 1, form)
    put(sheet, row + 1, 1, f"Printed / 打印时间: {_when(timezone.now())}", font=Font(italic=True, color="595959"))
    landscape(sheet, table_header)
    return to_bytes(workbook)


def _label_value(sheet, row: int, label: str, value) -> None:
    put(sheet, row, 1, label, font=BOLD, fill=LABEL_FILL, border=BOX)
    put(sheet, row, 2, None, fill=LABEL_FILL, border=BOX)
    sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=2)
    put(sheet, row, 3, value, border=BOX, alignment=Alignment(horizontal="left"))
    for column in (4, 5):
        put(sheet, row, column, None, border=BOX)
    sheet.merge_cells(start_row=row, start_column=3, end_row=row, end_column=5)


def _band(sheet, row: int, width: int, position: dict, cells: dict, fill) -> None:
    for column in range(1, width + 1):
        put(sheet, row, column, None, fill=fill, border=BOX)
    for key, value in cells.items():
        alignment = WRAP if key in ("name", "remark") else None
        put(sheet, row, position[key], value, font=BOLD, fill=fill, border=BOX, alignment=alignment, number_format="0.00" if key in SCORE_KEYS else None)


def _line_row(sheet, row: int, position: dict, line: dict, info: dict, value: FormValue | None, result: dict | None) -> None:
    state = _state(value)
    if state["not_applicable"]:
        actual = "N/A / 不适用"
    elif state["actual"] is not None:
        actual = _number_cell(Decimal(state["actual"]))
    elif result and result.get("actual") is not None:
        actual = _number_cell(_decimal_of(result["actual"]))  # computed from the formula or the ratings
    elif state["ratings"]:
        actual = ", ".join(str(level) for level in state["ratings"])
    else:
        actual = None
    cells = {
        "code": line["key"],
        "name": _line_name(info, line["key"]),
        "type": line.get("indicator_type", ""),
        "unit": info.get("unit", ""),
        "owner": _owner_label(info.get("data_owner", "")),
        "weight": _number_cell(_decimal_of(info.get("weight"))),
        "annual": _number_cell(_decimal_of(info.get("annual_target"))),
        "target": _number_cell(_decimal_of(line.get("target"))),
        "actual": actual,
        "inputs": "; ".join(f"{name}={number}" for name, number in state["inputs"].items()) or None,
        "self": value.self_assessment if value else None,
        "remark": state["remark"] or None,
    }
    if result:
        cells["achievement"] = _number_cell(_decimal_of(result.get("achievement")))
        cells["score"] = _number_cell(_decimal_of(result.get("score")))
        cells["points"] = _number_cell(_decimal_of(result.get("contribution")))
        if result.get("failed"):
            cells["remark"] = " ".join(filter(None, ["Veto failed / 否决项未达标", cells["remark"]]))
    for key, column in position.items():
        text_column = key in ("code", "name", "self", "remark", "inputs")
        number_format = "@" if key == "code" else ("0.00" if key in SCORE_KEYS else None)
        put(sheet, row, column, cells.get(key), border=BOX, alignment=WRAP if text_column else Alignment(vertical="top"), number_format=number_format)


def _result_rows(sheet, row: int, width: int, position: dict, breakdown: dict, form: Form, lines: list[dict]) -> int:
    """Subtotal, the front-line figures, the inspection deduction, the veto and the total:
    (label, column, figure, note) rows below the lines."""
    names = {line["key"]: line.get("label") or line["key"] for line in lines}
    rows = [("Subtotal / 小计", "points", breakdown.get("subtotal"), "")]
    front = breakdown.get("front_line")
    if front:
        rows.append(("Financial score, apart (sales front line) / 财务得分（销售一线单独计算）", "score", front.get("financial_score"), ""))
        rows.append(("BSC total, financial at full marks / BSC总分（财务按满分计）", "points", front.get("bsc_total"), ""))
    inspection = breakdown.get("inspection")
    if inspection:
        items = "; ".join(f"{item['label']}: {item['missing']} missing / 缺{item['missing']}人, −{item['points']}" for item in inspection.get("items", []))
        asked = f"asked / 应扣 {inspection['requested']}" if inspection.get("requested") != inspection.get("applied") else ""
        rows.append(("Daily inspection deduction / 日常巡检扣分", "points", -_decimal_of(inspection["applied"]), "; ".join(filter(None, [asked, items]))))
    veto = breakdown.get("veto")
    if veto and veto.get("failed"):
        failed = ", ".join(names.get(key, key) for key in veto["failed"])
        change = _decimal_of(veto["total_after"]) - _decimal_of(veto["total_before"])
        rows.append(("Veto / 否决", "points", change, f"{failed}: {veto['total_before']} → {veto['total_after']} ({veto.get('mode')})"))
    for label, column, figure, note in rows:
        cells = {"name": label, column: _number_cell(_decimal_of(figure))}
        if note:
            cells["remark"] = note
        _band(sheet, row, width, position, cells, GROUP_FILL)
        row += 1
    total = form.total if form.total is not None else _decimal_of(breakdown.get("total"))
    _band(sheet, row, width, position, {"name": "Total / 总分", "points": _number_cell(total)}, HEADER_FILL)
    sheet.cell(row=row, column=position["points"]).font = Font(bold=True, size=12)
    return row + 1


def _signature_rows(sheet, row: int, form: Form) -> int:
    put(sheet, row, 1, "Signatures / 签字", font=BOLD)
    row += 1
    for column, text in enumerate(("Signed as / 签字身份", "", "Name / 姓名", "", "Signed at / 签字时间", "Note / 说明"), start=1):
        put(sheet, row, column, text or None, font=BOLD, fill=HEADER_FILL, border=BOX)
    sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=2)
    sheet.merge_cells(start_row=row, start_column=3, end_row=row, end_column=4)
    row += 1
    signatures = list(form.signatures.select_related("user__employee"))
    entries = []
    for signature in signatures:
        note = ""
        if signature.voided_at:  # services void every signature when a value changes
            reason = _(signature.void_reason) if signature.void_reason else ""
            note = f"Voided / 已作废 {_when(signature.voided_at)}: {reason}".rstrip(": ")
        entries.append((SIGNATURE_LABELS.get(signature.role, signature.role), _person(signature.user), _when(signature.signed_at), note))
    if form.kind == FormKind.EMPLOYEE:
        current = {signature.role for signature in signatures if signature.voided_at is None}
        for role in (SignatureRole.EMPLOYEE, SignatureRole.HEAD):
            if role not in current:
                entries.append((SIGNATURE_LABELS[role], "", "", "Not signed / 未签字"))
    else:
        submitted = form.transitions.filter(action=workflow.Action.SUBMIT_OWN.value).select_related("by").last()
        if submitted is not None:
            entries.append(("Submitted by / 提交人", _person(submitted.by), _when(submitted.at), ""))
        else:
            entries.append(("Submitted by / 提交人", "", "", "Not submitted / 未提交"))
    if form.calculated_by_id:
        entries.append(("Calculated by (HR) / 计算人（人力资源）", _person(form.calculated_by), _when(form.calculated_at), ""))
    if form.approved_by_id:
        entries.append(("Approved by (general manager) / 审批人（总经理）", _person(form.approved_by), _when(form.approved_at), ""))
    for role, name, when, note in entries:
        cells = (role, None, name, None, when, note)
        for column, value in enumerate(cells, start=1):
            put(sheet, row, column, value, border=BOX, alignment=WRAP)
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=2)
        sheet.merge_cells(start_row=row, start_column=3, end_row=row, end_column=4)
        sheet.row_dimensions[row].height = 22
        row += 1
    return row


# ---------------------------------------------------------------------------------------
# A department results table


RESULT_COLUMNS = [
    ("department", "Department / 部门", 18), ("employee_number", "Employee number / 工号", 13), ("name", "Name / 姓名", 18),
    ("post", "Post / 岗位", 18), ("form", "Form / 考核表", 18), ("status", "Status / 状态", 18), ("total", "Total / 总分", 10),
    ("late", "Late / 逾期", 8),
]


def export_results(*, period: Period, forms: Iterable[Form], show_total: Callable[[Form], bool] | None = None) -> bytes:
    """One row per form (sorted by department, then employee number): number, name,
    department, post, form, status, total and whether it was late. ``show_total`` says
    whose total the reader may see (others are left blank)."""
    forms = sorted(
        forms, key=lambda form: (form.department.sort_order, form.department.code, form.employee.employee_number, form.kind)
    )
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Results 考核结果"
    put(sheet, 1, 1, f"Appraisal results / 考核结果: {period}", font=TITLE_FONT)
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(RESULT_COLUMNS))
    header_row = 3
    for column, (_key, text, width) in enumerate(RESULT_COLUMNS, start=1):
        put(sheet, header_row, column, text, font=BOLD, fill=HEADER_FILL, alignment=CENTRE_WRAP, border=BOX)
        sheet.column_dimensions[get_column_letter(column)].width = width
    row = header_row
    for form in forms:
        row += 1
        visible = show_total is None or show_total(form)
        cells = {
            "department": form.department.display_name,
            "employee_number": form.employee.employee_number,
            "name": form.employee.display_name,
            "post": form.post.display_name,
            "form": FORM_LABELS.get(form.kind, form.kind),
            "status": form.get_status_display(),
            "total": form.total if visible and form.total is not None else None,
            "late": YES if form.is_late else None,
        }
        for column, (key, _text, _width) in enumerate(RESULT_COLUMNS, start=1):
            put(sheet, row, column, cells[key], border=BOX, number_format="0.00" if key == "total" else ("@" if key == "employee_number" else None))
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    sheet.auto_filter.ref = f"A{header_row}:{get_column_letter(len(RESULT_COLUMNS))}{max(row, header_row + 1)}"
    landscape(sheet, header_row)
    return to_bytes(workbook)

"""Reading and writing Excel files safely. Every import and export goes through here.

Reading refuses what is not a plain .xlsx (macros, legacy .xls, CSV, encrypted files,
zip bombs) with a message that says what to do, finds the header row even below a
title, accepts Chinese or English headers and refuses formulas and error values in
value columns. Writing neutralises text that a spreadsheet would run as a formula.
"""

import codecs
import io
import logging
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime

import openpyxl
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from openpyxl.cell.cell import TYPE_ERROR, TYPE_FORMULA
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

# A 5 MB upload may not expand without bound: cap the total, and the ratio of any
# large part (shared strings of zeros compress a thousandfold and take minutes to parse).
MAX_UNCOMPRESSED_BYTES = 25 * 1024 * 1024
MAX_COMPRESSION_RATIO = 100
RATIO_CHECK_FROM_BYTES = 1024 * 1024
MAX_ZIP_ENTRIES = 500
MAX_ROWS = 10000
HEADER_SEARCH_ROWS = 10

logger = logging.getLogger(__name__)

OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_SIGNATURE = b"PK\x03\x04"


class SpreadsheetError(Exception):
    """The file as a whole cannot be read; the message tells the user what to do."""


@dataclass(frozen=True)
class Column:
    key: str
    headers: tuple[str, ...]  # every accepted spelling, Chinese and English
    required: bool = False
    kind: str = "text"  # text | date | number


@dataclass
class CellError:
    row: int
    column: str
    message: str
    sheet: str = ""


@dataclass
class Table:
    rows: list[tuple[int, dict]] = field(default_factory=list)  # (sheet row number, values by key)
    errors: list[CellError] = field(default_factory=list)
    header_row: int = 0
    sheet: str = ""


def check_upload(data: bytes) -> None:
    """Refuse anything but a plain .xlsx before openpyxl sees it."""
    if len(data) > settings.XLSX_MAX_UPLOAD_BYTES:
        raise SpreadsheetError(_("The file is larger than %(size)s.") % {"size": filesizeformat(settings.XLSX_MAX_UPLOAD_BYTES)})
    if data.startswith(OLE_SIGNATURE):
        if "EncryptionInfo".encode("utf-16-le") in data:
            raise SpreadsheetError(_("The file is password-protected. Remove the password in Excel and upload it again."))
        raise SpreadsheetError(_("This is a legacy .xls file. Open it in Excel or WPS and save it as .xlsx."))
    if not data.startswith(ZIP_SIGNATURE):
        if _looks_like_text(data):
            raise SpreadsheetError(_("This looks like a CSV or text file. Open it in Excel or WPS and save it as .xlsx."))
        raise SpreadsheetError(_("This is not an Excel .xlsx file."))
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError) as exc:
        raise SpreadsheetError(_("The file is damaged or not an .xlsx file.")) from exc
    too_compressed = any(
        e.file_size > RATIO_CHECK_FROM_BYTES and e.file_size > MAX_COMPRESSION_RATIO * max(e.compress_size, 1) for e in entries
    )
    if len(entries) > MAX_ZIP_ENTRIES or sum(e.file_size for e in entries) > MAX_UNCOMPRESSED_BYTES or too_compressed:
        raise SpreadsheetError(_("The file expands to more data than an import may hold."))
    names = {e.filename for e in entries}
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise SpreadsheetError(_("This is not an Excel .xlsx file."))
    content_types = archive.read("[Content_Types].xml")
    if "xl/vbaProject.bin" in names or b"macroEnabled" in content_types or b"vbaProject" in content_types:
        raise SpreadsheetError(_("Files with macros (.xlsm) are not accepted. Save the workbook as .xlsx without macros."))


def _looks_like_text(data: bytes) -> bool:
    sample = data[:2048]
    for encoding in ("utf-8", "gb18030"):
        # Incremental: a character cut in half at the end of the sample is not an error.
        try:
            codecs.getincrementaldecoder(encoding)().decode(sample, final=False)
        except UnicodeDecodeError:
            continue
        return True
    return False


def normalise_header(text) -> str:
    """'  Employee No. * ' and 'employee_no' compare equal; full-width brackets too."""
    text = str(text or "").strip().lower()
    return re.sub(r"[\s_*.:：\-()（）]", "", text)


def open_workbook(data: bytes):
    """A read-only workbook (formulas kept as text, so none is evaluated); the caller closes
    it. Call ``check_upload`` first."""
    try:
        return openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many types for a broken file
        logger.warning("unreadable workbook: %r", exc)
        raise SpreadsheetError(_("The file could not be read as a workbook. Open it in Excel or WPS and save it again as .xlsx.")) from exc


def load_rows(data: bytes, sheet_name: str) -> tuple[str, list[tuple[int, tuple]]]:
    """The non-blank rows of the sheet named ``sheet_name`` (else the first) as (row number,
    cells), for layouts ``read_table`` cannot read (a header block above a table)."""
    workbook = open_workbook(data)
    try:
        sheet = workbook[sheet_name] if sheet_name in workbook.sheetnames else workbook.worksheets[0]
        sheet.reset_dimensions()  # some writers store a wrong size, and rows would be dropped
        rows = []
        for index, cells in enumerate(sheet.iter_rows(), start=1):
            cells = tuple(cells)
            if all(cell.value is None or (isinstance(cell.value, str) and not cell.value.strip()) for cell in cells):
                continue
            rows.append((next((c.row for c in cells if getattr(c, "row", None)), index), cells))
            if len(rows) > MAX_ROWS:
                raise SpreadsheetError(_("The file has more than %(n)s rows; split it.") % {"n": MAX_ROWS})
        return sheet.title, rows
    finally:
        workbook.close()


def read_table(data: bytes, columns: list[Column]) -> Table:
    """Rows of the first sheet as dicts keyed by column key, with every problem listed."""
    check_upload(data)
    workbook = open_workbook(data)
    try:
        sheet = workbook.worksheets[0]
        # Some writers store a wrong sheet size, and openpyxl would then drop rows.
        sheet.reset_dimensions()
        return _read_sheet(sheet, columns)
    finally:
        workbook.close()


def _header_lookup(columns):
    lookup = {}
    for column in columns:
        for spelling in column.headers:
            for part in str(spelling).split("/"):
                lookup[normalise_header(part)] = column
    return lookup


def _match_header(value, lookup):
    text = str(value or "")
    for candidate in [text, *text.split("/")]:
        column = lookup.get(normalise_header(candidate))
        if column:
            return column
    return None


def _read_sheet(sheet, columns: list[Column]) -> Table:
    lookup = _header_lookup(columns)
    table = Table(sheet=sheet.title)
    rows = sheet.iter_rows()
    header_map: dict[int, Column] = {}
    for row in rows:
        cells = list(row)
        row_number = _row_number(cells)
        found = {i: _match_header(c.value, lookup) for i, c in enumerate(cells) if c.value is not None}
        found = {i: col for i, col in found.items() if col}
        if len(found) >= max(2, len([c for c in columns if c.required])):
            header_map, table.header_row = found, row_number
            break
        if row_number >= HEADER_SEARCH_ROWS:
            break
    if not header_map:
        expected = ", ".join(c.headers[0] for c in columns if c.required)
        raise SpreadsheetError(_("No header row found in the first rows. Expected columns: %(cols)s.") % {"cols": expected})
    seen = {col.key for col in header_map.values()}
    missing = [c for c in columns if c.required and c.key not in seen]
    if missing:
        raise SpreadsheetError(
            _("Missing required columns: %(cols)s.") % {"cols": ", ".join(c.headers[0] for c in missing)}
        )
    for row in rows:
        cells = list(row)
        if not cells or all(c.value is None or str(c.value).strip() == "" for c in cells):
            continue
        row_number = _row_number(cells)
        if len(table.rows) >= MAX_ROWS:
            raise SpreadsheetError(_("The file has more than %(n)s rows; split it.") % {"n": MAX_ROWS})
        values = {}
        for index, column in header_map.items():
            cell = cells[index] if index < len(cells) else None
            value, error = _cell_value(cell, column)
            if error:
                table.errors.append(CellError(row_number, column.headers[0], error, sheet.title))
            values[column.key] = value
        table.rows.append((row_number, values))
    return table


def _row_number(cells) -> int:
    for cell in cells:
        row = getattr(cell, "row", None)
        if row:
            return row
    return 0


def _cell_value(cell, column: Column):
    if cell is None or cell.value is None:
        return None, None
    if cell.data_type == TYPE_FORMULA:
        return None, _("holds a formula; enter the value itself")
    if cell.data_type == TYPE_ERROR:
        return None, _("holds an error value (%(value)s)") % {"value": cell.value}
    value = cell.value
    if column.kind == "date":
        return parse_date(value)
    if column.kind == "number":
        return value, None
    return text_of(value), None


def text_of(value) -> str:
    """Cell as text: 12.0 -> '12', spaces trimmed; text keeps its leading zeros."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        value = value.date()
    return re.sub(r"\s+", " ", str(value)).strip()


DATE_PATTERNS = [
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
]


def parse_date(value):
    if isinstance(value, datetime):
        return value.date(), None
    if isinstance(value, date):
        return value, None
    text = str(value).strip()
    for pattern in DATE_PATTERNS:
        match = pattern.match(text)
        if match:
            try:
                return date(*(int(part) for part in match.groups())), None
            except ValueError:
                break
    return None, _("is not a date (use YYYY-MM-DD, e.g. 2024-03-01)")


# --- writing ---

FORMULA_TRIGGERS = ("=", "+", "-", "@")
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(value):
    """Control characters removed; anything that is not text passes unchanged."""
    return CONTROL_CHARS.sub("", value) if isinstance(value, str) else value


def write_cell(cell, value) -> None:
    value = clean_text(value)
    cell.value = value
    if isinstance(value, str):
        # openpyxl would store "=..." as a live formula. Keep it a string, and mark the
        # cell quote-prefixed so Excel shows and edits it as text too.
        cell.data_type = "s"
        cell.number_format = "@"
        if value.startswith(FORMULA_TRIGGERS):
            cell.quotePrefix = True


def write_workbook(sheets: list[tuple[str, list[str], list[list]]], text_columns: tuple[int, ...] = ()) -> bytes:
    """Sheets of (title, header, rows) to .xlsx bytes. User text stays text.

    `text_columns`: these columns (1-based) of the first sheet are formatted as text
    for 1000 rows, so identifiers typed into a template keep their leading zeros.
    """
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    header_font = Font(bold=True)
    header_fill = PatternFill("solid", fgColor="DDE7F3")
    for title, header, rows in sheets:
        sheet = workbook.create_sheet(title=title[:31])
        for col, name in enumerate(header, start=1):
            cell = sheet.cell(row=1, column=col)
            write_cell(cell, name)
            cell.font, cell.fill = header_font, header_fill
            sheet.column_dimensions[get_column_letter(col)].width = max(12, min(40, len(str(name)) + 4))
        for row_index, row in enumerate(rows, start=2):
            for col, value in enumerate(row, start=1):
                write_cell(sheet.cell(row=row_index, column=col), value)
        sheet.freeze_panes = "A2"
    if text_columns and workbook.worksheets:
        first = workbook.worksheets[0]
        for col in text_columns:
            for row in range(2, 1002):
                first.cell(row=row, column=col).number_format = "@"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()

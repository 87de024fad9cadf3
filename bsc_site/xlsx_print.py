"""Printable Excel sheets written with openpyxl (the paper forms HR prints): shared styles,
a cell writer that keeps text as text, landscape A4 fitted to the width, and bytes out.
Reading uploads safely is bsc_site/xlsx.py's job."""

import io

from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.worksheet.properties import PageSetupProperties

from .xlsx import write_cell

BOLD = Font(bold=True)
TITLE_FONT = Font(bold=True, size=14)
HEADER_FILL = PatternFill("solid", fgColor="DDE7F3")
GROUP_FILL = PatternFill("solid", fgColor="F2F5F9")
LABEL_FILL = PatternFill("solid", fgColor="F7F7F7")
READ_ONLY_FILL = PatternFill("solid", fgColor="F2F2F2")
THIN = Side(style="thin", color="A6A6A6")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="top")
CENTRE_WRAP = Alignment(wrap_text=True, vertical="center", horizontal="center")


def put(sheet, row: int, column: int, value, *, font=None, fill=None, number_format=None, alignment=None, border=None):
    """Write one cell; text stays text (a value starting with = + - @ is no formula)."""
    cell = sheet.cell(row=row, column=column)
    write_cell(cell, value)
    if number_format:
        cell.number_format = number_format
    for name, style in (("font", font), ("fill", fill), ("alignment", alignment), ("border", border)):
        if style is not None:
            setattr(cell, name, style)
    return cell


def landscape(sheet, header_row: int | None = None) -> None:
    """Landscape A4, one page wide, page numbers in the footer, the header row repeated."""
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    if header_row:
        sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = sheet.page_margins.right = 0.4
    sheet.page_margins.top = sheet.page_margins.bottom = 0.6
    sheet.oddFooter.center.text = "&P / &N"


def to_bytes(workbook) -> bytes:
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def notes_sheet(sheet, notes: list[tuple[str, str]], widths: tuple[int, int] = (32, 100)) -> None:
    """An instructions sheet: one (topic, note) per row under a bilingual header."""
    put(sheet, 1, 1, "Topic / 主题", font=BOLD, fill=HEADER_FILL)
    put(sheet, 1, 2, "Note / 说明", font=BOLD, fill=HEADER_FILL)
    for row, (topic, note) in enumerate(notes, start=2):
        put(sheet, row, 1, topic, alignment=WRAP)
        put(sheet, row, 2, note, alignment=WRAP)
    sheet.column_dimensions["A"].width, sheet.column_dimensions["B"].width = widths

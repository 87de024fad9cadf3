"""bsc_site/xlsx.py on its own: what it reads, what it refuses, and what it writes.

Workbooks are built here with openpyxl; bad files are crafted with zipfile or raw bytes.
"""

import io
import random
import re
import zipfile
from datetime import date

import openpyxl
import pytest

from bsc_site import xlsx
from bsc_site.xlsx import Column, SpreadsheetError, parse_date, read_table, text_of, write_workbook

COLUMNS = [
    Column("number", ("Number / 编号", "No"), required=True),
    Column("name", ("Name / 名称",), required=True),
    Column("day", ("Date / 日期",), kind="date"),
    Column("amount", ("Amount / 金额",), kind="number"),
]


def xlsx_bytes(*rows, edit=None) -> bytes:
    """A workbook whose first sheet holds `rows`; `edit(sheet)` may adjust cells afterwards."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(list(row))
    if edit:
        edit(sheet)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def rezip(data: bytes, change=None, add=()) -> bytes:
    """A copy of a zip with each entry passed through `change(name, content)` and `add` entries appended."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            target.writestr(info.filename, change(info.filename, content) if change else content)
        for name, content in add:
            target.writestr(name, content)
    return out.getvalue()


def change_sheet(data: bytes, old: bytes, new: bytes) -> bytes:
    def change(name, content):
        if name == "xl/worksheets/sheet1.xml":
            assert re.search(old, content), "the sheet XML did not contain what the test meant to change"
            return re.sub(old, new, content)
        return content

    return rezip(data, change)


def simple_table(*rows, edit=None):
    return read_table(xlsx_bytes(("Number", "Name", "Date", "Amount"), *rows, edit=edit), COLUMNS)


def refusal(data: bytes) -> str:
    with pytest.raises(SpreadsheetError) as caught:
        read_table(data, COLUMNS)
    return str(caught.value)


def sheet_xml(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read("xl/worksheets/sheet1.xml").decode()


# --- the XML parser ---


def test_openpyxl_parses_workbooks_with_defusedxml():
    assert openpyxl.DEFUSEDXML is True


# --- headers ---


def test_english_headers_are_matched_to_their_columns():
    table = read_table(xlsx_bytes(("Number", "Name", "Date", "Amount"), ("A1", "Widget", "2024-03-01", 5)), COLUMNS)

    assert table.rows == [(2, {"number": "A1", "name": "Widget", "day": date(2024, 3, 1), "amount": 5})]


def test_chinese_headers_are_matched_to_their_columns():
    table = read_table(xlsx_bytes(("编号", "名称", "日期", "金额"), ("A1", "小部件", "2024-03-01", 5)), COLUMNS)

    assert table.rows == [(2, {"number": "A1", "name": "小部件", "day": date(2024, 3, 1), "amount": 5})]


def test_a_header_may_give_both_spellings_separated_by_a_slash():
    table = read_table(xlsx_bytes(("Number / 编号", "Name / 名称"), ("A1", "Widget")), COLUMNS)

    assert table.rows == [(2, {"number": "A1", "name": "Widget"})]


def test_asterisks_colons_and_full_width_brackets_in_headers_are_ignored():
    table = read_table(xlsx_bytes(("编号 *", "（名称）：", "No."), ("A1", "Widget", "ignored")), COLUMNS)

    assert table.rows[0][1]["name"] == "Widget"


def test_a_title_row_above_the_header_is_skipped():
    table = read_table(xlsx_bytes(("Stock list 2024",), (), ("Number", "Name"), ("A1", "Widget")), COLUMNS)

    assert (table.header_row, table.rows) == (3, [(4, {"number": "A1", "name": "Widget"})])


def test_stray_spaces_in_headers_and_cells_are_ignored():
    table = read_table(xlsx_bytes(("  Number ", "\tName  "), ("  A1 ", " Big   widget ")), COLUMNS)

    assert table.rows == [(2, {"number": "A1", "name": "Big widget"})]


def test_columns_that_match_no_header_are_left_out():
    table = read_table(xlsx_bytes(("Number", "Remarks", "Name"), ("A1", "whatever", "Widget")), COLUMNS)

    assert table.rows == [(2, {"number": "A1", "name": "Widget"})]


def test_a_header_below_the_first_ten_rows_is_not_found():
    titles = [(f"title line {n}",) for n in range(1, 11)]

    message = refusal(xlsx_bytes(*titles, ("Number", "Name"), ("A1", "Widget")))

    assert "No header row" in message


def test_a_sheet_without_a_header_row_is_refused_naming_the_expected_columns():
    message = refusal(xlsx_bytes(("just", "some"), ("data", "here")))

    assert "No header row" in message and "Number / 编号" in message


def test_a_header_without_a_required_column_is_refused_naming_it():
    columns = [*COLUMNS, Column("colour", ("Colour / 颜色",), required=True)]
    data = xlsx_bytes(("Number", "Name", "Date", "Amount"), ("A1", "Widget", None, None))

    with pytest.raises(SpreadsheetError, match="Missing required columns: Colour / 颜色"):
        read_table(data, columns)


# --- cell values ---


def test_numbers_stored_as_text_are_read_as_text():
    table = simple_table(("1001", "Widget", None, "25"))

    assert (table.rows[0][1]["number"], table.rows[0][1]["amount"]) == ("1001", "25")


def test_a_text_cell_keeps_its_leading_zeros():
    table = simple_table(("00123", "Widget"))

    assert table.rows[0][1]["number"] == "00123"


def test_a_whole_number_stored_as_a_decimal_is_read_without_the_decimal_point():
    data = change_sheet(xlsx_bytes(("Number", "Name"), (12, "Widget")), rb"<v>12</v>", b"<v>12.0</v>")

    table = read_table(data, COLUMNS)

    assert table.rows[0][1]["number"] == "12"


def test_text_of_keeps_a_fraction():
    assert text_of(12.5) == "12.5"


def test_a_number_column_keeps_the_number():
    table = simple_table(("A1", "Widget", None, 2.5))

    assert table.rows[0][1]["amount"] == 2.5


def test_a_date_cell_is_read_as_a_date():
    table = simple_table(("A1", "Widget", date(2024, 3, 1)))

    assert table.rows[0][1]["day"] == date(2024, 3, 1)


@pytest.mark.parametrize("text", ["2024-03-01", "2024/3/1", "2024.3.1", "2024年3月1日", " 2024-3-1 "])
def test_date_text_in_a_common_format_is_read_as_a_date(text):
    table = simple_table(("A1", "Widget", text))

    assert (table.rows[0][1]["day"], table.errors) == (date(2024, 3, 1), [])


@pytest.mark.parametrize("text", ["01/03/2024", "March 1, 2024", "2024-02-30", "soon"])
def test_date_text_that_is_not_an_unambiguous_date_is_an_error(text):
    table = simple_table(("A1", "Widget", text))

    assert [(e.row, e.column) for e in table.errors] == [(2, "Date / 日期")]


def test_a_plain_number_in_a_date_column_is_an_error_not_a_guess():
    table = simple_table(("A1", "Widget", 45352))

    assert [(e.row, e.column, "not a date" in e.message) for e in table.errors] == [(2, "Date / 日期", True)]


def test_parse_date_reports_an_impossible_date():
    assert parse_date("2023-02-29") == (None, "is not a date (use YYYY-MM-DD, e.g. 2024-03-01)")


def test_a_formula_in_a_value_column_is_an_error():
    table = simple_table(("A1", "=1+1"))

    assert [(e.row, e.column, "formula" in e.message) for e in table.errors] == [(2, "Name / 名称", True)]


def test_a_formula_in_a_value_column_gives_no_value():
    table = simple_table(("A1", "=1+1"))

    assert table.rows[0][1]["name"] is None


def test_a_formula_in_a_column_that_is_not_imported_is_ignored():
    table = read_table(xlsx_bytes(("Number", "Name", "Check"), ("A1", "Widget", "=LEN(B2)")), COLUMNS)

    assert table.errors == []


def test_an_error_value_in_a_value_column_is_an_error():
    def put_error(sheet):
        sheet["B2"].value = "#N/A"
        sheet["B2"].data_type = "e"

    table = simple_table(("A1", "placeholder"), edit=put_error)

    assert [(e.row, e.column, "#N/A" in e.message) for e in table.errors] == [(2, "Name / 名称", True)]


def test_blank_rows_between_data_rows_are_skipped():
    table = simple_table(("A1", "Widget"), (), ("  ", None), ("A2", "Gadget"))

    assert [number for number, _values in table.rows] == [2, 5]


def test_a_wrong_stored_sheet_size_still_yields_every_row():
    rows = [(f"A{n}", f"Widget {n}") for n in range(1, 6)]
    data = change_sheet(xlsx_bytes(("Number", "Name"), *rows), rb'<dimension ref="[^"]*"\s*/>', b'<dimension ref="A1:B2"/>')

    table = read_table(data, COLUMNS)

    assert [values["name"] for _number, values in table.rows] == [f"Widget {n}" for n in range(1, 6)]


def test_more_rows_than_the_limit_are_refused(monkeypatch):
    monkeypatch.setattr(xlsx, "MAX_ROWS", 3)

    message = refusal(xlsx_bytes(("Number", "Name"), *[(f"A{n}", "Widget") for n in range(4)]))

    assert "more than 3 rows" in message


def test_rows_up_to_the_limit_are_read(monkeypatch):
    monkeypatch.setattr(xlsx, "MAX_ROWS", 3)

    table = read_table(xlsx_bytes(("Number", "Name"), *[(f"A{n}", "Widget") for n in range(3)]), COLUMNS)

    assert len(table.rows) == 3


# --- whole-file refusals ---


def test_a_legacy_xls_file_is_refused():
    data = xlsx.OLE_SIGNATURE + bytes(4096)

    assert "legacy .xls" in refusal(data)


def test_a_password_protected_workbook_is_refused():
    data = xlsx.OLE_SIGNATURE + bytes(500) + "EncryptionInfo".encode("utf-16-le") + bytes(500)

    assert "password" in refusal(data)


def test_a_utf8_csv_file_is_refused_as_text():
    data = "\ufeffNumber,Name\nA1,小部件\n".encode()

    assert "CSV" in refusal(data)


def test_a_gb18030_csv_file_is_refused_as_text():
    data = "编号,名称\nA1,小部件\n".encode("gb18030")

    assert "CSV" in refusal(data)


def test_a_long_utf8_csv_file_is_refused_as_text_when_a_character_straddles_the_sample_end():
    # A multibyte character cut in half at the end of the 2 KB sample is still text.
    data = ("a" * 2047 + "张三\n").encode("utf-8")

    assert "CSV" in refusal(data)


def test_a_long_gb18030_csv_file_is_refused_as_text_when_a_character_straddles_the_sample_end():
    data = ("a" * 2047 + "张三\n").encode("gb18030")

    assert "CSV" in refusal(data)


def test_random_bytes_are_refused():
    data = random.Random(0).randbytes(4096)

    assert "not an Excel .xlsx file" in refusal(data)


def test_a_workbook_with_a_vba_project_is_refused():
    data = rezip(xlsx_bytes(("Number", "Name")), add=[("xl/vbaProject.bin", b"\x00" * 64)])

    assert "macros" in refusal(data)


def test_a_workbook_declared_macro_enabled_is_refused():
    def macro_enabled(name, content):
        if name == "[Content_Types].xml":
            return content.replace(b"spreadsheetml.sheet.main+xml", b"vnd.ms-excel.sheet.macroEnabled.main+xml")
        return content

    data = rezip(xlsx_bytes(("Number", "Name")), macro_enabled)

    assert "macros" in refusal(data)


def test_a_zip_that_is_not_a_workbook_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "hello")

    assert "not an Excel .xlsx file" in refusal(out.getvalue())


def test_a_truncated_zip_is_refused_as_damaged():
    data = xlsx_bytes(("Number", "Name"))

    assert "damaged" in refusal(data[: len(data) // 2])


def test_a_zip_with_workbook_names_but_broken_content_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types")
        archive.writestr("xl/workbook.xml", "not xml")

    assert "could not be read as a workbook" in refusal(out.getvalue())


def test_a_zip_bomb_is_refused():
    # 101 MB of zeros in one entry: about 100 KB on disk, over the 100 MB limit when expanded.
    data = rezip(xlsx_bytes(("Number", "Name")))
    out = io.BytesIO(data)
    with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as archive, archive.open("xl/media/zeros.bin", "w") as entry:
        chunk = bytes(1024 * 1024)
        for _ in range(101):
            entry.write(chunk)

    assert "expands" in refusal(out.getvalue())


def test_a_workbook_within_a_lowered_expansion_limit_is_read(monkeypatch):
    data = xlsx_bytes(("Number", "Name"), ("A1", "Widget"))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        expanded = sum(e.file_size for e in archive.infolist())
    monkeypatch.setattr(xlsx, "MAX_UNCOMPRESSED_BYTES", expanded)

    assert len(read_table(data, COLUMNS).rows) == 1


def test_a_workbook_over_a_lowered_expansion_limit_is_refused(monkeypatch):
    data = xlsx_bytes(("Number", "Name"), ("A1", "Widget"))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        expanded = sum(e.file_size for e in archive.infolist())
    monkeypatch.setattr(xlsx, "MAX_UNCOMPRESSED_BYTES", expanded - 1)

    assert "expands" in refusal(data)


def test_a_zip_with_too_many_entries_is_refused():
    data = rezip(xlsx_bytes(("Number", "Name")), add=[(f"xl/media/{n}.txt", b"") for n in range(xlsx.MAX_ZIP_ENTRIES)])

    assert "expands" in refusal(data)


def test_a_file_over_the_upload_limit_is_refused(settings):
    data = xlsx_bytes(("Number", "Name"), ("A1", "Widget"))
    settings.XLSX_MAX_UPLOAD_BYTES = len(data) - 1

    assert "larger than" in refusal(data)


def test_a_file_at_the_upload_limit_is_read(settings):
    data = xlsx_bytes(("Number", "Name"), ("A1", "Widget"))
    settings.XLSX_MAX_UPLOAD_BYTES = len(data)

    assert len(read_table(data, COLUMNS).rows) == 1


# --- writing ---


@pytest.mark.parametrize("text", ["=1+1", "+1+1", "-1+1", "@SUM(A1)", '=HYPERLINK("http://evil","click")'])
def test_written_text_that_looks_like_a_formula_stays_text(text):
    data = write_workbook([("Sheet", ["Note"], [[text]])])

    cell = openpyxl.load_workbook(io.BytesIO(data)).active["A2"]

    assert (cell.data_type, cell.value) == ("s", text)


def test_a_written_workbook_holds_no_formula():
    data = write_workbook([("Sheet", ["=A1", "Note"], [["=1+1", "+cmd|' /C calc'!A0"], ["@SUM(1)", "-2+3"]])])

    assert "<f>" not in sheet_xml(data) and "<f " not in sheet_xml(data)


def test_written_text_that_looks_like_a_formula_is_quote_prefixed():
    data = write_workbook([("Sheet", ["Note"], [["=1+1"]])])

    assert openpyxl.load_workbook(io.BytesIO(data)).active["A2"].quotePrefix is True


def test_control_characters_are_stripped_when_writing():
    data = write_workbook([("Sheet", ["Note"], [["a\x00b\x07c\x1fd\x7fe"]])])

    assert openpyxl.load_workbook(io.BytesIO(data)).active["A2"].value == "abcde"


def test_tabs_and_line_breaks_are_kept_when_writing():
    data = write_workbook([("Sheet", ["Note"], [["a\tb\nc"]])])

    assert openpyxl.load_workbook(io.BytesIO(data)).active["A2"].value == "a\tb\nc"


def test_leading_zeros_are_kept_when_writing():
    data = write_workbook([("Sheet", ["Number"], [["00123"]])])

    cell = openpyxl.load_workbook(io.BytesIO(data)).active["A2"]

    assert (cell.data_type, cell.value) == ("s", "00123")


def test_numbers_and_dates_are_written_as_values():
    data = write_workbook([("Sheet", ["Amount", "Day"], [[2.5, date(2024, 3, 1)]])])

    sheet = openpyxl.load_workbook(io.BytesIO(data)).active

    assert (sheet["A2"].value, sheet["B2"].value.date()) == (2.5, date(2024, 3, 1))


def test_text_columns_are_formatted_as_text_below_the_header():
    data = write_workbook([("Sheet", ["Number", "Name"], [])], text_columns=(1,))

    sheet = openpyxl.load_workbook(io.BytesIO(data)).active

    assert (sheet["A2"].number_format, sheet["A1001"].number_format, sheet["B2"].number_format) == ("@", "@", "General")


def test_a_long_sheet_title_is_cut_to_31_characters():
    data = write_workbook([("x" * 40, ["Number"], [])])

    assert openpyxl.load_workbook(io.BytesIO(data)).sheetnames == ["x" * 31]


def test_a_written_workbook_reads_back_as_written():
    data = write_workbook([("Sheet", ["Number / 编号", "Name / 名称"], [["007", "=danger"], ["008", "Widget"]])])

    table = read_table(data, COLUMNS)

    assert (table.rows, table.errors) == ([(2, {"number": "007", "name": "=danger"}), (3, {"number": "008", "name": "Widget"})], [])

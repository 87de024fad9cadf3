"""HR imports employees from Excel: all rows are saved, or none."""

import io
import re
from datetime import date

import openpyxl
import pytest
from playwright.sync_api import expect

from organisation.employee_import import COLUMNS
from organisation.models import Employee

pytestmark = pytest.mark.django_db(transaction=True)

HEADER = [column.headers[0] for column in COLUMNS]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def workbook(rows) -> bytes:
    """An .xlsx with the template's header and one row per dict (keys: column keys)."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for row in rows:
        sheet.append([row.get(column.key) for column in COLUMNS])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(page, name, data):
    page.get_by_label("Excel file (.xlsx)").set_input_files({"name": name, "mimeType": XLSX, "buffer": data})
    page.get_by_role("button", name="Import").click()


def open_import_page(page):
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Employees", exact=True).click()
    page.get_by_role("link", name="Import from Excel").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import employees")


def test_hr_downloads_the_template_and_imports_three_employees(page, log_in, screenshot, world, tmp_path):
    log_in(page, "hr")
    open_import_page(page)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the template").click()
    download = download_info.value
    assert download.suggested_filename == "employee-import-template.xlsx"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    template = openpyxl.load_workbook(saved)
    assert [cell.value for cell in template.worksheets[0][1]] == HEADER

    rows = [
        {"employee_number": "N001", "name_zh": "王芳", "name_en": "Wang Fang", "email": "wang.fang@example.com",
         "department": "A", "post": world.post_a.code, "team": "TA", "hire_date": date(2024, 3, 1)},
        {"employee_number": "N002", "name_en": "Zhao Lei", "username": "zhaolei", "department": "A1",
         "post": world.post_a1.code, "line_manager": "N001", "hire_date": date(2024, 3, 4)},
        {"employee_number": "N003", "name_zh": "陈静", "department": "B", "post": world.post_b.code,
         "line_manager": world.head_b.employee_number, "hire_date": "2024-04-01"},
    ]
    upload(page, "new-hires.xlsx", workbook(rows))

    expect(page).to_have_url(re.compile(r"/org/employees/$"))
    expect(page.locator(".messages")).to_have_text("3 employees imported.")
    for number, name, department in [("N001", "Wang Fang", "Alpha"), ("N002", "Zhao Lei", "Alpha one"), ("N003", "陈静", "Beta")]:
        row = page.locator("tbody tr", has=page.get_by_role("cell", name=number, exact=True))
        expect(row.locator("td")).to_have_text([number, name, department, re.compile(r"\S"), re.compile(r"\S"), re.compile(r"2024-0")])
    expect(page.locator("tbody tr", has_text="N002").locator("td").nth(4)).to_have_text("Wang Fang")
    expect(page.get_by_text("12 employees")).to_be_visible()
    screenshot(page)

    imported = Employee.objects.select_related("user", "team").get(employee_number="N001")
    assert (imported.user.username, imported.user.email, imported.team.code) == ("N001", "wang.fang@example.com", "TA")
    assert Employee.objects.get(employee_number="N002").user.username == "zhaolei"


def test_a_file_with_bad_rows_lists_every_problem_and_saves_nothing(page, log_in, screenshot, world):
    log_in(page, "hr")
    open_import_page(page)
    rows = [
        {"employee_number": "N101", "name_en": "Good Row", "department": "A", "post": world.post_a.code,
         "hire_date": date(2024, 3, 1)},
        {"employee_number": "N102", "name_en": "Nowhere", "department": "ZZZ", "post": world.post_a.code,
         "hire_date": date(2024, 3, 1)},
        {"employee_number": world.emp_b.employee_number, "name_en": "Twin", "username": "twin", "department": "B",
         "post": world.post_b.code, "hire_date": date(2024, 3, 1)},
    ]

    upload(page, "bad.xlsx", workbook(rows))

    expect(page).to_have_url(re.compile(r"/org/employees/import/$"))
    errors = page.get_by_role("alert").filter(has_text="nothing was saved")
    expect(errors.get_by_role("heading")).to_have_text("2 problems found — nothing was saved")
    # Sheet row numbers: the header is row 1, so the bad rows are 3 and 4.
    expect(errors.locator("tbody tr td:first-child")).to_have_text(["3", "4"])
    expect(errors.locator("tbody tr").nth(0)).to_contain_text("Department / 部门")
    expect(errors.locator("tbody tr").nth(0)).to_contain_text("ZZZ")
    expect(errors.locator("tbody tr").nth(1)).to_contain_text("Employee number / 工号")
    expect(errors.locator("tbody tr").nth(1)).to_contain_text(f"{world.emp_b.employee_number} already exists")
    expect(page.locator(".messages")).to_have_count(0)
    screenshot(page)

    assert not Employee.objects.filter(employee_number__in=["N101", "N102"]).exists()
    page.goto("/org/employees/?q=N10")
    expect(page.get_by_text("No employees match.")).to_be_visible()

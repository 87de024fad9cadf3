"""Employee import (organisation/employee_import.py) and its two views.

Workbooks are built in the tests with openpyxl; crafted bad files with zipfile or raw bytes.
"""

import io
import re
import zipfile
from datetime import date

import openpyxl
import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError
from django.urls import reverse

from bsc_site.xlsx import OLE_SIGNATURE, SpreadsheetError, read_table
from organisation import employee_import
from organisation.employee_import import COLUMNS, HEADER, import_employees, import_template
from organisation.models import Assignment, Employee, User

from .factories import DepartmentFactory, EmployeeFactory, PostFactory, TeamFactory

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

ENGLISH = {
    "employee_number": "Employee number",
    "name_zh": "Name (Chinese)",
    "name_en": "Name (English)",
    "username": "User name",
    "email": "E-mail",
    "department": "Department",
    "post": "Post",
    "team": "Team",
    "line_manager": "Line manager",
    "hire_date": "Hire date",
}
CHINESE = {
    "employee_number": "工号",
    "name_zh": "姓名",
    "name_en": "英文名",
    "username": "用户名",
    "email": "邮箱",
    "department": "部门",
    "post": "岗位",
    "team": "班组",
    "line_manager": "直接上级工号",
    "hire_date": "入职日期",
}


def person(number, **values) -> dict:
    """One valid row for the sales department; keyword arguments override cells."""
    return {
        "employee_number": number,
        "name_zh": "张三",
        "name_en": "Zhang San",
        "department": "SAL",
        "post": "SAL-REP",
        "hire_date": date(2024, 3, 1),
        **values,
    }


def employees_xlsx(*people, headers=ENGLISH, above=(), edit=None) -> bytes:
    """A workbook with `above` rows (titles), a header row, and one row per person."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for line in above:
        sheet.append(list(line))
    keys = list(headers)
    sheet.append([headers[key] for key in keys])
    for values in people:
        sheet.append([values.get(key) for key in keys])
    if edit:
        edit(sheet)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def rewrite_sheet(data: bytes, old: bytes, new: bytes) -> bytes:
    """A copy of the workbook with a regex substitution applied to the first sheet's XML."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                assert re.search(old, content), "the sheet XML did not contain what the test meant to change"
                content = re.sub(old, new, content)
            target.writestr(info.filename, content)
    return out.getvalue()


def problems(result) -> list[tuple[int, str]]:
    return [(e.row, e.column) for e in result.errors]


def problem_at(result, row, key) -> str:
    """The messages reported for one cell, joined."""
    return " | ".join(e.message for e in result.errors if (e.row, e.column) == (row, HEADER[key]))


@pytest.fixture
def hr(world):
    return world.hr.user


@pytest.fixture
def sales(db):
    return DepartmentFactory(code="SAL", name_zh="销售部", name_en="Sales")


@pytest.fixture
def rep(sales):
    return PostFactory(department=sales, code="SAL-REP", name_zh="销售代表", name_en="Sales representative")


@pytest.fixture
def run(hr, rep):
    """Import a workbook as HR into an organisation with a sales department and post."""

    def run_import(data):
        return import_employees(by=hr, data=data)

    return run_import


# --- a good file ---


def test_an_import_creates_an_employee_for_every_row(run):
    result = run(employees_xlsx(person("S001"), person("S002", name_zh="李四", name_en="Li Si")))

    assert (result.errors, sorted(e.employee_number for e in result.created)) == ([], ["S001", "S002"])


def test_imported_employees_are_saved_with_their_cells(run, sales, rep):
    run(employees_xlsx(person("S001")))

    employee = Employee.objects.get(employee_number="S001")

    assert (employee.name_zh, employee.name_en, employee.department, employee.post, employee.hire_date) == (
        "张三",
        "Zhang San",
        sales,
        rep,
        date(2024, 3, 1),
    )


def test_an_imported_employee_gets_a_log_in_account_named_after_the_employee_number(run):
    run(employees_xlsx(person("S001")))

    user = Employee.objects.get(employee_number="S001").user

    assert (user.username, user.has_usable_password()) == ("S001", False)


def test_an_imported_employee_gets_the_user_name_and_email_of_the_file(run):
    run(employees_xlsx(person("S001", username="zhang.san", email="zhang.san@example.com")))

    user = Employee.objects.get(employee_number="S001").user

    assert (user.username, user.email) == ("zhang.san", "zhang.san@example.com")


def test_an_imported_employee_gets_an_assignment_from_the_hire_date(run, sales, rep):
    run(employees_xlsx(person("S001")))

    assignments = Assignment.objects.filter(employee__employee_number="S001")

    assert list(assignments.values_list("department", "post", "start_date", "end_date")) == [
        (sales.pk, rep.pk, date(2024, 3, 1), None)
    ]


def test_an_imported_employee_has_a_history_record_of_the_creation(run):
    run(employees_xlsx(person("S001")))

    history = Employee.objects.get(employee_number="S001").history.order_by("history_id")

    assert list(history.values_list("history_type", "history_change_reason")) == [("+", "import employees")]


def test_setting_an_imported_line_manager_is_recorded_in_the_history(run):
    run(employees_xlsx(person("S001"), person("S002", line_manager="S001")))

    history = Employee.objects.get(employee_number="S002").history.order_by("history_id")

    assert list(history.values_list("history_type", "history_change_reason")) == [("+", "import employees"), ("~", "import employees")]


def test_chinese_headers_are_accepted(run):
    result = run(employees_xlsx(person("S001"), headers=CHINESE))

    assert (result.errors, [e.employee_number for e in result.created]) == ([], ["S001"])


def test_bilingual_template_headers_are_accepted(run):
    headers = {key: HEADER[key] for key in ENGLISH}

    result = run(employees_xlsx(person("S001"), headers=headers))

    assert (result.errors, [e.employee_number for e in result.created]) == ([], ["S001"])


def test_a_title_row_above_the_header_is_accepted(run):
    result = run(employees_xlsx(person("S001"), above=[("员工导入 Employee import 2024",), ()]))

    assert (result.errors, [e.employee_number for e in result.created]) == ([], ["S001"])


def test_stray_spaces_in_headers_and_cells_are_trimmed(run):
    headers = {key: f"  {name} " for key, name in CHINESE.items()}

    run(employees_xlsx(person(" S001 ", name_zh=" 张三 ", department=" SAL ", post="SAL-REP  "), headers=headers))

    assert Employee.objects.filter(employee_number="S001", name_zh="张三").exists()


def test_an_employee_number_typed_as_text_keeps_its_leading_zeros(run):
    run(employees_xlsx(person("00123")))

    assert Employee.objects.filter(employee_number="00123", user__username="00123").exists()


def test_a_numeric_employee_number_is_read_without_a_decimal_point(run):
    data = rewrite_sheet(employees_xlsx(person(12)), rb"<v>12</v>", b"<v>12.0</v>")

    run(data)

    assert Employee.objects.filter(employee_number="12").exists()


def test_a_numeric_line_manager_number_matches_a_text_employee_number(run):
    run(employees_xlsx(person("12"), person("13", line_manager=12)))

    assert Employee.objects.get(employee_number="13").line_manager.employee_number == "12"


def test_a_date_cell_gives_the_hire_date(run):
    run(employees_xlsx(person("S001", hire_date=date(2023, 7, 15))))

    assert Employee.objects.get(employee_number="S001").hire_date == date(2023, 7, 15)


@pytest.mark.parametrize("text", ["2024-03-01", "2024/3/1", "2024年3月1日"])
def test_a_hire_date_typed_as_text_is_read(run, text):
    run(employees_xlsx(person("S001", hire_date=text)))

    assert Employee.objects.get(employee_number="S001").hire_date == date(2024, 3, 1)


@pytest.mark.parametrize("department", ["SAL", "sal", "销售部", "Sales", "sales"])
def test_the_department_may_be_given_by_code_or_by_either_name(run, sales, department):
    run(employees_xlsx(person("S001", department=department)))

    assert Employee.objects.get(employee_number="S001").department == sales


@pytest.mark.parametrize("post", ["SAL-REP", "销售代表", "Sales representative"])
def test_the_post_may_be_given_by_code_or_by_either_name(run, rep, post):
    run(employees_xlsx(person("S001", post=post)))

    assert Employee.objects.get(employee_number="S001").post == rep


def test_the_team_is_found_within_the_row_department(run, sales):
    team = TeamFactory(department=sales, code="SAL-T1", name_zh="展厅组", name_en="Showroom")

    run(employees_xlsx(person("S001", team="展厅组")))

    assert Employee.objects.get(employee_number="S001").team == team


def test_a_line_manager_may_be_another_row_of_the_same_file(run):
    run(employees_xlsx(person("S002", line_manager="S001"), person("S001")))

    assert Employee.objects.get(employee_number="S002").line_manager == Employee.objects.get(employee_number="S001")


def test_a_line_manager_may_be_an_existing_employee(run, world):
    run(employees_xlsx(person("S001", line_manager=world.head_a.employee_number)))

    assert Employee.objects.get(employee_number="S001").line_manager == world.head_a


def test_a_workbook_with_a_wrong_stored_sheet_size_imports_every_row(run):
    data = employees_xlsx(*(person(f"S00{n}") for n in range(1, 6)))
    data = rewrite_sheet(data, rb'<dimension ref="[^"]*"\s*/>', b'<dimension ref="A1:A1"/>')

    result = run(data)

    assert (result.errors, len(result.created)) == ([], 5)


# --- all or nothing ---


def test_one_bad_row_among_good_ones_saves_nothing(run):
    before = (Employee.objects.count(), User.objects.count(), Assignment.objects.count())

    run(employees_xlsx(person("S001"), person("S002", department="Nowhere"), person("S003")))

    assert (Employee.objects.count(), User.objects.count(), Assignment.objects.count()) == before


def test_one_bad_row_among_good_ones_creates_no_employee(run):
    result = run(employees_xlsx(person("S001"), person("S002", department="Nowhere"), person("S003")))

    assert result.created == []


def test_every_problem_is_listed_with_its_row_and_column(run):
    data = employees_xlsx(
        person("S001", email="not-an-email"),
        person("S002"),
        person("S003", department="Nowhere", hire_date="someday"),
    )

    result = run(data)

    assert problems(result) == [
        (2, HEADER["email"]),
        (4, HEADER["department"]),
        (4, HEADER["hire_date"]),
    ]


def test_the_number_of_rows_read_is_reported(run):
    result = run(employees_xlsx(person("S001"), person("S002", department="Nowhere")))

    assert result.rows_read == 2


def test_a_missing_department_is_reported(run):
    result = run(employees_xlsx(person("S001", department=None)))

    assert problem_at(result, 2, "department") == "is required"


def test_a_missing_hire_date_is_reported(run):
    result = run(employees_xlsx(person("S001", hire_date=None)))

    assert problem_at(result, 2, "hire_date") == "is required"


def test_a_row_without_any_name_is_reported(run):
    result = run(employees_xlsx(person("S001", name_zh=None, name_en=None)))

    assert problems(result) == [(2, HEADER["name_zh"])]


def test_an_unknown_department_is_reported(run):
    result = run(employees_xlsx(person("S001", department="Nowhere")))

    assert "Nowhere" in problem_at(result, 2, "department")


def test_an_inactive_department_is_reported(run, sales):
    sales.is_active = False
    sales.save()

    result = run(employees_xlsx(person("S001")))

    assert problems(result) == [(2, HEADER["department"])]


def test_a_post_of_another_department_is_reported(run, world):
    result = run(employees_xlsx(person("S001", post=world.post_b.code)))

    assert problems(result) == [(2, HEADER["post"])]


def test_a_team_of_another_department_is_reported(run, world):
    result = run(employees_xlsx(person("S001", team=world.team_b.code)))

    assert problems(result) == [(2, HEADER["team"])]


def test_an_employee_number_twice_in_the_file_is_reported_on_the_second_row(run):
    result = run(employees_xlsx(person("S001"), person("S001", name_en="Someone else")))

    assert "also on row 2" in problem_at(result, 3, "employee_number")


def test_an_employee_number_already_in_the_database_is_reported(run, world):
    result = run(employees_xlsx(person(world.emp_a.employee_number)))

    assert "already exists" in problem_at(result, 2, "employee_number")


def test_a_user_name_that_is_taken_is_reported(run, world):
    result = run(employees_xlsx(person("S001", username=world.emp_a.user.username.upper())))

    assert problems(result) == [(2, HEADER["username"])]


def test_an_invalid_user_name_is_reported(run):
    result = run(employees_xlsx(person("S001", username="zhang san!")))

    assert problems(result) == [(2, HEADER["username"])]


def test_a_bad_email_is_reported(run):
    result = run(employees_xlsx(person("S001", email="zhang.san(at)example")))

    assert problems(result) == [(2, HEADER["email"])]


def test_a_hire_date_text_that_is_not_a_date_is_reported(run):
    result = run(employees_xlsx(person("S001", hire_date="01/03/2024")))

    assert problems(result) == [(2, HEADER["hire_date"])]


def test_a_plain_number_in_the_hire_date_column_is_reported_not_guessed(run):
    result = run(employees_xlsx(person("S001", hire_date=45352)))

    assert [(e.row, e.column, "not a date" in e.message) for e in result.errors] == [(2, HEADER["hire_date"], True)]


def test_a_formula_in_a_value_column_is_reported(run):
    result = run(employees_xlsx(person("S001", department="=1+1")))

    assert "formula" in problem_at(result, 2, "department")


def test_a_formula_cell_is_reported_once(run):
    result = run(employees_xlsx(person("S001", department="=1+1")))

    assert [e.message for e in result.errors] == ["holds a formula; enter the value itself"]


def test_an_error_value_in_a_value_column_is_reported(run):
    def put_error(sheet):
        sheet["G2"].value = "#N/A"  # the post column
        sheet["G2"].data_type = "e"

    result = run(employees_xlsx(person("S001"), edit=put_error))

    assert "#N/A" in problem_at(result, 2, "post")


def test_a_line_manager_number_that_does_not_exist_is_reported(run):
    result = run(employees_xlsx(person("S001", line_manager="X999")))

    assert problems(result) == [(2, HEADER["line_manager"])]


def test_an_employee_cannot_be_their_own_line_manager(run):
    result = run(employees_xlsx(person("S001", line_manager="S001")))

    assert [(e.row, e.column, "own line manager" in e.message) for e in result.errors] == [(2, HEADER["line_manager"], True)]


def test_a_line_manager_who_has_left_is_reported(run):
    # The employee forms only offer active employees as line managers.
    former = EmployeeFactory(employee_number="F001", is_active=False, leave_date=date(2023, 1, 1))

    result = run(employees_xlsx(person("S001", line_manager=former.employee_number)))

    assert problems(result) == [(2, HEADER["line_manager"])]


def test_an_employee_number_longer_than_the_field_is_reported_on_its_row(run):
    result = run(employees_xlsx(person("S" * 33)))

    assert problems(result) == [(2, HEADER["employee_number"])]


def test_a_name_longer_than_the_field_is_reported_on_its_row(run):
    result = run(employees_xlsx(person("S001", name_zh="张" * 101)))

    assert problems(result) == [(2, HEADER["name_zh"])]


def test_problems_are_listed_in_row_order(run):
    data = employees_xlsx(person("S001", hire_date="x"), person("S002", department="Nowhere"), person("S003", email="x"))

    result = run(data)

    assert [e.row for e in result.errors] == [2, 3, 4]


def _clash(*args, **kwargs):
    # What the database says when another session saved the same number meanwhile.
    raise IntegrityError("duplicate key value violates unique constraint")


def test_a_clash_while_saving_rolls_back_every_row(run, monkeypatch):
    monkeypatch.setattr(employee_import, "bulk_create_with_history", _clash)
    before = (Employee.objects.count(), User.objects.count())

    run(employees_xlsx(person("S001"), person("S002")))

    assert (Employee.objects.count(), User.objects.count()) == before


def test_a_clash_while_saving_is_reported(run, monkeypatch):
    monkeypatch.setattr(employee_import, "bulk_create_with_history", _clash)

    result = run(employees_xlsx(person("S001")))

    assert ("clashed" in result.errors[0].message, result.created) == (True, [])


def test_an_employee_without_the_hr_role_may_not_import_a_good_file(world, rep):
    with pytest.raises(PermissionDenied):
        import_employees(by=world.emp_a.user, data=employees_xlsx(person("S001")))


def test_an_employee_without_the_hr_role_is_refused_before_the_file_is_checked(world, rep):
    # The check results name existing employee numbers and departments.
    with pytest.raises(PermissionDenied):
        import_employees(by=world.emp_a.user, data=employees_xlsx(person(world.emp_b.employee_number)))


# --- whole-file refusals ---


def test_a_legacy_xls_file_is_refused(run):
    with pytest.raises(SpreadsheetError, match="legacy .xls"):
        run(OLE_SIGNATURE + bytes(1024))


def test_a_file_without_the_post_column_is_refused_naming_it(run):
    headers = {key: name for key, name in ENGLISH.items() if key != "post"}

    with pytest.raises(SpreadsheetError, match="Missing required columns: Post / 岗位"):
        run(employees_xlsx(person("S001"), headers=headers))


def test_a_sheet_without_a_header_row_is_refused(run):
    with pytest.raises(SpreadsheetError, match="No header row"):
        run(employees_xlsx(headers={"x": "Staff list"}))


# --- the template ---


def test_the_template_reads_back_with_no_rows_and_no_errors():
    table = read_table(import_template(), COLUMNS)

    assert (table.header_row, table.rows, table.errors) == (1, [], [])


def test_the_template_header_names_every_import_column():
    sheet = openpyxl.load_workbook(io.BytesIO(import_template())).worksheets[0]

    assert [cell.value for cell in sheet[1]] == [column.headers[0] for column in COLUMNS]


def test_the_template_formats_the_number_columns_as_text():
    sheet = openpyxl.load_workbook(io.BytesIO(import_template())).worksheets[0]
    manager_column = [column.key for column in COLUMNS].index("line_manager") + 1

    assert (sheet.cell(2, 1).number_format, sheet.cell(2, manager_column).number_format) == ("@", "@")


def test_an_import_of_the_empty_template_creates_nobody(run):
    result = run(import_template())

    assert (result.errors, result.created) == ([], [])


# --- the import page ---


def upload(client, data, name="staff.xlsx"):
    return client.post(reverse("employee-import"), {"file": SimpleUploadedFile(name, data, content_type=XLSX_TYPE)})


def test_hr_sees_the_import_page(client, login, hr):
    login(hr)

    assert client.get(reverse("employee-import")).status_code == 200


def test_hr_uploading_a_good_file_is_sent_to_the_employee_list(client, login, hr, rep):
    login(hr)

    response = upload(client, employees_xlsx(person("S001"), person("S002")))

    assert (response.status_code, response.url) == (302, reverse("employee-list"))


def test_hr_uploading_a_good_file_creates_the_employees(client, login, hr, rep):
    login(hr)

    upload(client, employees_xlsx(person("S001"), person("S002")))

    assert sorted(Employee.objects.filter(employee_number__startswith="S").values_list("employee_number", flat=True)) == [
        "S001",
        "S002",
    ]


def test_hr_is_told_how_many_employees_were_imported(client, login, hr, rep):
    login(hr)

    response = upload(client, employees_xlsx(person("S001"), person("S002")))

    assert [str(m) for m in get_messages(response.wsgi_request)] == ["2 employees imported."]


def test_hr_uploading_a_bad_file_sees_every_problem_with_its_row(client, login, hr, rep):
    login(hr)

    response = upload(client, employees_xlsx(person("S001"), person("S002", department="Nowhere"), person("S003", email="x")))

    content = response.content.decode()
    assert (response.status_code, "<td>3</td>" in content, "<td>4</td>" in content, "Nowhere" in content) == (
        200,
        True,
        True,
        True,
    )


def test_hr_uploading_a_bad_file_saves_nothing(client, login, hr, rep):
    login(hr)
    before = (Employee.objects.count(), User.objects.count())

    upload(client, employees_xlsx(person("S001"), person("S002", department="Nowhere")))

    assert (Employee.objects.count(), User.objects.count()) == before


def test_hr_uploading_a_legacy_xls_sees_the_message_on_the_form(client, login, hr):
    login(hr)

    response = upload(client, OLE_SIGNATURE + bytes(1024), name="staff.xls")

    assert (response.status_code, "legacy .xls" in response.context["form"].errors["file"][0]) == (200, True)


def test_the_administrator_sees_the_import_page(client, login, world):
    login(world.admin)

    assert client.get(reverse("employee-import")).status_code == 200


@pytest.mark.parametrize("actor", ["emp_a", "head_a"])
def test_a_plain_employee_or_department_head_may_not_open_the_import_page(client, login, world, actor):
    login(getattr(world, actor).user)

    assert client.get(reverse("employee-import")).status_code == 403


@pytest.mark.parametrize("actor", ["emp_a", "head_a"])
def test_a_plain_employee_or_department_head_may_not_upload(client, login, world, rep, actor):
    login(getattr(world, actor).user)

    response = upload(client, employees_xlsx(person("S001")))

    assert (response.status_code, Employee.objects.filter(employee_number="S001").exists()) == (403, False)


def test_an_anonymous_visitor_is_sent_to_log_in_from_the_import_page(client, db):
    response = client.get(reverse("employee-import"))

    assert (response.status_code, response.url.startswith(reverse("login"))) == (302, True)


def test_an_anonymous_upload_is_sent_to_log_in(client, rep):
    response = upload(client, employees_xlsx(person("S001")))

    assert (response.status_code, response.url.startswith(reverse("login"))) == (302, True)


# --- the template download ---


def test_hr_downloads_the_template_as_xlsx(client, login, hr):
    login(hr)

    response = client.get(reverse("employee-import-template"))

    assert (response.status_code, response["Content-Type"], response.content[:4]) == (200, XLSX_TYPE, b"PK\x03\x04")


def test_the_template_download_is_an_attachment(client, login, hr):
    login(hr)

    response = client.get(reverse("employee-import-template"))

    assert response["Content-Disposition"].startswith("attachment;")


@pytest.mark.parametrize("actor", ["emp_a", "head_a"])
def test_a_plain_employee_or_department_head_may_not_download_the_template(client, login, world, actor):
    login(getattr(world, actor).user)

    assert client.get(reverse("employee-import-template")).status_code == 403


def test_an_anonymous_visitor_is_sent_to_log_in_from_the_template_download(client, db):
    response = client.get(reverse("employee-import-template"))

    assert (response.status_code, response.url.startswith(reverse("login"))) == (302, True)

"""The month in Excel: the actuals template each role gets, the all-or-nothing import (cell
references, idempotent re-import, signatures kept when nothing changes, nobody's later
change lost), the printed form with and without scores, the results table, and the pages."""

import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied

from appraisal import form_excel, services
from appraisal.form_excel import HEADER, SHEET, actuals_template, export_form, export_results, import_actuals, may_import_actuals
from appraisal.models import Form, FormKind, FormStatus, FormValue, Signature, Transition
from bsc_site.pages import XLSX
from bsc_site.xlsx import SpreadsheetError
from organisation.models import Department, Post, User
from scorecards import services as card_services
from scorecards.models import Level
from tests.appraisal.factories import CODES, all_values, approve
from tests.scorecards.factories import indicator, valid_card

D = Decimal
pytestmark = pytest.mark.django_db

# The page tests (routes in appraisal/urls.py).
pages = pytest.mark.django_db

ACTUAL, NUMBER, CODE = HEADER["actual"], HEADER["employee_number"], HEADER["code"]


def cards(world):
    """An approved card per post and headed department (as factories.approved_cards), with
    post A's financial line supplied by the employee and its customer line a formula."""
    hr = world.hr.user
    for post in Post.objects.filter(holders__is_active=True).distinct():
        extra = {"customer": {"formula": "done / planned * 100", "formula_inputs": "planned, done"}} if post == world.post_a else {}
        items = [indicator(f"P{post.pk}-{code[:3]}", code, **extra.get(code, {})) for code in CODES]
        _card, version = valid_card(hr, level=Level.POST, post=post, indicators=items)
        if post == world.post_a:
            line = version.lines.get(indicator__code=f"P{post.pk}-fin")
            card_services.save_line(by=hr, version=version, line=line, data_owner="employee")
        approve(hr, version)
    for department in Department.objects.filter(head__isnull=False):
        items = [indicator(f"D{department.pk}-{code[:3]}", code) for code in CODES]
        _card, version = valid_card(hr, level=Level.DEPARTMENT, department=department, indicators=items)
        approve(hr, version)


@pytest.fixture
def month(world):
    cards(world)
    return services.open_period(by=world.hr.user, year=2026, month=3)


def form_of(period, employee, kind=FormKind.EMPLOYEE) -> Form:
    return Form.objects.get(period=period, employee=employee, kind=kind)


def code(post_or_department, perspective):
    prefix = "P" if isinstance(post_or_department, Post) else "D"
    return f"{prefix}{post_or_department.pk}-{perspective[:3]}"


def sheet_of(data: bytes, title=SHEET):
    return openpyxl.load_workbook(io.BytesIO(data))[title]


def columns_of(sheet, header_row=1) -> dict[str, int]:
    return {cell.value: cell.column for cell in sheet[header_row] if cell.value}


def rows_of(data: bytes) -> list[dict]:
    sheet = sheet_of(data)
    columns = columns_of(sheet)
    rows = [{name: sheet.cell(row=row, column=col).value for name, col in columns.items()} for row in range(2, sheet.max_row + 1)]
    return [row for row in rows if row[NUMBER]]  # the template formats empty rows below its own


def keys_of(data: bytes) -> set[tuple[str, str]]:
    return {(row[NUMBER], row[CODE]) for row in rows_of(data)}


def edited(data: bytes, change) -> bytes:
    """The workbook after ``change(sheet, columns, rows)``; rows maps (number, code) to a row number."""
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    sheet = workbook[SHEET]
    columns = columns_of(sheet)
    rows = {
        (sheet.cell(row=r, column=columns[NUMBER]).value, sheet.cell(row=r, column=columns[CODE]).value): r
        for r in range(2, sheet.max_row + 1) if sheet.cell(row=r, column=columns[NUMBER]).value
    }
    change(sheet, columns, rows)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def filled(data: bytes, actual="8.33") -> bytes:
    def change(sheet, columns, rows):
        for row in rows.values():
            sheet.cell(row=row, column=columns[ACTUAL]).value = Decimal(actual)

    return edited(data, change)


def set_cell(data, key, column, value):
    def change(sheet, columns, rows):
        sheet.cell(row=rows[key], column=columns[column]).value = value

    return edited(data, change)


def workbook_bytes(workbook) -> bytes:
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def errors_of(result) -> list[tuple[int, str]]:
    return [(error.row, error.column) for error in result.errors]


# --- the template ----------------------------------------------------------------------


def test_hr_gets_every_line_of_every_form_but_their_own(world, month):
    data = actuals_template(by=world.hr.user, period=month)
    expected = {
        (form.employee.employee_number, key)
        for form in Form.objects.filter(period=month).exclude(employee=world.hr)
        for key in form.snapshot["lines"]
    }
    assert keys_of(data) == expected
    assert not any(number == world.hr.employee_number for number, _code in keys_of(data))


def test_a_head_gets_their_departments_department_lines_and_their_own(world, month):
    data = actuals_template(by=world.head_a.user, period=month)
    post_a, post_a1, dept_a = world.post_a, world.post_a1, world.dept_a
    department_lines_a = {code(post_a, c) for c in CODES} - {code(post_a, "financial")}
    expected = {(world.emp_a.employee_number, key) for key in department_lines_a}
    expected |= {(world.emp_a2.employee_number, key) for key in department_lines_a}
    expected |= {(world.emp_a1.employee_number, code(post_a1, c)) for c in CODES}  # A1 is under A
    expected |= {(world.head_a.employee_number, code(dept_a, c)) for c in CODES}  # their own head's form
    expected |= {(world.head_a.employee_number, code(post_a, "financial"))}  # their own employee-supplied line
    assert keys_of(data) == expected


def test_an_employee_gets_only_their_own_employee_supplied_lines(world, month):
    data = actuals_template(by=world.emp_a.user, period=month)
    assert keys_of(data) == {(world.emp_a.employee_number, code(world.post_a, "financial"))}


def test_the_template_is_prefilled_with_what_is_stored_and_hides_its_check_column(world, month):
    form = form_of(month, world.emp_a)
    key = code(world.post_a, "customer")
    services.save_values(by=world.hr.user, form=form, values={key: {"inputs": {"planned": "100", "done": "95"}, "remark": "=late data"}})
    workbook = openpyxl.load_workbook(io.BytesIO(actuals_template(by=world.hr.user, period=month)))
    sheet = workbook[SHEET]
    row = next(r for r in rows_of(workbook_bytes(workbook)) if r[CODE] == key and r[NUMBER] == world.emp_a.employee_number)
    assert row[HEADER["month"]] == "2026-03" and row[HEADER["target"]] == 8.33
    assert row[HEADER["inputs"]] == "planned=100; done=95"
    assert row[HEADER["remark"]] == "=late data"  # text, not a formula
    assert row[HEADER["form"]] == form_excel.FORM_LABELS[FormKind.EMPLOYEE]
    check_letter = openpyxl.utils.get_column_letter(form_excel.POSITION["check"])
    assert sheet.column_dimensions[check_letter].hidden
    assert workbook.sheetnames == [SHEET, form_excel.INSTRUCTIONS_SHEET]


def test_the_template_leaves_out_forms_whose_values_no_longer_change(world, month):
    form = form_of(month, world.emp_a)
    Form.objects.filter(pk=form.pk).update(status=FormStatus.APPROVED)
    numbers = {number for number, _code in keys_of(actuals_template(by=world.hr.user, period=month))}
    assert world.emp_a.employee_number not in numbers and world.emp_a2.employee_number in numbers


def test_the_template_takes_the_same_few_queries_for_any_number_of_forms(world, month, django_assert_num_queries):
    user = User.objects.get(pk=world.hr.user.pk)  # nothing cached on the user yet
    assert Form.objects.filter(period=month).count() > 10
    # The user's roles, their employee record and the departments they head (once per
    # request), the period's forms with their people, departments and posts, their values.
    with django_assert_num_queries(5):
        actuals_template(by=user, period=month)


def test_someone_with_nothing_to_enter_may_not_import(world, month):
    assert not may_import_actuals(world.emp_b.user, month)  # every line of post B is the department's
    assert not may_import_actuals(world.admin, month)
    assert may_import_actuals(world.emp_a.user, month) and may_import_actuals(world.head_a.user, month)
    with pytest.raises(PermissionDenied):
        import_actuals(by=world.emp_b.user, period=month, data=b"")


# --- importing -------------------------------------------------------------------------


def test_a_filled_template_saves_every_value_and_the_same_file_again_changes_nothing(world, month):
    data = filled(actuals_template(by=world.hr.user, period=month))
    rows = len(rows_of(data))
    result = import_actuals(by=world.hr.user, period=month, data=data)
    assert result.errors == [] and (result.changed, result.unchanged) == (rows, 0)
    assert FormValue.objects.filter(form__period=month, actual=D("8.33")).count() == rows
    revisions = dict(Form.objects.values_list("pk", "revision"))
    history = FormValue.history.count()

    again = import_actuals(by=world.hr.user, period=month, data=data)
    assert again.errors == [] and (again.changed, again.unchanged, again.forms) == (0, rows, 0)
    assert dict(Form.objects.values_list("pk", "revision")) == revisions
    assert FormValue.history.count() == history


def test_a_downloaded_template_uploaded_as_it_is_changes_nothing(world, month):
    services.save_values(by=world.hr.user, form=form_of(month, world.emp_b), values=all_values(form_of(month, world.emp_b)))
    data = actuals_template(by=world.hr.user, period=month)
    result = import_actuals(by=world.hr.user, period=month, data=data)
    assert result.errors == [] and result.changed == 0 and result.unchanged == len(rows_of(data))


def test_one_save_per_form_changes_each_form_once(world, month):
    data = filled(actuals_template(by=world.head_a.user, period=month))
    result = import_actuals(by=world.head_a.user, period=month, data=data)
    forms = Form.objects.filter(period=month, values__isnull=False).distinct()
    assert result.forms == forms.count() == 5  # emp_a, emp_a2, emp_a1 and head_a's two forms
    assert all(form.revision == 2 for form in forms)


def test_an_employee_imports_their_own_line(world, month):
    key = (world.emp_a.employee_number, code(world.post_a, "financial"))
    data = set_cell(actuals_template(by=world.emp_a.user, period=month), key, ACTUAL, 7)
    assert import_actuals(by=world.emp_a.user, period=month, data=data).changed == 1
    assert form_of(month, world.emp_a).values.get(line_key=key[1]).actual == D("7")


def test_a_signed_form_keeps_its_signatures_when_its_values_come_back_unchanged(world, month):
    form = form_of(month, world.emp_a2)
    services.save_values(by=world.hr.user, form=form, values=all_values(form))
    services.take_step(by=world.emp_a2.user, form=form, action="sign_as_employee")
    form = services.take_step(by=world.head_a.user, form=form, action="sign_as_head")
    data = actuals_template(by=world.hr.user, period=month)
    assert import_actuals(by=world.hr.user, period=month, data=filled(data)).errors == []  # the others get 8.33 too
    form.refresh_from_db()
    assert form.status == FormStatus.SUBMITTED and form.revision == 4
    assert Signature.objects.filter(form=form, voided_at__isnull=True).count() == 2
    assert all(services.signatures_valid(form).values())


def test_a_changed_value_on_a_signed_form_voids_its_signatures(world, month):
    form = form_of(month, world.emp_a2)
    services.save_values(by=world.hr.user, form=form, values=all_values(form))
    services.take_step(by=world.emp_a2.user, form=form, action="sign_as_employee")
    data = actuals_template(by=world.hr.user, period=month)
    data = set_cell(data, (world.emp_a2.employee_number, code(world.post_a, "customer")), ACTUAL, 9)
    assert import_actuals(by=world.hr.user, period=month, data=data).changed == 1
    form.refresh_from_db()
    assert form.status == FormStatus.DRAFT and not form.signatures.filter(voided_at__isnull=True).exists()
    assert Transition.objects.filter(form=form, action="values_changed").exists()


def test_formula_inputs_na_and_remarks_are_imported(world, month):
    key = code(world.post_a, "customer")
    number = world.emp_a.employee_number
    data = actuals_template(by=world.hr.user, period=month)
    data = set_cell(data, (number, key), HEADER["inputs"], "planned=100； done = 95")
    data = set_cell(data, (number, code(world.post_a, "learning_growth")), HEADER["not_applicable"], "是")
    data = set_cell(data, (number, code(world.post_a, "internal_process")), HEADER["remark"], "Audit\nin April")
    result = import_actuals(by=world.hr.user, period=month, data=data)
    assert result.errors == [] and result.changed == 3 and result.forms == 1
    values = {value.line_key: value for value in form_of(month, world.emp_a).values.all()}
    assert values[key].inputs == {"planned": "100", "done": "95"} and values[key].actual is None
    assert values[code(world.post_a, "learning_growth")].not_applicable
    assert values[code(world.post_a, "internal_process")].remark == "Audit\nin April"
    assert import_actuals(by=world.hr.user, period=month, data=data).changed == 0


def test_a_percentage_cell_reads_as_the_percentage_it_shows(world, month):
    key = (world.emp_a.employee_number, code(world.post_a, "internal_process"))

    def change(sheet, columns, rows):
        cell = sheet.cell(row=rows[key], column=columns[ACTUAL])
        cell.value, cell.number_format = 0.955, "0.0%"

    import_actuals(by=world.hr.user, period=month, data=edited(actuals_template(by=world.hr.user, period=month), change))
    assert form_of(month, world.emp_a).values.get(line_key=key[1]).actual == D("95.5")


def test_bad_cells_are_listed_with_their_row_and_column_and_nothing_is_saved(world, month):
    template = actuals_template(by=world.hr.user, period=month)
    number = world.emp_a.employee_number
    fin, cus, pro, lea = (code(world.post_a, c) for c in CODES)

    def change(sheet, columns, rows):
        sheet.cell(row=rows[(number, fin)], column=columns[ACTUAL]).value = "eight"
        sheet.cell(row=rows[(number, cus)], column=columns[HEADER["inputs"]]).value = "planned=100; bogus=3"
        sheet.cell(row=rows[(number, pro)], column=columns[ACTUAL]).value = "=B2*2"
        sheet.cell(row=rows[(number, lea)], column=columns[HEADER["not_applicable"]]).value = "maybe"
        sheet.cell(row=rows[(world.emp_a2.employee_number, fin)], column=columns[NUMBER]).value = "NOBODY"
        sheet.cell(row=rows[(world.emp_a2.employee_number, cus)], column=columns[CODE]).value = "NOT-A-LINE"
        sheet.cell(row=rows[(world.emp_a2.employee_number, pro)], column=columns[HEADER["month"]]).value = "2026-04"
        sheet.cell(row=rows[(world.emp_a2.employee_number, lea)], column=columns[HEADER["ratings"]]).value = "7, good"
        for key, row in rows.items():  # good values elsewhere, which must not be saved either
            if key[0] == world.emp_b.employee_number:
                sheet.cell(row=row, column=columns[ACTUAL]).value = 5

    data = edited(template, change)
    result = import_actuals(by=world.hr.user, period=month, data=data)
    rows = {(r[NUMBER], r[CODE]): i for i, r in enumerate(rows_of(template), start=2)}
    a2 = world.emp_a2.employee_number
    assert errors_of(result) == sorted([
        (rows[(number, fin)], ACTUAL),
        (rows[(number, cus)], HEADER["inputs"]),
        (rows[(number, pro)], ACTUAL),
        (rows[(number, lea)], HEADER["not_applicable"]),
        (rows[(a2, fin)], NUMBER),
        (rows[(a2, cus)], CODE),
        (rows[(a2, pro)], HEADER["month"]),
        (rows[(a2, lea)], HEADER["ratings"]),
    ])
    messages = {(error.row, error.column): error.message for error in result.errors}
    assert messages[(rows[(number, fin)], ACTUAL)] == "“eight” is not a number."
    assert "formula" in messages[(rows[(number, pro)], ACTUAL)]
    assert "bogus" in messages[(rows[(number, cus)], HEADER["inputs"])]
    assert "NOBODY" in messages[(rows[(a2, fin)], NUMBER)]
    assert "2026-04" in messages[(rows[(a2, pro)], HEADER["month"])]
    assert all(error.sheet == SHEET for error in result.errors)
    assert not FormValue.objects.exists() and result.changed == 0


def test_a_line_the_uploader_does_not_enter_is_refused_on_its_row(world, month):
    template = actuals_template(by=world.head_a.user, period=month)
    key = (world.emp_a.employee_number, code(world.post_a, "financial"))  # the employee supplies it

    def change(sheet, columns, rows):
        row = max(rows.values()) + 1
        sheet.cell(row=row, column=columns[NUMBER]).value = key[0]
        sheet.cell(row=row, column=columns[CODE]).value = key[1]
        sheet.cell(row=row, column=columns[ACTUAL]).value = 9
        for other in rows.values():
            sheet.cell(row=other, column=columns[ACTUAL]).value = 8

    data = edited(template, change)
    result = import_actuals(by=world.head_a.user, period=month, data=data)
    assert errors_of(result) == [(len(rows_of(template)) + 2, ACTUAL)]
    assert result.errors[0].message == "You do not enter this value (data supplied by: The employee)."
    assert not FormValue.objects.exists()


def test_hr_cannot_import_values_on_their_own_form(world, month):
    template = actuals_template(by=world.hr.user, period=month)
    own = form_of(month, world.hr)
    key = next(iter(own.snapshot["lines"]))

    def change(sheet, columns, rows):
        row = max(rows.values()) + 1
        sheet.cell(row=row, column=columns[NUMBER]).value = world.hr.employee_number
        sheet.cell(row=row, column=columns[CODE]).value = key
        sheet.cell(row=row, column=columns[ACTUAL]).value = 100

    result = import_actuals(by=world.hr.user, period=month, data=edited(template, change))
    assert [error.column for error in result.errors] == [ACTUAL]
    assert result.errors[0].message.startswith("You do not enter this value")
    assert not own.values.exists()

def test_a_person_whose_form_the_uploader_cannot_see_reads_as_unknown(world, month):
    template = actuals_template(by=world.head_a.user, period=month)
    data = set_cell(template, next(iter(sorted(keys_of(template)))), NUMBER, world.emp_b.employee_number)
    result = import_actuals(by=world.head_a.user, period=month, data=data)
    assert [error.column for error in result.errors] == [NUMBER]
    assert "No form of 2026-03 that you can see" in result.errors[0].message


def test_a_change_to_a_form_no_longer_editable_is_refused(world, month):
    template = actuals_template(by=world.hr.user, period=month)
    Form.objects.filter(pk=form_of(month, world.emp_a).pk).update(status=FormStatus.APPROVED)
    data = set_cell(template, (world.emp_a.employee_number, code(world.post_a, "customer")), ACTUAL, 3)
    result = import_actuals(by=world.hr.user, period=month, data=data)
    assert [error.column for error in result.errors] == [ACTUAL]
    assert result.errors[0].message == "This form is approved; its values no longer change."


def test_an_unchanged_row_of_a_form_that_moved_on_is_let_through(world, month):
    template = actuals_template(by=world.hr.user, period=month)
    Form.objects.filter(pk=form_of(month, world.emp_a).pk).update(status=FormStatus.APPROVED)
    data = set_cell(template, (world.emp_b.employee_number, code(world.post_b, "customer")), ACTUAL, 3)
    result = import_actuals(by=world.hr.user, period=month, data=data)
    assert result.errors == [] and result.changed == 1


def test_a_later_change_by_someone_else_is_kept_when_the_row_was_left_alone(world, month):
    template = actuals_template(by=world.hr.user, period=month)
    form = form_of(month, world.emp_a2)
    key = code(world.post_a, "customer")
    services.save_values(by=world.head_a.user, form=form, values={key: {"actual": "6"}})
    data = set_cell(template, (world.emp_a2.employee_number, code(world.post_a, "internal_process")), ACTUAL, 4)
    result = import_actuals(by=world.hr.user, period=month, data=data)
    assert result.errors == [] and result.changed == 1
    assert form.values.get(line_key=key).actual == D("6")


def test_a_value_changed_both_in_the_file_and_by_someone_else_is_refused(world, month):
    template = actuals_template(by=world.hr.user, period=month)
    form = form_of(month, world.emp_a2)
    key = code(world.post_a, "customer")
    services.save_values(by=world.head_a.user, form=form, values={key: {"actual": "6"}})
    result = import_actuals(by=world.hr.user, period=month, data=set_cell(template, (world.emp_a2.employee_number, key), ACTUAL, 7))
    assert [error.column for error in result.errors] == [ACTUAL]
    assert "Someone else changed this value" in result.errors[0].message and "6" in result.errors[0].message
    assert form.values.get(line_key=key).actual == D("6")


def test_the_same_line_twice_is_refused(world, month):
    template = actuals_template(by=world.emp_a.user, period=month)
    key = next(iter(keys_of(template)))

    def change(sheet, columns, rows):
        sheet.cell(row=3, column=columns[NUMBER]).value = key[0]
        sheet.cell(row=3, column=columns[CODE]).value = key[1]
        sheet.cell(row=3, column=columns[ACTUAL]).value = 1

    result = import_actuals(by=world.emp_a.user, period=month, data=edited(template, change))
    assert errors_of(result) == [(3, CODE)] and "also on row 2" in result.errors[0].message


def test_a_file_that_is_not_a_workbook_is_refused(world, month):
    with pytest.raises(SpreadsheetError, match="CSV"):
        import_actuals(by=world.hr.user, period=month, data="工号,指标编码\n1,2\n".encode())


def test_a_sheet_without_the_columns_is_refused(world, month):
    workbook = openpyxl.Workbook()
    workbook.active.append(["Employee number / 工号", "Indicator code / 指标编码"])
    with pytest.raises(SpreadsheetError, match="Missing required columns: Actual"):
        import_actuals(by=world.hr.user, period=month, data=workbook_bytes(workbook))


# --- the printed form ------------------------------------------------------------------


def calculated(world, period, employee):
    form = form_of(period, employee)
    services.save_values(by=world.hr.user, form=form, values=all_values(form))
    services.take_step(by=employee.user, form=form, action="sign_as_employee")
    services.take_step(by=world.head_a.user, form=form, action="sign_as_head")
    return services.take_step(by=world.hr.user, form=form, action="calculate")


def texts(data: bytes) -> str:
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    return "\n".join(" | ".join("" if cell.value is None else str(cell.value) for cell in row) for row in sheet.iter_rows())


def test_the_printed_form_has_the_header_lines_scores_total_and_signatures(world, month):
    form = calculated(world, month, world.emp_a2)
    data = export_form(form)
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    text = texts(data)
    for expected in (world.emp_a2.employee_number, world.post_a.display_name, world.dept_a.display_name, "2026-03", "Calculated",
                     "Score / 得分", "Points / 加权得分", "Subtotal / 小计", "Total / 总分", "100", code(world.post_a, "customer"),
                     "Financial / 财务"):
        assert expected in text, expected
    assert "Employee / 员工 |  | " + world.emp_a2.display_name in text
    assert "Department head / 部门负责人 |  | " + world.head_a.display_name in text
    assert "Calculated by (HR)" in text and "Not signed" not in text
    assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.fitToWidth == 1
    assert sheet.sheet_properties.pageSetUpPr.fitToPage


def test_the_printed_form_without_scores_shows_values_but_no_score(world, month):
    form = calculated(world, month, world.emp_a2)
    text = texts(export_form(form, scores=False))
    assert "8.33" in text and "Score / 得分" not in text and "Total / 总分" not in text
    assert "The score is shown once published" in text


def test_a_draft_form_prints_without_scores_and_with_blank_signatures(world, month):
    text = texts(export_form(form_of(month, world.emp_a)))
    assert "Score / 得分" not in text and "Not calculated yet" in text
    assert text.count("Not signed / 未签字") == 2


def test_a_voided_signature_is_marked_on_the_printed_form(world, month):
    form = form_of(month, world.emp_a2)
    services.save_values(by=world.hr.user, form=form, values=all_values(form))
    services.take_step(by=world.emp_a2.user, form=form, action="sign_as_employee")
    services.save_values(by=world.hr.user, form=form, values={code(world.post_a, "customer"): {"actual": "1"}})
    text = texts(export_form(form))
    assert "Voided / 已作废" in text and "values changed" in text
    assert text.count("Not signed / 未签字") == 2  # both are due again


# --- the results table -----------------------------------------------------------------


def test_the_results_table_has_a_row_per_form_sorted_by_department(world, month):
    calculated(world, month, world.emp_a2)
    Form.objects.filter(pk=form_of(month, world.emp_b).pk).update(is_late=True)
    forms = Form.objects.filter(period=month).select_related("department", "employee", "post")
    data = export_results(period=month, forms=forms)
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    columns = columns_of(sheet, header_row=3)
    rows = [[sheet.cell(row=r, column=c).value for c in columns.values()] for r in range(4, sheet.max_row + 1)]
    ordered = sorted(forms, key=lambda f: (f.department.sort_order, f.department.code, f.employee.employee_number, f.kind))
    assert [(row[0], row[1]) for row in rows] == [(f.department.display_name, f.employee.employee_number) for f in ordered]
    assert len({row[0] for row in rows}) > 2  # several departments
    by_number = {(row[1], row[4]): dict(zip(columns, row, strict=True)) for row in rows}
    employee = form_excel.FORM_LABELS[FormKind.EMPLOYEE]
    assert by_number[(world.emp_a2.employee_number, employee)]["Total / 总分"] == 100
    assert by_number[(world.emp_b.employee_number, employee)]["Late / 逾期"] == form_excel.YES
    assert by_number[(world.emp_a.employee_number, employee)]["Total / 总分"] is None
    assert "Appraisal results / 考核结果: 2026-03" in texts(data)


def test_the_results_table_leaves_out_totals_the_reader_may_not_see(world, month):
    form = calculated(world, month, world.emp_a2)
    data = export_results(period=month, forms=[form], show_total=lambda f: False)
    assert "100" not in texts(data)


# --- the pages -------------------------------------------------------------------------


def upload(client, period, data):
    return client.post(f"/appraisal/periods/{period.pk}/actuals/import/", {"file": _file(data)})


def _file(data):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("actuals.xlsx", data, content_type=XLSX)


@pages
@pytest.mark.parametrize(("actor", "status"), [("hr", 200), ("head_a", 200), ("emp_a", 200), ("emp_b", 403), ("admin", 403)])
def test_the_import_page_is_for_those_who_enter_values(world, month, client, login, actor, status):
    user = world.admin if actor == "admin" else getattr(world, actor).user
    login(user)
    assert client.get(f"/appraisal/periods/{month.pk}/actuals/import/").status_code == status
    assert client.get(f"/appraisal/periods/{month.pk}/actuals/template/").status_code == status


@pages
def test_the_import_page_of_an_unknown_month_is_not_found(world, month, client, login):
    login(world.hr.user)
    assert client.get(f"/appraisal/periods/{month.pk + 1}/actuals/import/").status_code == 404


@pages
def test_the_template_downloads_as_xlsx(world, month, client, login):
    login(world.emp_a.user)
    response = client.get(f"/appraisal/periods/{month.pk}/actuals/template/")
    assert response["Content-Type"] == XLSX
    assert 'filename="actuals-2026-03.xlsx"' in response["Content-Disposition"]
    assert keys_of(response.content) == {(world.emp_a.employee_number, code(world.post_a, "financial"))}


@pages
def test_an_upload_saves_and_says_how_many_changed(world, month, client, login):
    login(world.hr.user)
    data = filled(client.get(f"/appraisal/periods/{month.pk}/actuals/template/").content)
    response = upload(client, month, data)
    assert response.status_code == 302
    page = client.get(response.url).content.decode()
    assert f"Import done: {len(rows_of(data))} values changed on" in page


@pages
def test_an_upload_with_problems_lists_them_and_saves_nothing(world, month, client, login):
    login(world.hr.user)
    template = client.get(f"/appraisal/periods/{month.pk}/actuals/template/").content
    data = set_cell(filled(template), (world.emp_a.employee_number, code(world.post_a, "customer")), ACTUAL, "lots")
    response = upload(client, month, data)
    page = response.content.decode()
    assert response.status_code == 200 and "nothing was saved" in page and "“lots” is not a number." in page
    assert not FormValue.objects.exists()


@pages
def test_an_upload_that_is_not_a_workbook_is_shown_on_the_form(world, month, client, login):
    login(world.hr.user)
    response = upload(client, month, b"not a workbook at all")
    assert response.status_code == 200 and "CSV" in response.content.decode()


@pages
def test_the_appraised_person_gets_the_printed_form_without_scores_before_publication(world, month, client, login):
    form = calculated(world, month, world.emp_a2)
    login(world.emp_a2.user)
    response = client.get(f"/appraisal/forms/{form.pk}/export/")
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    assert "Score / 得分" not in texts(response.content)
    login(world.hr.user)
    assert "Score / 得分" in texts(client.get(f"/appraisal/forms/{form.pk}/export/").content)


@pages
def test_the_appraised_person_gets_the_scores_once_published(world, month, client, login):
    form = calculated(world, month, world.emp_a2)
    form = services.take_step(by=world.gm.user, form=form, action="approve")
    services.take_step(by=world.hr.user, form=form, action="publish")
    login(world.emp_a2.user)
    assert "Total / 总分" in texts(client.get(f"/appraisal/forms/{form.pk}/export/").content)


@pages
def test_a_form_the_reader_may_not_see_is_not_found(world, month, client, login):
    login(world.emp_a.user)
    assert client.get(f"/appraisal/forms/{form_of(month, world.emp_b).pk}/export/").status_code == 404


def result_numbers(response) -> set[str]:
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    return {sheet.cell(row=r, column=2).value for r in range(4, sheet.max_row + 1)}


@pages
@pytest.mark.parametrize("actor", ["hr", "gm", "admin"])
def test_hr_the_gm_and_administrators_get_every_result(world, month, client, login, actor):
    login(world.admin if actor == "admin" else getattr(world, actor).user)
    response = client.get(f"/appraisal/periods/{month.pk}/results/export/")
    assert response.status_code == 200
    assert result_numbers(response) == set(Form.objects.filter(period=month).values_list("employee__employee_number", flat=True))


@pages
def test_a_head_gets_the_results_of_their_departments_only(world, month, client, login):
    login(world.head_a.user)
    response = client.get(f"/appraisal/periods/{month.pk}/results/export/")
    expected = {e.employee_number for e in (world.emp_a, world.emp_a2, world.emp_a1, world.head_a)}
    assert response.status_code == 200 and result_numbers(response) == expected


@pages
def test_a_head_does_not_see_their_own_total_before_publication(world, month, client, login):
    Form.objects.filter(period=month, employee=world.head_a).update(total=D("88.50"), status=FormStatus.APPROVED)
    Form.objects.filter(pk=form_of(month, world.emp_a).pk).update(total=D("77.25"), status=FormStatus.APPROVED)
    login(world.head_a.user)
    text = texts(client.get(f"/appraisal/periods/{month.pk}/results/export/").content)
    assert "77.25" in text and "88.5" not in text


@pages
@pytest.mark.parametrize("actor", ["emp_a", "committee"])
def test_others_may_not_export_results(world, month, client, login, actor):
    login(getattr(world, actor).user)
    assert client.get(f"/appraisal/periods/{month.pk}/results/export/").status_code == 403


@pages
def test_the_exports_are_for_signed_in_users(world, month, client):
    response = client.get(f"/appraisal/periods/{month.pk}/results/export/")
    assert response.status_code == 302 and "login" in response.url




def cells_by_label(data: bytes) -> dict[str, list]:
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    return {row[1]: list(row) for row in sheet.iter_rows(values_only=True) if isinstance(row[1], str)}


def test_the_printed_form_shows_the_deductions_the_veto_and_the_front_line_figures(world, month):
    form = calculated(world, month, world.emp_a2)
    key = code(world.post_a, "customer")
    breakdown = {
        **form.breakdown,
        "inspection": {"points_per_missing": "1.00", "requested": "3.00", "applied": "3.00",
                       "items": [{"label": "2026-03-05", "missing": 2, "points": "2.00"}, {"label": "2026-03-12", "missing": 1, "points": "1.00"}]},
        "veto": {"failed": [key], "mode": "cap", "ceiling": "59.99", "deduction": None, "total_before": "97.00", "total_after": "59.99"},
        "front_line": {"financial_score": "80.00", "bsc_total": "100.00"},
    }
    Form.objects.filter(pk=form.pk).update(breakdown=breakdown, total=D("59.99"))
    form.refresh_from_db()
    rows = cells_by_label(export_form(form))
    score, points, remark = 11, 12, 14  # 0-based: ... Achievement, Score, Points, Self-assessment, Remark
    assert rows["Financial score, apart (sales front line) / 财务得分（销售一线单独计算）"][score] == 80
    assert rows["BSC total, financial at full marks / BSC总分（财务按满分计）"][points] == 100
    inspection = rows["Daily inspection deduction / 日常巡检扣分"]
    assert inspection[points] == -3 and "2026-03-05: 2 missing" in inspection[remark] and "2026-03-12" in inspection[remark]
    veto = rows["Veto / 否决"]
    assert veto[points] == pytest.approx(-37.01) and "97.00 → 59.99 (cap)" in veto[remark]
    assert rows["Total / 总分"][points] == pytest.approx(59.99)


def test_a_head_form_prints_who_submitted_it(world, month):
    form = form_of(month, world.head_a, FormKind.HEAD)
    services.save_values(by=world.head_a.user, form=form, values=all_values(form))
    services.take_step(by=world.head_a.user, form=form, action="submit_own")
    text = texts(export_form(form))
    assert f"Submitted by / 提交人 |  | {world.head_a.display_name} ({world.head_a.employee_number})" in text
    assert "Not signed" not in text


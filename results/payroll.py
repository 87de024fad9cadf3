"""The payroll export of a month: one row per published form with its grade, coefficient,
base and performance pay (the same rows as the API's payroll endpoint)."""

from dataclasses import dataclass
from decimal import Decimal

import openpyxl

from appraisal.models import Period
from bsc_site.xlsx_print import BOLD, BOX, HEADER_FILL, landscape, put, to_bytes

from .models import FormResult

COLUMNS = (
    ("Employee number / 工号", 14), ("Name / 姓名", 18), ("Department / 部门", 18), ("Post / 岗位", 18), ("Form / 考核表", 12),
    ("Month / 月份", 10), ("Score / 得分", 10), ("Grade / 等级", 8), ("Coefficient / 系数", 12), ("Base / 基数", 12),
    ("Share of month / 在岗比例", 14), ("Performance pay / 绩效工资", 16), ("Currency / 币种", 10),
)


@dataclass(frozen=True)
class Row:
    employee_number: str
    name: str
    department: str
    post: str
    kind: str
    period: str
    score: Decimal
    grade: str
    coefficient: Decimal
    base: Decimal | None
    share: Decimal
    pay: Decimal | None
    currency: str


def rows(period: Period) -> list[Row]:
    results = (
        FormResult.objects.filter(form__period=period)
        .select_related("form__employee", "form__department", "form__post", "form__period")
        .order_by("form__department__sort_order", "form__employee__employee_number", "form__kind")
    )
    return [
        Row(
            result.form.employee.employee_number, result.form.employee.display_name, result.form.department.display_name,
            result.form.post.display_name, result.form.kind, str(period), result.form.total, result.grade, result.coefficient,
            result.base, result.form.share, result.pay, result.currency,
        )
        for result in results
    ]


def workbook(period: Period) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Payroll"
    for column, (title, width) in enumerate(COLUMNS, start=1):
        put(sheet, 1, column, title, font=BOLD, fill=HEADER_FILL, border=BOX)
        sheet.column_dimensions[openpyxl.utils.get_column_letter(column)].width = width
    for index, row in enumerate(rows(period), start=2):
        values = (
            row.employee_number, row.name, row.department, row.post, row.kind, row.period, row.score, row.grade, row.coefficient,
            row.base, row.share, row.pay, row.currency,
        )
        for column, value in enumerate(values, start=1):
            money = column in (10, 12)
            put(sheet, index, column, value, border=BOX, number_format="#,##0.00" if money else None)
    sheet.freeze_panes = "A2"
    landscape(sheet, header_row=1)
    return to_bytes(book)

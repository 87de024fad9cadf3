"""Bulk import of employees from .xlsx: all rows are saved, or none.

Every problem is reported with its row and column; the file is only written to the
database when there are none.
"""

from dataclasses import dataclass, field

from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from bsc_site.xlsx import CellError, Column, read_table, write_workbook

from .models import Assignment, Department, Employee, Post, Team, User

COLUMNS = [
    Column("employee_number", ("Employee number / 工号", "员工编号", "员工工号", "Employee No", "Emp No", "Staff number", "employee_number"), required=True),
    Column("name_zh", ("Name (Chinese) / 姓名", "中文姓名", "中文名", "Chinese name", "name_zh")),
    Column("name_en", ("Name (English) / 英文名", "英文姓名", "English name", "name_en")),
    Column("username", ("User name / 用户名", "登录名", "username", "login")),
    Column("email", ("E-mail / 邮箱", "电子邮箱", "email", "mail")),
    Column("department", ("Department / 部门", "所属部门", "department code", "部门编码"), required=True),
    Column("post", ("Post / 岗位", "职位", "job position", "position"), required=True),
    Column("team", ("Team / 班组", "小组", "团队", "group")),
    Column("line_manager", ("Line manager (employee number) / 直接上级工号", "直接上级", "上级工号", "Line manager", "manager")),
    Column("hire_date", ("Hire date / 入职日期", "入职时间", "date hired", "hire_date"), required=True, kind="date"),
]
HEADER = {c.key: c.headers[0] for c in COLUMNS}
MAX_LENGTHS = {
    field: Employee._meta.get_field(field).max_length for field in ("employee_number", "name_zh", "name_en")
} | {"username": User._meta.get_field("username").max_length, "email": User._meta.get_field("email").max_length}


@dataclass
class ImportResult:
    created: list[Employee] = field(default_factory=list)
    errors: list[CellError] = field(default_factory=list)
    rows_read: int = 0


class _Lookup:
    """Finds departments, posts and teams by code or by either name."""

    def __init__(self):
        self.departments = list(Department.objects.filter(is_active=True))
        self.posts = list(Post.objects.filter(is_active=True))
        self.teams = list(Team.objects.filter(is_active=True))

    @staticmethod
    def _find(objects, text):
        key = text.strip().lower()
        by_code = [o for o in objects if o.code.lower() == key]
        if by_code:
            return by_code
        return [o for o in objects if key in {o.name_zh.strip().lower(), o.name_en.strip().lower()} - {""}]

    def department(self, text):
        return self._find(self.departments, text)

    def post(self, text, department):
        return self._find([p for p in self.posts if p.department_id == department.pk], text)

    def team(self, text, department):
        return self._find([t for t in self.teams if t.department_id == department.pk], text)


def import_employees(*, by, data: bytes) -> ImportResult:
    """Read, check every row, and create the employees only if all rows are valid."""
    # Checked first: the list of problems itself tells what exists.
    if not by.has_perm("organisation.manage_organisation"):
        raise PermissionDenied
    table = read_table(data, COLUMNS)
    result = ImportResult(errors=list(table.errors), rows_read=len(table.rows))
    lookup = _Lookup()
    existing_numbers = set(Employee.objects.values_list("employee_number", flat=True))
    active_numbers = set(Employee.objects.filter(is_active=True).values_list("employee_number", flat=True))
    existing_usernames = {u.lower() for u in User.objects.values_list("username", flat=True)}
    file_numbers: dict[str, int] = {}
    file_usernames: dict[str, int] = {}
    prepared = []

    reported = {(e.row, e.column) for e in result.errors}

    def error(row, key, message):
        # One message per cell: a cell that could not be read is not also "required".
        if (row, HEADER[key]) not in reported:
            reported.add((row, HEADER[key]))
            result.errors.append(CellError(row, HEADER[key], message))

    for row, values in table.rows:
        for key, limit in MAX_LENGTHS.items():
            if len(values.get(key) or "") > limit:
                error(row, key, _("is longer than %(n)s characters") % {"n": limit})
        number = values.get("employee_number") or ""
        if not number:
            error(row, "employee_number", _("is required"))
        elif number in existing_numbers:
            error(row, "employee_number", _("%(value)s already exists; edit that employee instead") % {"value": number})
        elif number in file_numbers:
            error(row, "employee_number", _("%(value)s is also on row %(row)s") % {"value": number, "row": file_numbers[number]})
        else:
            file_numbers[number] = row

        if not (values.get("name_zh") or values.get("name_en")):
            error(row, "name_zh", _("give a name in Chinese or in English"))

        username = values.get("username") or number
        if username:
            try:
                UnicodeUsernameValidator()(username)
            except ValidationError:
                error(row, "username", _("%(value)s is not a valid user name (letters, digits and @.+-_ only)") % {"value": username})
            if username.lower() in existing_usernames:
                error(row, "username", _("%(value)s is taken") % {"value": username})
            elif username.lower() in file_usernames:
                error(row, "username", _("%(value)s is also on row %(row)s") % {"value": username, "row": file_usernames[username.lower()]})
            else:
                file_usernames[username.lower()] = row

        email = values.get("email") or ""
        if email:
            try:
                validate_email(email)
            except ValidationError:
                error(row, "email", _("%(value)s is not an e-mail address") % {"value": email})

        department = post = team = None
        dept_text = values.get("department") or ""
        if not dept_text:
            error(row, "department", _("is required"))
        else:
            found = lookup.department(dept_text)
            if len(found) == 1:
                department = found[0]
            elif found:
                error(row, "department", _("several active departments are called %(value)s; use the code") % {"value": dept_text})
            else:
                error(row, "department", _("no active department is called %(value)s") % {"value": dept_text})
        post_text = values.get("post") or ""
        if not post_text:
            error(row, "post", _("is required"))
        elif department:
            found = lookup.post(post_text, department)
            if len(found) == 1:
                post = found[0]
            elif found:
                error(row, "post", _("%(dept)s has several active posts called %(value)s; use the code") % {"dept": department, "value": post_text})
            else:
                error(row, "post", _("%(dept)s has no active post called %(value)s") % {"dept": department, "value": post_text})
        team_text = values.get("team") or ""
        if team_text and department:
            found = lookup.team(team_text, department)
            if len(found) == 1:
                team = found[0]
            elif found:
                error(row, "team", _("%(dept)s has several active teams called %(value)s; use the code") % {"dept": department, "value": team_text})
            else:
                error(row, "team", _("%(dept)s has no active team called %(value)s") % {"dept": department, "value": team_text})

        if values.get("hire_date") is None:
            error(row, "hire_date", _("is required"))

        manager = values.get("line_manager") or ""
        if manager and manager == number:
            error(row, "line_manager", _("an employee cannot be their own line manager"))

        prepared.append((row, values, username, email, department, post, team, manager))

    # Line managers may be in the file or already employed, but not gone.
    for row, *_rest, manager in prepared:
        if not manager or manager in file_numbers or manager in active_numbers:
            continue
        if manager in existing_numbers:
            error(row, "line_manager", _("employee %(value)s has left the company") % {"value": manager})
        else:
            error(row, "line_manager", _("no employee has the number %(value)s") % {"value": manager})

    if result.errors:
        result.errors.sort(key=lambda e: (e.row, e.column))
        return result
    try:
        result.created = _create_all(by, prepared)
    except IntegrityError:
        # Someone else saved a clashing employee between our check and our write.
        result.errors.append(CellError(0, "", _("Another change clashed with this import. Nothing was saved; try again.")))
    return result



@transaction.atomic
def _create_all(by, prepared) -> list[Employee]:
    """Every row was checked above, so the rows are written in bulk: a few queries
    for a thousand employees. The database's unique constraints still guard races."""
    users = []
    for _row, values, username, email, *_rest in prepared:
        user = User(username=username, email=email, first_name=(values.get("name_en") or "")[:150])
        user.set_unusable_password()
        users.append(user)
    User.objects.bulk_create(users)
    employees = [
        Employee(
            user=user,
            employee_number=values["employee_number"],
            name_zh=values.get("name_zh") or "",
            name_en=values.get("name_en") or "",
            department=department,
            post=post,
            team=team,
            hire_date=values["hire_date"],
        )
        for user, (_row, values, _username, _email, department, post, team, _manager) in zip(users, prepared)
    ]
    created = bulk_create_with_history(employees, Employee, default_user=by, default_change_reason="import employees")
    by_number = {e.employee_number: e for e in created}
    Assignment.objects.bulk_create(
        Assignment(employee=e, department_id=e.department_id, post_id=e.post_id, team_id=e.team_id, start_date=e.hire_date)
        for e in by_number.values()
    )
    managed = []
    managers = {e.employee_number: e for e in Employee.objects.filter(employee_number__in={p[-1] for p in prepared if p[-1]})}
    for _row, values, *_rest, manager in prepared:
        if manager:
            employee = by_number[values["employee_number"]]
            employee.line_manager = managers[manager]
            managed.append(employee)
    if managed:
        bulk_update_with_history(managed, Employee, ["line_manager"], default_user=by, default_change_reason="import employees")
    return [by_number[e.employee_number] for e in employees]


def import_template() -> bytes:
    header = [c.headers[0] for c in COLUMNS]
    notes = [
        ["Required columns / 必填列", "Employee number, Department, Post, Hire date, and a name in Chinese or English"],
        ["Department / 部门", "Department code or its name in Chinese or English"],
        ["Post, Team / 岗位、班组", "Code or name, within the row's department"],
        ["Line manager / 直接上级", "The manager's employee number; may be another row of this file"],
        ["Hire date / 入职日期", "A date cell, or text such as 2024-03-01 or 2024年3月1日"],
        ["All or nothing / 全部或不导入", "If any row has a problem nothing is saved and every problem is listed"],
    ]
    number_columns = (1, header.index(HEADER["line_manager"]) + 1)
    return write_workbook([("Employees 员工", header, []), ("Instructions 说明", ["Topic / 主题", "Note / 说明"], notes)], text_columns=number_columns)

"""The demo company, modelled on the seeds' Heda enterprise. Running it again changes nothing."""

from dataclasses import dataclass
from datetime import date

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction

from .models import (
    ApiScope,
    ApiToken,
    Assignment,
    Company,
    Department,
    Employee,
    Post,
    Role,
    Team,
    User,
)
from .services import create_api_token

DEMO_PASSWORD = "bsc-demo-2026"

SURNAMES = [
    ("王", "Wang"), ("李", "Li"), ("张", "Zhang"), ("刘", "Liu"), ("陈", "Chen"), ("杨", "Yang"), ("黄", "Huang"),
    ("赵", "Zhao"), ("周", "Zhou"), ("吴", "Wu"), ("徐", "Xu"), ("孙", "Sun"), ("马", "Ma"), ("朱", "Zhu"),
    ("胡", "Hu"), ("郭", "Guo"), ("何", "He"), ("林", "Lin"), ("高", "Gao"), ("罗", "Luo"),
]
GIVEN_NAMES = [
    ("伟", "Wei"), ("芳", "Fang"), ("娜", "Na"), ("敏", "Min"), ("静", "Jing"), ("磊", "Lei"), ("强", "Qiang"),
    ("洋", "Yang"), ("艳", "Yan"), ("勇", "Yong"), ("军", "Jun"), ("杰", "Jie"), ("娟", "Juan"), ("涛", "Tao"),
    ("明", "Ming"), ("超", "Chao"), ("秀英", "Xiuying"), ("霞", "Xia"), ("平", "Ping"), ("刚", "Gang"),
    ("建华", "Jianhua"), ("丽", "Li"), ("海燕", "Haiyan"), ("志强", "Zhiqiang"),
]


@dataclass(frozen=True)
class DeptSpec:
    code: str
    name_zh: str
    name_en: str
    head_post: tuple[str, str, str]
    posts: list[tuple[str, str, str, int]]  # code, zh, en, number of holders
    parent: str | None = None


DEPARTMENTS = [
    DeptSpec("GMO", "总经理办公室", "General Manager's Office", ("GMO-GM", "总经理", "General manager"),
             [("GMO-AST", "行政助理", "Administrative assistant", 2)]),
    DeptSpec("HR", "人力资源部", "Human Resources", ("HR-MGR", "人力资源经理", "HR manager"),
             [("HR-SPC", "人事专员", "HR specialist", 3)]),
    DeptSpec("FIN", "财务部", "Finance", ("FIN-MGR", "财务经理", "Finance manager"),
             [("FIN-ACC", "会计", "Accountant", 3), ("FIN-CSH", "出纳", "Cashier", 1)]),
    DeptSpec("SAL", "销售部", "Sales", ("SAL-MGR", "销售经理", "Sales manager"),
             [("SAL-REP", "销售代表", "Sales representative", 5), ("SAL-HAL", "展厅销售顾问", "Exhibition hall consultant", 4)]),
    DeptSpec("PRD", "生产部", "Production", ("PRD-MGR", "生产经理", "Production manager"), []),
    DeptSpec("PRD1", "生产一车间", "Workshop 1", ("PRD1-DIR", "车间主任(一车间)", "Workshop 1 director"),
             [("PRD1-OPR", "操作工(一车间)", "Operator, workshop 1", 5)], parent="PRD"),
    DeptSpec("PRD2", "生产二车间", "Workshop 2", ("PRD2-DIR", "车间主任(二车间)", "Workshop 2 director"),
             [("PRD2-OPR", "操作工(二车间)", "Operator, workshop 2", 5)], parent="PRD"),
    DeptSpec("QA", "质量部", "Quality", ("QA-MGR", "质量经理", "Quality manager"),
             [("QA-INS", "质检员", "Quality inspector", 3)]),
    DeptSpec("PUR", "采购部", "Purchasing", ("PUR-MGR", "采购经理", "Purchasing manager"),
             [("PUR-BUY", "采购员", "Buyer", 3)]),
    DeptSpec("RD", "研发部", "R&D", ("RD-MGR", "研发经理", "R&D manager"),
             [("RD-ENG", "研发工程师", "R&D engineer", 4)]),
]

# Log-in names that say the role; everyone else logs in with their employee number.
ROLE_LOGINS = {
    "GMO-GM": ("gm", [Role.GENERAL_MANAGER]),
    "HR-MGR": ("hr.head", [Role.HR]),
    "HR-SPC": ("hr", [Role.HR]),
    "SAL-MGR": ("head.sales", []),
    "PRD-MGR": ("head.production", []),
    "QA-MGR": ("committee", [Role.COMMITTEE]),
    "SAL-REP": ("employee", []),
}


@dataclass
class Login:
    role: str
    username: str
    password: str
    note: str = ""


@transaction.atomic
def load_demo() -> list[Login]:
    Company.objects.update_or_create(
        pk=1, defaults={"name_zh": "合达企业", "name_en": "Heda Enterprise", "appraisal_deadline_day": 25, "time_zone": "Asia/Shanghai"}
    )
    groups = {role: Group.objects.get_or_create(name=role)[0] for role in (r.value for r in Role) if role not in (Role.EMPLOYEE, Role.DEPARTMENT_HEAD)}
    departments: dict[str, Department] = {}
    for order, spec in enumerate(DEPARTMENTS):
        departments[spec.code], _ = Department.objects.update_or_create(
            code=spec.code,
            defaults={"name_zh": spec.name_zh, "name_en": spec.name_en, "sort_order": order * 10,
                      "parent": departments.get(spec.parent) if spec.parent else None},
        )
    hall, _ = Team.objects.update_or_create(
        code="SAL-HALL", defaults={"department": departments["SAL"], "name_zh": "展厅组", "name_en": "Exhibition hall group"}
    )

    sequence = 0
    people: dict[str, list[Employee]] = {}
    heads: dict[str, Employee] = {}

    # One (deliberately slow) hash for the fifty demo users who share the password.
    password_hash = make_password(DEMO_PASSWORD)

    def person(dept: Department, post_code: str, post_zh: str, post_en: str, index_in_post: int, team=None) -> Employee:
        nonlocal sequence
        sequence += 1
        post, _ = Post.objects.update_or_create(code=post_code, defaults={"department": dept, "name_zh": post_zh, "name_en": post_en})
        number = f"HD{sequence:04d}"
        surname = SURNAMES[sequence % len(SURNAMES)]
        given = GIVEN_NAMES[(sequence * 7) % len(GIVEN_NAMES)]
        login, roles = ROLE_LOGINS.get(post_code, (None, []))
        username = login if login and index_in_post == 0 else number
        user, _ = User.objects.get_or_create(username=username, defaults={"email": f"{username}@heda.example"})
        user.first_name = f"{given[1]} {surname[1]}"
        user.password = password_hash
        user.save()
        for role in roles if index_in_post == 0 else []:
            user.groups.add(groups[role])
        hired = date(2014 + sequence % 10, 1 + sequence % 12, 1 + sequence % 27)
        employee, _ = Employee.objects.update_or_create(
            employee_number=number,
            defaults={"user": user, "name_zh": surname[0] + given[0], "name_en": f"{given[1]} {surname[1]}",
                      "department": dept, "post": post, "team": team, "hire_date": hired},
        )
        if not employee.assignments.exists():
            Assignment.objects.create(employee=employee, department=dept, post=post, team=team, start_date=hired)
        return employee

    for spec in DEPARTMENTS:
        dept = departments[spec.code]
        heads[spec.code] = person(dept, *spec.head_post, 0)
        people[spec.code] = []
        for code, zh, en, count in spec.posts:
            for i in range(count):
                people[spec.code].append(person(dept, code, zh, en, i, team=hall if code == "SAL-HAL" else None))

    gm = heads["GMO"]
    for spec in DEPARTMENTS:
        dept, head = departments[spec.code], heads[spec.code]
        dept.head = head
        dept.save()
        manager = heads[spec.parent] if spec.parent else (None if head == gm else gm)
        Employee.objects.filter(pk=head.pk).update(line_manager=manager)
        Employee.objects.filter(pk__in=[e.pk for e in people[spec.code]]).update(line_manager=head)
    hall.leader = people["SAL"][5]
    hall.save()

    admin, _ = User.objects.get_or_create(username="admin", defaults={"email": "admin@heda.example"})
    admin.is_staff = True
    admin.password = password_hash
    admin.save()
    admin.groups.add(groups[Role.ADMINISTRATOR])

    integrator, _ = User.objects.get_or_create(username="integrator", defaults={"email": "integrator@heda.example"})
    integrator.set_unusable_password()
    integrator.save()
    integrator.groups.add(groups[Role.INTEGRATOR])
    token_note = "API only: its token was printed when first created; create another in the admin."
    if not ApiToken.objects.filter(user=integrator, name="demo", revoked_at__isnull=True).exists():
        _token, secret = create_api_token(by=admin, user=integrator, name="demo", scopes=[ApiScope.READ, ApiScope.WRITE_ACTUALS])
        token_note = f"API only: Authorization: Bearer {secret}"

    return [
        Login("Administrator", "admin", DEMO_PASSWORD, "Django admin at /admin/"),
        Login("General manager", "gm", DEMO_PASSWORD, str(gm)),
        Login("HR (daily management group)", "hr", DEMO_PASSWORD),
        Login("HR manager (head of HR)", "hr.head", DEMO_PASSWORD),
        Login("Department head (sales)", "head.sales", DEMO_PASSWORD),
        Login("Department head (production)", "head.production", DEMO_PASSWORD),
        Login("Performance committee (quality manager)", "committee", DEMO_PASSWORD),
        Login("Employee (sales representative)", "employee", DEMO_PASSWORD),
        Login("Integrator", "integrator", "-", token_note),
        Login("Any other employee", "HD0001 ... (the employee number)", DEMO_PASSWORD),
    ]

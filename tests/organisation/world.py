"""A small organisation with one person in every position the permission rules care about.

    A (head_a)            B (head_b)       HR dept (hr)   GMO (gm)
    ├─ emp_a, emp_a2      └─ emp_b, committee
    └─ A1 (sub-department of A): emp_a1

integrator: API-only user with a read + write_actuals token; admin: administrator.
"""

from dataclasses import dataclass

from organisation.models import ApiScope, ApiToken, Department, Employee, Post, Role, Team, User
from organisation.services import create_api_token

from .factories import DepartmentFactory, EmployeeFactory, PostFactory, TeamFactory, UserFactory, grant, make_head


@dataclass
class World:
    dept_a: Department
    dept_a1: Department
    dept_b: Department
    dept_hr: Department
    post_a: Post
    post_a1: Post
    post_b: Post
    team_a: Team
    team_b: Team
    emp_a: Employee
    emp_a2: Employee
    emp_a1: Employee
    head_a: Employee
    emp_b: Employee
    head_b: Employee
    hr: Employee
    gm: Employee
    committee: Employee
    integrator: User
    admin: User
    token: ApiToken
    token_secret: str


def build_world() -> World:
    dept_a = DepartmentFactory(code="A", name_en="Alpha")
    dept_a1 = DepartmentFactory(code="A1", name_en="Alpha one", parent=dept_a)
    dept_b = DepartmentFactory(code="B", name_en="Beta")
    dept_hr = DepartmentFactory(code="HR", name_en="Human resources")
    dept_gm = DepartmentFactory(code="GMO", name_en="GM office")
    post_a, post_a1, post_b = PostFactory(department=dept_a), PostFactory(department=dept_a1), PostFactory(department=dept_b)
    head_a = make_head(dept_a, post=post_a, user=UserFactory(username="head_a"))
    head_b = make_head(dept_b, post=post_b, user=UserFactory(username="head_b"))
    gm = make_head(dept_gm, user=UserFactory(username="gm"))
    grant(gm.user, Role.GENERAL_MANAGER)
    hr = EmployeeFactory(department=dept_hr, user=UserFactory(username="hr"))
    grant(hr.user, Role.HR)
    committee = EmployeeFactory(department=dept_b, post=post_b, user=UserFactory(username="committee"))
    grant(committee.user, Role.COMMITTEE)
    admin = UserFactory(username="admin", is_staff=True)
    grant(admin, Role.ADMINISTRATOR)
    integrator = UserFactory(username="integrator")
    grant(integrator, Role.INTEGRATOR)
    token, secret = create_api_token(by=admin, user=integrator, name="t", scopes=[ApiScope.READ, ApiScope.WRITE_ACTUALS])
    return World(
        dept_a=dept_a,
        dept_a1=dept_a1,
        dept_b=dept_b,
        dept_hr=dept_hr,
        post_a=post_a,
        post_a1=post_a1,
        post_b=post_b,
        team_a=TeamFactory(department=dept_a, code="TA"),
        team_b=TeamFactory(department=dept_b, code="TB"),
        emp_a=EmployeeFactory(department=dept_a, post=post_a, line_manager=head_a, user=UserFactory(username="emp_a")),
        emp_a2=EmployeeFactory(department=dept_a, post=post_a, line_manager=head_a, user=UserFactory(username="emp_a2")),
        emp_a1=EmployeeFactory(department=dept_a1, post=post_a1, user=UserFactory(username="emp_a1")),
        head_a=head_a,
        emp_b=EmployeeFactory(department=dept_b, post=post_b, line_manager=head_b, user=UserFactory(username="emp_b")),
        head_b=head_b,
        hr=hr,
        gm=gm,
        committee=committee,
        integrator=integrator,
        admin=admin,
        token=token,
        token_secret=secret,
    )

import pytest
from django.utils import translation

from organisation.models import Role
from organisation.roles import headed_department_ids, roles_of
from organisation.selectors import department_tree, employees_visible_to

from .factories import DepartmentFactory, grant

pytestmark = pytest.mark.django_db


def test_a_plain_employee_holds_only_the_employee_role(world):
    assert roles_of(world.emp_a.user) == {Role.EMPLOYEE}


def test_heading_a_department_makes_a_department_head(world):
    assert roles_of(world.head_a.user) == {Role.EMPLOYEE, Role.DEPARTMENT_HEAD}


def test_a_person_can_hold_several_roles(world):
    grant(world.head_b.user, Role.COMMITTEE)
    assert roles_of(world.head_b.user) == {Role.EMPLOYEE, Role.DEPARTMENT_HEAD, Role.COMMITTEE}


def test_an_integrator_without_employee_record_holds_only_that_role(world):
    assert roles_of(world.integrator) == {Role.INTEGRATOR}


def test_an_inactive_user_holds_no_role(world):
    world.hr.user.is_active = False
    assert roles_of(world.hr.user) == frozenset()


def test_a_head_covers_every_department_below_theirs(world):
    deeper = DepartmentFactory(parent=world.dept_a1)
    user = world.head_a.user
    user.__dict__.pop("_bsc_headed", None)
    assert headed_department_ids(user) == {world.dept_a.pk, world.dept_a1.pk, deeper.pk}


def test_a_head_sees_their_departments_people_and_themselves_only(world):
    visible = set(employees_visible_to(world.head_a.user))
    assert visible == {world.head_a, world.emp_a, world.emp_a2, world.emp_a1}


def test_an_employee_sees_only_themselves(world):
    assert list(employees_visible_to(world.emp_a.user)) == [world.emp_a]


@pytest.mark.parametrize("actor", ["hr", "gm"])
def test_hr_and_the_general_manager_see_everyone(world, actor):
    from organisation.models import Employee

    assert employees_visible_to(getattr(world, actor).user).count() == Employee.objects.count()


def test_the_department_tree_is_depth_first_with_depths(world):
    rows = [(row.department.code, row.depth) for row in department_tree(list(world.dept_a.__class__.objects.order_by("code")))]
    assert rows.index(("A", 0)) + 1 == rows.index(("A1", 1))
    assert ("B", 0) in rows


def test_names_follow_the_active_language(world):
    dept = DepartmentFactory(name_en="Sales", name_zh="销售部")
    with translation.override("zh-hans"):
        assert str(dept) == "销售部"
    with translation.override("en"):
        assert str(dept) == "Sales"
    only_chinese = DepartmentFactory(name_en="", name_zh="财务部")
    with translation.override("en"):
        assert str(only_chinese) == "财务部"

from datetime import date

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from organisation.models import Department, Employee

from .factories import PASSWORD, EmployeeFactory, UserFactory, grant

pytestmark = pytest.mark.django_db


def test_the_employee_list_page_runs_a_constant_number_of_queries(world, login, django_assert_max_num_queries):
    client = login(world.hr.user)
    client.get("/org/employees/")
    with CaptureQueriesContext(connection) as few:
        client.get("/org/employees/")
    EmployeeFactory.create_batch(45, department=world.dept_b, post=world.post_b, line_manager=world.head_b)
    with django_assert_max_num_queries(len(few)) as many:
        response = client.get("/org/employees/")
    assert len(response.context["page"]) == 50
    assert len(many) == len(few)


def test_the_employee_list_filters_by_search_and_department(world, login):
    client = login(world.hr.user)
    page = client.get(f"/org/employees/?department={world.dept_a1.pk}").context["page"]
    assert list(page) == [world.emp_a1]
    page = client.get(f"/org/employees/?q={world.emp_b.name_en}").context["page"]
    assert list(page) == [world.emp_b]


def test_a_head_sees_only_their_people_in_the_list(world, login):
    page = login(world.head_a.user).get("/org/employees/").context["page"]
    assert set(page) == {world.head_a, world.emp_a, world.emp_a2, world.emp_a1}


def test_hr_creates_an_employee_through_the_form(world, login):
    response = login(world.hr.user).post(
        "/org/employees/new/",
        {"employee_number": "00100", "name_zh": "王小明", "department": world.dept_b.pk, "post": world.post_b.pk, "hire_date": "2024-02-01"},
    )
    employee = Employee.objects.get(employee_number="00100")
    assert response.status_code == 302 and response["Location"] == f"/org/employees/{employee.pk}/"


def test_the_form_shows_a_rule_broken_in_the_service_next_to_the_field(world, login):
    response = login(world.hr.user).post(
        "/org/employees/new/",
        {"employee_number": "00101", "name_en": "X", "department": world.dept_b.pk, "post": world.post_a.pk, "hire_date": "2024-02-01"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["post"] == ["The post belongs to another department."]
    assert not Employee.objects.filter(employee_number="00101").exists()


def test_a_duplicate_employee_number_is_shown_on_the_form(world, login):
    response = login(world.hr.user).post(
        "/org/employees/new/",
        {"employee_number": world.emp_b.employee_number, "name_en": "X", "department": world.dept_b.pk, "post": world.post_b.pk, "hire_date": "2024-02-01"},
    )
    assert "employee_number" in response.context["form"].errors


def test_a_department_cycle_is_shown_on_the_parent_field(world, login):
    response = login(world.hr.user).post(
        f"/org/departments/{world.dept_a.pk}/edit/", {"code": "A", "name_en": "Alpha", "parent": world.dept_a1.pk, "sort_order": 0, "is_active": "on"}
    )
    assert response.status_code == 200
    assert "parent" in response.context["form"].errors
    world.dept_a.refresh_from_db()
    assert world.dept_a.parent is None


def test_hr_moves_an_employee_through_the_form(world, login):
    response = login(world.hr.user).post(
        f"/org/employees/{world.emp_a.pk}/move/", {"department": world.dept_b.pk, "post": world.post_b.pk, "effective_date": "2025-07-01"}
    )
    assert response.status_code == 302
    assert world.emp_a.assignments.count() == 2


def test_hr_records_that_an_employee_left(world, login):
    login(world.hr.user).post(f"/org/employees/{world.emp_b.pk}/deactivate/", {"leave_date": "2025-07-31"})
    world.emp_b.refresh_from_db()
    assert world.emp_b.leave_date == date(2025, 7, 31) and not world.emp_b.is_active


def test_company_settings_refuse_a_deadline_after_the_28th(world, login):
    response = login(world.hr.user).post(
        "/company/", {"name_en": "Heda", "fiscal_year_start_month": 1, "appraisal_deadline_day": 31, "time_zone": "Asia/Shanghai"}
    )
    assert "appraisal_deadline_day" in response.context["form"].errors


def test_hr_sees_who_changed_an_employee(world, login):
    client = login(world.hr.user)
    client.post(
        f"/org/employees/{world.emp_b.pk}/edit/",
        {"employee_number": world.emp_b.employee_number, "name_en": "Renamed", "hire_date": "2020-01-01"},
    )
    changes = client.get(f"/org/employees/{world.emp_b.pk}/").context["changes"]
    assert changes[0]["who"] == world.hr.user
    assert changes[0]["action"] == "update employee"
    assert any("Renamed" in line for line in changes[0]["lines"])


def test_a_head_does_not_see_the_change_history(world, login):
    response = login(world.head_a.user).get(f"/org/employees/{world.emp_a.pk}/")
    assert response.status_code == 200
    assert "changes" not in response.context


def test_the_department_tree_shows_sub_departments_under_their_parent(world, login):
    rows = login(world.emp_a.user).get("/org/departments/").context["rows"]
    order = [(row.department.code, row.depth) for row in rows]
    assert order.index(("A1", 1)) == order.index(("A", 0)) + 1


def test_hr_sets_a_password_the_employee_can_log_in_with(world, login):
    world.emp_b.user.set_unusable_password()
    world.emp_b.user.save()
    response = login(world.hr.user).post(
        f"/org/employees/{world.emp_b.pk}/password/", {"new_password1": "first-day-at-heda-42", "new_password2": "first-day-at-heda-42"}
    )
    assert response.status_code == 302
    assert Client().post("/accounts/login/", {"username": "emp_b", "password": "first-day-at-heda-42"}).status_code == 302


def test_hr_cannot_replace_a_password_someone_already_has(world, login):
    response = login(world.hr.user).post(
        f"/org/employees/{world.gm.pk}/password/", {"new_password1": "take-over-the-gm-42", "new_password2": "take-over-the-gm-42"}
    )
    assert response.status_code == 200
    assert "already has a password" in str(response.context["form"].non_field_errors())
    world.gm.user.refresh_from_db()
    assert not world.gm.user.check_password("take-over-the-gm-42")


def test_a_weak_password_is_refused_with_the_reason(world, login):
    response = login(world.hr.user).post(f"/org/employees/{world.emp_b.pk}/password/", {"new_password1": "123", "new_password2": "123"})
    assert response.status_code == 200
    assert "new_password2" in response.context["form"].errors


# --- log-in ---


def test_logging_in_with_the_password_opens_the_home_page(world):
    client = Client()
    response = client.post("/accounts/login/", {"username": "emp_a", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").context["user"] == world.emp_a.user


def test_failed_log_ins_are_throttled_after_five_attempts(world):
    client = Client()
    codes = [client.post("/accounts/login/", {"username": "emp_a", "password": "wrong"}).status_code for _ in range(5)]
    assert codes[:4] == [200, 200, 200, 200]
    locked = client.post("/accounts/login/", {"username": "emp_a", "password": PASSWORD})
    assert locked.status_code == 429
    assert "Too many failed log-ins" in locked.content.decode()


def test_an_api_only_account_cannot_log_in_to_the_browser(db):
    from organisation.models import Role

    user = grant(UserFactory(username="robot"), Role.INTEGRATOR)
    response = Client().post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 200
    assert "This account is for API access only." in response.content.decode()


def test_a_former_employee_cannot_log_in(world):
    world.emp_b.user.is_active = False
    world.emp_b.user.save()
    response = Client().post("/accounts/login/", {"username": "emp_b", "password": PASSWORD})
    assert response.status_code == 200
    assert response.context["form"].errors


def test_changing_the_password_keeps_the_user_signed_in(world):
    client = Client()
    client.post("/accounts/login/", {"username": "emp_a", "password": PASSWORD})
    response = client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": "a-much-better-secret-77", "new_password2": "a-much-better-secret-77"},
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    world.emp_a.user.refresh_from_db()
    assert world.emp_a.user.check_password("a-much-better-secret-77")


# --- language ---


def test_switching_to_chinese_translates_the_pages(world, login):
    client = login(world.hr.user)
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    html = client.get("/").content.decode()
    assert '<html lang="zh-hans">' in html
    assert "退出登录" in html and "员工" in html
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "Log out" in client.get("/").content.decode()


def test_department_names_follow_the_language(world, login):
    Department.objects.filter(pk=world.dept_b.pk).update(name_zh="贝塔部")
    client = login(world.hr.user)
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert "贝塔部" in client.get("/org/departments/").content.decode()


def test_the_change_log_names_departments_and_shows_account_changes(world):
    from organisation import services
    from organisation.history import change_log

    services.move_employee(by=world.hr.user, employee=world.emp_a, department=world.dept_b, post=world.post_b, effective_date=date(2025, 1, 1))
    services.update_employee(by=world.hr.user, employee=world.emp_a, email="new@example.com")
    rows = change_log(world.emp_a)
    assert rows[0]["action"] == "update employee"
    assert rows[0]["lines"] == ["email address: emp_a@example.com → new@example.com"]
    move = next(row for row in rows if row["action"] == "move employee")
    assert f"department: {world.dept_a} → {world.dept_b}" in move["lines"]
    assert rows[-1]["lines"] == ["created"]


def test_a_save_without_changes_leaves_no_empty_history_row(world):
    from organisation import services
    from organisation.history import change_log

    services.update_employee(by=world.hr.user, employee=world.emp_b, name_en=world.emp_b.name_en)
    assert [row["lines"] for row in change_log(world.emp_b)] == [["created"]]


def test_a_head_filters_only_by_their_own_departments(world, login):
    departments = login(world.head_a.user).get("/org/employees/").context["departments"]
    assert set(departments) == {world.dept_a, world.dept_a1}

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from organisation import services
from organisation.models import ApiScope, Assignment, Department, Employee, Role, User
from organisation.selectors import assignment_on

from .factories import DepartmentFactory, EmployeeFactory, PostFactory, TeamFactory, grant

pytestmark = pytest.mark.django_db


# --- departments ---


def test_hr_creates_a_department_below_another(world):
    dept = services.save_department(by=world.hr.user, code="C", name_en="Gamma", parent=world.dept_a)
    assert dept.parent == world.dept_a
    assert dept.history.first().history_change_reason == "create department"


@pytest.mark.parametrize("actor", ["emp_a", "head_a", "gm", "committee"])
def test_only_hr_and_administrators_change_departments(world, actor):
    user = getattr(world, actor).user
    with pytest.raises(PermissionDenied):
        services.save_department(by=user, code="C", name_en="Gamma")


def test_a_department_cannot_be_placed_below_its_own_sub_department(world):
    with pytest.raises(ValidationError) as error:
        services.save_department(by=world.hr.user, department=world.dept_a, parent=world.dept_a1)
    assert "parent" in error.value.message_dict
    world.dept_a.refresh_from_db()
    assert world.dept_a.parent is None


def test_a_department_cannot_be_its_own_parent(world):
    with pytest.raises(ValidationError):
        services.save_department(by=world.hr.user, department=world.dept_b, parent=world.dept_b)


def test_a_department_needs_a_name_in_one_language(world):
    with pytest.raises(ValidationError) as error:
        services.save_department(by=world.hr.user, code="X", name_en=" ", name_zh="")
    assert "name_zh" in error.value.message_dict
    assert not Department.objects.filter(code="X").exists()


def test_the_head_must_be_an_active_employee_of_the_department(world):
    with pytest.raises(ValidationError):
        services.set_department_head(by=world.hr.user, department=world.dept_a, head=world.emp_b)
    dept = services.set_department_head(by=world.hr.user, department=world.dept_a, head=world.emp_a2)
    assert dept.head == world.emp_a2


def test_a_team_leader_must_belong_to_the_team_department(world):
    with pytest.raises(ValidationError):
        services.save_team(by=world.hr.user, department=world.dept_a, code="TX", name_en="X", leader=world.emp_b)


def test_a_post_with_holders_cannot_move_to_another_department(world):
    with pytest.raises(ValidationError):
        services.save_post(by=world.hr.user, post=world.post_a, department=world.dept_b)


# --- employees ---


def test_creating_an_employee_creates_an_account_without_password_and_a_first_assignment(world):
    post = world.post_b
    employee = services.create_employee(
        by=world.hr.user, employee_number="00042", name_zh="李雷", department=world.dept_b, post=post, hire_date=date(2024, 3, 1)
    )
    assert employee.user.username == "00042"
    assert not employee.user.has_usable_password()
    assignment = employee.assignments.get()
    assert (assignment.department, assignment.post, assignment.start_date, assignment.end_date) == (world.dept_b, post, date(2024, 3, 1), None)


def test_an_employee_post_must_belong_to_their_department(world):
    with pytest.raises(ValidationError) as error:
        services.create_employee(by=world.hr.user, employee_number="9", name_en="X", department=world.dept_b, post=world.post_a, hire_date=date(2024, 1, 1))
    assert "post" in error.value.message_dict
    assert not Employee.objects.filter(employee_number="9").exists()
    assert not User.objects.filter(username="9").exists()


def test_a_taken_user_name_is_refused(world):
    with pytest.raises(ValidationError):
        services.create_employee(by=world.hr.user, employee_number="10", username="EMP_A", name_en="X", department=world.dept_b, post=world.post_b, hire_date=date(2024, 1, 1))


def test_department_heads_cannot_create_employees(world):
    with pytest.raises(PermissionDenied):
        services.create_employee(by=world.head_a.user, employee_number="11", name_en="X", department=world.dept_a, post=world.post_a, hire_date=date(2024, 1, 1))


def test_moving_an_employee_keeps_the_past_with_the_old_department(world):
    employee = world.emp_a
    services.move_employee(by=world.hr.user, employee=employee, department=world.dept_b, post=world.post_b, effective_date=date(2025, 6, 1))
    employee.refresh_from_db()
    assert employee.department == world.dept_b
    old, new = employee.assignments.order_by("start_date")
    assert (old.department, old.end_date) == (world.dept_a, date(2025, 5, 31))
    assert (new.department, new.start_date, new.end_date) == (world.dept_b, date(2025, 6, 1), None)
    assert assignment_on(employee, date(2025, 5, 15)).department == world.dept_a
    assert assignment_on(employee, date(2025, 6, 15)).department == world.dept_b


def test_a_move_must_take_effect_after_the_current_assignment_began(world):
    with pytest.raises(ValidationError):
        services.move_employee(by=world.hr.user, employee=world.emp_a, department=world.dept_b, post=world.post_b, effective_date=world.emp_a.hire_date)
    assert world.emp_a.assignments.count() == 1


def test_a_head_who_moves_away_stops_heading_the_old_department(world):
    services.move_employee(by=world.hr.user, employee=world.head_a, department=world.dept_b, post=world.post_b, effective_date=date(2025, 1, 1))
    world.dept_a.refresh_from_db()
    assert world.dept_a.head is None


def test_moving_to_a_team_of_another_department_is_refused(world):
    with pytest.raises(ValidationError):
        services.move_employee(by=world.hr.user, employee=world.emp_a, department=world.dept_b, post=world.post_b, team=world.team_a, effective_date=date(2025, 1, 1))


def test_changing_the_hire_date_moves_the_start_of_the_first_assignment(world):
    services.update_employee(by=world.hr.user, employee=world.emp_b, hire_date=date(2019, 7, 1))
    assert world.emp_b.assignments.get().start_date == date(2019, 7, 1)


def test_leaving_disables_log_in_revokes_tokens_and_ends_the_headship(world):
    head = grant(world.head_b.user, Role.INTEGRATOR).employee
    token, _ = services.create_api_token(by=world.admin, user=head.user, name="x", scopes=[ApiScope.READ])
    services.deactivate_employee(by=world.hr.user, employee=head, leave_date=date(2025, 3, 31))
    head.refresh_from_db()
    token.refresh_from_db()
    world.dept_b.refresh_from_db()
    assert (head.is_active, head.leave_date, head.user.is_active) == (False, date(2025, 3, 31), False)
    assert token.revoked_at is not None
    assert world.dept_b.head is None
    assert head.assignments.get().end_date == date(2025, 3, 31)


def test_nobody_deactivates_themselves(world):
    with pytest.raises(ValidationError):
        services.deactivate_employee(by=world.hr.user, employee=world.hr, leave_date=date(2025, 1, 1))


def test_a_leave_date_before_the_hire_date_is_refused_and_nothing_changes(world):
    with pytest.raises(ValidationError):
        services.deactivate_employee(by=world.hr.user, employee=world.emp_b, leave_date=date(2019, 1, 1))
    world.emp_b.refresh_from_db()
    assert world.emp_b.is_active and world.emp_b.user.is_active


def test_an_employee_who_left_cannot_leave_again(world):
    services.deactivate_employee(by=world.hr.user, employee=world.emp_b, leave_date=date(2025, 1, 1))
    with pytest.raises(ValidationError):
        services.deactivate_employee(by=world.hr.user, employee=world.emp_b, leave_date=date(2025, 2, 1))


def test_only_one_current_assignment_per_employee_is_allowed_by_the_database(world):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Assignment.objects.create(employee=world.emp_a, department=world.dept_a, post=world.post_a, start_date=date(2024, 1, 1))


# --- API tokens ---


def test_a_token_is_stored_only_as_a_digest(world):
    token, secret = services.create_api_token(by=world.admin, user=world.integrator, name="n", scopes=[ApiScope.READ])
    assert secret.startswith(f"bsc_{token.prefix}_")
    assert secret not in token.digest
    assert services.find_api_token(secret) == token
    assert services.find_api_token(secret + "x") is None


def test_an_expired_or_revoked_token_is_not_found(world):
    token, secret = services.create_api_token(by=world.admin, user=world.integrator, name="n", scopes=[ApiScope.READ], expires_at=timezone.now() + timedelta(days=1))
    token.expires_at = timezone.now() - timedelta(seconds=1)
    token.save()
    assert services.find_api_token(secret) is None
    token.expires_at = None
    token.save()
    services.revoke_api_token(token=token)
    assert services.find_api_token(secret) is None


def test_deactivating_a_user_revokes_their_tokens(world):
    world.integrator.is_active = False
    world.integrator.save()
    world.token.refresh_from_db()
    assert world.token.revoked_at is not None
    assert services.find_api_token(world.token_secret) is None


def test_using_a_token_records_when_it_was_last_used(world):
    assert world.token.last_used_at is None
    services.find_api_token(world.token_secret)
    world.token.refresh_from_db()
    assert world.token.last_used_at is not None


def test_only_administrators_create_tokens(world):
    with pytest.raises(PermissionDenied):
        services.create_api_token(by=world.hr.user, user=world.integrator, name="n", scopes=[ApiScope.READ])


def test_a_token_with_an_unknown_scope_or_past_expiry_is_refused(world):
    with pytest.raises(ValidationError):
        services.create_api_token(by=world.admin, user=world.integrator, name="n", scopes=["approve"])
    with pytest.raises(ValidationError):
        services.create_api_token(by=world.admin, user=world.integrator, name="n", scopes=[ApiScope.READ], expires_at=timezone.now() - timedelta(days=1))


# --- company ---


def test_the_deadline_day_must_be_between_1_and_28(world):
    with pytest.raises(ValidationError):
        services.update_company(by=world.hr.user, appraisal_deadline_day=31)
    assert services.get_company().appraisal_deadline_day == 25


def test_the_company_time_zone_must_exist(world):
    with pytest.raises(ValidationError):
        services.update_company(by=world.hr.user, time_zone="Mars/Olympus")


def test_the_general_manager_cannot_change_company_settings(world):
    with pytest.raises(PermissionDenied):
        services.update_company(by=world.gm.user, appraisal_deadline_day=20)


def test_factories_build_consistent_objects():
    employee = EmployeeFactory()
    assert employee.post.department == employee.department
    assert TeamFactory().department_id
    assert PostFactory().department_id
    assert DepartmentFactory().code

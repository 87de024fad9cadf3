from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from organisation.models import Company, Department, Employee

from .factories import DepartmentFactory, EmployeeFactory, PostFactory, TeamFactory

pytestmark = pytest.mark.django_db


def test_there_is_only_one_company_row():
    Company.objects.create(pk=1, name_en="One")
    with pytest.raises(IntegrityError), transaction.atomic():
        Company.objects.create(pk=2, name_en="Two")


def test_the_database_refuses_a_deadline_day_after_the_28th():
    with pytest.raises(IntegrityError), transaction.atomic():
        Company.objects.create(pk=1, name_en="X", appraisal_deadline_day=30)


def test_department_codes_are_unique():
    DepartmentFactory(code="SAL")
    with pytest.raises(IntegrityError), transaction.atomic():
        Department.objects.create(code="SAL", name_en="Other")


def test_the_database_refuses_a_leave_date_before_the_hire_date():
    employee = EmployeeFactory(hire_date=date(2024, 5, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        Employee.objects.filter(pk=employee.pk).update(leave_date=date(2024, 4, 1))


def test_the_database_refuses_an_employee_as_their_own_line_manager():
    employee = EmployeeFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Employee.objects.filter(pk=employee.pk).update(line_manager=employee)


def test_an_employee_team_must_be_in_their_department():
    employee = EmployeeFactory()
    employee.team = TeamFactory()
    with pytest.raises(ValidationError) as error:
        employee.full_clean()
    assert "team" in error.value.message_dict


def test_an_employee_post_must_be_in_their_department():
    employee = EmployeeFactory()
    employee.post = PostFactory()
    with pytest.raises(ValidationError) as error:
        employee.full_clean()
    assert "post" in error.value.message_dict


def test_every_change_to_an_employee_is_kept_in_the_history():
    employee = EmployeeFactory(name_en="Before")
    employee.name_en = "After"
    employee.save()
    names = [record.name_en for record in employee.history.order_by("history_date")]
    assert names == ["Before", "After"]

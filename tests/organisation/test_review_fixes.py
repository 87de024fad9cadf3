"""Holes found in review: each stays closed."""

import io
import zipfile
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from bsc_site import xlsx
from organisation import services
from organisation.models import ApiScope, Role

from .factories import EmployeeFactory, TeamFactory, grant

pytestmark = pytest.mark.django_db


def test_an_integrator_signed_in_with_a_session_has_only_their_employee_powers(world, login):
    grant(world.emp_a.user, Role.INTEGRATOR)
    client = login(world.emp_a.user)
    assert {row["id"] for row in client.get("/api/v1/employees/").json()["results"]} == {world.emp_a.pk}
    assert client.get(f"/org/employees/{world.emp_b.pk}/").status_code == 404


def test_tokens_are_only_issued_to_integrators(world):
    with pytest.raises(ValidationError):
        services.create_api_token(by=world.admin, user=world.hr.user, name="x", scopes=[ApiScope.READ])


def test_a_token_stops_working_when_the_integrator_role_is_taken_away(world):
    world.integrator.groups.clear()
    response = Client(HTTP_AUTHORIZATION=f"Bearer {world.token_secret}").get("/api/v1/me/")
    assert response.status_code == 401


def test_a_move_cannot_be_recorded_before_it_happens(world):
    with pytest.raises(ValidationError) as error:
        services.move_employee(
            by=world.hr.user, employee=world.emp_a, department=world.dept_b, post=world.post_b,
            effective_date=timezone.localdate() + timedelta(days=30),
        )
    assert "effective_date" in error.value.message_dict
    world.emp_a.refresh_from_db()
    assert world.emp_a.department == world.dept_a


def test_a_team_with_members_cannot_move_to_another_department(world):
    member = EmployeeFactory(department=world.dept_a, post=world.post_a, team=world.team_a)
    with pytest.raises(ValidationError):
        services.save_team(by=world.hr.user, team=world.team_a, department=world.dept_b)
    assert member.team.department == world.dept_a


def test_a_leaver_stops_leading_their_team(world):
    team = TeamFactory(department=world.dept_b, leader=world.emp_b)
    services.deactivate_employee(by=world.hr.user, employee=world.emp_b, leave_date=date(2025, 1, 31))
    team.refresh_from_db()
    assert team.leader is None


def test_the_api_refuses_an_inactive_department_and_a_former_manager(world, login):
    client = login(world.hr.user)
    world.dept_b.is_active = False
    world.dept_b.save()
    response = client.post(
        "/api/v1/employees/",
        {"employee_number": "X1", "name_en": "X", "department": world.dept_b.pk, "post": world.post_b.pk, "hire_date": "2024-01-01"},
        content_type="application/json",
    )
    assert response.status_code == 400 and "department" in response.json()["error"]["fields"]
    services.deactivate_employee(by=world.hr.user, employee=world.emp_a2, leave_date=date(2025, 1, 31))
    response = client.patch(f"/api/v1/employees/{world.emp_a.pk}/", {"line_manager": world.emp_a2.pk}, content_type="application/json")
    assert response.status_code == 400 and "line_manager" in response.json()["error"]["fields"]


def _zip(entries: dict[str, bytes], content_types: bytes = b"<Types/>") -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", content_types)
        archive.writestr("xl/workbook.xml", b"<workbook/>")
        for name, data in entries.items():
            archive.writestr(name, data)
    return out.getvalue()


def test_a_renamed_vba_part_is_still_refused_as_a_macro():
    data = _zip({"xl/code.bin": b"x"}, b'<Types><Override ContentType="application/vnd.ms-office.vbaProject"/></Types>')
    with pytest.raises(xlsx.SpreadsheetError, match="macros"):
        xlsx.check_upload(data)


def test_a_highly_compressed_part_is_refused_before_parsing():
    data = _zip({"xl/sharedStrings.xml": b"<si>" + b"0" * (5 * 1024 * 1024)})
    assert len(data) < 100 * 1024
    with pytest.raises(xlsx.SpreadsheetError, match="expands"):
        xlsx.check_upload(data)


def test_an_administrator_cannot_change_their_own_roles_in_the_admin(world, login):
    client = login(world.admin)
    page = client.get(f"/admin/organisation/user/{world.admin.pk}/change/")
    assert page.status_code == 200
    assert 'name="groups"' not in page.content.decode()
    other = client.get(f"/admin/organisation/user/{world.hr.user.pk}/change/").content.decode()
    assert 'name="groups"' in other and 'name="is_superuser"' not in other

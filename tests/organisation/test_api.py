from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.test import Client
from django.utils import timezone
from rest_framework.throttling import UserRateThrottle

from organisation import services
from organisation.models import ApiScope, Employee

from .factories import EmployeeFactory

pytestmark = pytest.mark.django_db


def ids(response):
    return {row["id"] for row in response.json()["results"]}


def bearer(secret):
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


# --- lists are scoped ---


def test_an_employee_lists_only_themselves(world, login):
    response = login(world.emp_a.user).get("/api/v1/employees/")
    assert ids(response) == {world.emp_a.pk}


def test_a_head_lists_their_department_and_sub_departments(world, login):
    response = login(world.head_a.user).get("/api/v1/employees/")
    assert ids(response) == {world.head_a.pk, world.emp_a.pk, world.emp_a2.pk, world.emp_a1.pk}


def test_hr_lists_everyone(world, login):
    response = login(world.hr.user).get("/api/v1/employees/?page_size=100")
    assert ids(response) == set(Employee.objects.values_list("pk", flat=True))


def test_a_filter_on_someone_you_cannot_see_is_refused_not_answered(world, login):
    response = login(world.head_a.user).get(f"/api/v1/employees/?line_manager={world.head_b.pk}")
    assert response.status_code == 400
    assert "line_manager" in response.json()["error"]["fields"]


def test_filter_by_department_and_search(world, login):
    client = login(world.hr.user)
    assert ids(client.get(f"/api/v1/employees/?department={world.dept_a1.pk}")) == {world.emp_a1.pk}
    assert ids(client.get(f"/api/v1/employees/?search={world.emp_b.employee_number}")) == {world.emp_b.pk}


def test_ordering_only_on_whitelisted_fields(world, login):
    client = login(world.hr.user)
    numbers = [row["employee_number"] for row in client.get("/api/v1/employees/?ordering=-employee_number&page_size=100").json()["results"]]
    assert numbers == sorted(numbers, reverse=True)
    # An ordering on a field outside the whitelist is ignored, not obeyed.
    default = [row["id"] for row in client.get("/api/v1/employees/?page_size=100").json()["results"]]
    probe = [row["id"] for row in client.get("/api/v1/employees/?ordering=user__password&page_size=100").json()["results"]]
    assert probe == default


def test_lists_are_paginated(world, login):
    body = login(world.hr.user).get("/api/v1/employees/?page_size=2").json()
    assert body["count"] == Employee.objects.count()
    assert len(body["results"]) == 2
    assert "page=2" in body["next"]


def test_the_employee_list_runs_a_constant_number_of_queries(world, login, django_assert_max_num_queries):
    client = login(world.hr.user)
    client.get("/api/v1/employees/")  # warm the session
    with CaptureQueriesContext(connection) as few:
        client.get("/api/v1/employees/?page_size=100")
    EmployeeFactory.create_batch(30, department=world.dept_b, post=world.post_b, line_manager=world.head_b)
    # session, user, role groups, own employee record, department tree (heads),
    # count, one page of employees joined with their relations
    with django_assert_max_num_queries(len(few)) as many:
        response = client.get("/api/v1/employees/?page_size=100")
    assert len(response.json()["results"]) == Employee.objects.count()
    assert len(many) == len(few) == 7


# --- objects ---


def test_an_employee_outside_your_scope_is_not_found(world, login):
    response = login(world.head_a.user).get(f"/api/v1/employees/{world.emp_b.pk}/")
    assert response.status_code == 404
    assert response.json() == {"error": {"status": 404, "code": "not_found", "message": "Not found."}}


def test_me_describes_the_caller(world, login):
    body = login(world.head_a.user).get("/api/v1/me/").json()
    assert body["username"] == "head_a"
    assert body["roles"] == ["department_head", "employee"]
    assert body["headed_departments"] == sorted([world.dept_a.pk, world.dept_a1.pk])
    assert body["employee"]["id"] == world.head_a.pk


# --- writes ---


def test_hr_creates_an_employee_through_the_api(world, login):
    response = login(world.hr.user).post(
        "/api/v1/employees/",
        {"employee_number": "00077", "name_zh": "韩梅梅", "department": world.dept_b.pk, "post": world.post_b.pk, "hire_date": "2024-09-01"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    employee = Employee.objects.get(employee_number="00077")
    assert response.json()["id"] == employee.pk
    assert employee.assignments.count() == 1


def test_validation_errors_come_back_per_field(world, login):
    response = login(world.hr.user).post("/api/v1/employees/", {"employee_number": "1"}, content_type="application/json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["status"] == 400 and error["code"] == "invalid"
    assert {"department", "post", "hire_date"} <= set(error["fields"])


def test_model_rules_come_back_as_field_errors(world, login):
    response = login(world.hr.user).post(
        "/api/v1/employees/",
        {"employee_number": "5", "name_en": "X", "department": world.dept_b.pk, "post": world.post_a.pk, "hire_date": "2024-01-01"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "post" in response.json()["error"]["fields"]


def test_a_client_cannot_write_state_or_owner_fields(world, login):
    client = login(world.hr.user)
    response = client.patch(
        f"/api/v1/departments/{world.dept_a.pk}/", {"head": world.emp_a.pk, "is_active": False, "name_en": "Renamed"}, content_type="application/json"
    )
    assert response.status_code == 200
    world.dept_a.refresh_from_db()
    assert (world.dept_a.name_en, world.dept_a.head, world.dept_a.is_active) == ("Renamed", world.head_a, True)
    response = client.patch(
        f"/api/v1/employees/{world.emp_a.pk}/", {"department": world.dept_b.pk, "is_active": False, "leave_date": "2030-01-01"}, content_type="application/json"
    )
    world.emp_a.refresh_from_db()
    assert (world.emp_a.department, world.emp_a.is_active, world.emp_a.leave_date) == (world.dept_a, True, None)


def test_a_department_cycle_is_refused_with_a_field_error(world, login):
    response = login(world.hr.user).patch(f"/api/v1/departments/{world.dept_a.pk}/", {"parent": world.dept_a1.pk}, content_type="application/json")
    assert response.status_code == 400
    assert "parent" in response.json()["error"]["fields"]


def test_hr_sets_a_head_through_the_explicit_action(world, login):
    client = login(world.hr.user)
    response = client.post(f"/api/v1/departments/{world.dept_a.pk}/set-head/", {"head": world.emp_a.pk}, content_type="application/json")
    assert response.status_code == 200
    assert response.json()["head"] == world.emp_a.pk
    refused = client.post(f"/api/v1/departments/{world.dept_a.pk}/set-head/", {"head": world.emp_b.pk}, content_type="application/json")
    assert refused.status_code == 400


def test_moving_through_the_api_keeps_the_history(world, login):
    response = login(world.hr.user).post(
        f"/api/v1/employees/{world.emp_a.pk}/move/",
        {"department": world.dept_b.pk, "post": world.post_b.pk, "effective_date": "2025-06-01"},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["department"] == world.dept_b.pk
    assert world.emp_a.assignments.count() == 2


def test_deactivating_through_the_api_disables_the_account(world, login):
    response = login(world.hr.user).post(f"/api/v1/employees/{world.emp_b.pk}/deactivate/", {"leave_date": "2025-06-30"}, content_type="application/json")
    assert response.status_code == 200
    assert response.json()["is_active"] is False
    world.emp_b.user.refresh_from_db()
    assert world.emp_b.user.is_active is False


# --- CSRF on session calls ---


def test_a_session_write_without_csrf_token_is_refused(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.hr.user, backend="django.contrib.auth.backends.ModelBackend")
    response = client.post("/api/v1/departments/", {"code": "C", "name_en": "C"}, content_type="application/json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["error"]["message"]


def test_a_session_write_with_the_csrf_token_passes(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.hr.user, backend="django.contrib.auth.backends.ModelBackend")
    client.get("/org/departments/new/")  # the page sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    response = client.post("/api/v1/departments/", {"code": "C", "name_en": "C"}, content_type="application/json", HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 201


# --- tokens ---


def test_a_read_token_lists_employees(world):
    response = bearer(world.token_secret).get("/api/v1/employees/")
    assert response.status_code == 200
    assert response.json()["count"] == Employee.objects.count()


def test_a_token_without_read_scope_cannot_read(world):
    _, secret = services.create_api_token(by=world.admin, user=world.integrator, name="w", scopes=[ApiScope.WRITE_ACTUALS])
    assert bearer(secret).get("/api/v1/employees/").status_code == 403


def test_a_token_never_writes_the_organisation(world):
    response = bearer(world.token_secret).post("/api/v1/departments/", {"code": "Z", "name_en": "Z"}, content_type="application/json")
    assert response.status_code == 403


def test_expired_revoked_and_malformed_tokens_get_401(world):
    token, secret = services.create_api_token(
        by=world.admin, user=world.integrator, name="e", scopes=[ApiScope.READ], expires_at=timezone.now() + timedelta(hours=1)
    )
    token.expires_at = timezone.now() - timedelta(minutes=1)
    token.save()
    assert bearer(secret).get("/api/v1/me/").status_code == 401
    services.revoke_api_token(token=world.token)
    assert bearer(world.token_secret).get("/api/v1/me/").status_code == 401
    assert Client(HTTP_AUTHORIZATION="Bearer").get("/api/v1/me/").status_code == 401
    assert bearer("bsc_nothing_here").get("/api/v1/me/").status_code == 401


def test_anonymous_calls_get_401_with_the_bearer_challenge(db):
    response = Client().get("/api/v1/employees/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    assert response.json()["error"]["code"] == "not_authenticated"


def test_a_token_does_not_open_browser_pages(world):
    response = bearer(world.token_secret).get("/org/employees/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


# --- throttling ---


def test_too_many_calls_are_throttled_with_the_standard_error_body(world, login, monkeypatch):
    monkeypatch.setattr(UserRateThrottle, "THROTTLE_RATES", {"user": "3/minute", "anon": "3/minute"})
    client = login(world.hr.user)
    codes = [client.get("/api/v1/me/").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    error = client.get("/api/v1/me/").json()["error"]
    assert error["status"] == 429 and error["code"] == "throttled"
    assert error["retry_after_seconds"] > 0

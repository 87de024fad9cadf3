"""The OpenAPI schema is generated without warnings and documents every endpoint."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from tests.test_access_matrix import route_names


def test_schema_generates_without_warnings_or_errors(tmp_path):
    # --fail-on-warn turns any drf-spectacular warning into a failure.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
    assert (tmp_path / "schema.yaml").stat().st_size > 1000


@pytest.mark.django_db
def test_schema_lists_every_api_route_and_both_ways_to_authenticate(client):
    schema = client.get(reverse("api-schema"), HTTP_ACCEPT="application/json").json()
    paths = set(schema["paths"])
    api_routes = {name for name in route_names()[0] if name.startswith("api:")}
    assert len(paths) >= len(api_routes) / 2  # list+detail pairs share none; actions have their own
    for expected in ["/api/v1/me/", "/api/v1/departments/", "/api/v1/departments/{id}/", "/api/v1/departments/{id}/set-head/",
                     "/api/v1/teams/", "/api/v1/posts/", "/api/v1/employees/", "/api/v1/employees/{id}/",
                     "/api/v1/employees/{id}/move/", "/api/v1/employees/{id}/deactivate/"]:
        assert expected in paths
    schemes = schema["components"]["securitySchemes"]
    assert schemes["bearerToken"]["scheme"] == "bearer"
    assert "cookieAuth" in schemes


@pytest.mark.django_db
def test_schema_marks_state_fields_read_only(client):
    schema = client.get(reverse("api-schema"), HTTP_ACCEPT="application/json").json()
    department = schema["components"]["schemas"]["Department"]["properties"]
    assert department["head"]["readOnly"] is True
    assert department["is_active"]["readOnly"] is True
    assert "is_active" not in schema["components"]["schemas"]["EmployeeCreateRequest"]["properties"]


@pytest.mark.django_db
def test_api_docs_page_is_served_without_a_cdn(client):
    response = client.get(reverse("api-docs"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html
    assert "cdn.jsdelivr.net" not in html and "unpkg.com" not in html

"""/api/v1/appraisal-periods/, appraisal-forms/, appraisal-values/ and inspections/: the
monthly cycle over the API, per role and per form."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from appraisal import services
from appraisal.models import Form, FormKind, FormValue, Inspection, Period
from organisation.models import ApiScope
from organisation.services import create_api_token
from scorecards import services as card_services
from scorecards.models import Level
from tests.appraisal.factories import all_values, approved_cards
from tests.organisation.factories import DepartmentFactory, EmployeeFactory
from tests.scorecards.factories import valid_card

D = Decimal
pytestmark = pytest.mark.django_db

PERIODS = "/api/v1/appraisal-periods/"
FORMS = "/api/v1/appraisal-forms/"
VALUES = "/api/v1/appraisal-values/"
INSPECTIONS = "/api/v1/inspections/"


@pytest.fixture
def month(world):
    """March 2026 opened: a form per person, a head's form per head; lines from the department."""
    approved_cards(world)
    return services.open_period(by=world.hr.user, year=2026, month=3)


@pytest.fixture
def as_user(world, login):
    def client_for(role):
        person = getattr(world, role)
        return login(getattr(person, "user", person), on=Client())

    return client_for


def bearer(world, secret=None) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret or world.token_secret}")


def post(client, url, data=None):
    return client.post(url, data if data is not None else {}, content_type="application/json")


def put(client, url, data):
    return client.put(url, data, content_type="application/json")


def form_of(period, employee, kind=FormKind.EMPLOYEE) -> Form:
    return Form.objects.get(period=period, employee=employee, kind=kind)


def url(form, action=""):
    return f"{FORMS}{form.pk}/{action + '/' if action else ''}"


def ok(response, code=200) -> dict:
    assert response.status_code == code, response.content
    return response.json()


def error(response, code) -> dict:
    assert response.status_code == code, response.content
    body = response.json()["error"]
    assert body["status"] == code
    return body


def ids(response) -> set[int]:
    return {row["id"] for row in ok(response)["results"]}


def step(client, form, action, **body):
    return post(client, url(form, "step"), {"action": action, **body})


def signed_by_both(world, form) -> Form:
    services.save_values(by=world.hr.user, form=form, values=all_values(form))
    services.take_step(by=form.employee.user, form=form, action="sign_as_employee")
    return services.take_step(by=form.department.head.user, form=form, action="sign_as_head")


def calculated(world, form) -> Form:
    return services.take_step(by=world.hr.user, form=signed_by_both(world, form), action="calculate")


def first_key(form) -> str:
    """The form's first line (the calculation's list keeps the order; PostgreSQL's jsonb
    does not keep the order of an object's keys)."""
    return form.snapshot["calculation"]["lines"][0]["key"]


# --- periods ---------------------------------------------------------------------------


def test_hr_opens_a_month_and_every_person_gets_a_form(world, as_user):
    approved_cards(world)
    data = ok(post(as_user("hr"), PERIODS, {"year": 2026, "month": 3}), 201)
    assert (data["label"], data["status"], data["deadline"]) == ("2026-03", "collecting", "2026-03-25")
    assert data["forms"] == 12 and data["form_counts"]["draft"] == 12  # nine people, three heads' own forms
    assert Period.objects.get(pk=data["id"]).opened_by == world.hr.user


def test_a_month_opened_twice_is_a_400_with_the_reason(world, as_user, month):
    body = error(post(as_user("hr"), PERIODS, {"year": 2026, "month": 3}), 400)
    assert "already open" in body["fields"]["month"][0]


@pytest.mark.parametrize("role", ["gm", "head_a", "emp_a", "admin"])
def test_only_hr_opens_a_month(world, as_user, role):
    approved_cards(world)
    error(post(as_user(role), PERIODS, {"year": 2026, "month": 3}), 403)
    assert not Period.objects.exists()


def test_no_token_opens_a_month(world):
    approved_cards(world)
    error(post(bearer(world), PERIODS, {"year": 2026, "month": 3}), 403)


def test_a_month_counts_only_the_forms_the_caller_sees(world, as_user, month):
    assert ok(as_user("emp_a").get(f"{PERIODS}{month.pk}/"))["forms"] == 1
    assert ok(as_user("head_a").get(f"{PERIODS}{month.pk}/"))["forms"] == 5  # A and A1, and head_a's two
    assert ok(as_user("hr").get(f"{PERIODS}{month.pk}/"))["forms"] == 12


def test_hr_flags_late_forms_after_the_deadline(world, as_user, month):
    signed_by_both(world, form_of(month, world.emp_a))
    assert ok(post(as_user("hr"), f"{PERIODS}{month.pk}/flag-late/")) == {"flagged": 11}
    assert ok(as_user("hr").get(f"{PERIODS}{month.pk}/"))["late"] == 11
    error(post(as_user("gm"), f"{PERIODS}{month.pk}/flag-late/"), 403)


# --- reading forms ---------------------------------------------------------------------


def test_each_role_lists_the_forms_it_may_see(world, as_user, month):
    mine = {form_of(month, world.emp_a).pk}
    assert ids(as_user("emp_a").get(FORMS)) == mine
    department_a = set(Form.objects.filter(department__in=[world.dept_a, world.dept_a1]).values_list("pk", flat=True))
    assert ids(as_user("head_a").get(FORMS)) == department_a
    assert len(ids(as_user("hr").get(FORMS))) == 12
    assert len(ids(bearer(world).get(FORMS))) == 12


def test_forms_are_filtered_by_department_status_kind_employee_and_period(world, as_user, month):
    hr = as_user("hr")
    heads = {form_of(month, person, FormKind.HEAD).pk for person in (world.head_a, world.head_b, world.gm)}
    assert ids(hr.get(FORMS, {"kind": "head"})) == heads
    assert ids(hr.get(FORMS, {"employee": world.emp_b.pk, "period": month.pk})) == {form_of(month, world.emp_b).pk}
    assert ids(hr.get(FORMS, {"department": world.dept_a1.pk})) == {form_of(month, world.emp_a1).pk}
    assert ids(hr.get(FORMS, {"status": "published"})) == set()


def test_a_head_filtering_by_another_department_sees_no_forms(world, as_user, month):
    assert ids(as_user("head_a").get(FORMS, {"department": world.dept_b.pk})) == set()


def test_an_employee_reads_their_form_with_this_months_targets(world, as_user, month):
    form = form_of(month, world.emp_a)
    data = ok(as_user("emp_a").get(url(form)))
    assert (data["employee"], data["status"], data["revision"], data["kind"]) == (world.emp_a.pk, "draft", 1, "employee")
    line = data["lines"][0]
    assert (line["target"], line["weight"], line["data_owner"], line["actual"]) == ("8.33", "25.00", "department", None)
    assert line["can_enter"] == ["self"]  # the department supplies the actual
    assert data["available_steps"] == ["sign_as_employee"]
    assert data["signatures"] == [] and data["transitions"] == []


def test_a_head_gets_404_on_a_form_of_another_department(world, as_user, month):
    error(as_user("head_a").get(url(form_of(month, world.emp_b))), 404)
    error(step(as_user("head_a"), form_of(month, world.emp_b), "sign_as_head"), 404)


def test_the_score_is_hidden_from_the_person_appraised_until_published(world, as_user, month):
    form = calculated(world, form_of(month, world.emp_a))
    mine = ok(as_user("emp_a").get(url(form)))
    assert (mine["score_visible"], mine["total"], mine["breakdown"]) == (False, None, None)
    assert ok(as_user("emp_a").get(FORMS))["results"][0]["total"] is None
    hidden = ok(as_user("emp_a").get(url(form, "breakdown")))
    assert (hidden["calculated"], hidden["breakdown"], hidden["total"]) == (True, None, None)
    head = ok(as_user("head_a").get(url(form)))
    assert head["total"] == "100.00" and head["breakdown"]["total"] == "100.00"
    form = services.take_step(by=world.gm.user, form=form, action="approve")
    services.take_step(by=world.hr.user, form=form, action="publish")
    mine = ok(as_user("emp_a").get(url(form)))
    assert (mine["score_visible"], mine["total"]) == (True, "100.00")
    assert len(mine["breakdown"]["lines"]) == 4


def test_the_breakdown_explains_the_score_and_re_derives_it(world, as_user, month):
    form = calculated(world, form_of(month, world.emp_a))
    data = ok(as_user("gm").get(url(form, "breakdown")))
    assert (data["total"], data["engine_version"], data["rederives"], data["score_visible"]) == ("100.00", "1", True, True)
    assert [line["score"] for line in data["breakdown"]["lines"]] == ["100.00"] * 4


def test_an_uncalculated_form_has_no_breakdown(world, as_user, month):
    data = ok(as_user("hr").get(url(form_of(month, world.emp_a), "breakdown")))
    assert (data["calculated"], data["breakdown"], data["rederives"]) == (False, None, None)


# --- the workflow ----------------------------------------------------------------------


def test_the_employee_and_then_the_head_sign_through_step(world, as_user, month):
    form = form_of(month, world.emp_a)
    services.save_values(by=world.hr.user, form=form, values=all_values(form))
    data = ok(step(as_user("emp_a"), form, "sign_as_employee", revision=2))
    assert (data["status"], data["revision"]) == ("employee_signed", 3)
    assert ok(as_user("head_a").get(url(form)))["available_steps"] == ["sign_as_head", "return_to_draft"]
    data = ok(step(as_user("head_a"), form, "sign_as_head", revision=3))
    assert data["status"] == "submitted"
    assert [(s["role"], s["user"], s["valid"]) for s in data["signatures"]] == [
        ("employee", world.emp_a.user.pk, True), ("head", world.head_a.user.pk, True),
    ]
    assert [(t["action"], t["by"]) for t in data["transitions"]] == [
        ("sign_as_employee", world.emp_a.user.pk), ("sign_as_head", world.head_a.user.pk),
    ]


def test_hr_enters_calculates_the_gm_approves_and_hr_publishes(world, as_user, month):
    form = form_of(month, world.emp_a)
    hr, gm = as_user("hr"), as_user("gm")
    values = {key: {"actual": "8.33"} for key in form.snapshot["lines"]}
    assert ok(put(hr, url(form, "values"), {"revision": 1, "values": values}))["revision"] == 2
    services.take_step(by=world.emp_a.user, form=form, action="sign_as_employee")
    services.take_step(by=world.head_a.user, form=form, action="sign_as_head")
    data = ok(step(hr, form, "calculate"))
    assert (data["status"], data["total"], data["calculated_by"]) == ("calculated", "100.00", world.hr.user.pk)
    error(step(hr, form, "approve"), 403)  # HR does not approve
    data = ok(step(gm, form, "approve"))
    assert (data["status"], data["approved_by"]) == ("approved", world.gm.user.pk)
    assert ok(step(hr, form, "publish"))["status"] == "published"


def test_a_head_sends_a_form_back_only_with_a_comment(world, as_user, month):
    form = form_of(month, world.emp_a)
    services.save_values(by=world.hr.user, form=form, values=all_values(form))
    services.take_step(by=world.emp_a.user, form=form, action="sign_as_employee")
    body = error(step(as_user("head_a"), form, "return_to_draft"), 400)
    assert "comment" in body["fields"]
    data = ok(step(as_user("head_a"), form, "return_to_draft", comment="Check the sales figure"))
    assert data["status"] == "draft" and data["transitions"][-1]["comment"] == "Check the sales figure"


def test_a_step_out_of_order_is_a_409_conflict(world, as_user, month):
    body = error(step(as_user("gm"), form_of(month, world.emp_a), "approve"), 409)
    assert body["code"] == "conflict"
    assert body["message"] == "This cannot be done to a form that is a draft."


def test_a_step_from_a_stale_revision_is_a_409_stale(world, as_user, month):
    form = form_of(month, world.emp_a)
    services.save_values(by=world.hr.user, form=form, values=all_values(form))  # revision 2
    body = error(step(as_user("emp_a"), form, "sign_as_employee", revision=1), 409)
    assert body["code"] == "stale" and "Reload" in body["message"]
    assert Form.objects.get(pk=form.pk).status == "draft"


def test_a_head_does_not_sign_their_own_form_as_head_and_is_told_why(world, as_user, month):
    own = form_of(month, world.head_a)
    services.save_values(by=world.hr.user, form=own, values=all_values(own))
    services.take_step(by=world.head_a.user, form=own, action="sign_as_employee")
    body = error(step(as_user("head_a"), own, "sign_as_head"), 403)
    assert "appraised on" in body["message"]


def test_an_unknown_step_is_a_400(world, as_user, month):
    body = error(step(as_user("hr"), form_of(month, world.emp_a), "delete"), 400)
    assert "action" in body["fields"]


def test_a_token_reads_forms_but_takes_no_step(world, month):
    form = calculated(world, form_of(month, world.emp_a))
    assert ok(bearer(world).get(url(form)))["total"] == "100.00"
    error(step(bearer(world), form, "approve"), 403)
    assert Form.objects.get(pk=form.pk).status == "calculated"


# --- values on one form ----------------------------------------------------------------


def test_a_save_from_an_older_revision_is_a_409_stale(world, as_user, month):
    form = form_of(month, world.emp_a)
    key = first_key(form)
    ok(post(as_user("head_a"), url(form, "values"), {"revision": 1, "values": {key: {"actual": "1"}}}))
    body = error(post(as_user("hr"), url(form, "values"), {"revision": 1, "values": {key: {"actual": "2"}}}), 409)
    assert body["code"] == "stale"
    assert form.values.get(line_key=key).actual == D("1")


def test_value_errors_come_back_by_line_and_save_nothing(world, as_user, month):
    form = form_of(month, world.emp_a)
    key = first_key(form)
    body = error(post(as_user("hr"), url(form, "values"), {"revision": 1, "values": {key: {"actual": "1"}, "NOPE": {"actual": "2"}}}), 400)
    assert list(body["fields"]["values"]) == ["NOPE"]
    assert not form.values.exists()


def test_an_employee_enters_their_self_assessment_but_not_the_departments_actual(world, as_user, month):
    form = form_of(month, world.emp_a)
    key = first_key(form)
    error(post(as_user("emp_a"), url(form, "values"), {"revision": 1, "values": {key: {"actual": "5"}}}), 403)
    data = ok(post(as_user("emp_a"), url(form, "values"), {"revision": 1, "values": {key: {"self_assessment": "Beat it"}}}))
    assert data["lines"][0]["self_assessment"] == "Beat it"


# --- bulk values -----------------------------------------------------------------------


def _rows(world, month, actual="8.33"):
    """Every line of emp_a's form (by employee number) and emp_a2's (by id)."""
    rows = [{"period": month.pk, "employee": world.emp_a.employee_number, "line": key, "actual": actual} for key in form_of(month, world.emp_a).snapshot["lines"]]
    rows += [{"period": month.pk, "employee": world.emp_a2.pk, "line": key, "actual": actual} for key in form_of(month, world.emp_a2).snapshot["lines"]]
    return rows


def test_hr_upserts_values_and_sending_them_again_changes_nothing(world, as_user, month):
    hr = as_user("hr")
    rows = _rows(world, month)
    first = ok(post(hr, VALUES, rows))
    assert first["rows"] == 8
    assert [(f["employee"], f["revision"]) for f in first["forms"]] == [(world.emp_a.pk, 2), (world.emp_a2.pk, 2)]
    history = FormValue.history.count()
    assert ok(post(hr, VALUES, rows)) == first
    assert FormValue.history.count() == history
    assert set(form_of(month, world.emp_a).values.values_list("actual", flat=True)) == {D("8.33")}


def test_a_bad_row_saves_nothing_and_every_bad_row_is_listed_by_index(world, as_user, month):
    rows = _rows(world, month)
    rows[1]["actual"] = "eight"
    rows[2]["line"] = "NOPE"
    rows[3]["employee"] = "NOBODY"
    rows.append(dict(rows[0]))
    rows.append({"period": month.pk, "employee": world.emp_a.pk, "line": first_key(form_of(month, world.emp_a))})
    body = error(post(as_user("hr"), VALUES, rows), 400)
    fields = body["fields"]
    assert sorted(fields, key=int) == ["1", "2", "3", "8", "9"]
    assert "actual" in fields["1"] and "line" in fields["2"] and "employee" in fields["3"]
    assert "already in row 0" in fields["8"]["line"][0]
    assert not FormValue.objects.exists()


def test_a_row_refused_by_the_service_rolls_back_the_rows_already_saved(world, as_user, month):
    approved = services.take_step(by=world.gm.user, form=calculated(world, form_of(month, world.emp_a)), action="approve")
    rows = [{"period": month.pk, "employee": world.emp_a2.pk, "line": first_key(form_of(month, world.emp_a2)), "actual": "3"}]
    rows.append({"period": month.pk, "employee": world.emp_a.pk, "line": first_key(approved), "actual": "3"})
    body = error(post(as_user("hr"), VALUES, rows), 400)
    assert list(body["fields"]) == ["1"] and "no longer change" in body["fields"]["1"][0]
    assert not form_of(month, world.emp_a2).values.exists()


def test_others_upsert_only_the_lines_they_supply(world, as_user, month):
    row = {"period": month.pk, "employee": world.emp_a.pk, "line": first_key(form_of(month, world.emp_a)), "actual": "5"}
    body = error(post(as_user("emp_a"), VALUES, [row]), 400)
    assert body["fields"]["0"]["line"] == ["You may not enter this line."]
    ok(post(as_user("head_a"), VALUES, [row]))  # the department supplies it
    other = {**row, "employee": world.emp_b.pk, "line": first_key(form_of(month, world.emp_b))}
    body = error(post(as_user("head_a"), VALUES, [other]), 400)
    assert "employee" in body["fields"]["0"]  # a form head_a does not see


def test_the_bulk_upsert_takes_a_list(world, as_user, month):
    body = error(post(as_user("hr"), VALUES, {"period": month.pk}), 400)
    assert "rows" in body["fields"]


def test_a_token_with_write_actuals_upserts_values(world, month):
    rows = _rows(world, month)
    first = ok(post(bearer(world), VALUES, rows))
    assert ok(post(bearer(world), VALUES, rows)) == first
    assert form_of(month, world.emp_a).values.get(line_key=rows[0]["line"]).entered_by == world.integrator


def test_a_read_only_token_upserts_nothing(world, month):
    _token, secret = create_api_token(by=world.admin, user=world.integrator, name="r", scopes=[ApiScope.READ])
    error(post(bearer(world, secret), VALUES, _rows(world, month)), 403)
    assert not FormValue.objects.exists()


# --- inspections -----------------------------------------------------------------------


def _record(client, world, day="2026-03-05", **extra):
    body = {
        "date": day, "department": world.dept_a.pk,
        "entries": [{"employee": world.emp_a.pk, "status": "ok"}, {"employee": world.emp_a2.pk, "status": "violation", "violations": "Helmet off"}],
        **extra,
    }
    return post(client, INSPECTIONS, body)


def test_hr_records_an_inspection_and_a_blank_counts_as_missing(world, as_user):
    data = ok(_record(as_user("hr"), world), 201)
    statuses = {entry["employee"]: entry["status"] for entry in data["entries"]}
    assert statuses == {world.emp_a.pk: "ok", world.emp_a2.pk: "violation", world.head_a.pk: "missing"}
    assert (data["missing"], data["violations"], data["inspector"]) == (1, 1, world.hr.user.pk)


def test_recording_the_same_day_again_replaces_the_record(world, as_user):
    first = ok(_record(as_user("hr"), world), 201)
    again = ok(_record(as_user("hr"), world, entries=[]), 200)
    assert again["id"] == first["id"] and again["missing"] == 3


def test_a_bad_inspection_record_is_a_400(world, as_user):
    body = error(_record(as_user("hr"), world, entries=[{"employee": world.emp_b.pk, "status": "ok"}]), 400)
    assert "Only people of" in body["fields"]["entries"][0]
    error(_record(as_user("hr"), world, day="2099-01-01"), 400)


@pytest.mark.parametrize("role", ["head_a", "gm", "admin", "emp_a"])
def test_only_hr_records_inspections(world, as_user, role):
    error(_record(as_user(role), world), 403)
    assert not Inspection.objects.exists()


def test_no_token_records_inspections(world):
    error(_record(bearer(world), world), 403)


def test_heads_read_their_departments_inspections_and_employees_none(world, as_user):
    own = services.record_inspection(by=world.hr.user, day=date(2026, 3, 5), department=world.dept_a, entries={})
    other = services.record_inspection(by=world.hr.user, day=date(2026, 3, 5), department=world.dept_b, entries={})
    assert ids(as_user("head_a").get(INSPECTIONS)) == {own.pk}
    error(as_user("head_a").get(f"{INSPECTIONS}{other.pk}/"), 404)
    assert ids(as_user("emp_a").get(INSPECTIONS)) == set()
    assert ids(as_user("gm").get(INSPECTIONS)) == {own.pk, other.pk}


def test_inspections_are_filtered_by_month_and_department(world, as_user):
    march = services.record_inspection(by=world.hr.user, day=date(2026, 3, 5), department=world.dept_a, entries={})
    services.record_inspection(by=world.hr.user, day=date(2026, 4, 5), department=world.dept_a, entries={})
    services.record_inspection(by=world.hr.user, day=date(2026, 3, 5), department=world.dept_b, entries={})
    hr = as_user("hr")
    assert ids(hr.get(INSPECTIONS, {"month": "2026-03", "department": world.dept_a.pk})) == {march.pk}
    assert len(ids(hr.get(INSPECTIONS, {"month": "2026-03"}))) == 2
    assert "month" in error(hr.get(INSPECTIONS, {"month": "March"}), 400)["fields"]


# --- query counts ----------------------------------------------------------------------


def _queries(client, url, params=None) -> int:
    client.get(url, params)  # warm up: content types, the company settings
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, params).status_code == 200
    return len(queries)


@pytest.fixture
def april(world):
    """April 2026 with forms made directly from one approved card, for counting queries."""
    _card, version = valid_card(world.hr.user, level=Level.POST, post=world.post_a1)
    card_services.submit_version(by=world.hr.user, version=version)
    card_services.approve_version(by=world.hr.user, version=version)
    snapshot, info = services.snapshot_of(version, 4)
    period = Period.objects.create(year=2026, month=4, deadline=date(2026, 4, 25), opened_by=world.hr.user, status="collecting")

    def add_forms(count):
        for _ in range(count):
            person = EmployeeFactory(department=DepartmentFactory())
            Form.objects.create(
                period=period, employee=person, department=person.department, post=person.post,
                scorecard_version=version, snapshot={"calculation": snapshot, "lines": info}, total=D("90"),
            )

    period.add_forms = add_forms
    return period


def test_the_form_list_runs_the_same_queries_for_2_and_8_forms(world, as_user, april):
    # session, user, roles (groups, employee, department tree), the period filter's
    # choice, count, the page of forms with period, employee, department and post
    hr = as_user("hr")
    april.add_forms(2)
    two = _queries(hr, FORMS, {"period": april.pk})
    assert two == 8
    april.add_forms(6)
    assert Form.objects.filter(period=april).count() == 8
    assert _queries(hr, FORMS, {"period": april.pk}) == two


def test_the_period_list_runs_the_same_queries_for_2_and_8_months(world, as_user):
    # session, user, count, the page of months
    hr = as_user("hr")
    for month in (1, 2):
        Period.objects.create(year=2025, month=month, deadline=date(2025, month, 25), opened_by=world.hr.user)
    two = _queries(hr, PERIODS)
    assert two == 4
    for month in range(3, 9):
        Period.objects.create(year=2025, month=month, deadline=date(2025, month, 25), opened_by=world.hr.user)
    assert _queries(hr, PERIODS) == two


def test_the_inspection_list_runs_the_same_queries_for_2_and_8_inspections(world, as_user):
    # session, user, roles (groups, employee, department tree), count, the page of
    # inspections with department and inspector, their entries
    hr = as_user("hr")
    for day in (1, 2):
        services.record_inspection(by=world.hr.user, day=date(2026, 3, day), department=world.dept_a, entries={})
    two = _queries(hr, INSPECTIONS)
    assert two == 8
    for day in range(3, 9):
        services.record_inspection(by=world.hr.user, day=date(2026, 3, day), department=world.dept_a, entries={})
    assert _queries(hr, INSPECTIONS) == two


@pytest.mark.parametrize("field", ["period", "employee"])
def test_an_id_too_large_for_the_database_is_a_400_not_an_error(world, as_user, month, field):
    row = {"period": month.pk, "employee": world.emp_a.pk, "line": first_key(form_of(month, world.emp_a)), "actual": "5", field: 10**20}
    body = error(post(as_user("hr"), VALUES, [row]), 400)
    assert field in body["fields"]["0"]

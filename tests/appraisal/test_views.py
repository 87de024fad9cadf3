"""The month through its pages: HR opens it, values are entered on the form page, the
employee and the head sign, HR calculates, the GM approves, HR publishes."""

import re
from decimal import Decimal

import pytest

from appraisal.models import Form, FormKind, FormStatus, Period
from tests.appraisal.factories import approved_cards

pytestmark = pytest.mark.django_db


@pytest.fixture
def month(world, client, login):
    approved_cards(world)
    login(world.hr.user)
    response = client.post("/appraisal/", {"year": 2026, "month": 3})
    assert response.status_code == 302
    return Period.objects.get(year=2026, month=3)


def values_post(form, actual="8.33"):
    data = {"revision": form.revision}
    for key in form.snapshot["lines"]:
        data[f"v-{key}-actual-present"] = "1"
        data[f"v-{key}-actual"] = actual
    return data


def step(client, form, action, comment=""):
    form.refresh_from_db()
    return client.post(f"/appraisal/forms/{form.pk}/step/", {"action": action, "comment": comment, "revision": form.revision})


def test_the_whole_month_through_the_pages(world, client, login, month):
    form = Form.objects.get(period=month, employee=world.emp_a, kind=FormKind.EMPLOYEE)
    hr = login(world.hr.user)
    assert hr.post(f"/appraisal/forms/{form.pk}/", values_post(form)).status_code == 302
    employee = login(world.emp_a.user)
    page = employee.get(f"/appraisal/forms/{form.pk}/").content.decode()
    assert ">Sign<" in page
    step(employee, form, "sign_as_employee")
    head = login(world.head_a.user)
    assert "waiting for you" in head.get("/appraisal/").content.decode()
    step(head, form, "sign_as_head")
    hr = login(world.hr.user)
    step(hr, form, "calculate")
    form.refresh_from_db()
    assert form.status == FormStatus.CALCULATED and form.total == Decimal("100.00")
    employee = login(world.emp_a.user)
    page = employee.get(f"/appraisal/forms/{form.pk}/").content.decode()
    assert "Result" not in page  # not before publication
    gm = login(world.gm.user)
    step(gm, form, "approve")
    hr = login(world.hr.user)
    step(hr, form, "publish")
    employee = login(world.emp_a.user)
    page = employee.get(f"/appraisal/forms/{form.pk}/").content.decode()
    assert "Result" in page and "100.00" in page
    assert [t for t in re.findall(r"→ ([A-Za-z ]+)</td>", page)] == [
        "Signed by the employee", "With HR", "Calculated", "Approved", "Published"
    ]


def test_a_stale_page_does_not_overwrite(world, client, login, month):
    form = Form.objects.get(period=month, employee=world.emp_a, kind=FormKind.EMPLOYEE)
    stale = values_post(form, "1")
    hr = login(world.hr.user)
    hr.post(f"/appraisal/forms/{form.pk}/", values_post(form, "2"))
    response = hr.post(f"/appraisal/forms/{form.pk}/", stale, follow=True)
    assert "Reload the page" in response.content.decode()
    assert set(form.values.values_list("actual", flat=True)) == {Decimal("2")}


def test_the_period_page_counts_forms_and_inspections(world, client, login, month):
    login(world.hr.user)
    page = client.get(f"/appraisal/periods/{month.pk}/").content.decode()
    assert "Forms by department" in page and "0 / 4" in page


def test_an_employee_sees_only_their_form(world, client, login, month):
    other = Form.objects.get(period=month, employee=world.emp_b, kind=FormKind.EMPLOYEE)
    login(world.emp_a.user)
    assert client.get(f"/appraisal/forms/{other.pk}/").status_code == 404


def test_hr_records_an_inspection_on_its_page(world, client, login):
    login(world.hr.user)
    url = f"/appraisal/inspections/record/?department={world.dept_a.pk}&date=2026-03-05"
    page = client.get(url).content.decode()
    assert world.emp_a.employee_number in page and world.emp_b.employee_number not in page
    response = client.post(url, {f"status-{world.emp_a.pk}": "ok", f"status-{world.emp_a2.pk}": "violation", f"violations-{world.emp_a2.pk}": "Late"})
    assert response.status_code == 302
    page = client.get("/appraisal/inspections/?month=2026-03").content.decode()
    assert "1 / 4" in page  # department A: one inspection of the four due
    assert '<span class="danger-text">1</span>' in page  # head_a was left off the record


def test_a_head_reads_the_inspections_of_their_department_only(world, client, login):
    login(world.head_a.user)
    page = client.get("/appraisal/inspections/?month=2026-03").content.decode()
    assert world.dept_a.name_en in page and world.dept_b.name_en not in page
    assert client.get(f"/appraisal/inspections/record/?department={world.dept_a.pk}&date=2026-03-05").status_code == 403


def signed_by_employee(world, form):
    from appraisal import services
    from tests.appraisal.factories import all_values

    services.save_values(by=world.hr.user, form=form, values=all_values(form))
    return services.take_step(by=form.employee.user, form=form, action="sign_as_employee")


def test_a_head_signs_reviewed_forms_in_a_batch(world, client, login, month):
    forms = [signed_by_employee(world, Form.objects.get(period=month, employee=e, kind=FormKind.EMPLOYEE)) for e in (world.emp_a, world.emp_a2)]
    login(world.head_a.user)
    page = client.get("/appraisal/to-sign/").content.decode()
    assert world.emp_a.employee_number in page and world.emp_a2.employee_number in page
    response = client.post("/appraisal/to-sign/", {"form": [forms[0].pk], f"revision-{forms[0].pk}": forms[0].revision}, follow=True)
    assert "1 forms done" in response.content.decode()
    assert [Form.objects.get(pk=f.pk).status for f in forms] == [FormStatus.SUBMITTED, FormStatus.EMPLOYEE_SIGNED]


def test_the_gm_queue_shows_the_spread_and_approves_a_batch(world, client, login, month):
    from appraisal import services

    forms = []
    for employee in (world.emp_a, world.emp_a2):
        form = signed_by_employee(world, Form.objects.get(period=month, employee=employee, kind=FormKind.EMPLOYEE))
        services.take_step(by=world.head_a.user, form=form, action="sign_as_head")
        forms.append(services.take_step(by=world.hr.user, form=form, action="calculate"))
    login(world.gm.user)
    page = client.get("/appraisal/approvals/").content.decode()
    assert "2 forms · lowest 100.00 · median 100.00" in page
    client.post("/appraisal/approvals/", {"form": [f.pk for f in forms], **{f"revision-{f.pk}": f.revision for f in forms}})
    assert {Form.objects.get(pk=f.pk).status for f in forms} == {FormStatus.APPROVED}


def test_the_hr_grid_saves_all_rows_or_none(world, client, login, month):
    forms = list(Form.objects.filter(period=month, department=world.dept_a, kind=FormKind.EMPLOYEE).exclude(employee=world.head_a))
    code = next(iter(forms[0].snapshot["lines"]))
    same = [f for f in Form.objects.filter(period=month) if code in f.snapshot["lines"]]
    login(world.hr.user)
    url = f"/appraisal/periods/{month.pk}/grid/?indicator={code}"
    assert world.emp_a.employee_number in client.get(url).content.decode()
    data = {f"actual-{f.pk}": "5" for f in same} | {f"revision-{f.pk}": f.revision for f in same}
    data[f"actual-{same[-1].pk}"] = "five"
    response = client.post(url, data)
    assert "Nothing was saved" in response.content.decode()
    assert not any(f.values.exists() for f in same)
    data[f"actual-{same[-1].pk}"] = "6"
    assert client.post(url, data).status_code == 302
    assert sorted(Form.objects.get(pk=f.pk).values.get(line_key=code).actual for f in same)[-1] == Decimal("6")


def test_notifications_are_listed_and_marked_read(world, client, login, month):
    form = signed_by_employee(world, Form.objects.get(period=month, employee=world.emp_a, kind=FormKind.EMPLOYEE))
    login(world.head_a.user)
    page = client.get("/appraisal/notifications/").content.decode()
    assert "waits for your signature" in page and f"/appraisal/forms/{form.pk}/" in page
    client.post("/appraisal/notifications/")
    assert not world.head_a.user.notifications.filter(read_at__isnull=True).exists()


def test_evidence_is_downloaded_only_by_who_sees_the_form(world, client, login, month, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from appraisal.models import Evidence

    settings.MEDIA_ROOT = tmp_path
    form = Form.objects.get(period=month, employee=world.emp_a, kind=FormKind.EMPLOYEE)
    key = next(iter(form.snapshot["lines"]))
    login(world.emp_a.user)
    client.post(f"/appraisal/forms/{form.pk}/evidence/", {"line": key, "file": SimpleUploadedFile("note.txt", b"Visited 12 customers")})
    evidence = Evidence.objects.get()
    response = client.get(f"/appraisal/evidence/{evidence.pk}/")
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"Visited 12 customers"
    assert "attachment" in response["Content-Disposition"]
    login(world.emp_b.user)
    assert client.get(f"/appraisal/evidence/{evidence.pk}/").status_code == 404


def test_the_dashboard_and_the_grid_take_the_same_queries_for_more_people(world, client, login, month, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from appraisal import services
    from tests.organisation.factories import EmployeeFactory

    login(world.hr.user)
    code = next(iter(Form.objects.filter(period=month, employee=world.emp_a).get(kind=FormKind.EMPLOYEE).snapshot["lines"]))

    def count(period):
        counts = []
        for url in (f"/appraisal/periods/{period.pk}/", f"/appraisal/periods/{period.pk}/grid/?indicator={code}"):
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            counts.append(len(queries))
        return counts

    few = count(month)
    for _ in range(5):
        EmployeeFactory(department=world.dept_a, post=world.post_a)
    april = services.open_period(by=world.hr.user, year=2026, month=4)
    assert Form.objects.filter(period=april).count() == Form.objects.filter(period=month).count() + 5
    assert count(april) == few


def test_hr_calculates_every_form_with_hr_at_once_and_sees_missing_values(world, client, login, month):
    from appraisal import services
    from tests.appraisal.factories import all_values

    form = Form.objects.get(period=month, employee=world.emp_a, kind=FormKind.EMPLOYEE)
    services.save_values(by=world.hr.user, form=form, values=all_values(form))
    services.take_step(by=world.emp_a.user, form=form, action="sign_as_employee")
    services.take_step(by=world.head_a.user, form=form, action="sign_as_head")
    login(world.hr.user)
    page = client.get(f"/appraisal/periods/{month.pk}/").content.decode()
    assert "Values missing" in page
    response = client.post(f"/appraisal/periods/{month.pk}/calculate/", follow=True)
    assert "1 forms done: Calculate." in response.content.decode()
    assert Form.objects.get(pk=form.pk).status == FormStatus.CALCULATED


def test_formula_inputs_and_remarks_are_entered_on_the_form(world, client, login, month):
    form = Form.objects.get(period=month, employee=world.emp_a, kind=FormKind.EMPLOYEE)
    key = next(iter(form.snapshot["lines"]))
    login(world.hr.user)
    client.post(f"/appraisal/forms/{form.pk}/", {
        "revision": form.revision, f"v-{key}-actual-present": "1", f"v-{key}-actual": "7", f"v-{key}-remark": "From the ERP",
    })
    value = form.values.get(line_key=key)
    assert (value.actual, value.remark) == (Decimal("7"), "From the ERP")

import io

import openpyxl
import pytest

from strategy.models import ObjectiveLink, PlanStatus, TaskAssignment

from .factories import LinkFactory, MeasureFactory, ObjectiveFactory, PlanFactory, ensure_perspectives, perspective

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(db):
    ensure_perspectives()
    plan = PlanFactory(year=2026)
    learn = ObjectiveFactory(plan=plan, code="L1", name_en="Skilled people", perspective=perspective("learning_growth"))
    fin = ObjectiveFactory(plan=plan, code="F1", name_en="Grow revenue", perspective=perspective("financial"))
    LinkFactory(source=learn, target=fin)
    MeasureFactory(objective=fin, code="M1", name_en="Revenue growth")
    return plan


def test_the_strategy_map_draws_each_objective_as_a_link_to_it(world, plan, login):
    html = login(world.emp_a.user).get(f"/strategy/{plan.pk}/map/").content.decode()
    assert "<svg" in html
    for objective in plan.objectives.all():
        assert f"/strategy/objectives/{objective.pk}/" in html


def test_hr_saves_the_matrix_grid_and_sees_the_problems_go(world, plan, login):
    client = login(world.hr.user)
    measure = plan.objectives.get(code="F1").measures.get()
    page = client.get(f"/strategy/{plan.pk}/matrix/")
    assert [m for m, _leads in page.context["matrix"].problem_measures()] == [measure]
    response = client.post(f"/strategy/{plan.pk}/matrix/", {f"cell-{measure.pk}-{world.dept_a.pk}": "lead", f"cell-{measure.pk}-{world.dept_b.pk}": "support"})
    assert response.status_code == 302
    assert client.get(f"/strategy/{plan.pk}/matrix/").context["matrix"].problems == []


def test_two_leads_are_saved_but_listed_as_a_problem(world, plan, login):
    client = login(world.hr.user)
    measure = plan.objectives.get(code="F1").measures.get()
    client.post(f"/strategy/{plan.pk}/matrix/", {f"cell-{measure.pk}-{world.dept_a.pk}": "lead", f"cell-{measure.pk}-{world.dept_b.pk}": "lead"})
    problems = client.get(f"/strategy/{plan.pk}/").context["matrix_problems"]
    assert problems == [(measure, 2)]


def test_the_matrix_exports_to_excel_with_departments_as_columns(world, plan, login):
    measure = plan.objectives.get(code="F1").measures.get()
    TaskAssignment.objects.create(measure=measure, department=world.dept_b, role="lead")
    response = login(world.emp_a.user).get(f"/strategy/{plan.pk}/matrix.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    header = [c.value for c in sheet[1]]
    row = [c.value for c in sheet[2]]
    assert row[header.index(f"B {world.dept_b.display_name}")] == "Lead"
    assert row[1] == "M1"


def test_a_link_against_the_direction_shows_a_warning_message(world, plan, login):
    client = login(world.hr.user)
    fin, learn = plan.objectives.get(code="F1"), plan.objectives.get(code="L1")
    ObjectiveLink.objects.all().delete()
    response = client.post(f"/strategy/objectives/{fin.pk}/links/new/", {"target": learn.pk}, follow=False)
    assert response.status_code == 302
    messages = [str(m) for m in client.get(f"/strategy/objectives/{fin.pk}/").context["messages"]]
    assert any("against the usual direction" in m for m in messages)


def test_a_loop_is_refused_with_a_message_on_the_page(world, plan, login):
    client = login(world.hr.user)
    fin, learn = plan.objectives.get(code="F1"), plan.objectives.get(code="L1")
    # learn -> fin exists, so fin -> learn closes a loop
    client.post(f"/strategy/objectives/{fin.pk}/links/new/", {"target": learn.pk})
    messages = [str(m) for m in client.get(f"/strategy/objectives/{fin.pk}/").context["messages"]]
    assert any("close a loop" in m for m in messages)
    assert not ObjectiveLink.objects.filter(source=fin, target=learn).exists()


def test_the_general_manager_approves_from_the_plan_page(world, plan, login):
    client = login(world.gm.user)
    assert client.get(f"/strategy/{plan.pk}/").context["can_approve"]
    client.post(f"/strategy/{plan.pk}/approve/")
    plan.refresh_from_db()
    assert plan.status == PlanStatus.APPROVED


def test_the_api_link_creation_returns_the_direction_warning(world, plan, login):
    fin, learn = plan.objectives.get(code="F1"), plan.objectives.get(code="L1")
    ObjectiveLink.objects.all().delete()
    response = login(world.hr.user).post("/api/v1/links/", {"source": fin.pk, "target": learn.pk}, content_type="application/json")
    assert response.status_code == 201
    assert response.json()["against_direction"] is True
    assert "against the usual direction" in response.json()["warning"]


def test_the_api_loop_error_names_the_target_field(world, plan, login):
    fin, learn = plan.objectives.get(code="F1"), plan.objectives.get(code="L1")
    response = login(world.hr.user).post("/api/v1/links/", {"source": fin.pk, "target": learn.pk}, content_type="application/json")
    assert response.status_code == 400
    assert "loop" in response.json()["error"]["fields"]["target"][0]


def test_the_api_sets_and_changes_a_matrix_cell(world, plan, login):
    client = login(world.hr.user)
    measure = plan.objectives.get(code="F1").measures.get()
    first = client.post("/api/v1/matrix-cells/", {"measure": measure.pk, "department": world.dept_a.pk, "role": "support"}, content_type="application/json")
    again = client.post("/api/v1/matrix-cells/", {"measure": measure.pk, "department": world.dept_a.pk, "role": "lead"}, content_type="application/json")
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    assert TaskAssignment.objects.get().role == "lead"


def test_the_gm_approves_through_the_api_and_hr_cannot(world, plan, login):
    assert login(world.hr.user).post(f"/api/v1/plans/{plan.pk}/approve/").status_code == 403
    from django.test import Client

    gm = Client()
    gm.force_login(world.gm.user, backend="django.contrib.auth.backends.ModelBackend")
    response = gm.post(f"/api/v1/plans/{plan.pk}/approve/")
    assert response.status_code == 200 and response.json()["status"] == "approved"


def test_status_and_approver_cannot_be_written_through_the_api(world, plan, login):
    response = login(world.hr.user).patch(f"/api/v1/plans/{plan.pk}/", {"status": "approved", "approved_by": world.hr.user.pk}, content_type="application/json")
    assert response.status_code == 200
    plan.refresh_from_db()
    assert (plan.status, plan.approved_by) == (PlanStatus.DRAFT, None)


def test_hr_renames_a_perspective_but_its_code_and_place_stay(world, plan, login):
    client = login(world.hr.user)
    financial = perspective("financial")
    response = client.patch(
        f"/api/v1/perspectives/{financial.pk}/", {"name_en": "Finance", "code": "money", "sort_order": 3}, content_type="application/json"
    )
    assert response.status_code == 200
    financial.refresh_from_db()
    assert (financial.name_en, financial.code, financial.sort_order) == ("Finance", "financial", 1)

"""Scorecard pages through the test client: what each role sees and can do."""

from decimal import Decimal

import pytest

from scorecards import services
from scorecards.models import Level, ScorecardLine, VersionStatus
from tests.scorecards.factories import indicator, valid_card

D = Decimal
pytestmark = pytest.mark.django_db


def editor_data(version, **overrides):
    """The editor's fields as the page would post them."""
    data = {
        "effective_from": version.effective_from, "convention": version.convention, "veto_mode": version.veto_mode,
        "veto_ceiling": version.veto_ceiling or "", "veto_deduction": version.veto_deduction or "", "note": version.note,
    }
    for code, weight in version.perspective_weights.items():
        data[f"pw-{code}"] = weight
    for line in version.lines.all():
        data[f"line-{line.pk}-weight"] = line.weight
        data[f"line-{line.pk}-target"] = line.target if line.target is not None else ""
        data[f"line-{line.pk}-data_owner"] = line.data_owner
    data.update(overrides)
    return data


def test_list_shows_cards_by_level_and_people_without_a_card(world, client, login):
    valid_card(world.hr.user)
    valid_card(world.hr.user, level=Level.DEPARTMENT, department=world.dept_a)
    login(world.hr.user)
    page = client.get("/scorecards/?year=2026").content.decode()
    assert "Company" in page and "Alpha" in page
    assert "People without a scorecard" in page  # posts of the world have holders, no cards


def test_employee_list_shows_only_cards_they_may_see(world, client, login):
    valid_card(world.hr.user)
    valid_card(world.hr.user, level=Level.DEPARTMENT, department=world.dept_b)
    login(world.emp_a.user)
    page = client.get("/scorecards/?year=2026").content.decode()
    assert "Beta" not in page
    assert "People without a scorecard" not in page


def test_create_page_makes_a_card_and_opens_the_editor(world, client, login):
    login(world.hr.user)
    response = client.post("/scorecards/new/", {"year": 2026, "level": "department", "department": world.dept_a.pk, "start": "empty"})
    assert response.status_code == 302 and "/edit/" in response["Location"]
    response = client.post("/scorecards/new/", {"year": 2026, "level": "department", "department": world.dept_a.pk, "start": "empty"})
    assert "already has a scorecard for 2026" in response.content.decode()


def test_create_from_the_matrix_needs_a_plan(world, client, login):
    login(world.hr.user)
    response = client.post("/scorecards/new/", {"year": 2031, "level": "department", "department": world.dept_a.pk, "start": "matrix"})
    assert "There is no 2031 strategy plan" in response.content.decode()


def test_editor_saves_weights_and_shows_errors_next_to_fields(world, client, login):
    card, version = valid_card(world.hr.user)
    login(world.hr.user)
    assert client.get(f"/scorecards/versions/{version.pk}/edit/").status_code == 200
    first = version.lines.order_by("pk").first()
    response = client.post(f"/scorecards/versions/{version.pk}/edit/", editor_data(version, **{f"line-{first.pk}-weight": "abc"}))
    assert response.status_code == 200 and "Enter a number." in response.content.decode()
    first.refresh_from_db()
    assert first.weight == D("25")
    data = editor_data(version, **{f"line-{first.pk}-weight": "30", f"line-{first.pk}-target": "200", "pw-financial": "30", "pw-customer": "20"})
    second = version.lines.get(perspective__code="customer")
    data[f"line-{second.pk}-weight"] = "20"
    response = client.post(f"/scorecards/versions/{version.pk}/edit/", data)
    assert response.status_code == 302
    first.refresh_from_db()
    version.refresh_from_db()
    assert first.weight == D("30") and first.target == D("200") and version.perspective_weights["financial"] == "30"
    assert services.card_problems(version) == []


def test_editor_shows_unfinished_sums_as_problems(world, client, login):
    card, version = valid_card(world.hr.user)
    first = version.lines.order_by("pk").first()
    client = login(world.hr.user)
    client.post(f"/scorecards/versions/{version.pk}/edit/", editor_data(version, **{f"line-{first.pk}-weight": "20"}))
    page = client.get(f"/scorecards/versions/{version.pk}/edit/").content.decode()
    assert "things to finish before submitting" in page or "thing to finish before submitting" in page
    assert "20%, 5 below its weight of 25%" in page


def test_editor_refuses_a_submitted_version(world, client, login):
    card, version = valid_card(world.hr.user)
    services.submit_version(by=world.hr.user, version=version)
    login(world.hr.user)
    response = client.get(f"/scorecards/versions/{version.pk}/edit/")
    assert response.status_code == 302


def test_library_search_lists_only_allowed_types_not_on_the_card(world, client, login):
    card, version = valid_card(world.hr.user)
    indicator("S-KPI", name_en="Searchable revenue")
    indicator("S-PCI", type="PCI", name_en="Searchable competency")
    login(world.hr.user)
    page = client.get(f"/scorecards/versions/{version.pk}/search/?q=Searchable").content.decode()
    assert "S-KPI" in page and "S-PCI" not in page  # no PCI on a company card
    on_card = version.lines.first().indicator.code
    assert on_card not in client.get(f"/scorecards/versions/{version.pk}/search/?q={on_card}").content.decode()


def test_add_and_remove_a_line(world, client, login):
    card, version = valid_card(world.hr.user)
    extra = indicator("ADD-1")
    login(world.hr.user)
    client.post(f"/scorecards/versions/{version.pk}/lines/add/", {"indicator": extra.pk})
    line = version.lines.get(indicator=extra)
    client.post(f"/scorecards/lines/{line.pk}/delete/")
    assert not version.lines.filter(indicator=extra).exists()


def test_line_page_saves_method_parameters_and_manual_months(world, client, login):
    card, version = valid_card(world.hr.user)
    line = version.lines.order_by("pk").first()
    login(world.hr.user)
    page = client.get(f"/scorecards/lines/{line.pk}/").content.decode()
    assert "<svg" in page and "The months reconcile" in page
    data = {
        "perspective": line.perspective_id, "weight": "25", "target": "120", "method": "zero_one", "zo_full": "100",
        "data_owner": "finance", "aggregation": "sum", "phasing": "manual", "months": "10 10 10 10 10 10 10 10 10 10 10 9",
    }
    response = client.post(f"/scorecards/lines/{line.pk}/", data)
    assert response.status_code == 302
    line.refresh_from_db()
    assert line.method == "zero_one" and line.data_owner == "finance"
    page = client.get(f"/scorecards/lines/{line.pk}/").content.decode()
    assert "-1 away from the annual target" in page


def test_line_page_is_read_only_for_a_department_head(world, client, login):
    card, version = valid_card(world.hr.user, level=Level.DEPARTMENT, department=world.dept_a)
    line = version.lines.first()
    login(world.head_a.user)
    assert client.get(f"/scorecards/lines/{line.pk}/").status_code == 200
    assert client.post(f"/scorecards/lines/{line.pk}/", {"weight": "1"}).status_code == 403


def test_workflow_buttons_submit_approve_and_new_version(world, client, login):
    card, version = valid_card(world.hr.user)
    hr = login(world.hr.user)
    page = hr.get(f"/scorecards/{card.pk}/").content.decode()
    assert "Submit for approval" in page
    hr.post(f"/scorecards/versions/{version.pk}/submit/")
    version.refresh_from_db()
    assert version.status == VersionStatus.SUBMITTED
    assert "Approve" not in hr.get(f"/scorecards/{card.pk}/").content.decode().split("Approval</h2>")[1].split("</section>")[0]
    gm = login(world.gm.user)
    gm.post(f"/scorecards/versions/{version.pk}/approve/")
    version.refresh_from_db()
    assert version.status == VersionStatus.APPROVED
    hr = login(world.hr.user)
    response = hr.post(f"/scorecards/{card.pk}/new-version/", {"effective_from": 7, "note": "Second half"})
    assert response.status_code == 302
    v2 = card.versions.get(number=2)
    assert v2.effective_from == 7 and v2.status == VersionStatus.DRAFT
    assert "January to December" in hr.get(f"/scorecards/{card.pk}/?version=1").content.decode()
    services.submit_version(by=world.hr.user, version=v2)
    services.approve_version(by=world.gm.user, version=v2)
    assert "January to June" in hr.get(f"/scorecards/{card.pk}/?version=1").content.decode()
    assert "July to December" in hr.get(f"/scorecards/{card.pk}/?version=2").content.decode()


def test_gm_sends_back_with_a_reason(world, client, login):
    card, version = valid_card(world.hr.user)
    services.submit_version(by=world.hr.user, version=version)
    gm = login(world.gm.user)
    gm.post(f"/scorecards/versions/{version.pk}/return/", {"note": "Targets too low"})
    version.refresh_from_db()
    assert version.status == VersionStatus.DRAFT and version.returned_note == "Targets too low"


def test_head_proposes_and_hr_answers(world, client, login):
    card, version = valid_card(world.hr.user, level=Level.DEPARTMENT, department=world.dept_a)
    head = login(world.head_a.user)
    head.post(f"/scorecards/{card.pk}/proposals/new/", {"text": "Add on-time delivery"})
    proposal = card.proposals.get()
    assert head.post(f"/scorecards/proposals/{proposal.pk}/answer/", {"status": "accepted"}).status_code == 403
    hr = login(world.hr.user)
    hr.post(f"/scorecards/proposals/{proposal.pk}/answer/", {"status": "declined", "answer": ""})
    proposal.refresh_from_db()
    assert proposal.status == "open"  # a decline needs a reason
    hr.post(f"/scorecards/proposals/{proposal.pk}/answer/", {"status": "declined", "answer": "Not measurable yet"})
    proposal.refresh_from_db()
    assert proposal.status == "declined"


def test_profiles_pages(world, client, login):
    login(world.hr.user)
    response = client.post("/scorecards/profiles/new/", {"code": "retail", "name_en": "Retail", "share_text": "5 5 5 5 5 5 10 10 10 10 15 15"})
    assert response.status_code == 302
    response = client.post("/scorecards/profiles/new/", {"code": "bad", "name_en": "Bad", "share_text": "5 5"})
    assert "Enter twelve monthly shares." in response.content.decode()
    assert "<svg" in client.get("/scorecards/profiles/").content.decode()


def test_copy_year_page(world, client, login):
    valid_card(world.hr.user)
    login(world.hr.user)
    response = client.post("/scorecards/copy-year/", {"from_year": 2026, "to_year": 2027})
    assert response.status_code == 302
    assert ScorecardLine.objects.filter(version__scorecard__year=2027).count() == 4


def test_editor_query_count_does_not_grow_with_lines(world, client, login, django_assert_max_num_queries):
    card, version = valid_card(world.hr.user)
    login(world.hr.user)
    client.get(f"/scorecards/versions/{version.pk}/edit/")
    with django_assert_max_num_queries(40) as small:
        client.get(f"/scorecards/versions/{version.pk}/edit/")
    for number in range(8):
        services.save_line(by=world.hr.user, version=version, indicator=indicator(f"QC-{number}", "customer"))
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(f"/scorecards/versions/{version.pk}/edit/")

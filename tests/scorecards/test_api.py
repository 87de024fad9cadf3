"""/api/v1/scorecards/ and friends: cards, versions, lines, cascade links, seasonal
profiles and change proposals over the API, per role and per card."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from indicators import rounds
from scorecards import services
from scorecards.models import CascadeLink, ChangeProposal, Level, Scorecard, ScorecardLine, ScorecardVersion, SeasonalProfile
from tests.organisation.factories import DepartmentFactory, PostFactory, make_head
from tests.scorecards.factories import indicator, valid_card
from tests.strategy.factories import CellFactory, MeasureFactory, ObjectiveFactory, PlanFactory, perspective
from tests.world import add_scorecards

D = Decimal
pytestmark = pytest.mark.django_db

CARDS = "/api/v1/scorecards/"
VERSIONS = "/api/v1/scorecard-versions/"
LINES = "/api/v1/scorecard-lines/"
LINKS = "/api/v1/cascade-links/"
PROFILES = "/api/v1/seasonal-profiles/"
PROPOSALS = "/api/v1/change-proposals/"


@pytest.fixture
def cards(world):
    """The access matrix's cards: company, department A (own), post A, department B (other)."""
    return add_scorecards(world)


@pytest.fixture
def as_user(world, login):
    def client_for(role):
        person = getattr(world, role)
        return login(getattr(person, "user", person), on=Client())

    return client_for


@pytest.fixture
def hr(as_user):
    return as_user("hr")


def bearer(world) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {world.token_secret}")


def post(client, url, data=None):
    return client.post(url, data or {}, content_type="application/json")


def patch(client, url, data):
    return client.patch(url, data, content_type="application/json")


def field_errors(response) -> dict:
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert (error["status"], error["code"]) == (400, "invalid")
    return error.get("fields", {})


def error_message(response) -> str:
    assert response.status_code == 400, response.content
    return response.json()["error"]["message"]


def v1(card) -> ScorecardVersion:
    return card.versions.get(number=1)


def first_line(card) -> ScorecardLine:
    return v1(card).lines.order_by("pk").first()


def approve(card, world):
    """Submit and approve version 1 (the general manager approves the company card)."""
    version = services.submit_version(by=world.hr.user, version=v1(card))
    approver = world.gm.user if card.level == Level.COMPANY else world.hr.user
    return services.approve_version(by=approver, version=version)


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


# --- reading cards -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "role, seen",
    [
        ("emp_a", {"company_card", "dept_card", "post_card"}),
        ("head_a", {"company_card", "dept_card", "post_card"}),
        ("hr", {"company_card", "dept_card", "post_card", "other_card"}),
        ("gm", {"company_card", "dept_card", "post_card", "other_card"}),
        ("committee", {"company_card", "dept_card", "post_card", "other_card"}),
        ("admin", {"company_card", "dept_card", "post_card", "other_card"}),
    ],
)
def test_each_role_lists_the_cards_it_may_see(cards, as_user, role, seen):
    assert ids(as_user(role).get(CARDS)) == {getattr(cards, name).pk for name in seen}


def test_an_integrator_token_reads_every_card(cards):
    assert ids(bearer(cards).get(CARDS)) == {c.pk for c in (cards.company_card, cards.dept_card, cards.post_card, cards.other_card)}


def test_anonymous_callers_get_401(cards):
    assert Client().get(CARDS).status_code == 401


def test_a_department_head_reads_their_card_and_gets_404_on_another_department(cards, as_user):
    client = as_user("head_a")
    assert client.get(f"{CARDS}{cards.dept_card.pk}/").status_code == 200
    assert client.get(f"{CARDS}{cards.other_card.pk}/").status_code == 404
    assert client.get(f"{VERSIONS}{v1(cards.other_card).pk}/").status_code == 404
    assert client.get(f"{LINES}{first_line(cards.other_card).pk}/").status_code == 404


def test_an_employee_reads_their_department_and_post_card(cards, as_user):
    client = as_user("emp_a")
    assert client.get(f"{CARDS}{cards.dept_card.pk}/").status_code == 200
    assert client.get(f"{CARDS}{cards.post_card.pk}/").status_code == 200
    assert client.get(f"{CARDS}{cards.other_card.pk}/").status_code == 404


def test_a_card_shows_its_owner_versions_and_the_version_in_force_each_month(cards, world, hr):
    approve(cards.dept_card, world)
    version2 = services.new_version(by=world.hr.user, scorecard=cards.dept_card, effective_from=4, note="Q2 change")
    data = hr.get(f"{CARDS}{cards.dept_card.pk}/").json()
    assert (data["year"], data["level"], data["department"], data["owner_name"], data["owner_department"]) == (
        2026, "department", world.dept_a.pk, "Alpha", world.dept_a.pk,
    )
    assert [(v["number"], v["status"], v["effective_from"]) for v in data["versions"]] == [(1, "approved", 1), (2, "draft", 4)]
    assert data["latest_version"] == version2.pk
    assert data["in_force"] == [v1(cards.dept_card).pk] * 12  # version 2 is not approved yet


def test_a_card_with_nothing_approved_has_no_version_in_force(cards, hr):
    assert hr.get(f"{CARDS}{cards.company_card.pk}/").json()["in_force"] == [None] * 12


def test_the_card_list_filters_by_year_level_department_and_post(cards, world, hr):
    next_year = services.create_scorecard(by=world.hr.user, year=2027, level=Level.COMPANY)
    assert ids(hr.get(CARDS, {"year": 2027})) == {next_year.pk}
    assert ids(hr.get(CARDS, {"level": "department"})) == {cards.dept_card.pk, cards.other_card.pk}
    # A department's cards include its posts' (and teams') cards.
    assert ids(hr.get(CARDS, {"department": world.dept_a.pk})) == {cards.dept_card.pk, cards.post_card.pk}
    assert ids(hr.get(CARDS, {"post": world.post_a.pk})) == {cards.post_card.pk}


def test_filtering_by_another_department_shows_none_of_its_hidden_cards(cards, world, as_user):
    assert ids(as_user("emp_a").get(CARDS, {"department": world.dept_b.pk})) == set()


# --- query counts ------------------------------------------------------------------------


def _queries(client, url) -> int:
    client.get(url)  # warm up: content types, the company settings
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def _linked_cards(world, company, count):
    """Department cards whose financial line contributes to the company card's."""
    shared = first_line(company).indicator
    for _ in range(count):
        department = DepartmentFactory()
        codes = ("customer", "internal_process", "learning_growth")
        card, version = valid_card(
            world.hr.user, level=Level.DEPARTMENT, department=department,
            indicators=[shared] + [indicator(f"Q-{department.pk}-{code[:3]}", code) for code in codes],
        )
        services.link_line(by=world.hr.user, line=version.lines.get(indicator=shared), upper_scorecard=company, upper_indicator=shared)
        services.propose_change(by=_head_of(department), scorecard=card, text="More customers")


def _head_of(department):
    return make_head(department).user


@pytest.mark.parametrize("url", [CARDS, VERSIONS, LINES, LINKS, PROPOSALS])
def test_a_list_runs_the_same_queries_for_2_and_10_cards(world, hr, url):
    # session, user, roles (groups, employee, department tree), count, the rows, and per
    # list one query for what it prefetches (a card's versions, a line's upward links)
    company, _version = valid_card(world.hr.user, level=Level.COMPANY)
    _linked_cards(world, company, 1)
    two = _queries(hr, url)
    _linked_cards(world, company, 8)
    assert Scorecard.objects.count() == 10
    assert _queries(hr, url) == two


def test_the_profile_list_runs_the_same_queries_for_2_and_10_profiles(world, hr):
    for index in range(2):
        services.save_profile(by=world.hr.user, code=f"p{index}", name_en=f"P{index}", shares=["8.33"] * 11 + ["8.37"])
    two = _queries(hr, PROFILES)
    for index in range(2, 10):
        services.save_profile(by=world.hr.user, code=f"p{index}", name_en=f"P{index}", shares=["8.33"] * 11 + ["8.37"])
    assert _queries(hr, PROFILES) == two


# --- writing cards -----------------------------------------------------------------------


def test_hr_creates_a_card_with_a_draft_version_1(world, hr):
    response = post(hr, CARDS, {"year": 2027, "level": "department", "department": world.dept_a.pk})
    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["level"], data["department"], data["owner_name"]) == ("department", world.dept_a.pk, "Alpha")
    assert [(v["number"], v["status"]) for v in data["versions"]] == [(1, "draft")]
    version = ScorecardVersion.objects.get(pk=data["latest_version"])
    assert version.created_by == world.hr.user


def test_an_administrator_creates_a_card(world, as_user):
    assert post(as_user("admin"), CARDS, {"year": 2027, "level": "company"}).status_code == 201


def test_a_card_whose_owner_does_not_match_its_level_is_refused_and_nothing_saved(world, hr):
    response = post(hr, CARDS, {"year": 2027, "level": "post", "department": world.dept_a.pk})
    assert "post" in field_errors(response)
    assert not Scorecard.objects.exists()


def test_a_second_card_for_the_same_owner_and_year_is_refused(cards, world, hr):
    response = post(hr, CARDS, {"year": 2026, "level": "department", "department": world.dept_a.pk})
    assert "already has a scorecard for 2026" in error_message(response)
    assert Scorecard.objects.filter(year=2026, department=world.dept_a).count() == 1


def test_a_request_without_the_required_fields_names_them(world, hr):
    assert set(field_errors(post(hr, CARDS, {}))) == {"year", "level"}


@pytest.mark.parametrize("role", ["emp_a", "head_a", "gm", "committee"])
def test_only_hr_and_administrators_create_cards(world, as_user, role):
    assert post(as_user(role), CARDS, {"year": 2027, "level": "company"}).status_code == 403
    assert not Scorecard.objects.exists()


def test_an_integrator_token_cannot_write_cards(cards, world):
    client = bearer(world)
    assert post(client, CARDS, {"year": 2027, "level": "company"}).status_code == 403
    assert client.delete(f"{CARDS}{cards.company_card.pk}/").status_code == 403
    assert patch(client, f"{VERSIONS}{v1(cards.company_card).pk}/", {"note": "x"}).status_code == 403
    assert Scorecard.objects.filter(pk=cards.company_card.pk).exists()


def test_hr_deletes_a_draft_card(cards, hr):
    assert hr.delete(f"{CARDS}{cards.post_card.pk}/").status_code == 204
    assert not Scorecard.objects.filter(pk=cards.post_card.pk).exists()


def test_an_approved_card_stays_as_history(cards, world, hr):
    approve(cards.post_card, world)
    assert "stays as history" in error_message(hr.delete(f"{CARDS}{cards.post_card.pk}/"))
    assert Scorecard.objects.filter(pk=cards.post_card.pk).exists()


def test_a_department_head_cannot_delete_their_card(cards, as_user):
    assert as_user("head_a").delete(f"{CARDS}{cards.dept_card.pk}/").status_code == 403


def test_a_new_version_copies_the_approved_one_from_a_later_month(cards, world, hr):
    approve(cards.dept_card, world)
    response = post(hr, f"{CARDS}{cards.dept_card.pk}/new-version/", {"effective_from": 7, "note": "Mid-year change"})
    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["number"], data["status"], data["effective_from"], data["note"]) == (2, "draft", 7, "Mid-year change")
    assert len(data["lines"]) == 4
    assert [D(line["weight"]) for line in data["lines"]] == [D("25")] * 4


def test_a_new_version_needs_a_reason(cards, world, hr):
    approve(cards.dept_card, world)
    response = post(hr, f"{CARDS}{cards.dept_card.pk}/new-version/", {"effective_from": 7})
    assert "note" in field_errors(response)
    assert cards.dept_card.versions.count() == 1


def test_no_new_version_while_the_latest_is_a_draft(cards, hr):
    response = post(hr, f"{CARDS}{cards.dept_card.pk}/new-version/", {"effective_from": 7, "note": "x"})
    assert "still draft" in error_message(response)


def test_hr_generates_a_department_card_from_the_task_division_matrix(world, hr):
    plan = PlanFactory(year=2026)
    measure = MeasureFactory(objective=ObjectiveFactory(plan=plan, perspective=perspective("financial")))
    CellFactory(measure=measure, department=world.dept_b, role="lead")
    revenue = indicator("G-REV", "financial")
    revenue.measures.add(measure)
    response = post(hr, f"{CARDS}generate-department/", {"year": 2026, "department": world.dept_b.pk})
    assert response.status_code == 201, response.content
    version = ScorecardVersion.objects.get(pk=response.json()["latest_version"])
    assert [line.indicator.code for line in version.lines.all()] == ["G-REV"]
    assert version.lines.get().weight == D("100")


def test_generating_without_a_strategy_plan_says_so(world, hr):
    response = post(hr, f"{CARDS}generate-department/", {"year": 2026, "department": world.dept_b.pk})
    assert "no 2026 strategy plan" in error_message(response)
    assert not Scorecard.objects.exists()


def test_hr_generates_a_post_card_from_its_department_card(cards, world, hr):
    new_post = PostFactory(department=world.dept_a)
    response = post(hr, f"{CARDS}generate-post/", {"year": 2026, "post": new_post.pk})
    assert response.status_code == 201, response.content
    card = Scorecard.objects.get(pk=response.json()["id"])
    lines = v1(card).lines.all()
    assert len(lines) == 4
    assert {link.upper_scorecard_id for line in lines for link in line.up_links.all()} == {cards.dept_card.pk}


def test_a_post_card_needs_its_department_card(world, hr):
    response = post(hr, f"{CARDS}generate-post/", {"year": 2026, "post": world.post_b.pk})
    assert "has no 2026 scorecard" in error_message(response)


def test_hr_copies_a_year(cards, world, hr):
    response = post(hr, f"{CARDS}copy-year/", {"from_year": 2026, "to_year": 2027})
    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["created"], data["skipped"]) == (4, 0)
    assert set(data["scorecards"]) == set(Scorecard.objects.filter(year=2027).values_list("pk", flat=True))
    again = post(hr, f"{CARDS}copy-year/", {"from_year": 2026, "to_year": 2027}).json()
    assert (again["created"], again["skipped"]) == (0, 4)


def test_copying_a_year_onto_itself_is_refused(cards, hr):
    assert "to_year" in field_errors(post(hr, f"{CARDS}copy-year/", {"from_year": 2026, "to_year": 2026}))


@pytest.mark.parametrize("action, body", [
    ("generate-department", {"year": 2026}), ("generate-post", {"year": 2026}), ("copy-year", {"from_year": 2026, "to_year": 2027}),
])
def test_a_department_head_cannot_generate_or_copy_cards(cards, as_user, action, body):
    assert post(as_user("head_a"), f"{CARDS}{action}/", body).status_code == 403


# --- versions -----------------------------------------------------------------------------


def test_a_version_shows_its_lines_problems_and_effective_weights(cards, hr):
    version = v1(cards.company_card)
    data = hr.get(f"{VERSIONS}{version.pk}/").json()
    assert (data["number"], data["status"], data["is_editable"]) == (1, "draft", True)
    assert {code: D(weight) for code, weight in data["perspective_weights"].items()} == {
        "financial": D(25), "customer": D(25), "internal_process": D(25), "learning_growth": D(25),
    }
    assert data["problems"] == []
    assert len(data["lines"]) == 4
    assert {int(key): D(weight) for key, weight in data["effective_weights"].items()} == {
        line.pk: D(25) for line in version.lines.all()
    }


def test_a_version_lists_what_is_still_wrong_with_it(cards, world, hr):
    version = v1(cards.company_card)
    extra = services.save_line(by=world.hr.user, version=version, indicator=indicator("P-NEW", "financial"), target=D("50"))
    problems = hr.get(f"{VERSIONS}{version.pk}/").json()["problems"]
    assert any(problem["line"] == extra.pk and problem["field"] == "weight" for problem in problems)
    assert all(problem["message"] and problem["incomplete"] for problem in problems)


def test_the_version_list_filters_by_card_and_status(cards, world, hr):
    approve(cards.dept_card, world)
    assert ids(hr.get(VERSIONS, {"scorecard": cards.dept_card.pk})) == {v1(cards.dept_card).pk}
    assert ids(hr.get(VERSIONS, {"status": "approved"})) == {v1(cards.dept_card).pk}


def test_an_employee_lists_the_versions_of_their_cards_only(cards, as_user):
    seen = ids(as_user("emp_a").get(VERSIONS))
    assert seen == {v1(card).pk for card in (cards.company_card, cards.dept_card, cards.post_card)}


def test_hr_changes_a_drafts_settings(cards, hr):
    version = v1(cards.dept_card)
    response = patch(hr, f"{VERSIONS}{version.pk}/", {
        "perspective_weights": {"financial": "40", "customer": "20", "internal_process": "20", "learning_growth": "20.00"},
        "convention": "within_perspective", "veto_mode": "cap", "veto_ceiling": "60.50", "effective_from": 2, "note": "Heavier finance",
    })
    assert response.status_code == 200, response.content
    version.refresh_from_db()
    assert version.weight_of("financial") == D("40")
    assert (version.convention, version.veto_mode, version.veto_ceiling, version.effective_from) == ("within_perspective", "cap", D("60.50"), 2)
    assert D(response.json()["veto_ceiling"]) == D("60.5")


def test_perspective_weights_out_of_range_are_refused_and_nothing_saved(cards, hr):
    version = v1(cards.dept_card)
    response = patch(hr, f"{VERSIONS}{version.pk}/", {"perspective_weights": {"financial": "140"}, "note": "x"})
    assert "perspective_weights" in field_errors(response)
    version.refresh_from_db()
    assert (version.weight_of("financial"), version.note) == (D("25"), "")


def test_a_capped_veto_needs_its_ceiling(cards, hr):
    response = patch(hr, f"{VERSIONS}{v1(cards.dept_card).pk}/", {"veto_mode": "cap"})
    assert "veto_ceiling" in field_errors(response)
    assert v1(cards.dept_card).veto_mode == "zero"


def test_a_submitted_version_cannot_change(cards, world, hr):
    services.submit_version(by=world.hr.user, version=v1(cards.dept_card))
    response = patch(hr, f"{VERSIONS}{v1(cards.dept_card).pk}/", {"note": "late"})
    assert "cannot change" in error_message(response)


def test_a_department_head_cannot_change_their_cards_settings(cards, as_user):
    assert patch(as_user("head_a"), f"{VERSIONS}{v1(cards.dept_card).pk}/", {"note": "x"}).status_code == 403


def test_version_1_goes_only_with_its_card(cards, hr):
    assert "delete the scorecard instead" in error_message(hr.delete(f"{VERSIONS}{v1(cards.dept_card).pk}/"))
    assert cards.dept_card.versions.count() == 1


def test_hr_deletes_a_later_draft_version(cards, world, hr):
    approve(cards.dept_card, world)
    version2 = services.new_version(by=world.hr.user, scorecard=cards.dept_card, effective_from=5, note="x")
    assert hr.delete(f"{VERSIONS}{version2.pk}/").status_code == 204
    assert list(cards.dept_card.versions.values_list("number", flat=True)) == [1]


def test_hr_submits_a_draft_without_problems(cards, world, hr):
    response = post(hr, f"{VERSIONS}{v1(cards.dept_card).pk}/submit/")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "submitted"
    assert v1(cards.dept_card).submitted_by == world.hr.user


def test_a_draft_with_problems_cannot_be_submitted(cards, world, hr):
    version = v1(cards.dept_card)
    services.save_line(by=world.hr.user, version=version, indicator=indicator("P-NEW", "financial"))
    assert error_message(post(hr, f"{VERSIONS}{version.pk}/submit/"))
    assert v1(cards.dept_card).status == "draft"


def test_the_general_manager_approves_the_company_card(cards, world, as_user):
    services.submit_version(by=world.hr.user, version=v1(cards.company_card))
    response = post(as_user("gm"), f"{VERSIONS}{v1(cards.company_card).pk}/approve/")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "approved"
    assert v1(cards.company_card).approved_by == world.gm.user


def test_hr_cannot_approve_the_company_card(cards, world, hr):
    services.submit_version(by=world.hr.user, version=v1(cards.company_card))
    assert post(hr, f"{VERSIONS}{v1(cards.company_card).pk}/approve/").status_code == 403
    assert v1(cards.company_card).status == "submitted"


def test_hr_approves_a_department_card_and_the_general_manager_may_not(cards, world, hr, as_user):
    services.submit_version(by=world.hr.user, version=v1(cards.dept_card))
    assert post(as_user("gm"), f"{VERSIONS}{v1(cards.dept_card).pk}/approve/").status_code == 403
    assert post(hr, f"{VERSIONS}{v1(cards.dept_card).pk}/approve/").status_code == 200
    assert v1(cards.dept_card).status == "approved"


def test_a_department_head_cannot_approve_and_gets_404_on_another_departments_version(cards, world, as_user):
    for card in (cards.dept_card, cards.other_card):
        services.submit_version(by=world.hr.user, version=v1(card))
    client = as_user("head_a")
    assert post(client, f"{VERSIONS}{v1(cards.dept_card).pk}/approve/").status_code == 403
    assert post(client, f"{VERSIONS}{v1(cards.other_card).pk}/approve/").status_code == 404


def test_an_integrator_token_cannot_approve(cards, world):
    services.submit_version(by=world.hr.user, version=v1(cards.dept_card))
    assert post(bearer(world), f"{VERSIONS}{v1(cards.dept_card).pk}/approve/").status_code == 403


def test_a_draft_cannot_be_approved(cards, hr):
    assert "Only a submitted version" in error_message(post(hr, f"{VERSIONS}{v1(cards.dept_card).pk}/approve/"))


def test_the_approver_returns_a_version_saying_why(cards, world, hr):
    services.submit_version(by=world.hr.user, version=v1(cards.dept_card))
    url = f"{VERSIONS}{v1(cards.dept_card).pk}/return/"
    assert "note" in field_errors(post(hr, url, {"note": "  "}))
    assert v1(cards.dept_card).status == "submitted"
    response = post(hr, url, {"note": "Targets too low"})
    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["returned_note"]) == ("draft", "Targets too low")


def test_the_general_manager_returns_the_company_card_and_hr_may_not(cards, world, hr, as_user):
    services.submit_version(by=world.hr.user, version=v1(cards.company_card))
    url = f"{VERSIONS}{v1(cards.company_card).pk}/return/"
    assert post(hr, url, {"note": "x"}).status_code == 403
    assert post(as_user("gm"), url, {"note": "Lower the cost line"}).status_code == 200


def _closed_round(world, items, answer):
    round = rounds.open_round(by=world.hr.user, name="Weights", method="points", items=items)
    rounds.invite_experts(by=world.hr.user, round=round, experts=[world.gm.user], panel_group="senior_manager")
    rounds.submit_answer(by=world.gm.user, invitation=round.invitations.get(), answer=answer)
    return rounds.close_round(by=world.hr.user, round=round)


def test_hr_applies_a_perspective_weighting_round(cards, world, hr):
    codes = ("financial", "customer", "internal_process", "learning_growth")
    round = _closed_round(world, [{"key": c, "label": c} for c in codes], dict(zip(codes, ["40", "30", "20", "10"], strict=True)))
    version = v1(cards.company_card)
    response = post(hr, f"{VERSIONS}{version.pk}/apply-weighting/", {"round": round.pk, "target": "perspectives"})
    assert response.status_code == 200, response.content
    version.refresh_from_db()
    assert [version.weight_of(code) for code in codes] == [D("40"), D("30"), D("20"), D("10")]


def test_hr_applies_a_line_round_to_one_perspective(cards, world, hr):
    version = v1(cards.company_card)
    services.update_version(by=world.hr.user, version=version, convention="within_perspective")
    first = version.lines.get(perspective__code="financial")
    services.save_line(by=world.hr.user, version=version, line=first, weight=D("100"))
    second = services.save_line(by=world.hr.user, version=version, indicator=indicator("F-2", "financial"))
    items = [{"key": line.indicator.code, "label": line.indicator.code} for line in (first, second)]
    round = _closed_round(world, items, {first.indicator.code: "60", second.indicator.code: "40"})
    response = post(hr, f"{VERSIONS}{version.pk}/apply-weighting/", {
        "round": round.pk, "target": "lines", "perspective": perspective("financial").pk,
    })
    assert response.status_code == 200, response.content
    assert [line.weight for line in version.lines.filter(perspective__code="financial").order_by("pk")] == [D("60"), D("40")]


def test_an_open_round_cannot_be_applied(cards, world, hr):
    round = rounds.open_round(by=world.hr.user, name="Open", method="points", items=[{"key": "a", "label": "A"}, {"key": "b", "label": "B"}])
    response = post(hr, f"{VERSIONS}{v1(cards.company_card).pk}/apply-weighting/", {"round": round.pk, "target": "perspectives"})
    assert "round" in field_errors(response)


# --- lines ----------------------------------------------------------------------------------


def test_a_line_shows_its_months_quarters_and_upward_links(cards, hr):
    line = v1(cards.dept_card).lines.get(up_links__isnull=False)
    data = hr.get(f"{LINES}{line.pk}/").json()
    assert (data["indicator"], data["perspective"], data["perspective_code"], data["method"]) == (
        line.indicator_id, line.perspective_id, "financial", "percentage",
    )
    assert (D(data["weight"]), D(data["target"])) == (D("25"), D("100"))
    assert len(data["month_targets"]) == 12
    assert sum(D(month) for month in data["month_targets"]) == D("100")
    assert sum(D(quarter) for quarter in data["quarters"]) == D("100") and len(data["quarters"]) == 4
    assert data["phasing_difference"] is None
    assert [(link["upper_scorecard"], link["upper_indicator"]) for link in data["up_links"]] == [(cards.company_card.pk, line.indicator_id)]


def test_the_line_list_filters_by_version(cards, hr):
    version = v1(cards.post_card)
    assert ids(hr.get(LINES, {"version": version.pk})) == set(version.lines.values_list("pk", flat=True))


def test_hr_adds_a_line_with_library_defaults(cards, world, hr):
    version = v1(cards.post_card)
    rate = indicator("C-RATE", "customer", unit="%", method="zero_one")
    response = post(hr, LINES, {"version": version.pk, "indicator": rate.pk, "target": "95.5", "weight": "0"})
    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["perspective"], data["method"], data["aggregation"]) == (perspective("customer").pk, "zero_one", "average")
    assert D(data["target"]) == D("95.5")
    assert [D(month) for month in data["month_targets"]] == [D("95.5")] * 12  # a rate averages


def test_a_line_of_a_type_the_level_does_not_allow_is_refused_and_nothing_saved(cards, hr):
    version = v1(cards.company_card)
    competency = indicator("PCI-1", "learning_growth", type="PCI")
    response = post(hr, LINES, {"version": version.pk, "indicator": competency.pk})
    assert "indicator" in field_errors(response)
    assert version.lines.count() == 4


def test_a_line_needs_a_version_and_an_indicator(cards, hr):
    assert set(field_errors(post(hr, LINES, {}))) == {"version", "indicator"}


def test_hr_changes_a_line_and_its_months_are_phased_again(cards, hr):
    line = first_line(cards.post_card)
    response = patch(hr, f"{LINES}{line.pk}/", {"target": "1200", "method": "zero_one"})
    assert response.status_code == 200, response.content
    line.refresh_from_db()
    assert (line.target, line.method) == (D("1200"), "zero_one")
    assert line.month_values() == [D("100")] * 12


def test_manual_months_are_kept_and_reported_when_they_do_not_reconcile(cards, hr):
    line = first_line(cards.post_card)
    months = ["10"] * 11 + ["5"]
    response = patch(hr, f"{LINES}{line.pk}/", {"phasing": "manual", "month_targets": months})
    assert response.status_code == 200, response.content
    assert D(response.json()["phasing_difference"]) == D("15")  # 115 phased against 100
    line.refresh_from_db()
    assert line.month_values() == [D(month) for month in months]


def test_eleven_monthly_targets_are_refused_and_nothing_saved(cards, hr):
    line = first_line(cards.post_card)
    before = list(line.month_targets)
    response = patch(hr, f"{LINES}{line.pk}/", {"phasing": "manual", "month_targets": ["10"] * 11, "weight": "30"})
    assert "month_targets" in field_errors(response)
    line.refresh_from_db()
    assert (line.month_targets, line.weight, line.phasing) == (before, D("25"), "even")


def test_a_weight_over_100_is_refused(cards, hr):
    line = first_line(cards.post_card)
    assert "weight" in field_errors(patch(hr, f"{LINES}{line.pk}/", {"weight": "101"}))
    line.refresh_from_db()
    assert line.weight == D("25")


def test_hr_removes_a_line(cards, hr):
    line = first_line(cards.post_card)
    assert hr.delete(f"{LINES}{line.pk}/").status_code == 204
    assert not ScorecardLine.objects.filter(pk=line.pk).exists()


def test_lines_of_an_approved_version_cannot_change(cards, world, hr):
    approve(cards.post_card, world)
    line = first_line(cards.post_card)
    assert "cannot change" in error_message(patch(hr, f"{LINES}{line.pk}/", {"weight": "30"}))
    assert "cannot change" in error_message(hr.delete(f"{LINES}{line.pk}/"))


def test_an_employee_reads_their_lines_but_cannot_change_them(cards, as_user):
    client = as_user("emp_a")
    line = first_line(cards.post_card)
    assert client.get(f"{LINES}{line.pk}/").status_code == 200
    assert patch(client, f"{LINES}{line.pk}/", {"weight": "30"}).status_code == 403
    assert client.delete(f"{LINES}{line.pk}/").status_code == 403
    assert post(client, LINES, {"version": v1(cards.post_card).pk, "indicator": line.indicator_id}).status_code == 403


# --- cascade links ----------------------------------------------------------------------------


def test_the_link_list_filters_by_line_and_upper_card(cards, hr):
    link = cards.cascade_link
    assert ids(hr.get(LINKS, {"upper_scorecard": cards.company_card.pk})) == {link.pk}
    assert ids(hr.get(LINKS, {"line": link.line_id})) == {link.pk}
    assert ids(hr.get(LINKS, {"upper_scorecard": cards.dept_card.pk})) == set()


def test_hr_links_a_post_line_to_its_department_card(cards, world, hr):
    dept_line = first_line(cards.dept_card)
    post_line = services.save_line(by=world.hr.user, version=v1(cards.post_card), indicator=dept_line.indicator)
    response = post(hr, LINKS, {
        "line": post_line.pk, "upper_scorecard": cards.dept_card.pk, "upper_indicator": dept_line.indicator_id,
        "feed": "weighted_average", "share": "30",
    })
    assert response.status_code == 201, response.content
    link = CascadeLink.objects.get(pk=response.json()["id"])
    assert (link.feed, link.share) == ("weighted_average", D("30"))


def test_a_link_to_a_card_not_directly_above_is_refused(cards, world, hr):
    line = first_line(cards.post_card)
    response = post(hr, LINKS, {"line": line.pk, "upper_scorecard": cards.other_card.pk, "upper_indicator": line.indicator_id})
    assert "upper_scorecard" in field_errors(response)
    assert not line.up_links.exists()


def test_a_weighted_average_needs_a_share(cards, world, hr):
    dept_line = first_line(cards.dept_card)
    post_line = services.save_line(by=world.hr.user, version=v1(cards.post_card), indicator=dept_line.indicator)
    response = post(hr, LINKS, {
        "line": post_line.pk, "upper_scorecard": cards.dept_card.pk, "upper_indicator": dept_line.indicator_id, "feed": "weighted_average",
    })
    assert "share" in field_errors(response)


def test_hr_unlinks_a_line_and_a_head_may_not(cards, hr, as_user):
    url = f"{LINKS}{cards.cascade_link.pk}/"
    assert as_user("head_a").delete(url).status_code == 403
    assert hr.delete(url).status_code == 204
    assert not CascadeLink.objects.filter(pk=cards.cascade_link.pk).exists()


# --- seasonal profiles ---------------------------------------------------------------------------

SHARES = ["5", "5", "10", "10", "10", "10", "5", "5", "10", "10", "10", "10"]


def test_hr_creates_a_seasonal_profile(world, hr):
    response = post(hr, PROFILES, {"code": "retail", "name_en": "Retail", "shares": SHARES})
    assert response.status_code == 201, response.content
    assert response.json()["shares"] == SHARES
    assert SeasonalProfile.objects.get(code="retail").share_values()[2] == D("10")


def test_shares_that_do_not_add_up_to_100_are_refused_and_nothing_saved(world, hr):
    response = post(hr, PROFILES, {"code": "bad", "name_en": "Bad", "shares": ["10"] * 12})
    assert "shares" in field_errors(response)
    assert not SeasonalProfile.objects.filter(code="bad").exists()


def test_changing_a_profile_phases_its_draft_lines_again(cards, world, hr):
    line = first_line(cards.post_card)
    services.save_line(by=world.hr.user, version=line.version, line=line, phasing="profile", profile=cards.profile)
    response = patch(hr, f"{PROFILES}{cards.profile.pk}/", {"shares": SHARES})
    assert response.status_code == 200, response.content
    line.refresh_from_db()
    assert line.month_values()[:3] == [D("5"), D("5"), D("10")]


def test_a_profile_in_use_cannot_be_deleted(cards, world, hr):
    line = first_line(cards.post_card)
    services.save_line(by=world.hr.user, version=line.version, line=line, phasing="profile", profile=cards.profile)
    assert "phased by this profile" in error_message(hr.delete(f"{PROFILES}{cards.profile.pk}/"))
    assert hr.get(f"{PROFILES}{cards.profile.pk}/").status_code == 200


def test_hr_deletes_an_unused_profile(cards, hr):
    assert hr.delete(f"{PROFILES}{cards.profile.pk}/").status_code == 204


def test_everyone_reads_profiles_but_only_hr_keeps_them(cards, world, as_user):
    client = as_user("emp_a")
    assert ids(client.get(PROFILES)) == {cards.profile.pk}
    assert post(client, PROFILES, {"code": "x", "name_en": "X", "shares": SHARES}).status_code == 403
    assert bearer(world).get(f"{PROFILES}{cards.profile.pk}/").status_code == 200
    assert patch(bearer(world), f"{PROFILES}{cards.profile.pk}/", {"name_en": "Y"}).status_code == 403


# --- change proposals ------------------------------------------------------------------------------


def test_a_department_head_proposes_a_change_to_their_card(cards, world, as_user):
    response = post(as_user("head_a"), PROPOSALS, {"scorecard": cards.post_card.pk, "text": "Add a safety line"})
    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["scorecard"], data["status"], data["proposed_by"]) == (cards.post_card.pk, "open", world.head_a.user.pk)
    assert data["proposed_by_name"] == world.head_a.display_name


def test_a_proposal_needs_its_text(cards, as_user):
    response = post(as_user("head_a"), PROPOSALS, {"scorecard": cards.dept_card.pk, "text": " "})
    assert "text" in field_errors(response)
    assert ChangeProposal.objects.count() == 1  # the fixture's


def test_a_head_cannot_propose_for_the_company_card_or_see_another_departments(cards, as_user):
    client = as_user("head_a")
    assert post(client, PROPOSALS, {"scorecard": cards.company_card.pk, "text": "x"}).status_code == 403
    assert "scorecard" in field_errors(post(client, PROPOSALS, {"scorecard": cards.other_card.pk, "text": "x"}))


@pytest.mark.parametrize("role", ["emp_a", "hr", "gm"])
def test_only_department_heads_propose(cards, as_user, role):
    assert post(as_user(role), PROPOSALS, {"scorecard": cards.dept_card.pk, "text": "x"}).status_code == 403


def test_proposals_are_between_the_proposer_the_heads_and_those_who_decide(cards, as_user):
    """head_a's proposal on department A's card: not for emp_a, who sees the card."""
    assert ids(as_user("emp_a").get(PROPOSALS)) == set()
    assert ids(as_user("head_a").get(PROPOSALS)) == {cards.proposal.pk}
    assert ids(as_user("gm").get(PROPOSALS)) == {cards.proposal.pk}
    assert ids(as_user("committee").get(PROPOSALS)) == set()
    other = services.propose_change(by=cards.head_b.user, scorecard=cards.other_card, text="x")
    assert as_user("head_a").get(f"{PROPOSALS}{other.pk}/").status_code == 404
    assert ids(as_user("hr").get(PROPOSALS, {"scorecard": cards.other_card.pk})) == {other.pk}


def test_hr_accepts_a_proposal(cards, world, hr):
    response = post(hr, f"{PROPOSALS}{cards.proposal.pk}/answer/", {"status": "accepted"})
    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["answered_by"]) == ("accepted", world.hr.user.pk)


def test_declining_needs_a_reason_and_an_answer_is_final(cards, hr):
    url = f"{PROPOSALS}{cards.proposal.pk}/answer/"
    assert "answer" in field_errors(post(hr, url, {"status": "declined"}))
    assert post(hr, url, {"status": "declined", "answer": "Not this year"}).status_code == 200
    assert "already been answered" in error_message(post(hr, url, {"status": "accepted"}))
    assert ChangeProposal.objects.get().answer == "Not this year"


def test_a_department_head_cannot_answer_proposals(cards, as_user):
    assert post(as_user("head_a"), f"{PROPOSALS}{cards.proposal.pk}/answer/", {"status": "accepted"}).status_code == 403
    assert ChangeProposal.objects.get().status == "open"

"""180° / 360° ratings: assigning raters, answering, closing, what the form shows and
scores, and that nobody can tie an answer to its rater."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from appraisal import ratings, services
from appraisal.models import Form, FormKind, FormStatus, Notification, RatingRequest
from organisation.models import Role
from tests.appraisal.factories import rated_cards
from tests.organisation.factories import EmployeeFactory, grant

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def team(world):
    """Department A: head_a, emp_a, emp_a2 and three more on post A."""
    return [EmployeeFactory(department=world.dept_a, post=world.post_a, line_manager=world.head_a) for _ in range(3)]


@pytest.fixture
def month(world, team):
    rated_cards(world)
    return services.open_period(by=world.hr.user, year=2026, month=3)


def form_of(period, employee) -> Form:
    return Form.objects.get(period=period, employee=employee, kind=FormKind.EMPLOYEE)


def pci_key(form):
    return next(key for key, info in form.snapshot["lines"].items() if info["type"] == "PCI")


def answer_all(form, levels_by_relation):
    """Each rater of the form's rated line answers the next level of their relation."""
    queues = {relation: list(levels) for relation, levels in levels_by_relation.items()}
    for request in RatingRequest.objects.filter(form=form).select_related("rater__user").order_by("pk"):
        levels = queues.get(request.relation)
        if levels:
            ratings.answer(by=request.rater.user, request=request, level=levels.pop(0))


def other_values(form, actual="8.33"):
    return {key: {"actual": actual} for key, info in form.snapshot["lines"].items() if info["type"] != "PCI"}


# --- assigning --------------------------------------------------------------------------------


def test_the_usual_raters_are_the_superior_and_the_colleagues(world, month, team):
    added = ratings.assign_usual(by=world.hr.user, period=month)
    form = form_of(month, world.emp_a)
    raters = {(request.rater, request.relation) for request in form.rating_requests.all()}
    assert raters == {(world.head_a, "superior"), (world.emp_a2, "peer")} | {(person, "peer") for person in team}
    assert added == RatingRequest.objects.count()
    assert ratings.assign_usual(by=world.hr.user, period=month) == 0  # nothing twice


def test_the_weights_are_frozen_into_the_form(world, month):
    form = form_of(month, world.emp_a)
    assert form.snapshot["lines"][pci_key(form)]["rater_weights"] == {"superior": "50", "peer": "30", "subordinate": "20", "self": "0"}


def test_who_may_assign_and_whom(world, month, team):
    form = form_of(month, world.emp_a)
    key = pci_key(form)
    with pytest.raises(PermissionDenied):
        ratings.assign(by=world.emp_a.user, form=form, line_key=key, rater=world.emp_a2, relation="peer")
    with pytest.raises(PermissionDenied):
        ratings.assign(by=world.head_b.user, form=form, line_key=key, rater=world.emp_a2, relation="peer")
    ratings.assign(by=world.head_a.user, form=form, line_key=key, rater=world.emp_b, relation="peer")
    with pytest.raises(ValidationError, match="already rates"):
        ratings.assign(by=world.hr.user, form=form, line_key=key, rater=world.emp_b, relation="peer")
    with pytest.raises(ValidationError, match="nobody rates themselves"):
        ratings.assign(by=world.hr.user, form=form, line_key=key, rater=world.emp_a, relation="peer")
    with pytest.raises(ValidationError, match="does not ask for a self-rating"):
        ratings.assign(by=world.hr.user, form=form, line_key=key, rater=world.emp_a, relation="self")
    other = next(k for k in form.snapshot["lines"] if k != key)
    with pytest.raises(ValidationError, match="not rated by"):
        ratings.assign(by=world.hr.user, form=form, line_key=other, rater=world.emp_b, relation="peer")


# --- answering and closing ---------------------------------------------------------------------


def test_only_the_rater_answers_on_the_scale_until_the_ratings_close(world, month):
    ratings.assign_usual(by=world.hr.user, period=month)
    request = RatingRequest.objects.filter(form=form_of(month, world.emp_a), relation="superior").get()
    with pytest.raises(PermissionDenied):
        ratings.answer(by=world.emp_a.user, request=request, level=7)
    for wrong in (0, 8, "good", None):
        with pytest.raises(ValidationError, match="from 1"):
            ratings.answer(by=world.head_a.user, request=request, level=wrong)
    assert ratings.answer(by=world.head_a.user, request=request, level=6, comment="Solid").level == 6
    ratings.close_ratings(by=world.hr.user, period=month)
    with pytest.raises(ValidationError, match="closed"):
        ratings.answer(by=world.head_a.user, request=request, level=5)
    with pytest.raises(PermissionDenied):
        ratings.close_ratings(by=world.head_a.user, period=month)


def test_a_form_with_raters_is_signed_only_after_the_ratings_close_and_scores_the_groups(world, month, team):
    ratings.assign_usual(by=world.hr.user, period=month)
    form = form_of(month, world.emp_a)
    # superior 6; peers 7, 5, 6, 6 (emp_a2 and the three others) -> (6 x 50 + 6 x 30) / 80 = 6 levels
    answer_all(form, {"superior": [6], "peer": [7, 5, 6, 6]})
    services.save_values(by=world.hr.user, form=form, values=other_values(form))
    with pytest.raises(ValidationError, match="still open"):
        services.take_step(by=world.emp_a.user, form=form_of(month, world.emp_a), action="sign_as_employee")
    ratings.close_ratings(by=world.hr.user, period=month)
    services.take_step(by=world.emp_a.user, form=form_of(month, world.emp_a), action="sign_as_employee")
    services.take_step(by=world.head_a.user, form=form_of(month, world.emp_a), action="sign_as_head")
    form = services.take_step(by=world.hr.user, form=form_of(month, world.emp_a), action="calculate")
    line = next(line for line in form.breakdown["lines"] if line["key"] == pci_key(form))
    assert line["actual"] == "6.00" and line["score"] == "85.71"  # 6 / 7 x 100
    assert services.rederive(form)


def test_the_rules_of_the_month_are_those_when_it_opened(world, month):
    company = services.get_company()
    company.rating_min_group, company.hr_sees_rating_answers = 5, True
    company.save()
    assert ratings.rules_of(month) == (3, False)


def test_raters_are_reminded_once(world, month, team):
    ratings.assign_usual(by=world.hr.user, period=month)
    told = ratings.remind(by=world.hr.user, period=month)
    assert told == len({request.rater_id for request in RatingRequest.objects.all()})
    ratings.remind(by=world.hr.user, period=month)
    assert Notification.objects.filter(url="/appraisal/ratings/").count() == told


# --- anonymity ---------------------------------------------------------------------------------


def two_peers_answered(world, month):
    """emp_a rated by head_a (4) and, of the five peers, only emp_a2 (7) and one more (1)."""
    ratings.assign_usual(by=world.hr.user, period=month)
    form = form_of(month, world.emp_a)
    answer_all(form, {"superior": [4], "peer": [7, 1]})
    ratings.close_ratings(by=world.hr.user, period=month)
    return form_of(month, world.emp_a)


def test_two_peers_are_left_out_rather_than_shown_with_the_superior(world, month):
    form = two_peers_answered(world, month)
    summary = ratings.summaries(form)[pci_key(form)]
    assert [(group.relations, group.count, group.mean_level) for group in summary.groups] == [(("superior",), 1, D("4.00"))]
    assert summary.left_out == 2


PAGES = ["/appraisal/forms/{form}/", "/appraisal/forms/{form}/export/", "/api/v1/appraisal-forms/{form}/", "/api/v1/appraisal-forms/{form}/breakdown/"]


@pytest.mark.parametrize("who", ["emp_a", "head_a"])
def test_neither_the_person_nor_their_head_can_tie_an_answer_to_a_rater(world, month, client, login, who):
    form = two_peers_answered(world, month)
    services.save_values(by=world.hr.user, form=form, values=other_values(form))
    login(getattr(world, who).user)
    peer_comment = RatingRequest.objects.filter(form=form, relation="peer", level=1).get()
    ratings.close_ratings(by=world.hr.user, period=month)
    for page in PAGES:
        response = client.get(page.format(form=form.pk))
        body = response.content.decode("utf-8", "replace") if response.status_code == 200 else ""
        assert world.emp_a2.display_name not in body and peer_comment.rater.employee_number not in body, page
    listed = client.get("/api/v1/rating-requests/").json()["results"]
    if who == "emp_a":  # only their own requests as a rater: nobody who rates them
        assert {item["id"] for item in listed} == set(RatingRequest.objects.filter(rater=world.emp_a).values_list("pk", flat=True))
    assert all(item["level"] is None for item in listed if item["rater"] != getattr(world, who).pk)
    assert all(item["comment"] == "" for item in listed if item["rater"] != getattr(world, who).pk)
    assert client.get(f"/appraisal/periods/{month.pk}/raters/").status_code == (200 if who == "head_a" else 403)


def test_hr_sees_completion_not_answers_unless_the_company_allows_it(world, month, client, login):
    form = two_peers_answered(world, month)
    page = login(world.hr.user).get(f"/appraisal/periods/{month.pk}/raters/").content.decode()
    assert "answered" in page and "1 very poor" not in page and "7 very good" not in page
    month.rating_rules = {"minimum": 3, "hr_sees_answers": True}
    month.save()
    assert "1 very poor" in client.get(f"/appraisal/periods/{month.pk}/raters/").content.decode()
    assert form.pk


def test_my_ratings_page_saves_answers_and_shows_none_of_anyone_elses(world, month, client, login):
    ratings.assign_usual(by=world.hr.user, period=month)
    mine = RatingRequest.objects.filter(rater=world.emp_a2)
    page = login(world.emp_a2.user).get("/appraisal/ratings/").content.decode()
    assert page.count('name="level-') == mine.count()
    response = client.post("/appraisal/ratings/", {f"level-{request.pk}": "5" for request in mine}, follow=True)
    assert "ratings saved" in response.content.decode()
    assert set(mine.values_list("level", flat=True)) == {5}
    bad = client.post("/appraisal/ratings/", {f"level-{request.pk}": "9" for request in mine}).content.decode()
    assert "Nothing was saved" in bad and set(mine.values_list("level", flat=True)) == {5}


def test_a_form_page_shows_groups_only_after_closing(world, month, client, login):
    ratings.assign_usual(by=world.hr.user, period=month)
    form = form_of(month, world.emp_a)
    answer_all(form, {"superior": [6], "peer": [7, 5, 6, 6]})
    login(world.head_a.user)
    assert "shown when HR closes the ratings" in client.get(f"/appraisal/forms/{form.pk}/").content.decode()
    ratings.close_ratings(by=world.hr.user, period=month)
    page = client.get(f"/appraisal/forms/{form.pk}/").content.decode()
    assert "Superior (1): 6.00" in page and "Peer (4): 6.00" in page


def test_the_grid_of_a_rated_line_does_not_take_ratings_typed_in(world, month):
    ratings.assign_usual(by=world.hr.user, period=month)
    form = form_of(month, world.emp_a)
    with pytest.raises(ValidationError, match="rated by its raters"):
        services.save_values(by=world.hr.user, form=form, values={pci_key(form): {"ratings": ["7"]}})


def test_a_head_may_open_the_raters_page_of_their_forms_others_may_not(world, month, client, login):
    grant(world.committee.user, Role.COMMITTEE)
    assert login(world.emp_b.user).get(f"/appraisal/periods/{month.pk}/raters/").status_code == 403
    assert FormStatus.DRAFT


def test_the_admin_shows_no_answer(world, month, client, login):
    ratings.assign_usual(by=world.hr.user, period=month)
    request = RatingRequest.objects.filter(relation="peer").first()
    ratings.answer(by=request.rater.user, request=request, level=2, comment="Rarely helps the team")
    login(world.admin)
    for url in ("/admin/appraisal/ratingrequest/", f"/admin/appraisal/ratingrequest/{request.pk}/change/"):
        body = client.get(url).content.decode()
        assert "Rarely helps" not in body and 'name="level"' not in body and "2 poor" not in body

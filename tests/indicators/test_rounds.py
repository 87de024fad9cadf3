from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from indicators import rounds
from indicators.models import RoundStatus

pytestmark = pytest.mark.django_db

ITEMS = [{"key": "financial", "label": "Financial"}, {"key": "customer", "label": "Customer"}, {"key": "process", "label": "Process"}]


@pytest.fixture
def points_round(world):
    round = rounds.open_round(by=world.hr.user, name="Weights", method="points", items=ITEMS)
    rounds.invite_experts(by=world.hr.user, round=round, experts=[world.gm.user, world.head_a.user], panel_group="senior_manager")
    return round


def invitation(round, user):
    return round.invitations.get(expert=user)


def test_the_result_is_the_mean_of_the_experts_with_their_spread(world, points_round):
    rounds.submit_answer(by=world.gm.user, invitation=invitation(points_round, world.gm.user), answer={"financial": "50", "customer": "30", "process": "20"})
    rounds.submit_answer(by=world.head_a.user, invitation=invitation(points_round, world.head_a.user), answer={"financial": "30", "customer": "30", "process": "40"})
    summary = rounds.summarise(points_round)
    financial = summary.items[0]
    assert (financial["mean"], financial["minimum"], financial["maximum"], financial["spread"]) == (Decimal("40.00"), Decimal("30.00"), Decimal("50.00"), Decimal("20.00"))
    closed = rounds.close_round(by=world.hr.user, round=points_round)
    assert closed.status == RoundStatus.CLOSED
    assert closed.result == {"financial": "40.00", "customer": "30.00", "process": "30.00"}


def test_an_allocation_must_add_up_to_100(world, points_round):
    with pytest.raises(ValidationError) as error:
        rounds.submit_answer(by=world.gm.user, invitation=invitation(points_round, world.gm.user), answer={"financial": "50", "customer": "30", "process": "10"})
    assert "answer" in error.value.message_dict


def test_only_the_invited_expert_answers_their_invitation(world, points_round):
    with pytest.raises(PermissionDenied):
        rounds.submit_answer(by=world.hr.user, invitation=invitation(points_round, world.gm.user), answer={"financial": "100"})


def test_a_round_without_answers_cannot_close(world, points_round):
    with pytest.raises(ValidationError, match="No expert"):
        rounds.close_round(by=world.hr.user, round=points_round)


def test_a_closed_round_takes_no_more_answers(world, points_round):
    rounds.submit_answer(by=world.gm.user, invitation=invitation(points_round, world.gm.user), answer={"financial": "40", "customer": "30", "process": "30"})
    rounds.close_round(by=world.hr.user, round=points_round)
    with pytest.raises(ValidationError, match="closed"):
        rounds.submit_answer(by=world.head_a.user, invitation=invitation(points_round, world.head_a.user), answer={"financial": "40", "customer": "30", "process": "30"})


def test_inconsistent_pairwise_comparisons_are_sent_back_for_revision(world):
    round = rounds.open_round(by=world.hr.user, name="AHP", method="ahp", items=ITEMS)
    rounds.invite_experts(by=world.hr.user, round=round, experts=[world.gm.user], panel_group="senior_manager")
    circular = {"0,1": "9", "0,2": str(Decimal(1) / Decimal(9)), "1,2": "9"}
    with pytest.raises(ValidationError, match="contradict"):
        rounds.submit_answer(by=world.gm.user, invitation=invitation(round, world.gm.user), answer=circular)
    consistent = {"0,1": "2", "0,2": "4", "1,2": "2"}
    rounds.submit_answer(by=world.gm.user, invitation=invitation(round, world.gm.user), answer=consistent)
    closed = rounds.close_round(by=world.hr.user, round=round)
    assert closed.result == {"financial": "57.14", "customer": "28.57", "process": "14.29"}


def test_only_hr_opens_rounds_and_items_need_keys(world):
    with pytest.raises(PermissionDenied):
        rounds.open_round(by=world.gm.user, name="x", method="points", items=ITEMS)
    with pytest.raises(ValidationError):
        rounds.open_round(by=world.hr.user, name="x", method="points", items=[{"key": "a", "label": "A"}])
    with pytest.raises(ValidationError):
        rounds.open_round(by=world.hr.user, name="x", method="points", items=[{"key": "a", "label": "A"}, {"key": "a", "label": "B"}])


def test_an_expert_sees_only_rounds_they_are_invited_to(world, points_round):
    assert list(rounds.rounds_visible_to(world.gm.user)) == [points_round]
    assert list(rounds.rounds_visible_to(world.emp_a.user)) == []
    assert list(rounds.rounds_visible_to(world.hr.user)) == [points_round]


def test_items_are_read_as_key_and_label_per_line():
    assert rounds.parse_items("financial | Financial\n\ncustomer\n") == [
        {"key": "financial", "label": "Financial"}, {"key": "customer", "label": "customer"}
    ]


def test_malformed_items_are_refused_with_a_message(world):
    for items in (["a", "b"], "ab", [{"key": 1, "label": "A"}, {"key": 2, "label": "B"}]):
        with pytest.raises(ValidationError):
            rounds.open_round(by=world.hr.user, name="x", method="points", items=items)


def test_an_item_without_label_takes_its_key_as_label(world):
    round = rounds.open_round(by=world.hr.user, name="x", method="points", items=[{"key": "a"}, {"key": "b", "label": "B"}])
    assert round.items == [{"key": "a", "label": "a"}, {"key": "b", "label": "B"}]

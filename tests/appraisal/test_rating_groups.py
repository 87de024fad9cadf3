"""360 groups: small anonymous groups merge upwards, the value uses only what is shown."""

from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from appraisal.rating_groups import Answer, Relation, summarise
from indicators.scoring import DescriptionParams, Direction, score_description

SUP, PEER, SUB, SELF = Relation.SUPERIOR, Relation.PEER, Relation.SUBORDINATE, Relation.SELF
WEIGHTS = {SUP: D(50), PEER: D(30), SUB: D(20), SELF: D(0)}


def answers(**by_relation):
    return [Answer(Relation(relation), level) for relation, levels in by_relation.items() for level in levels]


def shown(summary):
    return [(group.relations, group.count, group.weight, group.mean_level) for group in summary.groups]


def value(summary):
    ratings = summary.ratings()
    return score_description(DescriptionParams(), direction=Direction.QUALITATIVE, ratings=ratings).score if ratings else None


def test_full_groups_are_shown_apart_and_weighted_by_relation():
    summary = summarise(answers(superior=[6], peer=[5, 6, 7], subordinate=[4, 4, 7]), WEIGHTS)
    assert shown(summary) == [((SUP,), 1, D(50), D("6.00")), ((PEER,), 3, D(30), D("6.00")), ((SUB,), 3, D(20), D("5.00"))]
    assert summary.left_out == 0
    # (6 x 50 + 6 x 30 + 5 x 20) / 100 = 5.8 levels -> 5.8 / 7 x 100 = 82.857... -> 82.86
    assert value(summary) == D("82.86")


def test_two_subordinates_merge_into_the_peers():
    summary = summarise(answers(superior=[7], peer=[6, 6, 6], subordinate=[3, 5]), WEIGHTS)
    assert shown(summary) == [((SUP,), 1, D(50), D("7.00")), ((PEER, SUB), 5, D(50), D("5.20"))]
    # (7 x 50 + 5.2 x 50) / 100 = 6.1 -> 87.142... -> 87.14
    assert value(summary) == D("87.14")


def test_few_peers_and_subordinates_are_left_out_not_merged_into_the_superior():
    # The superior knows their own answer: a superior-and-peers mean would give the peers away.
    summary = summarise(answers(superior=[4], peer=[6], subordinate=[7]), WEIGHTS)
    assert shown(summary) == [((SUP,), 1, D(50), D("4.00"))]
    assert summary.left_out == 2
    assert value(summary) == D("57.14")  # the superior's 4 alone


def test_anonymous_answers_that_cannot_reach_three_are_left_out():
    summary = summarise(answers(superior=[4], peer=[7, 1]), WEIGHTS)
    assert shown(summary) == [((SUP,), 1, D(50), D("4.00"))]
    assert summary.left_out == 2
    # No superior at all: two peers alone are never shown or counted.
    summary = summarise(answers(peer=[7, 1], self=[6]), WEIGHTS)
    assert shown(summary) == [((SELF,), 1, D(0), D("6.00"))]
    assert summary.left_out == 2
    assert value(summary) is None  # only a weightless self-rating is left


def test_self_and_superior_are_shown_even_alone():
    summary = summarise(answers(self=[7], superior=[5]), {**WEIGHTS, SELF: D(10)})
    assert shown(summary) == [((SELF,), 1, D(10), D("7.00")), ((SUP,), 1, D(50), D("5.00"))]
    assert value(summary) == D("76.19")  # (70 + 250) / 60 = 5.333... levels


def test_a_relation_nobody_answered_weighs_nothing():
    summary = summarise(answers(superior=[7], peer=[7, 7, 7]), WEIGHTS)
    assert value(summary) == D("100.00")


def test_a_bigger_minimum_merges_more():
    summary = summarise(answers(superior=[6], peer=[5, 6, 7], subordinate=[4, 4, 7]), WEIGHTS, minimum=4)
    assert shown(summary) == [((SUP,), 1, D(50), D("6.00")), ((PEER, SUB), 6, D(50), D("5.50"))]
    summary = summarise(answers(superior=[6], peer=[5, 6], subordinate=[4]), WEIGHTS, minimum=4)
    assert shown(summary) == [((SUP,), 1, D(50), D("6.00"))] and summary.left_out == 3


def test_bad_levels_and_weights_are_refused():
    with pytest.raises(ValueError):
        Answer(SUP, 8)
    with pytest.raises(ValueError):
        Answer(SUP, 0)
    with pytest.raises(ValueError):
        summarise(answers(superior=[5]), {SUP: 50.0})


relations = st.sampled_from(list(Relation))


@given(st.lists(st.tuples(relations, st.integers(1, 7)), max_size=20), st.integers(1, 5))
def test_no_anonymous_group_below_the_minimum_is_ever_shown(raw, minimum):
    summary = summarise([Answer(relation, level) for relation, level in raw], WEIGHTS, minimum)
    given_anonymous = sum(1 for relation, _ in raw if relation in (PEER, SUB))
    counted_anonymous = 0
    for group in summary.groups:
        anonymous = [relation for relation in group.relations if relation in (PEER, SUB)]
        if anonymous:
            assert group.count >= minimum
        own = sum(1 for relation, _ in raw if relation in group.relations)
        assert group.count == own
        counted_anonymous += sum(1 for relation, _ in raw if relation in anonymous)
    assert counted_anonymous + summary.left_out == given_anonymous

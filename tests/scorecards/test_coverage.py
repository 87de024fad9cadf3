"""scorecards/coverage.py: contributions to upper lines, their weights, and the gaps."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scorecards.coverage import (
    NOTHING_LEFT,
    SHARES_OVER_100,
    SHARES_UNDER_100,
    BrokenLink,
    Link,
    LowerCard,
    LowerLine,
    UpperLine,
    compute_coverage,
)

D = Decimal
UPPER = [UpperLine("u1", "REV", "Revenue"), UpperLine("u2", "CSAT", "Customer satisfaction")]


def card(key, *lines, label=None):
    return LowerCard(owner_key=key, owner_label=label or key.title(), lines=list(lines))


def line(key, code, weight="25", *links):
    return LowerLine(key=key, indicator_code=code, weight=D(weight), links=list(links))


def link(code="REV", share=None, feed="sum"):
    return Link(upper_indicator_code=code, feed=feed, share=None if share is None else D(share))


def weights_of(result, upper_key="u1"):
    entry = next(item for item in result.upper_lines if item.line.key == upper_key)
    return [(contribution.owner_key, contribution.weight) for contribution in entry.contributions]


# --- weights in the upper line -----------------------------------------------------------


def test_two_contributors_with_shares_keep_their_shares():
    result = compute_coverage(UPPER, [card("sales", line("s1", "REV", "40", link(share="60"))), card("export", line("e1", "REV", "30", link(share="40")))])
    assert weights_of(result) == [("sales", D("60.00")), ("export", D("40.00"))]
    assert result.problems == ()


def test_three_contributors_without_a_share_split_100_by_largest_remainder():
    result = compute_coverage(UPPER, [card(name, line(f"{name}1", "REV", "25", link())) for name in ("a", "b", "c")])
    assert weights_of(result) == [("a", D("33.34")), ("b", D("33.33")), ("c", D("33.33"))]
    assert sum(weight for _, weight in weights_of(result)) == D("100.00")


def test_contributors_without_a_share_split_what_the_given_shares_leave():
    lower = [
        card("a", line("a1", "REV", "25", link(share="50"))),
        card("b", line("b1", "REV", "25", link())),
        card("c", line("c1", "REV", "25", link())),
        card("d", line("d1", "REV", "25", link())),
    ]
    assert weights_of(compute_coverage(UPPER, lower)) == [("a", D("50.00")), ("b", D("16.67")), ("c", D("16.67")), ("d", D("16.66"))]


def test_shares_over_100_are_a_problem_and_unshared_contributors_get_nothing():
    lower = [card("a", line("a1", "REV", "25", link(share="70"))), card("b", line("b1", "REV", "25", link(share="40"))), card("c", line("c1", "REV", "25", link()))]
    result = compute_coverage(UPPER, lower)
    assert weights_of(result) == [("a", D("70.00")), ("b", D("40.00")), ("c", D(0))]
    [problem] = result.problems
    assert problem.kind == SHARES_OVER_100 and problem.upper_line_key == "u1"
    assert problem.message == "The shares given to REV Revenue add up to 110%, more than 100%."


def test_shares_under_100_with_every_contributor_shared_are_a_problem():
    result = compute_coverage(UPPER, [card("a", line("a1", "REV", "25", link(share="30"))), card("b", line("b1", "REV", "25", link(share="50")))])
    assert weights_of(result) == [("a", D("30.00")), ("b", D("50.00"))]
    assert [problem.kind for problem in result.problems] == [SHARES_UNDER_100]
    assert "80%, not 100%" in result.problems[0].message


def test_shares_of_exactly_100_leave_nothing_for_unshared_contributors():
    result = compute_coverage(UPPER, [card("a", line("a1", "REV", "25", link(share="100"))), card("b", line("b1", "REV", "25", link()))])
    assert weights_of(result) == [("a", D("100.00")), ("b", D("0.00"))]
    assert [problem.kind for problem in result.problems] == [NOTHING_LEFT]


def test_a_single_contributor_without_a_share_weighs_100():
    result = compute_coverage(UPPER, [card("a", line("a1", "REV", "25", link()))])
    assert weights_of(result) == [("a", D("100.00"))]


def test_a_card_with_two_lines_on_one_upper_line_contributes_twice():
    lower = [card("a", line("a1", "REV", "20", link()), line("a2", "REV2", "10", link())), card("b", line("b1", "REV", "25", link()))]
    result = compute_coverage(UPPER, lower)
    entry = result.upper_lines[0]
    assert [(c.owner_key, c.line_key, c.weight) for c in entry.contributions] == [
        ("a", "a1", D("33.34")), ("a", "a2", D("33.33")), ("b", "b1", D("33.33")),
    ]
    assert entry.owner_keys == ("a", "b")
    assert entry.total_weight == D("100.00")


def test_a_contribution_carries_its_line_feed_and_given_share():
    result = compute_coverage(UPPER, [card("a", line("a1", "SALES", "12.345", link(share="100", feed="weighted_average")))])
    [contribution] = result.upper_lines[0].contributions
    assert contribution.indicator_code == "SALES"
    assert contribution.line_weight == D("12.35")
    assert contribution.feed == "weighted_average" and contribution.share == D("100")


# --- gaps ----------------------------------------------------------------------------------


def test_an_upper_line_nothing_contributes_to_is_uncovered():
    result = compute_coverage(UPPER, [card("a", line("a1", "REV", "25", link()))])
    assert result.uncovered == (UPPER[1],)
    assert result.upper_lines[1].contributions == () and not result.upper_lines[1].is_covered
    assert result.problems == ()  # no contributions is a gap, not a share problem


def test_a_lower_card_with_no_line_linked_upwards_is_unlinked():
    linked = card("a", line("a1", "REV", "25", link()))
    unlinked = card("b", line("b1", "X", "50"), line("b2", "Y", "50"))
    result = compute_coverage(UPPER, [linked, unlinked])
    assert result.unlinked_cards == (unlinked,)
    assert [(c.owner_key, c.line_count, c.linked_line_count, c.linked_weight) for c in result.cards] == [
        ("a", 1, 1, D("25.00")), ("b", 2, 0, D("0.00")),
    ]


def test_a_lower_card_without_lines_is_unlinked():
    empty = card("a")
    assert compute_coverage(UPPER, [empty]).unlinked_cards == (empty,)


def test_a_link_to_an_indicator_not_on_the_upper_card_is_broken():
    result = compute_coverage(UPPER, [card("a", line("a1", "OLD", "25", link("GONE")), line("a2", "REV", "75", link()))])
    assert result.broken_links == (BrokenLink("a", "A", "a1", "OLD", "GONE"),)
    assert weights_of(result) == [("a", D("100.00"))]
    assert result.cards[0].linked_line_count == 1 and result.cards[0].linked_weight == D("75.00")
    assert not result.is_complete


def test_a_card_with_only_broken_links_is_not_unlinked_but_links_nothing():
    result = compute_coverage(UPPER, [card("a", line("a1", "OLD", "25", link("GONE")))])
    assert result.unlinked_cards == ()
    assert result.cards[0].linked_line_count == 0
    assert len(result.broken_links) == 1


def test_full_coverage_is_complete():
    lower = [card("a", line("a1", "REV", "50", link()), line("a2", "CSAT", "50", link("CSAT")))]
    result = compute_coverage(UPPER, lower)
    assert result.is_complete
    assert result.cards[0].linked_weight == D("100.00")


def test_no_lower_cards_leaves_every_upper_line_uncovered():
    result = compute_coverage(UPPER, [])
    assert result.uncovered == tuple(UPPER) and result.cards == () and result.unlinked_cards == ()


# --- input -----------------------------------------------------------------------------------


def test_floats_are_refused():
    with pytest.raises(TypeError):
        LowerLine("a1", "REV", 25.0)
    with pytest.raises(TypeError):
        Link("REV", "sum", 50.0)


def test_a_negative_share_is_refused():
    with pytest.raises(ValueError):
        Link("REV", "sum", D("-1"))


def test_duplicate_upper_codes_and_owner_keys_are_refused():
    with pytest.raises(ValueError):
        compute_coverage([UpperLine("u1", "REV", "R"), UpperLine("u2", "REV", "R")], [])
    with pytest.raises(ValueError):
        compute_coverage(UPPER, [card("a"), card("a")])


# --- properties ------------------------------------------------------------------------------


@given(
    shares=st.lists(
        st.one_of(st.none(), st.decimals(min_value=D("0.01"), max_value=D("30"), places=2)), min_size=1, max_size=8
    )
)
def test_weights_add_up_to_100_whenever_the_shares_leave_room(shares):
    given_total = sum((share for share in shares if share is not None), D(0))
    lower = [card(f"c{index}", line(f"l{index}", "REV", "10", Link("REV", "sum", share))) for index, share in enumerate(shares)]
    result = compute_coverage(UPPER, lower)
    weights = [contribution.weight for contribution in result.upper_lines[0].contributions]
    if None in shares and given_total < 100:
        assert sum(weights) == D("100.00") and result.problems == ()
        assert all(weight == weight.quantize(D("0.01")) for weight in weights)
    for share, weight in zip(shares, weights, strict=True):
        if share is not None:
            assert weight == share

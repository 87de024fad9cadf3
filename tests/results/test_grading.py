"""Grades, ranks, forced-distribution breaches and pay, hand-computed (no database)."""

from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from results.grading import (
    Band,
    DistributionRule,
    Limit,
    Person,
    band_problems,
    bands_from,
    breaches,
    grade_for,
    grades_at_least,
    performance_pay,
    rank,
    rule_problems,
)

BANDS = bands_from([("A", D(90)), ("B", D(80)), ("C", D(70)), ("D", D(60)), ("E", D(0))])


def messages(problems):
    return [problem.message for problem in problems]


class TestBands:
    def test_the_usual_bands_are_fine(self):
        assert band_problems(BANDS) == []

    @pytest.mark.parametrize(
        ("score", "grade"),
        [(D("100"), "A"), (D("112.5"), "A"), (D("90"), "A"), (D("89.99"), "B"), (D("80"), "B"), (D("60"), "D"), (D("59.99"), "E"), (D(0), "E")],
    )
    def test_a_score_gets_the_band_it_reaches(self, score, grade):
        assert grade_for(score, BANDS) == grade

    def test_bands_are_ordered_whatever_order_they_come_in(self):
        assert [band.code for band in bands_from([("E", D(0)), ("A", D(90)), ("C", D(70))])] == ["A", "C", "E"]

    def test_every_problem_is_reported(self):
        bad = [Band("A", D(90)), Band("A", D(80)), Band("", D(110)), Band("C", D(90))]
        assert messages(band_problems(bad)) == [
            "Every grade needs a code.",
            "Grade A appears more than once.",
            "Grade : the lower bound must be between 0 and 100.",
            "Two grades have the same lower bound.",
            "The lowest grade must start at 0, so every score has a grade.",
        ]

    def test_no_bands_and_long_codes_are_refused(self):
        assert messages(band_problems([])) == ["Add at least one grade."]
        assert messages(band_problems([Band("EXCELLENT-PLUS", D(0))])) == [
            "Grade code EXCELLENT-PLUS is longer than 10 characters."
        ]

    def test_floats_are_refused(self):
        with pytest.raises(TypeError):
            Band("A", 90.0)
        with pytest.raises(TypeError):
            grade_for(90.0, BANDS)


class TestRank:
    def test_competition_ranking(self):
        assert rank({"a": D("91"), "b": D("85"), "c": D("85"), "d": D("70")}) == {"a": 1, "b": 2, "c": 2, "d": 4}

    def test_nobody_no_ranks(self):
        assert rank({}) == {}

    @given(st.dictionaries(st.integers(0, 50), st.decimals(0, 120, places=2), max_size=30))
    def test_a_higher_score_always_ranks_before_a_lower_one(self, scores):
        ranks = rank(scores)
        for a in scores:
            for b in scores:
                if scores[a] > scores[b]:
                    assert ranks[a] < ranks[b]
                if scores[a] == scores[b]:
                    assert ranks[a] == ranks[b]
        assert all(1 <= value <= len(scores) for value in ranks.values())


def people(*rows):
    return [Person(key, D(score), grade_for(D(score), BANDS)) for key, score in rows]


class TestForcedDistribution:
    A_AT_MOST_20 = DistributionRule("A", Limit.AT_MOST, D(20))
    E_AT_LEAST_10 = DistributionRule("E", Limit.AT_LEAST, D(10))

    def test_the_allowed_count_is_the_share_rounded_half_up(self):
        assert [self.A_AT_MOST_20.allowed(n) for n in (1, 2, 3, 5, 7, 8, 10)] == [0, 0, 1, 1, 1, 2, 2]
        assert [self.E_AT_LEAST_10.allowed(n) for n in (4, 5, 10, 14, 15)] == [0, 1, 1, 1, 2]

    def test_too_many_a_names_the_as_nearest_to_b(self):
        group = people(("p1", 97), ("p2", 91), ("p3", 90.5), ("p4", 85), ("p5", 75), ("p6", 72), ("p7", 65), ("p8", 40))
        [breach] = breaches(group, [self.A_AT_MOST_20], BANDS)
        # 20% of 8 = 1.6 -> 2 allowed; 3 A: the one nearest to 90 is the candidate.
        assert (breach.people, breach.count, breach.allowed, breach.excess) == (8, 3, 2, 1)
        assert breach.candidates == ("p3",)

    def test_too_few_e_names_the_people_nearest_to_e(self):
        group = people(*[(f"p{i}", 70 + i) for i in range(10)])  # nobody below 60
        [breach] = breaches(group, [self.E_AT_LEAST_10], BANDS)
        assert (breach.count, breach.allowed) == (0, 1)
        assert breach.candidates == ("p0",)

    def test_a_group_within_the_rules_has_no_breach(self):
        group = people(("p1", 95), ("p2", 85), ("p3", 75), ("p4", 65), ("p5", 30))
        assert breaches(group, [self.A_AT_MOST_20, self.E_AT_LEAST_10], BANDS) == []

    def test_too_many_in_the_lowest_grade_are_nearest_its_upper_bound(self):
        rule = DistributionRule("E", Limit.AT_MOST, D(20))
        group = people(("p1", 95), ("p2", 10), ("p3", 59), ("p4", 50), ("p5", 20))
        [breach] = breaches(group, [rule], BANDS)
        assert breach.candidates == ("p3", "p4", "p5")

    def test_a_middle_grade_member_nearest_either_bound_comes_first(self):
        rule = DistributionRule("B", Limit.AT_MOST, D(0))
        group = people(("p1", 80.5), ("p2", 85), ("p3", 89.9))
        assert breaches(group, [rule], BANDS)[0].candidates == ("p3", "p1", "p2")

    def test_rule_problems(self):
        rules = [
            DistributionRule("A", Limit.AT_MOST, D(20)),
            DistributionRule("A", Limit.AT_MOST, D(30)),
            DistributionRule("A", Limit.AT_LEAST, D(40)),
            DistributionRule("Z", Limit.AT_LEAST, D(70)),
            DistributionRule("E", Limit.AT_MOST, D(120)),
        ]
        assert messages(rule_problems(rules, BANDS)) == [
            "Grade A has two rules of the same kind.",
            "There is no grade Z.",
            "Grade E: the share must be between 0 and 100%.",
            "Grade A: “at least” is more than “at most”.",
            "The “at least” shares add up to more than 100%.",
        ]


class TestPay:
    @pytest.mark.parametrize(
        ("base", "coefficient", "share", "pay"),
        [
            (D("3000"), D("1.2"), D(1), D("3600.00")),
            (D("2500.50"), D("0.8"), D(1), D("2000.40")),
            (D("3000"), D("1.2"), D("0.5"), D("1800.00")),
            (D("1000"), D("1.15"), D("0.333"), D("382.95")),  # 382.95 exactly
            (D("1000.01"), D("0.5"), D(1), D("500.01")),  # 500.005 rounds half up
            (D("3000"), D(0), D(1), D("0.00")),
        ],
    )
    def test_pay_is_base_times_coefficient_times_share_in_cents(self, base, coefficient, share, pay):
        assert performance_pay(base, coefficient, share) == pay

    def test_negative_or_float_inputs_are_refused(self):
        with pytest.raises(ValueError):
            performance_pay(D(-1), D(1))
        with pytest.raises(ValueError):
            performance_pay(D(1), D(1), D("1.5"))
        with pytest.raises(TypeError):
            performance_pay(3000.0, D(1))


def test_grades_at_least():
    assert grades_at_least(["E", "C", "E"], "E", 2)
    assert not grades_at_least(["E", "C", "D"], "E", 2)


class TestYear:
    def test_mean_counts_and_trend(self):
        from results.grading import year_of

        months = {m: (D(score), grade) for m, score, grade in [
            (1, "70", "C"), (2, "72", "C"), (3, "74", "C"), (4, "58", "E"), (5, "85", "B"), (6, "88", "B"), (7, "91", "A"),
        ]}
        year = year_of(months)
        assert year.average == D("76.86")  # 538 / 7 = 76.857...
        assert year.grade_counts == {"C": 3, "E": 1, "B": 2, "A": 1}
        assert year.trend == D("16.00")  # (85 + 88 + 91) / 3 - (70 + 72 + 74) / 3
        assert list(year.months) == [1, 2, 3, 4, 5, 6, 7]

    def test_a_short_year_has_no_trend_and_an_empty_one_no_mean(self):
        from results.grading import year_of

        assert year_of({3: (D("80"), "B")}).trend is None
        assert year_of({}).average is None

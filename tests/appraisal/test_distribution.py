"""The spread of a department's scores and its outliers (no database)."""

from decimal import Decimal

import pytest

from appraisal.distribution import spread

D = Decimal


def test_figures_of_an_odd_group_hand_computed():
    # 70 80 85 90 95 100 150: Q1 = median(70, 80, 85) = 80, Q3 = median(95, 100, 150) = 100,
    # IQR 20, fences 50 and 130: 150 is an outlier.
    result = spread([D(x) for x in ("90", "70", "150", "85", "95", "80", "100")])
    assert (result.count, result.median, result.q1, result.q3) == (7, D("90.00"), D("80.00"), D("100.00"))
    assert result.mean == D("95.71")  # 670 / 7
    assert result.fences == (D("50.00"), D("130.00"))
    assert result.is_outlier(D("150")) and not result.is_outlier(D("70"))


def test_an_even_group_and_a_single_score():
    result = spread([D("60"), D("70"), D("80"), D("90")])
    assert (result.q1, result.median, result.q3) == (D("65.00"), D("75.00"), D("85.00"))
    single = spread([D("88.5")])
    assert (single.low, single.high, single.median, single.q1, single.q3) == (D("88.5"), D("88.5"), D("88.50"), D("88.50"), D("88.50"))
    assert not single.is_outlier(D("88.5"))
    assert spread([]) is None


def test_floats_are_refused():
    with pytest.raises(TypeError):
        spread([90.5])

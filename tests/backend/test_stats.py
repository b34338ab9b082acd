"""The verdict statistics against scipy on known numbers, and McNemar on a hand-made pair (no server)."""

import pytest
from scipy import stats

from backend.stats import mcnemar_exact, reading, spread, spread_from_moments, welch


def test_spread_from_sql_moments_matches_scipy():
    values = [0.851, 0.862, 0.839, 0.870]
    result = spread_from_moments(len(values), sum(values) / len(values), sum(v * v for v in values))
    low, high = stats.t.interval(0.95, len(values) - 1, loc=stats.tmean(values), scale=stats.sem(values))
    assert result.mean == pytest.approx(stats.tmean(values))
    assert result.sd == pytest.approx(stats.tstd(values))
    assert (result.ci_low, result.ci_high) == (pytest.approx(low), pytest.approx(high))
    assert spread(values) == result


def test_one_value_has_a_mean_but_no_spread_and_none_has_nothing():
    assert spread([0.8]).mean == 0.8 and spread([0.8]).sd is None and spread([0.8]).ci_low is None
    assert spread([]).n == 0 and spread([]).mean is None


def test_welch_matches_scipy_and_reads_in_words():
    cnn, lstm = [0.871, 0.868, 0.874], [0.842, 0.845, 0.839]
    result = welch(cnn, lstm)
    expected = stats.ttest_ind(cnn, lstm, equal_var=False)
    assert result.p_value == pytest.approx(expected.pvalue) and result.statistic == pytest.approx(expected.statistic)
    assert reading("cnn", "lstm", result, result.first_ahead) == f"cnn ahead of lstm, p = {expected.pvalue:.2g}"  # below 0.001
    with pytest.raises(ValueError, match="at least 2"):
        welch([0.8], lstm)


def test_mcnemar_on_a_hand_made_pair():
    # 12 reviews: both right on 4, only A on 7, only B on 1 -> p = binomtest(7, 8).pvalue = 0.0703125
    a = [True] * 4 + [True] * 7 + [False] * 1
    b = [True] * 4 + [False] * 7 + [True] * 1
    result = mcnemar_exact(a, b)
    assert result.p_value == pytest.approx(0.0703125) and result.statistic == 7.0 and result.first_ahead
    assert reading("A", "B", result) == "no significant difference between A and B (p = 0.070)"
    lopsided = mcnemar_exact([True] * 20, [False] * 20)
    assert lopsided.p_value == pytest.approx(2 * 0.5**20)
    assert reading("A", "B", lopsided).startswith("A ahead of B, p = ")
    assert mcnemar_exact([True, False], [True, False]).p_value == 1.0
    with pytest.raises(ValueError, match="same reviews"):
        mcnemar_exact([True], [True, False])

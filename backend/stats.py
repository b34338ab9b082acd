"""The statistics behind the verdicts, all from scipy.stats: Student-t intervals, Welch's t-test, McNemar's exact test.

The database hands over count, mean and sum of squares (it aggregates, see backend/groups.py);
everything inferential is scipy's.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from backend import lazyimport

CONFIDENCE = 0.95
ALPHA = 1 - CONFIDENCE


def _scipy_stats():
    """scipy.stats, imported on first use: the backend starts without scipy (tests/backend/test_verdicts_api.py)."""
    return lazyimport.load("scipy.stats")


@dataclass(frozen=True)
class Spread:
    """Mean, sample standard deviation (ddof=1) and the 95 % Student-t interval of the mean of n values."""

    n: int
    mean: float | None
    sd: float | None
    ci_low: float | None
    ci_high: float | None


def spread_from_moments(n: int, mean: float | None, sum_of_squares: float | None) -> Spread:
    """The Spread of n values given their mean and the sum of their squares (as SQL's AVG and SUM give them).

    sd = sqrt((sum x^2 - n mean^2) / (n - 1)); the interval is mean +- t(0.975, n - 1) sd / sqrt(n)
    (scipy.stats.t.interval). With n = 1 there is a mean but no sd or interval; with n = 0 nothing.
    """
    if n == 0 or mean is None:
        return Spread(0, None, None, None, None)
    if n == 1 or sum_of_squares is None:
        return Spread(n, mean, None, None, None)
    variance = max(sum_of_squares - n * mean * mean, 0.0) / (n - 1)  # clamped: rounding may dip below 0
    sd = math.sqrt(variance)
    if sd == 0.0:
        return Spread(n, mean, 0.0, mean, mean)
    low, high = _scipy_stats().t.interval(CONFIDENCE, n - 1, loc=mean, scale=sd / math.sqrt(n))
    return Spread(n, mean, sd, float(low), float(high))


def spread(values: Sequence[float]) -> Spread:
    """The Spread of a list of values (the same as spread_from_moments on their moments)."""
    array = np.asarray(values, dtype=float)
    if array.size == 0:
        return Spread(0, None, None, None, None)
    return spread_from_moments(int(array.size), float(array.mean()), float(np.square(array).sum()))


@dataclass(frozen=True)
class TestResult:
    """A two-sided significance test between a first and a second contender."""

    test: str          # "Welch's t-test" or "McNemar's exact test"
    statistic: float | None
    p_value: float
    detail: str        # what was compared, in words
    first_ahead: bool  # the first has the higher mean accuracy (Welch) or more reviews right (McNemar)


def welch(leader: Sequence[float], other: Sequence[float]) -> TestResult:
    """Welch's unequal-variance t-test across seeds (scipy.stats.ttest_ind, equal_var=False); both n >= 2.

    Welch, B. L. (1947), "The generalization of 'Student's' problem when several different population
    variances are involved", Biometrika 34.
    """
    if len(leader) < 2 or len(other) < 2:
        raise ValueError("Welch's t-test needs at least 2 values on each side")
    result = _scipy_stats().ttest_ind(leader, other, equal_var=False)
    p_value = float(result.pvalue)
    if math.isnan(p_value):  # both groups constant: no evidence either way unless their means differ
        p_value = 1.0 if np.mean(leader) == np.mean(other) else 0.0
    statistic = float(result.statistic) if math.isfinite(float(result.statistic)) else None
    return TestResult("Welch's t-test", statistic, p_value, f"test accuracy over {len(leader)} vs {len(other)} seeds",
                      bool(np.mean(leader) >= np.mean(other)))


def mcnemar_exact(correct_a: Sequence[bool], correct_b: Sequence[bool]) -> TestResult:
    """McNemar's exact test on two classifiers' verdicts over the same reviews.

    Only the discordant reviews count: b = A right and B wrong, c = A wrong and B right; under the
    null hypothesis b ~ Binomial(b + c, 1/2), so p is scipy.stats.binomtest(b, b + c).pvalue
    (two-sided). McNemar, Q. (1947), Psychometrika 12; Dietterich, T. G. (1998), "Approximate
    statistical tests for comparing supervised classification learning algorithms", Neural Computation 10.
    ValueError if the two lists differ in length.
    """
    a, b = np.asarray(correct_a, dtype=bool), np.asarray(correct_b, dtype=bool)
    if a.shape != b.shape:
        raise ValueError(f"both runs must be scored on the same reviews ({a.size} vs {b.size})")
    only_a, only_b = int(np.sum(a & ~b)), int(np.sum(~a & b))
    discordant = only_a + only_b
    p_value = 1.0 if discordant == 0 else float(_scipy_stats().binomtest(only_a, discordant, 0.5).pvalue)
    return TestResult("McNemar's exact test", float(only_a), p_value,
                      f"{a.size:,} test reviews: {only_a:,} only the first got right, {only_b:,} only the second",
                      only_a >= only_b)


def format_p_value(p_value: float) -> str:
    """A p-value as the verdicts print it: three decimals, or two significant digits below 0.001 ('4.2e-05')."""
    return f"{p_value:.2g}" if p_value < 0.001 else f"{p_value:.3f}"


def reading(first: str, second: str, result: TestResult, first_ahead: bool = True) -> str:
    """A plain reading: 'cnn ahead of lstm, p = 0.003' or 'no significant difference between ... (p = 0.31)'."""
    p = format_p_value(result.p_value)
    if result.p_value < ALPHA:
        ahead, behind = (first, second) if first_ahead else (second, first)
        return f"{ahead} ahead of {behind}, p = {p}"
    return f"no significant difference between {first} and {second} (p = {p})"

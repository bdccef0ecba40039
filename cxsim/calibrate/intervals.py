"""An estimate with its interval and goodness of fit, and the exact intervals calibration uses."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import optimize, stats

#: Confidence of every interval calibration reports.
LEVEL = 0.95


@dataclass(frozen=True)
class Estimate:
    """One number taken from a log: where it goes, its value, interval, fit figure and sample size."""
    path: str        # dotted scenario path, e.g. "needs.billing.work_time.mean"
    value: float
    low: float
    high: float
    unit: str        # "min", "/h" or "" (a share, a weight)
    fit: str         # the goodness of fit in words, e.g. "KS p = 0.41"
    n: int
    level: float = LEVEL

    def contains(self, truth: float) -> bool:
        return self.low <= truth <= self.high

    def interval(self) -> str:
        return f"{self.level:.0%} CI [{_short(self.low)}, {_short(self.high)}]".replace("%", " %")


def _short(x: float) -> str:
    return f"{x:.4g}"


def _alpha(level: float) -> float:
    return (1.0 - level) / 2.0


def poisson_rate(k: int, exposure: float, level: float = LEVEL) -> tuple[float, float, float]:
    """Rate k / exposure with its exact (Garwood) interval."""
    a = _alpha(level)
    low = stats.chi2.ppf(a, 2 * k) / 2 if k > 0 else 0.0
    high = stats.chi2.ppf(1 - a, 2 * k + 2) / 2
    return k / exposure, low / exposure, high / exposure


def proportion(k: int, n: int, level: float = LEVEL) -> tuple[float, float, float]:
    """k / n with its exact (Clopper–Pearson) interval."""
    if n == 0:
        return math.nan, 0.0, 1.0
    ci = stats.binomtest(int(k), int(n)).proportion_ci(confidence_level=level, method="exact")
    return k / n, float(ci.low), float(ci.high)


def exponential_mean(total: float, events: int, level: float = LEVEL) -> tuple[float, float, float]:
    """Mean of an exponential from ``events`` observed ends and ``total`` time at risk (censored
    observations add their time, not an event): the exact chi-square interval."""
    a = _alpha(level)
    if events == 0:
        return math.inf, 2 * total / stats.chi2.ppf(1 - a, 2), math.inf
    return total / events, 2 * total / stats.chi2.ppf(1 - a, 2 * events), 2 * total / stats.chi2.ppf(a, 2 * events)


def truncated_exponential(x: np.ndarray, window: np.ndarray, level: float = LEVEL
                          ) -> tuple[float, float, float, float]:
    """Mean of an exponential each of whose draws ``x[i]`` is seen only below ``window[i]`` (the next
    contact must fall within the window to be recognised as the same need): maximum likelihood, its
    interval, and the KS p-value of the draws' probability transforms against uniform."""
    n = len(x)
    if n == 0:
        return math.nan, 0.0, math.inf, math.nan
    x, window = np.asarray(x, dtype=float), np.asarray(window, dtype=float)

    def minus_log_likelihood(log_theta: float) -> float:
        theta = math.exp(log_theta)
        return float(n * log_theta + x.sum() / theta + np.sum(np.log(-np.expm1(-window / theta))))

    observed = float(x.mean())
    found = optimize.minimize_scalar(minus_log_likelihood, bounds=(math.log(observed / 10), math.log(observed * 1e4)),
                                     method="bounded", options={"xatol": 1e-9})
    theta = math.exp(found.x)
    if theta > 0.999 * observed * 1e4:  # no information about the scale beyond "very long"
        return math.inf, observed, math.inf, math.nan
    _, low, high = exponential_mean(theta * n, n, level)
    u = -np.expm1(-x / theta) / -np.expm1(-window / theta)
    return theta, low, high, float(stats.kstest(u, "uniform").pvalue)


def stable_over_weeks(flag: np.ndarray, week: np.ndarray) -> str:
    """Goodness of fit of a constant share: chi-square test that it is the same every week."""
    if len(flag) == 0:
        return "nothing to test"
    table = np.array([[np.sum(flag & (week == w)), np.sum(~flag & (week == w))] for w in np.unique(week)])
    table = table[table.sum(axis=1) > 0]
    if len(table) < 2 or (table.sum(axis=0) == 0).any():
        return "one week only"
    return f"same every week: χ² p = {stats.chi2_contingency(table).pvalue:.2g}"

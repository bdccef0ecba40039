"""Statistics across replications: means with t-intervals, paired differences.

Replications are independent and identically distributed, so a Student-t interval on their
means is the textbook estimate (Law, *Simulation Modeling and Analysis*, ch. 9). Policy
differences are paired on common random numbers: the interval is on the per-replication
differences, which is much narrower than comparing two independent intervals.
"""

from __future__ import annotations

import math

import numpy as np

CONFIDENCE = 0.95


def interval(values, confidence: float = CONFIDENCE) -> dict[str, float | int | None]:
    """Mean and two-sided t-interval of replication values; ``None`` bounds when n < 2."""
    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x)]
    n = int(x.size)
    if n == 0:
        return {"mean": None, "ci_low": None, "ci_high": None, "n": 0}
    mean = float(x.mean())
    if n < 2:
        return {"mean": mean, "ci_low": None, "ci_high": None, "n": n}
    sem = float(np.std(x, ddof=1) / n**0.5)  # scipy.stats.sem, without importing scipy.stats (1 s)
    if sem == 0.0:
        return {"mean": mean, "ci_low": mean, "ci_high": mean, "n": n}
    # scipy.stats.t.interval computed as it computes it (ppf · scale + loc), so the bounds agree to the bit.
    from scipy.special import stdtrit

    low = float(stdtrit(n - 1, (1.0 - confidence) / 2)) * sem + mean
    high = float(stdtrit(n - 1, (1.0 + confidence) / 2)) * sem + mean
    return {"mean": mean, "ci_low": low, "ci_high": high, "n": n}


def proportion(values, confidence: float = CONFIDENCE) -> dict[str, float | int | None]:
    """Share of replications where an event happened (values 0/1), with its Wilson score interval.

    A t-interval on 0/1 outcomes is degenerate (zero width when every replication agrees, bounds
    outside [0, 1]); Wilson's (1927) interval is the textbook one for a binomial share (the same
    bounds as ``scipy.stats.binomtest(k, n).proportion_ci(method="wilson")``).
    """
    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x)]
    n = int(x.size)
    if n == 0:
        return {"mean": None, "ci_low": None, "ci_high": None, "n": 0}
    from scipy.special import ndtri

    share = float(x.mean())
    z = float(ndtri((1.0 + confidence) / 2))
    centre = (share + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(share * (1 - share) / n + z * z / (4 * n * n))
    return {"mean": share, "ci_low": max(0.0, centre - half), "ci_high": min(1.0, centre + half), "n": n}


def paired_difference(a, b, confidence: float = CONFIDENCE) -> dict[str, float | int | None]:
    """Interval of ``a − b`` replication by replication (common random numbers)."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return interval(a - b, confidence)


def half_width(summary: dict) -> float:
    if summary.get("ci_low") is None or summary.get("ci_high") is None:
        return math.inf
    return (summary["ci_high"] - summary["ci_low"]) / 2


def relative_half_width(summary: dict, scale: float | None = None) -> float:
    """Half-width over |mean| (or over ``scale`` for metrics near zero by nature, such as NPS)."""
    hw = half_width(summary)
    if math.isinf(hw):
        return math.inf
    denominator = scale if scale is not None else abs(summary["mean"] or 0.0)
    return hw / denominator if denominator else (0.0 if hw == 0 else math.inf)


def mser(series, batch: int = 5) -> int:
    """MSER-5 truncation point (White 1997): how many leading observations to delete.

    The series is averaged in batches of ``batch``; the truncation minimises the squared standard
    error of the remaining mean, searched over the first half (a minimum later than that means the
    run is too short to tell). Returns a number of observations of the original series.
    """
    x = np.asarray(series, dtype=float)
    x = x[np.isfinite(x)]
    n = x.size // batch
    if n < 4:
        return 0
    means = x[: n * batch].reshape(n, batch).mean(axis=1)
    best, best_d = math.inf, 0
    for d in range(n // 2 + 1):
        rest = means[d:]
        value = rest.var() / rest.size  # ∝ Σ(x − x̄)² / (n − d)²
        if value < best:
            best, best_d = value, d
    return best_d * batch

"""Statistics across replications: means with t-intervals, paired differences.

Replications are independent and identically distributed, so a Student-t interval on their
means is the textbook estimate (Law, *Simulation Modeling and Analysis*, ch. 9). Policy
differences are paired on common random numbers: the interval is on the per-replication
differences, which is much narrower than comparing two independent intervals.
"""

from __future__ import annotations

import math
from pathlib import Path

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
    low = t_quantile(n - 1, (1.0 - confidence) / 2) * sem + mean
    high = t_quantile(n - 1, (1.0 + confidence) / 2) * sem + mean
    return {"mean": mean, "ci_low": low, "ci_high": high, "n": n}


def t_quantile(df: float, p: float) -> float:
    """Student's t quantile: ``scipy.special.stdtrit(df, p)``, the same function to the bit.

    Importing ``scipy.special`` costs 0.15–0.2 s (its ~300 functions and their documentation),
    most of a tiny run's statistics; ``stdtrit`` is one C function (``t_ppf_double``, Boost's
    Student's t quantile) in the small extension module ``scipy.special._ufuncs_cxx``, which is
    loaded by itself here (1 ms) and called directly. Should SciPy lay it out otherwise, this is
    ``scipy.special.stdtrit`` itself. ``tests/test_startup.py`` checks both agree.
    """
    return float(_stdtrit()(float(df), float(p)))


_STDTRIT: list = []


def _stdtrit():
    if not _STDTRIT:
        _STDTRIT.append(_t_ppf_alone() or _scipy_stdtrit())
    return _STDTRIT[0]


def _scipy_stdtrit():
    from scipy.special import stdtrit

    return stdtrit


def _t_ppf_alone():
    """``t_ppf_double`` from ``scipy.special._ufuncs_cxx`` (the C function behind ``stdtrit``'s
    float64 loop), without importing the rest of ``scipy.special``; None if that is not possible."""
    import sys

    name = "scipy.special._ufuncs_cxx"
    try:
        import ctypes
        import importlib.machinery
        import importlib.util

        module = sys.modules.get(name)
        if module is None:
            import scipy

            folder = Path(scipy.__file__).parent / "special"
            path = next((folder / f"_ufuncs_cxx{suffix}" for suffix in importlib.machinery.EXTENSION_SUFFIXES
                         if (folder / f"_ufuncs_cxx{suffix}").exists()), None)
            spec = importlib.util.spec_from_file_location(name, path) if path else None
            if spec is None or spec.loader is None:
                return None
            module = importlib.util.module_from_spec(spec)
            sys.modules[name] = module  # a later `import scipy.special` uses this same module
            try:
                spec.loader.exec_module(module)
            except BaseException:
                del sys.modules[name]
                raise
        capsule = module.__pyx_capi__["_export_t_ppf_double"]  # a `void *` variable holding the function
        capsule_name = ctypes.pythonapi.PyCapsule_GetName
        capsule_name.restype, capsule_name.argtypes = ctypes.c_char_p, [ctypes.py_object]
        pointer = ctypes.pythonapi.PyCapsule_GetPointer
        pointer.restype, pointer.argtypes = ctypes.c_void_p, [ctypes.py_object, ctypes.c_char_p]
        function = ctypes.c_void_p.from_address(pointer(capsule, capsule_name(capsule))).value
        if not function:
            return None
        return ctypes.CFUNCTYPE(ctypes.c_double, ctypes.c_double, ctypes.c_double)(function)
    except Exception:  # noqa: BLE001 - scipy.special.stdtrit, imported the usual way
        return None


def normal_quantile(p: float) -> float:
    """The standard normal quantile, ``scipy.special.ndtri(p)``; without importing scipy.special
    for the two-sided 95 % interval's point (:data:`_Z95`, equal to ndtri's to the bit)."""
    if p == 0.975:
        return _Z95
    from scipy.special import ndtri

    return float(ndtri(p))


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
    k = int((x > 0.5).sum())
    low, high = wilson(k, n, normal_quantile((1.0 + confidence) / 2))
    return {"mean": float(x.mean()), "ci_low": low, "ci_high": high, "n": n}


def paired_difference(a, b, confidence: float = CONFIDENCE) -> dict[str, float | int | None]:
    """Interval of ``a − b`` replication by replication (common random numbers)."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return interval(a - b, confidence)


def paired_proportion_difference(a, b, confidence: float = CONFIDENCE) -> dict[str, float | int | None]:
    """Share of ``a`` − share of ``b`` for a 0/1 outcome over paired replications (common random numbers),
    with Newcombe's (1998, method 10) interval: the two shares' Wilson intervals, combined with the
    correlation of the pairs. A t-interval on the differences can leave [−1, 1] at a few replications
    and shrinks to a point when every pair agrees; this one does neither.
    """
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    ok = np.isfinite(a) & np.isfinite(b)
    n = int(ok.sum())
    if n == 0:
        return {"mean": None, "ci_low": None, "ci_high": None, "n": 0}
    x, y = a[ok] > 0.5, b[ok] > 0.5
    both, only_a, only_b = int((x & y).sum()), int((x & ~y).sum()), int((~x & y).sum())
    neither = n - both - only_a - only_b
    z = normal_quantile((1.0 + confidence) / 2)
    p1, p2 = (both + only_a) / n, (both + only_b) / n
    l1, u1 = wilson(both + only_a, n, z)
    l2, u2 = wilson(both + only_b, n, z)
    spread = (both + only_a) * (only_b + neither) * (both + only_b) * (only_a + neither)
    phi = (both * neither - only_a * only_b) / math.sqrt(spread) if spread > 0 else 0.0
    below = math.sqrt(max(0.0, (p1 - l1) ** 2 - 2 * phi * (p1 - l1) * (u2 - p2) + (u2 - p2) ** 2))
    above = math.sqrt(max(0.0, (u1 - p1) ** 2 - 2 * phi * (u1 - p1) * (p2 - l2) + (p2 - l2) ** 2))
    d = p1 - p2
    return {"mean": d, "ci_low": max(-1.0, d - below), "ci_high": min(1.0, d + above), "n": n}


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


# --- Outcomes that split replications into two groups (MODEL.md §10) ------------------------------
#
# Some outcomes do not scatter around one value from replication to replication: a team collapses in
# some replications and not in others, and NPS is -100 in those and healthy in the rest. The mean of
# such a sample describes no replication, and its t-interval even less. ``split`` finds them with a
# gap test on the sorted replication values, and they are reported as the share of replications in
# each group, with a Wilson interval for that share.
#
# The rule: sort the n finite values, cut at the widest gap that leaves at least ``SPLIT_MIN_GROUP``
# values on each side, and compare that gap with the pooled within-group standard deviation s
# (df = n - 2). The sample is split when gap >= K(n) * s (gap > 0 when s = 0). K(n) is at least the
# 99.9th percentile of gap / s for n values from one normal distribution (simulated, 20,000 samples
# per n: 50 at n=4, 22 at 5, 14 at 6, 9 at 8, 6 at 10, 2.8 at 20), so a unimodal sample of replication
# means is flagged about once in a thousand metrics or less; fewer than 4 values are never split.

SPLIT_MIN_GROUP = 2
#: (smallest n, K) — the threshold K(n) for gap / s, from the largest n that applies.
SPLIT_THRESHOLDS = ((4, 60.0), (5, 30.0), (6, 20.0), (7, 15.0), (8, 12.0), (10, 8.0), (20, 6.0))
_Z95 = 1.959963984540054  # the standard normal's 97.5 % point: a two-sided 95 % interval


def split_threshold(n: int) -> float:
    """K(n): how many pooled within-group standard deviations the gap must span (inf below n=4)."""
    k = math.inf
    for smallest, threshold in SPLIT_THRESHOLDS:
        if n >= smallest:
            k = threshold
    return k


def wilson(k: int, n: int, z: float = _Z95) -> tuple[float, float]:
    """Wilson score interval for a share of ``k`` in ``n`` (Wilson 1927): good at small n and near 0 or 1."""
    if n <= 0:
        return (math.nan, math.nan)
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    # At k = 0 or k = n a bound is exactly 0 or 1 (rounding would leave it a hair inside).
    return (0.0 if k == 0 else max(0.0, centre - half), 1.0 if k == n else min(1.0, centre + half))


def split(values) -> dict | None:
    """The two groups of replication values, if the values split (see the rule above), else None.

    Returns ``{"cut", "gap", "ratio", "n", "low": group, "high": group}``: ``cut`` is midway in the
    gap; each group is ``{"k", "share", "ci_low", "ci_high", "mean", "min", "max"}`` with a 95 % Wilson
    interval on its share of the replications.
    """
    x = np.sort(np.asarray(values, dtype=float))
    x = x[np.isfinite(x)]
    n = int(x.size)
    k_needed = split_threshold(n)
    if math.isinf(k_needed) or n < 2 * SPLIT_MIN_GROUP:
        return None
    gaps = np.diff(x)
    cuts = np.arange(SPLIT_MIN_GROUP - 1, n - SPLIT_MIN_GROUP)  # cut after index i: x[:i+1] | x[i+1:]
    i = int(cuts[np.argmax(gaps[cuts])])
    gap = float(gaps[i])
    if gap <= 0:
        return None
    low, high = x[: i + 1], x[i + 1:]
    within = float(((low - low.mean()) ** 2).sum() + ((high - high.mean()) ** 2).sum())
    s = math.sqrt(within / (n - 2))
    ratio = math.inf if s == 0 else gap / s
    if ratio < k_needed:
        return None

    def group(g: np.ndarray) -> dict:
        lo, hi = wilson(int(g.size), n)
        return {"k": int(g.size), "share": g.size / n, "ci_low": lo, "ci_high": hi, "mean": float(g.mean()),
                "min": float(g[0]), "max": float(g[-1])}

    return {"cut": float((x[i] + x[i + 1]) / 2), "gap": gap, "ratio": ratio, "n": n,
            "low": group(low), "high": group(high)}


def describe(values, confidence: float = CONFIDENCE) -> dict:
    """:func:`interval`, plus ``"split"`` (see :func:`split`) when the replications fall into two groups."""
    out = interval(values, confidence)
    groups = split(values)
    if groups is not None:
        out["split"] = groups
    return out

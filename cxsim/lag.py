"""The lag between employee state and customer outcomes, measured (MODEL.md §4, issue 12).

"First job satisfaction coughs, then customer satisfaction": the model must show the lag, not
assume it. From the daily table, per policy and replication after the warm-up:

- x_t: the employee state, a 7-day mean of one daily staff signal, good-is-high (:data:`SIGNALS`):
  the agents' wellbeing W, engagement E, or −S (chronic strain, sign-flipped);
- y_t: NPS of the journeys that ended in the 7 days to t;
- both differenced over a week (x_t − x_{t−7}): trends and the weekly cycle would otherwise make
  every lag look alike (prewhitening, as a cross-correlation of trending series needs);
- r(k) = corr(x_t, y_{t+k}) for k = −K … K days: positive k means the customer side follows.

Which signal (:func:`choose_signal`, the rule used when ``employee="auto"``, the default): chronic
strain S when it is on (the daily strain varies), else wellbeing W. On a rota, every night off
resets the daily energy W, so the day's W is that day's load and carries nothing over days (a lag
read from it is 0 or noise); S builds and recovers over weeks on any rota. The W at the end of the
working day is no better: for one shift team the midnight W is an affine function of it (the gap to 1
shrinks by the same factor overnight), and a correlation does not change under an affine map.

Each replication's lag is the k of its largest r(k); the reported lag is the mean over the
replications with a t-interval (replications are independent), beside the mean cross-correlation
curve with pointwise intervals (the chart ``cxsim plot --chart lag``).

**Net of load** (``net_of_load`` in each policy's block, :func:`net_of_load`). Occupancy drives both
sides: a heavier week lengthens waits (NPS falls at once) and builds strain (S follows over weeks),
so r(k) mixes the load's two effects with any effect of the staff on the customers. Beside r(k),
the partial correlation of x_t and y_{t+k} given the same week's occupancy z_{t+k} (7-day busy ÷
staffed time, differenced over a week like the others): the correlation left in the regression of
weekly NPS on the lagged employee state and that week's occupancy. It is pooled over the
replications (each centred on its own means); the lag is the k of its largest value, with a 95 %
percentile interval from resampling the replications (a fixed seed: the same bytes every time).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable

import numpy as np

from .stats import interval

if TYPE_CHECKING:
    import pandas as pd

#: Days of lag searched either way, and the smoothing/differencing window (a week of days).
MAX_LAG, WINDOW = 28, 7


#: Resamples of the replications for the interval of the net-of-load lag (a fixed seed).
RESAMPLES, RESAMPLE_SEED = 400, 12


#: The employee signals a lag can be read from: columns of the daily table (the mean over employed agents).
SIGNALS = ("wellbeing", "strain", "engagement")


def choose_signal(daily: pd.DataFrame) -> str:
    """The ``auto`` rule: ``strain`` when the daily table's chronic strain varies (strain on), else ``wellbeing``."""
    if "strain" in daily.columns and daily["strain"].dropna().nunique() > 1:
        return "strain"
    return "wellbeing"


def weekly_change(daily: pd.DataFrame, employee: str = "wellbeing") -> tuple[np.ndarray, np.ndarray]:
    """(x, y): one run's week-on-week change of the employee state and of 7-day NPS, day by day."""
    d = daily.sort_values("day")
    x = d[employee].rolling(WINDOW).mean()
    if employee == "strain":
        x = -x  # more strain is a worse employee state: the same sign as wellbeing
    ended = d["journeys_ended"].rolling(WINDOW).sum()
    y = 100.0 * (d["promoters"] - d["detractors"]).rolling(WINDOW).sum() / ended.where(ended > 0)
    return x.diff(WINDOW).to_numpy(dtype=float), y.diff(WINDOW).to_numpy(dtype=float)


def cross_correlation(x: np.ndarray, y: np.ndarray, max_lag: int = MAX_LAG) -> np.ndarray:
    """r(k) = corr(x_t, y_{t+k}) for k = −max_lag … max_lag over the days where both are known."""
    out = np.full(2 * max_lag + 1, np.nan)
    n = len(x)
    for i, k in enumerate(range(-max_lag, max_lag + 1)):
        if abs(k) >= n:  # a series shorter than the lag has no pairs at it
            continue
        a, b = (x[:n - k], y[k:]) if k >= 0 else (x[-k:], y[:n + k])
        ok = np.isfinite(a) & np.isfinite(b)
        if ok.sum() > 2 and np.std(a[ok]) > 0 and np.std(b[ok]) > 0:
            out[i] = float(np.corrcoef(a[ok], b[ok])[0, 1])
    return out


def weekly_occupancy_change(daily: pd.DataFrame) -> np.ndarray:
    """One run's week-on-week change of the 7-day occupancy (busy ÷ staffed time), day by day."""
    d = daily.sort_values("day")
    staffed = d["staffed_area"].rolling(WINDOW).sum()
    z = d["busy_area"].rolling(WINDOW).sum() / staffed.where(staffed > 0)
    return z.diff(WINDOW).to_numpy(dtype=float)


def lagged_moments(x: np.ndarray, y: np.ndarray, z: np.ndarray, max_lag: int = MAX_LAG) -> np.ndarray:
    """Per k = −max_lag … max_lag, the centred cross-products of (x_t, y_{t+k}, z_{t+k}) over the days all
    three are known: rows [n, Sxx, Syy, Szz, Sxy, Sxz, Syz] (what the pooled partial correlation sums)."""
    out = np.zeros((2 * max_lag + 1, 7))
    n = len(x)
    for i, k in enumerate(range(-max_lag, max_lag + 1)):
        if abs(k) >= n:
            continue
        a, b, c = (x[:n - k], y[k:], z[k:]) if k >= 0 else (x[-k:], y[:n + k], z[:n + k])
        ok = np.isfinite(a) & np.isfinite(b) & np.isfinite(c)
        if ok.sum() < 3:
            continue
        a, b, c = a[ok] - a[ok].mean(), b[ok] - b[ok].mean(), c[ok] - c[ok].mean()
        out[i] = (ok.sum(), a @ a, b @ b, c @ c, a @ b, a @ c, b @ c)
    return out


def partial_correlation(m: np.ndarray) -> np.ndarray:
    """corr(x, y | z) per row of summed :func:`lagged_moments` (plain corr(x, y) where z does not vary)."""
    n, sxx, syy, szz, sxy, sxz, syz = m.T
    with np.errstate(divide="ignore", invalid="ignore"):
        inv = np.where(szz > 0, 1.0 / np.where(szz > 0, szz, 1.0), 0.0)
        rxx, ryy, rxy = sxx - sxz * sxz * inv, syy - syz * syz * inv, sxy - sxz * syz * inv
        r = rxy / np.sqrt(rxx * ryy)
    return np.where((n > 3) & (rxx > 1e-12 * np.maximum(sxx, 1e-300)) & (ryy > 1e-12 * np.maximum(syy, 1e-300)),
                    r, np.nan)


def net_of_load(runs: list[tuple[np.ndarray, np.ndarray, np.ndarray]], max_lag: int = MAX_LAG) -> dict | None:
    """The lag read from the partial correlation of the employee state and later NPS given that week's
    occupancy, pooled over ``runs`` ((x, y, z) per replication), with a percentile interval from resampling
    the replications; None when no lag has a value."""
    lags = np.arange(-max_lag, max_lag + 1)
    moments = np.array([lagged_moments(x, y, z, max_lag) for x, y, z in runs])
    r = partial_correlation(moments.sum(axis=0))
    if not np.isfinite(r).any():
        return None
    best = float(lags[int(np.nanargmax(r))])
    rng = np.random.default_rng(RESAMPLE_SEED)
    found = []
    for _ in range(RESAMPLES if len(runs) > 1 else 0):
        rb = partial_correlation(moments[rng.integers(0, len(runs), len(runs))].sum(axis=0))
        if np.isfinite(rb).any():
            found.append(float(lags[int(np.nanargmax(rb))]))
    low, high = (float(np.percentile(found, 2.5)), float(np.percentile(found, 97.5))) if found else (None, None)
    return {"control": "occupancy", "lag_days": {"mean": best, "ci_low": low, "ci_high": high, "n": len(runs)},
            "curve": {"lag": lags.tolist(), "r": [None if not np.isfinite(v) else float(v) for v in r]}}
def measurable(runs: Iterable[dict[str, np.ndarray]], warmup: float, max_lag: int = MAX_LAG) -> bool:
    """False when :func:`employee_customer_lag` (``employee="auto"``) is sure to find nothing: in no
    run is there a lag k with more than two days where both weekly changes are known. Decided from
    which values are known (NaN or not), never from the values' rounding, so it is exact; it needs
    no pandas, which a run whose daily tables cannot show a lag then never imports (0.3 s).

    ``runs``: each run's daily table as numpy columns. Both auto signals (wellbeing, strain) are
    tried: True if either could give a lag.
    """
    def full(known: np.ndarray) -> np.ndarray:  # rolling(WINDOW) is not NaN: WINDOW known values up to t
        return np.convolve(known, np.ones(WINDOW, dtype=int))[:len(known)] == WINDOW

    def change(level: np.ndarray) -> np.ndarray:  # diff(WINDOW) is not NaN: the level known at t and t − WINDOW
        out = np.zeros(len(level), dtype=bool)
        out[WINDOW:] = level[WINDOW:] & level[:-WINDOW]
        return out

    for run in runs:
        after = run["start"] >= warmup
        order = np.argsort(run["day"][after], kind="stable")
        column = {name: np.asarray(run[name][after][order], dtype=float)
                  for name in ("journeys_ended", "promoters", "detractors", "wellbeing", "strain") if name in run}
        ended = column["journeys_ended"]
        known = ~np.isnan(ended) & ~np.isnan(column["promoters"]) & ~np.isnan(column["detractors"])
        # 7-day NPS is known where the week's sums are and at least one journey ended in the week
        ended_in_week = np.convolve(np.where(np.isnan(ended), 0.0, ended), np.ones(WINDOW))[:len(ended)]
        y = change(full(known) & (ended_in_week > 0))
        for signal in ("wellbeing", "strain"):
            if signal not in run:
                continue
            x = change(full(~np.isnan(column[signal])))
            n = len(x)
            for k in range(-max_lag, max_lag + 1):
                if abs(k) >= n:
                    continue
                a, b = (x[:n - k], y[k:]) if k >= 0 else (x[-k:], y[:n + k])
                if int((a & b).sum()) > 2:
                    return True
    return False


def employee_customer_lag(daily: pd.DataFrame, warmup: float, employee: str = "auto",
                          max_lag: int = MAX_LAG) -> dict[str, dict]:
    """Per policy: the lag in days (mean and interval over replications) and the mean r(k) curve.

    ``employee`` is one of :data:`SIGNALS`, or ``auto`` (:func:`choose_signal`, on the days after the warm-up)."""
    d = daily[daily["start"] >= warmup]
    if employee == "auto":
        employee = choose_signal(d)
    elif employee not in SIGNALS:
        raise ValueError(f"employee signal {employee!r}: expected auto or one of {', '.join(SIGNALS)}")
    if employee not in d.columns or d[employee].dropna().nunique() < 2:
        return {}
    lags = np.arange(-max_lag, max_lag + 1)
    out: dict[str, dict] = {}
    for policy, runs in d.groupby("policy", sort=False):
        curves, best, series = [], [], []
        for _, run in runs.groupby("replication"):
            x, y = weekly_change(run, employee)
            r = cross_correlation(x, y, max_lag)
            if np.isfinite(r).any():
                curves.append(r)
                best.append(float(lags[int(np.nanargmax(r))]))
            if "busy_area" in run.columns and "staffed_area" in run.columns:
                series.append((x, y, weekly_occupancy_change(run)))
        if not curves:
            continue
        c = np.array(curves)
        bands = [interval(c[:, i]) for i in range(c.shape[1])]
        out[str(policy)] = {
            "employee": employee, "lag_days": interval(best), "lags": best,
            "curve": {"lag": lags.tolist(), "mean": [b["mean"] for b in bands],
                      "low": [b["ci_low"] for b in bands], "high": [b["ci_high"] for b in bands]}}
        net = net_of_load(series, max_lag) if series else None
        if net is not None:
            out[str(policy)]["net_of_load"] = net
    return out

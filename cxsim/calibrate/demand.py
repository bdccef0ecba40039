"""Demand from a log: needs per hour × weekday (level and profile), channel mix, need-type mix.

Needs are the log's first contacts (:mod:`.contacts`); retrials and repeats are what the model
makes of them. The scenario's profile is a product, weekday × hour of day, so the hour-of-week
counts are compared with that product (Pearson chi-square): the figure says whether the product
form fits.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from .contacts import FIRST
from .intervals import LEVEL, Estimate, poisson_rate, proportion

DAY, WEEK = 1440.0, 7 * 1440.0
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def exposure_days(start: float, end: float) -> np.ndarray:
    """Whole days of each weekday between two day boundaries (minutes from a Monday 00:00)."""
    days = np.arange(int(start // DAY), int(round(end / DAY)))
    return np.bincount(days % 7, minlength=7).astype(float)


def arrivals(df: pd.DataFrame, start: float, end: float, level: float = LEVEL
             ) -> tuple[Estimate, list[Estimate], list[Estimate]]:
    """The need rate (per hour), the 24 hourly and 7 weekday weights (mean 1), with intervals."""
    first = df["t"].to_numpy()[(df["kind"] == FIRST).to_numpy()]
    slot = (first // 60).astype(np.int64) % 168
    counts = np.bincount(slot, minlength=168).reshape(7, 24)
    days = exposure_days(start, end)
    n = int(counts.sum())
    by_hour, by_day = counts.sum(axis=0), counts.sum(axis=1)
    hourly = 24 * by_hour / n
    weekday_rate = np.where(days > 0, by_day / np.maximum(days, 1), 0.0)
    per_day = weekday_rate[days > 0].mean()
    weekly = weekday_rate / per_day
    # Product form: expected count of each hour-of-week slot, then Pearson's chi-square.
    expected = days[:, None] * per_day * weekly[:, None] * hourly[None, :] / 24
    used = expected > 0
    chi = float(((counts - expected)[used] ** 2 / expected[used]).sum())
    dof = max(int(used.sum()) - 1 - 23 - int((days > 0).sum() - 1), 1)
    fit = f"weekday × hour product: χ² p = {stats.chi2.sf(chi, dof):.2g}"
    rate, low, high = poisson_rate(n, (end - start) / 60.0, level)
    scale = per_day / 24 / rate if rate > 0 else 1.0  # per hour, weighted by weekday as the scenario is
    level_estimate = Estimate("demand.open.rate", rate * scale, low * scale, high * scale, "/h", fit, n, level)
    hours = []
    for h in range(24):
        p, lo, hi = proportion(int(by_hour[h]), n, level)
        hours.append(Estimate(f"demand.hourly_profile[{h}]", 24 * p, 24 * lo, 24 * hi, "", fit, int(by_hour[h]), level))
    weekdays = []
    for d in range(7):
        if days[d] == 0:
            weekdays.append(Estimate(f"demand.weekly_profile[{d}]", 1.0, 0.0, np.inf, "", "not in the log", 0))
            continue
        _, lo, hi = poisson_rate(int(by_day[d]), days[d], level)
        weekdays.append(Estimate(f"demand.weekly_profile[{d}]", weekly[d], lo / per_day, hi / per_day, "", fit,
                                 int(by_day[d]), level))
    return level_estimate, hours, weekdays


def mix(df: pd.DataFrame, column: str, path: str, level: float = LEVEL) -> list[Estimate]:
    """Shares of first contacts by ``column`` (channel or need type), each with its interval; the
    fit figure tests that the mix is the same on every weekday."""
    first = df.loc[(df["kind"] == FIRST).to_numpy(), [column, "t"]]
    counts = first[column].value_counts(sort=False)
    n = int(counts.sum())
    weekday = (first["t"].to_numpy() // DAY).astype(int) % 7
    table = pd.crosstab(first[column].to_numpy(), weekday).to_numpy()
    table = table[table.sum(axis=1) > 0][:, table.sum(axis=0) > 0]
    fit = f"same mix every weekday: χ² p = {stats.chi2_contingency(table).pvalue:.2g}" \
        if min(table.shape) > 1 else "one value only"
    out = []
    for name, k in counts.items():
        p, lo, hi = proportion(int(k), n, level)
        out.append(Estimate(f"{path}.{name}", p, lo, hi, "", fit, int(k), level))
    return out

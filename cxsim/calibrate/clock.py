"""The clock customers' delays are measured in (``clock:`` in a scenario, MODEL.md §3, §5).

``wall``: plain minutes. ``demand``: minutes along the demand profile (mean 1), the way the
engines advance a delay with ``clock: demand`` (kernels.arrivals.customer_delay): an hour at
twice the average demand counts two. A log records wall time; a delay fitted for a ``demand``
scenario is first converted with the log's own profile.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

HOUR, WEEK = 60.0, 7 * 1440.0


@dataclass(frozen=True)
class Clock:
    name: str                          # "wall" or "demand"
    week_profile: np.ndarray | None    # 168 weights of mean 1 (demand only)

    def span(self, start: np.ndarray, length: np.ndarray | float) -> np.ndarray:
        """How long ``length`` wall minutes from ``start`` last on this clock."""
        start = np.asarray(start, dtype=float)
        if self.week_profile is None:
            return np.broadcast_to(np.asarray(length, dtype=float), start.shape).copy()
        return self._cumulative(start + length) - self._cumulative(start)

    def _cumulative(self, t: np.ndarray) -> np.ndarray:
        """∫ profile from 0 to t: whole weeks, whole hours of the week, then the part hour."""
        profile = self.week_profile
        knots = np.concatenate([[0.0], np.cumsum(profile * HOUR)])
        weeks, within = np.divmod(t, WEEK)
        slot = np.minimum((within // HOUR).astype(np.int64), 167)
        return weeks * knots[-1] + knots[slot] + profile[slot] * (within - slot * HOUR)


WALL = Clock("wall", None)


def demand_clock(hourly: list[float], weekly: list[float]) -> Clock:
    """The clock of a scenario whose profile is ``weekly`` × ``hourly`` (each of mean 1)."""
    profile = np.outer(np.asarray(weekly, dtype=float), np.asarray(hourly, dtype=float)).ravel()
    return Clock("demand", profile / profile.mean())

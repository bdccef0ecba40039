"""Non-homogeneous Poisson arrivals with an hour-of-week rate profile, by exact inversion."""

from __future__ import annotations

import math

import numpy as np
from numba import njit

HOUR = 60.0
WEEK = 7 * 24 * 60.0


@njit(cache=True)
def next_arrival(now: float, u: float, week_rate: np.ndarray, scale: float) -> float:
    """Time of the next arrival after ``now``.

    ``week_rate`` holds 168 rates per minute (one per hour of the week, Monday 00:00 first), each
    multiplied by ``scale`` (1 for an open stream, the number of active customers for a
    population). The cumulative intensity is piecewise linear, so one unit exponential maps to
    exactly one arrival time: the uniform ``u`` becomes one unit exponential, with no thinning and
    no wasted draws, so common random numbers stay aligned. Returns ``inf`` when the rate is zero.
    """
    if scale <= 0.0:
        return math.inf
    remaining = -math.log1p(-u)
    t = now
    empty_hours = 0
    while True:
        slot = int((t % WEEK) // HOUR)
        if slot > 167:
            slot = 167
        slot_end = t - (t % HOUR) + HOUR
        rate = week_rate[slot] * scale
        if rate > 0.0:
            empty_hours = 0
            span = slot_end - t
            if rate * span >= remaining:
                return t + remaining / rate
            remaining -= rate * span
        else:
            empty_hours += 1
            if empty_hours > 168:
                return math.inf
        t = slot_end

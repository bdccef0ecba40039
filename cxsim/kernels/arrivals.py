"""Time that follows the demand profile: non-homogeneous Poisson arrivals and customer delays.

Both use the cumulative intensity of a piecewise-constant hour-of-week rate, inverted exactly.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from ..minutes import HOUR, WEEK


@njit(cache=True)
def advance(now: float, amount: float, week_rate: np.ndarray, scale: float) -> float:
    """The time at which ``∫ scale · week_rate`` from ``now`` reaches ``amount``.

    ``week_rate`` holds 168 values, one per hour of the week (Monday 00:00 first). Returns ``inf``
    when the rate is zero everywhere.
    """
    if scale <= 0.0:
        return math.inf
    remaining = amount
    t = now
    empty_hours = 0
    while True:
        # The same values as int((t % WEEK) // HOUR) and t - (t % HOUR) + HOUR with two float
        # remainders instead of three, for t >= 0 (every time in a run): remainders are exact, so the
        # week position's remainder by the hour is t's, and week_pos - into_hour is whole hours.
        week_pos = t % WEEK
        into_hour = week_pos % HOUR
        slot = int((week_pos - into_hour) / HOUR)
        if slot > 167:
            slot = 167
        slot_end = t - into_hour + HOUR
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


@njit(cache=True)
def next_arrival(now: float, u: float, week_rate: np.ndarray, scale: float) -> float:
    """Time of the next arrival after ``now`` of a Poisson process with rate ``scale · week_rate``.

    One uniform becomes one unit exponential of cumulative intensity: no thinning and no wasted
    draws, so common random numbers stay aligned.
    """
    return advance(now, -math.log1p(-u), week_rate, scale)


@njit(cache=True)
def customer_delay(now: float, delay: float, week_profile: np.ndarray) -> float:
    """When a customer who waits ``delay`` minutes of *their* time comes back.

    Customers come back when they are active: a two-day delay measured along the demand profile
    (mean 1) lands in office hours as often as first contacts do, instead of at 3 a.m.
    """
    return advance(now, delay, week_profile, 1.0)


@njit(cache=True)
def customer_return_time(now: float, delay: float, week_profile: np.ndarray, wall_clock: bool) -> float:
    """When a customer's own delay (a retry, a return) ends: in plain minutes with the wall clock (as a
    contact log records it), else along the demand profile (``customer_delay``)."""
    if wall_clock:
        return now + delay
    return customer_delay(now, delay, week_profile)


@njit(cache=True)
def intensity(start: float, end: float, week_rate: np.ndarray, scale: float) -> float:
    """∫ scale · week_rate from ``start`` to ``end`` (the expected number of arrivals)."""
    total = 0.0
    t = start
    while t < end:
        slot = min(int((t % WEEK) // HOUR), 167)
        slot_end = min(t - (t % HOUR) + HOUR, end)
        total += week_rate[slot] * scale * (slot_end - t)
        t = slot_end
    return total


@njit(cache=True)
def next_arrival_shaped(now: float, u: float, week_rate: np.ndarray, scale: float, change_at: np.ndarray,
                        factor: np.ndarray) -> float:
    """``next_arrival`` with demand multiplied by ``factor[i]`` from ``change_at[i]`` on (spikes).

    ``change_at`` is sorted; before ``change_at[0]`` the factor is 1. Exact: the unit exponential is
    spent segment by segment.
    """
    remaining = -math.log1p(-u)
    t = now
    while True:
        i = np.searchsorted(change_at, t, side="right") - 1
        f = factor[i] if i >= 0 else 1.0
        end = change_at[i + 1] if i + 1 < change_at.shape[0] else math.inf
        candidate = advance(t, remaining, week_rate, scale * f)
        if candidate <= end:
            return candidate
        remaining -= intensity(t, end, week_rate, scale * f)
        t = end


@njit(cache=True)
def next_need_time(t: float, u: float, week_rate: np.ndarray, scale: float, change_at: np.ndarray,
                   factor: np.ndarray) -> float:
    """When the next need arrives after ``t``: the weekly profile, times the demand factor if the
    scenario has spikes (one uniform)."""
    if len(change_at):
        return next_arrival_shaped(t, u, week_rate, scale, change_at, factor)
    return next_arrival(t, u, week_rate, scale)

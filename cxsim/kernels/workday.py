"""The workforce's decisions: an agent's energy between events, an agent's day, a team's standard.

Engines decide *when* these apply (at every change of an agent's state, once a day, every
``erosion.interval``); what they do is written here once (MODEL.md §4–§5). Rates are per minute.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from ..minutes import DAY
from .erosion import erode_standard, required_capacity, smooth, work_pressure
from .handling import pressure_multiplier
from .wellbeing import attrition_probability, boreout_after, wellbeing_after


@njit(cache=True)
def energy_after(wellbeing: float, low_since: float, dt: float, sessions: int, on_duty: bool, upset: int,
                 pressure: float, now: float, drain: float, pressure_drain: float, upset_hit: float,
                 recover_idle: float, recover_off: float, support: float,
                 burnout_below: float) -> tuple[bool, float, float]:
    """(changed, W, low since) after ``dt`` minutes in the agent's state and ``upset`` upset customers.

    Nothing changes when no time passed and nobody was upset. The burnout clock starts when W
    falls below ``burnout_below`` — not at midnight — and stops when it is back above.
    """
    if dt <= 0.0 and upset == 0:
        return False, wellbeing, low_since
    busy = dt if sessions > 0 else 0.0
    idle = dt if sessions == 0 and on_duty else 0.0
    off = dt if not on_duty else 0.0
    w = wellbeing_after(wellbeing, busy, idle, off, pressure, float(upset), drain, pressure_drain, upset_hit,
                        recover_idle, recover_off, support)
    if w < burnout_below:
        if low_since < 0.0:
            low_since = now
    else:
        low_since = -1.0
    return True, w, low_since


@njit(cache=True)
def day_end(wellbeing: float, staffed: float, busy: float, boreout_below: float,
            boreout_rate: float) -> tuple[bool, bool, float]:
    """(worked today, bored today, W) at the end of an agent's day of ``staffed`` minutes on duty."""
    if staffed <= 0.0:
        return False, False, wellbeing
    occupancy = busy / staffed
    if occupancy < boreout_below:
        return True, True, boreout_after(wellbeing, occupancy, boreout_below, boreout_rate, DAY)
    return True, False, wellbeing


@njit(cache=True)
def burnout_starts(absent: bool, low_since: float, now: float, burnout_after: float) -> bool:
    """Burnout absence begins once W has stayed below the threshold for ``burnout_after`` minutes."""
    return not absent and low_since >= 0.0 and now - low_since >= burnout_after


@njit(cache=True)
def leaves(u_leave: float, wellbeing: float, reference: float, attrition_per_year: float,
           sensitivity: float) -> bool:
    """Whether the agent resigns today (attrition hazard rises as W falls)."""
    return u_leave < attrition_probability(wellbeing, reference, attrition_per_year, sensitivity, 1.0)


@njit(cache=True)
def team_step(pressure: float, standard: float, multiplier: float, capacity: float, offered: float,
              waiting: float, given: float, count: int, pinned: bool, interval: float, clear_time: float,
              mean_work: float, smoothing: float, alpha: float, alpha_slack: float, tau_down: float,
              tau_up: float) -> tuple[float, float, float]:
    """(pressure, multiplier, standard) of a team after one erosion interval (Oliva & Sterman 2001).

    A team with nobody on duty keeps its last pressure; a pinned standard stays at 1; a standard
    moves only toward time actually given (``given`` summed over ``count`` encounters).
    """
    if capacity > 0.0:
        required = required_capacity(offered, waiting, interval, clear_time, mean_work)
        pressure = smooth(pressure, work_pressure(required, capacity), interval, smoothing)
        multiplier = pressure_multiplier(pressure, alpha, alpha_slack)
    if pinned:
        standard = 1.0
    elif count:
        standard = erode_standard(standard, given / count, interval, tau_down, tau_up)
    return pressure, multiplier, standard


@njit(cache=True)
def leaving_order(busy: np.ndarray, hired: np.ndarray) -> np.ndarray:
    """Who goes first when a head count is cut: idle agents before busy ones, newest hires first.

    A stable insertion sort on (busy, −hired) over the team's employed agents, in the order given;
    returns positions into ``busy``/``hired``. (Stable: equal keys keep their order, like ``sorted``.)
    """
    n = busy.shape[0]
    order = np.arange(n)
    for i in range(1, n):
        x = order[i]
        j = i - 1
        while j >= 0 and _goes_after(busy[order[j]], hired[order[j]], busy[x], hired[x]):
            order[j + 1] = order[j]
            j -= 1
        order[j + 1] = x
    return order


@njit(cache=True)
def _goes_after(busy_a: bool, hired_a: float, busy_b: bool, hired_b: float) -> bool:
    if busy_a != busy_b:
        return busy_a
    return -hired_a > -hired_b

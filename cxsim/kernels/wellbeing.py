"""Workforce wellbeing W ∈ [0, 1] and what it does (MODEL.md §4).

W falls with busy time, more so under pressure, and with upset customers; it recovers when idle
and off shift. Sustained very low occupancy lowers it too (boreout). Low W slows work a little and
hurts quality a lot (Singh 2000: productivity is kept longer than quality), raises attrition, and
below a threshold for long enough, takes the agent off sick.
"""

from __future__ import annotations

import math

from numba import njit


@njit(cache=True)
def wellbeing_after(w: float, busy: float, idle: float, off: float, pressure: float, upset: float,
                    drain: float, pressure_drain: float, upset_hit: float, recover_idle: float,
                    recover_off: float, support: float) -> float:
    """W after a stretch of ``busy``, ``idle`` and ``off`` minutes and ``upset`` upset customers.

    Drain is linear in busy time (faster under positive pressure); recovery closes a share of the
    gap to 1 per minute (faster with wellbeing support). Rates are per minute.
    """
    w -= busy * drain * (1.0 + pressure_drain * max(pressure, 0.0)) + upset * upset_hit / support
    w = max(w, 0.0)
    recovery = idle * recover_idle + off * recover_off
    w = 1.0 - (1.0 - w) * math.exp(-recovery * support)
    return min(max(w, 0.0), 1.0)


@njit(cache=True)
def boreout_after(w: float, occupancy: float, threshold: float, rate: float, minutes: float) -> float:
    """Engagement lost to sustained very low occupancy over ``minutes`` (none above ``threshold``)."""
    if occupancy >= threshold or threshold <= 0.0:
        return w
    return max(0.0, w - rate * minutes * (threshold - occupancy) / threshold)


@njit(cache=True)
def speed_effect(w: float, onset: float, max_loss: float) -> float:
    """Work speed multiplier: 1 until W falls below ``onset``, then down to 1 − max_loss at W = 0."""
    if w >= onset:
        return 1.0
    return 1.0 - max_loss * (onset - w) / onset


@njit(cache=True)
def quality_effect(w: float, onset: float, max_loss: float) -> float:
    """g(W), the resolution multiplier: quality goes first (higher onset than speed)."""
    if w >= onset:
        return 1.0
    return 1.0 - max_loss * (onset - w) / onset


@njit(cache=True)
def attrition_probability(w: float, reference: float, base_per_year: float, sensitivity: float, days: float) -> float:
    """Probability of leaving within ``days``: the base hazard at W = ``reference``, rising as W falls."""
    hazard = -math.log1p(-min(base_per_year, 0.999)) / 365.0 * math.exp(sensitivity * (reference - w))
    return 1.0 - math.exp(-hazard * days)


@njit(cache=True)
def rookie_effectiveness(tenure: float, start: float, ramp: float) -> float:
    """Proficiency of a new hire ``tenure`` minutes in: from ``start`` up to 1 over ``ramp`` minutes."""
    if ramp <= 0.0 or tenure >= ramp:
        return 1.0
    return start + (1.0 - start) * tenure / ramp

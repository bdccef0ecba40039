"""Chronic strain S ∈ [0, 1]: the slow time scale of the workforce (MODEL.md §4).

Energy W is what a hard afternoon does and a night puts right; strain S is what weeks of them do
(job demands–resources model; Maslach's exhaustion). Once a day, for each employed agent:

- a day worked that *ends* with W below ``low_below`` adds strain, more the lower W ended;
- a recent working load (occupancy smoothed over ~a working week of days worked) above the
  sustainable level adds strain, more the further above;
- strain builds toward 1 (the build-up is a share of the room left), and recovers as a share of
  itself: slowly on a working day, faster on a day off, on leave or off sick, both faster with
  wellbeing support. Nights reset W, never S.

Burnout absence starts when S reaches ``burnout_above``; the attrition hazard rises with S.
Written once here; both engines call these at their daily step.
"""

from __future__ import annotations

import math

from numba import njit

from .wellbeing import attrition_probability
from .workday import burnout_starts


@njit(cache=True)
def strain_after(strain: float, load: float, staffed: float, busy: float, energy: float, support: float,
                 low_below: float, per_low_day: float, sustainable: float, per_overload_day: float,
                 load_days: float, recover_working: float, recover_off: float) -> tuple[float, float]:
    """(S, load) after a day of ``staffed`` minutes on duty, ``busy`` of them busy, whose lowest W was ``energy``.

    ``load`` is the occupancy of recent days worked, smoothed over ``load_days`` of them (a day
    off leaves it as it was: a week's load is a week's, however the rota falls). Recovery rates
    are shares of S per day, multiplied by ``support``.
    """
    return strain_day(strain, load, staffed, busy, energy, support, 0.0, low_below, per_low_day, sustainable,
                      per_overload_day, load_days, recover_working, recover_off)


@njit(cache=True)
def strain_day(strain: float, load: float, staffed: float, busy: float, energy: float, support: float, extra: float,
               low_below: float, per_low_day: float, sustainable: float, per_overload_day: float,
               load_days: float, recover_working: float, recover_off: float) -> tuple[float, float]:
    """:func:`strain_after` with ``extra`` build-up on a day worked (upset customers, overtime:
    :func:`cxsim.kernels.engagement.strain_extra`), added to the low-W and overload terms."""
    if staffed > 0.0:
        load += (busy / staffed - load) / load_days
        build = 0.0
        if energy < low_below and low_below > 0.0:
            build += per_low_day * (low_below - energy) / low_below
        if load > sustainable and sustainable < 1.0:
            build += per_overload_day * (load - sustainable) / (1.0 - sustainable)
        build += extra
        strain += min(build, 1.0) * (1.0 - strain)
        strain *= math.exp(-recover_working * support)
    else:
        strain *= math.exp(-recover_off * support)
    return min(max(strain, 0.0), 1.0), load


@njit(cache=True)
def strain_burnout(absent: bool, strain: float, burnout_above: float) -> bool:
    """Burnout absence begins when chronic strain reaches the threshold (not while already off)."""
    return not absent and strain >= burnout_above


@njit(cache=True)
def leave_chance(energy: float, strain: float, reference: float, per_year: float, sensitivity: float,
                 strain_sensitivity: float, on: bool) -> float:
    """Probability of resigning today: the W-driven hazard, × exp(``strain_sensitivity`` · S) when on.

    With strain off this is exactly the W-only rule of :func:`cxsim.kernels.workday.leaves`.
    """
    if not on:
        return attrition_probability(energy, reference, per_year, sensitivity, 1.0)
    hazard = -math.log1p(-min(per_year, 0.999)) / 365.0 * math.exp(sensitivity * (reference - energy)
                                                                    + strain_sensitivity * strain)
    return 1.0 - math.exp(-hazard)


@njit(cache=True)
def burnout_begins(on: bool, absent: bool, low_since: float, now: float, burnout_after: float, strain: float,
                   burnout_above: float) -> bool:
    """Whether burnout absence starts today: by chronic strain when it is on, else by days of low W."""
    if on:
        return strain_burnout(absent, strain, burnout_above)
    return burnout_starts(absent, low_since, now, burnout_after)

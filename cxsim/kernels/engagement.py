"""Engagement E ∈ [0, 1] per agent, and the other daily inputs of the workforce's slow state (MODEL.md §4).

Engagement is the third workforce state beside energy W and chronic strain S. Once a day, for
each employed agent who worked that day:

- a day worked at an occupancy below ``bored_below`` (boreout: sustained very low occupancy; the
  same for work below the agent's skill, a team's ``skill_use`` below 1) lowers E by a share of
  itself, the more the emptier the day;
- any other day worked restores a share of the gap to 1. Days off leave E as it is.

A single empty day costs little; weeks of them add up: boreout is *sustained* low occupancy.
Low E raises the attrition hazard (× exp(``attrition_sensitivity`` · (1 − E))). With
engagement off nothing here is called and the model is what it was.

Also here, the extra inputs of chronic strain a day brings besides low W and overload (issue 12):
customers who left the agent upset and overtime (time on duty beyond the contracted day).
Written once; both engines call these at their daily step.
"""

from __future__ import annotations

import math

from numba import njit

from .strain import leave_chance, strain_day
from .wellbeing import quality_effect


@njit(cache=True)
def boredom(staffed: float, busy: float, bored_below: float, skill_use: float) -> float:
    """How empty a day worked was, in [0, 1]: 0 at or above ``bored_below`` occupancy, 1 at 0.

    Work below the agent's skill counts as emptiness too: the occupancy is read as
    ``occupancy × skill_use`` (``skill_use`` 1: the work uses the agent's whole skill).
    """
    if staffed <= 0.0 or bored_below <= 0.0:
        return 0.0
    used = busy / staffed * skill_use
    if used >= bored_below:
        return 0.0
    return (bored_below - used) / bored_below


@njit(cache=True)
def engagement_after(engagement: float, staffed: float, busy: float, bored_below: float, skill_use: float,
                     per_bored_day: float, recover_per_day: float) -> float:
    """E after a day of ``staffed`` minutes on duty, ``busy`` of them busy (no change on a day off)."""
    if staffed <= 0.0:
        return engagement
    b = boredom(staffed, busy, bored_below, skill_use)
    if b > 0.0:
        engagement *= 1.0 - min(per_bored_day * b, 1.0)
    else:
        engagement += (1.0 - engagement) * min(recover_per_day, 1.0)
    return min(max(engagement, 0.0), 1.0)


@njit(cache=True)
def engaged_leave_chance(energy: float, strain: float, engagement: float, reference: float, per_year: float,
                         sensitivity: float, strain_sensitivity: float, strain_on: bool, engagement_sensitivity: float,
                         engagement_on: bool) -> float:
    """Probability of resigning today: the W (and S) rule, × exp(``engagement_sensitivity`` · (1 − E)) when on.

    With engagement off this is exactly :func:`cxsim.kernels.strain.leave_chance`.
    """
    chance = leave_chance(energy, strain, reference, per_year, sensitivity, strain_sensitivity, strain_on)
    if not engagement_on:
        return chance
    hazard = -math.log1p(-min(chance, 0.999999)) * math.exp(engagement_sensitivity * (1.0 - engagement))
    return 1.0 - math.exp(-hazard)


@njit(cache=True)
def delivered_quality(energy: float, strain: float, engagement: float, onset: float, loss: float,
                      strain_loss: float, engagement_loss: float) -> float:
    """The resolution multiplier an agent delivers: g(W) (:func:`cxsim.kernels.wellbeing.quality_effect`),
    × (1 − ``strain_loss`` · S) and × (1 − ``engagement_loss`` · (1 − E)) (MODEL.md §4: high S and low E
    lower quality). With S = 0 and E = 1 (strain and engagement off) it is g(W), bit for bit."""
    q = quality_effect(energy, onset, loss)
    if strain > 0.0 and strain_loss > 0.0:
        q *= 1.0 - min(strain_loss * strain, 1.0)
    if engagement < 1.0 and engagement_loss > 0.0:
        q *= 1.0 - min(engagement_loss * (1.0 - engagement), 1.0)
    return q


@njit(cache=True)
def agent_day(strain: float, load: float, engagement: float, staffed: float, busy: float, lowest: float, upset: float,
              rostered: bool, skill_use: float, support: float, strain_on: bool, low_below: float, per_low_day: float,
              sustainable: float, per_overload_day: float, load_days: float, recover_working: float,
              recover_off: float, per_upset: float, contract: float, per_overtime_hour: float, engagement_on: bool,
              bored_below: float, per_bored_day: float, recover_per_day: float) -> tuple[float, float, float]:
    """(S, load, E) of one agent after a day of ``staffed`` minutes on duty, ``busy`` of them busy, whose
    lowest W was ``lowest``, with ``upset`` upset customers: the slow states' daily step, as both engines
    take it (strain off: S and the load stay; engagement off: E stays)."""
    if strain_on:
        extra = strain_extra(upset, overtime_hours(staffed, contract, rostered), per_upset, per_overtime_hour,
                             support)
        strain, load = strain_day(strain, load, staffed, busy, lowest, support, extra, low_below, per_low_day,
                                  sustainable, per_overload_day, load_days, recover_working, recover_off)
    if engagement_on:
        engagement = engagement_after(engagement, staffed, busy, bored_below, skill_use, per_bored_day,
                                      recover_per_day)
    return strain, load, engagement


@njit(cache=True)
def overtime_hours(staffed: float, contract: float, rostered: bool) -> float:
    """Hours on duty in a day beyond the contracted ``contract`` minutes (0 for a team always on duty:
    its 'agents' are seats kept staffed round the clock, not one person's day)."""
    if not rostered or staffed <= contract:
        return 0.0
    return (staffed - contract) / 60.0


@njit(cache=True)
def strain_extra(upset: float, overtime: float, per_upset: float, per_overtime_hour: float, support: float) -> float:
    """Strain a day adds (as a share of the room left to 1) from upset customers and overtime hours.

    Wellbeing support buffers the upsets (÷ support, as it does their hit on W), not the hours."""
    return min(upset * per_upset / support + overtime * per_overtime_hour, 1.0)

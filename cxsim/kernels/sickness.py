"""Baseline sickness absence (MODEL.md §4, shrinkage): spells of whole days, whatever the workload.

Apart from burnout (:mod:`cxsim.kernels.strain`), staff fall ill: about 5 % of paid time in a
contact centre (call-centre staff lose 12.4 days a year, CIPD absence survey 2009). Once a day, at
the daily step, for each employed agent:

- an agent off sick counts down the days of the spell, and is back when it reaches 0;
- an agent at work (not off sick, not absent with burnout, and not just back today) begins a
  spell with probability ``chance`` (the rate per agent-day); its length is a whole number of
  days, geometric with mean ``mean_days`` (≥ 1), drawn from one uniform.

With a spell beginning with probability r on each day worked and lasting L days on average, the
days at work between spells average 1/r and the share of agent-days off sick is rL / (1 + rL)
(a renewal process; ``sick_share``). Written once here; both engines call it at their daily step,
drawing the same two uniforms of their own stream for every employed agent every day.
"""

from __future__ import annotations

import math

from numba import njit

NOTHING, FALLS_SICK, BACK = 0, 1, 2


@njit(cache=True)
def spell_days(mean_days: float, u: float) -> int:
    """A spell's length in whole days, geometric on 1, 2, … with mean ``mean_days``, by inversion of ``u`` ∈ [0, 1)."""
    if mean_days <= 1.0:
        return 1
    return 1 + int(math.floor(math.log1p(-u) / math.log1p(-1.0 / mean_days)))


@njit(cache=True)
def sickness_day(on: bool, sick_left: int, absent: bool, chance: float, mean_days: float, u_start: float,
                 u_length: float) -> tuple[int, int]:
    """(days of the spell still to go, NOTHING / FALLS_SICK / BACK) for one agent at the daily step.

    ``sick_left`` > 0: the agent is off sick; ``absent``: off for any reason (burnout included)."""
    if not on:
        return sick_left, NOTHING
    if sick_left > 0:
        sick_left -= 1
        return sick_left, BACK if sick_left == 0 else NOTHING
    if absent or u_start >= chance:
        return 0, NOTHING
    return spell_days(mean_days, u_length), FALLS_SICK


def sick_share(rate: float, mean_days: float) -> float:
    """The long-run share of agent-days off sick: rL / (1 + rL) (the oracle of the kernel above)."""
    return rate * mean_days / (1.0 + rate * mean_days)

"""The running totals both engines keep, counted and summed by one rule (MODEL.md §7, §10).

Both engines used to count a journey's end (solved or given up, its score, promoter or detractor,
answered the survey) and to assemble the daily table's running totals (sums over teams, what is 0
without a population or a workforce) each in its own idiom, kept in step only by the identity
tests. The counts now live in one float array laid out by :data:`cxsim.layouts.COUNTS` in both
engines, and these kernels are the only code that adds a journey to it and turns it, with the
time integrals an engine reads off its levels, into the row of :data:`cxsim.layouts.TOTALS`. An
agent's record at the horizon is written here too (its warm-up differences and units).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from ..layouts import (
    A_ABSENT_DAYS, A_AGENT, A_BOREOUT_DAYS, A_BUSY, A_ENGAGEMENT, A_HANDLED, A_HIRED, A_LEFT, A_STAFFED, A_STRAIN,
    A_TEAM, A_WELLBEING, C_DETRACTORS, C_GIVEN_UP, C_JOURNEYS, C_PROMOTERS, C_RESP_DETRACTORS, C_RESP_PROMOTERS, C_RESPONDENTS, C_SCORE,
    C_SOLVED, T_ABSENT_AREA, T_ACQUIRED, T_BOREOUT_DAYS, T_BUSY_AREA, T_CHURNED, T_CUSTOMER_AREA, T_EMPLOYED_AREA,
    T_EXPECTED_LEAVERS, T_HIRES, T_LEAVERS, T_PRESSURE_AREA, T_QUEUE_AREA, T_STAFF_COST, T_STAFFED_AREA,
    T_SICK_AREA, T_STAFFED_DAYS, T_VALUE_AREA, TOTAL_OF_COUNT,
)
from ..minutes import DAY


@njit(cache=True)
def count_journey(counts: np.ndarray, solved: bool, scored: bool, score: float, nps: int, responded: bool) -> None:
    """Add one ended journey to ``counts``: solved or given up, and (``scored``: the experience
    mechanism is on) its score, its NPS class and whether the customer answered the survey."""
    counts[C_SOLVED if solved else C_GIVEN_UP] += 1
    if not scored:
        return
    counts[C_JOURNEYS] += 1
    counts[C_SCORE] += score
    counts[C_PROMOTERS] += nps > 0
    counts[C_DETRACTORS] += nps < 0
    if responded:
        counts[C_RESPONDENTS] += 1
        counts[C_RESP_PROMOTERS] += nps > 0
        counts[C_RESP_DETRACTORS] += nps < 0


@njit(cache=True)
def running_totals(out: np.ndarray, counts: np.ndarray, queue_area: float, busy_area: float,
                   team_staffed: np.ndarray, team_cost: np.ndarray, pressure_area: float, population: bool,
                   churned: float, acquired: float, customer_area: float, value_area: float, workforce: bool,
                   leavers: float, employed_area: float, absent_area: float, boreout_days: float,
                   staffed_days: float, expected_leavers: float, hires: float, sick_area: float) -> None:
    """The running totals of :data:`cxsim.layouts.TOTALS` at one moment, into ``out``.

    ``team_staffed`` is each team's staffed time so far and ``team_cost`` its cost per minute; both
    are added team by team, left to right (the two engines must agree to the last bit). The
    customers' totals count only with a population, the workforce's only with the wellbeing
    mechanism; otherwise they are 0.
    """
    for c in range(len(TOTAL_OF_COUNT)):
        out[TOTAL_OF_COUNT[c]] = counts[c]
    staffed, cost = 0.0, 0.0
    for t in range(len(team_staffed)):
        staffed += team_staffed[t]
    for t in range(len(team_staffed)):
        cost += team_staffed[t] * team_cost[t]
    out[T_QUEUE_AREA], out[T_BUSY_AREA] = queue_area, busy_area
    out[T_STAFFED_AREA], out[T_STAFF_COST] = staffed, cost
    out[T_PRESSURE_AREA] = pressure_area
    out[T_CHURNED] = churned if population else 0.0
    out[T_ACQUIRED] = acquired if population else 0.0
    out[T_CUSTOMER_AREA] = customer_area if population else 0.0
    out[T_VALUE_AREA] = value_area if population else 0.0
    out[T_LEAVERS] = leavers if workforce else 0.0
    out[T_EMPLOYED_AREA] = employed_area if workforce else 0.0
    out[T_ABSENT_AREA] = absent_area if workforce else 0.0
    out[T_BOREOUT_DAYS] = boreout_days if workforce else 0.0
    out[T_STAFFED_DAYS] = staffed_days if workforce else 0.0
    out[T_EXPECTED_LEAVERS] = expected_leavers if workforce else 0.0
    out[T_HIRES] = hires if workforce else 0.0
    out[T_SICK_AREA] = sick_area if workforce else 0.0


@njit(cache=True)
def agent_row(row: np.ndarray, agent: int, team: int, staffed: float, busy: float, handled: int, wellbeing: float,
              absent_minutes: float, boreout_days: int, hired: float, left: float, strain: float, engagement: float,
              warm_staffed: float, warm_busy: float, warm_handled: int) -> None:
    """An agent's record (``records.AgentRecord`` columns) at the horizon: staffed and busy time and
    contacts handled since the end of the warm-up (``warm_*``: the totals then), absence in days, and
    the hire time (NaN for the original staff, who were "hired" at -1e18)."""
    row[A_AGENT], row[A_TEAM] = agent, team
    row[A_STAFFED], row[A_BUSY], row[A_HANDLED] = staffed - warm_staffed, busy - warm_busy, handled - warm_handled
    row[A_WELLBEING], row[A_ABSENT_DAYS], row[A_BOREOUT_DAYS] = wellbeing, absent_minutes / DAY, boreout_days
    row[A_HIRED] = hired if hired > -1e17 else math.nan
    row[A_LEFT], row[A_STRAIN], row[A_ENGAGEMENT] = left, strain, engagement

"""Management as a controller: measurements with delays, noise and bias, and the review rule (MODEL.md §9).

At each review (a cut of the daily table that closes a review cycle) management reads the daily
rows so far: the *measured* KPIs of the cycle that ended ``measurement_delay`` before the review —
AHT and cost per contact from the system, NPS from the survey's respondents (whose response
probability depends on their experience, ``kernels.loyalty.survey_response_probability``), read
from a sample of ``survey_sample`` answers, and contacts per need — and the *true* KPIs of the
cycle that just ended (every journey, no delay, no sample) beside them. Each rule moves its lever
by ``step`` per unit of shortfall (an integral controller: the levers keep moving until the
measured KPI meets its target), within the lever's limits. The decision takes effect
``implementation_delay`` after the review; the engines only schedule that and store the levers.

Written once here and called by both engines with the same numbers.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from ..layouts import (
    D_BUSY_AREA, D_END, D_HANDLED, D_JOURNEYS, D_NEEDS_CREATED, D_OFFERED, D_PROMOTERS, D_DETRACTORS,
    D_RESP_DETRACTORS, D_RESP_PROMOTERS, D_RESPONDENTS, D_STAFF_COST,
)

#: KPI codes (``scenario.mechanisms.KPIS`` order) and lever codes (``MANAGED_LEVERS`` order).
K_AHT, K_COST, K_NPS, K_CPN = range(4)
N_KPIS = 4
L_BUDGET, L_STAFFING, L_SUPPORT, L_EMPATHY = range(4)
N_LEVERS = 4

#: The columns of one review's row (``records.Review``): review number, time, when it applies,
#: measured and true value of each KPI, the lever values decided, and whether anything changed.
R_REVIEW, R_AT, R_APPLIES = 0, 1, 2
R_MEASURED = 3               # + 2 k: measured KPI k
R_TRUE = 4                   # + 2 k: true KPI k
R_LEVERS = R_MEASURED + 2 * N_KPIS   # + lever
R_CHANGED = R_LEVERS + N_LEVERS
REVIEW_COLS = R_CHANGED + 1


@njit(cache=True)
def window_kpis(days: np.ndarray, n_days: int, low: float, high: float, survey: bool, out: np.ndarray) -> float:
    """KPIs of the daily rows that end in (``low``, ``high``]; ``survey``: NPS from respondents only.

    Returns the number of respondents (survey) or journeys (true) behind the NPS.
    """
    handled = busy = cost = offered = created = journeys = promoters = detractors = 0.0
    for i in range(n_days):
        end = days[i, D_END]
        if low < end <= high:
            handled += days[i, D_HANDLED]
            busy += days[i, D_BUSY_AREA]
            cost += days[i, D_STAFF_COST]
            offered += days[i, D_OFFERED]
            created += days[i, D_NEEDS_CREATED]
            if survey:
                journeys += days[i, D_RESPONDENTS]
                promoters += days[i, D_RESP_PROMOTERS]
                detractors += days[i, D_RESP_DETRACTORS]
            else:
                journeys += days[i, D_JOURNEYS]
                promoters += days[i, D_PROMOTERS]
                detractors += days[i, D_DETRACTORS]
    out[K_AHT] = busy / handled if handled > 0 else math.nan
    out[K_COST] = cost / handled if handled > 0 else math.nan
    out[K_NPS] = 100.0 * (promoters - detractors) / journeys if journeys > 0 else math.nan
    out[K_CPN] = offered / created if created > 0 else math.nan
    return journeys


@njit(cache=True)
def nps_sampling_sd(nps: float, respondents: float, sample: int) -> float:
    """Standard deviation of the NPS read from ``sample`` of ``respondents`` answers (drawn without
    replacement), given the respondents' NPS and, for the variance, promoters + detractors ≈ all of them
    at the extremes: the variance of a ±1/0 answer is p₊ + p₋ − (p₊ − p₋)² ≤ 1 − nps²."""
    if sample <= 0 or respondents <= sample or math.isnan(nps):
        return 0.0
    d = nps / 100.0
    var = max(0.0, 1.0 - d * d)
    return 100.0 * math.sqrt(var / sample * (respondents - sample) / (respondents - 1.0))


@njit(cache=True)
def normal(u1: float, u2: float) -> float:
    """A standard normal from two uniforms (Box–Muller)."""
    return math.sqrt(-2.0 * math.log1p(-u1)) * math.cos(2.0 * math.pi * u2)


@njit(cache=True)
def shortfall(kpi: int, measured: float, target: float) -> float:
    """How far a measured KPI is worse than its target (negative: better than target)."""
    if kpi == K_NPS:
        return target - measured
    return measured - target


@njit(cache=True)
def review(days: np.ndarray, n_days: int, now: float, number: int, cycle: float, delay: float,
           implementation: float, sample: int, survey: bool, rule_kpi: np.ndarray, rule_target: np.ndarray,
           rule_lever: np.ndarray, rule_step: np.ndarray, low: np.ndarray, high: np.ndarray,
           levers: np.ndarray, u1: float, u2: float, row: np.ndarray) -> None:
    """One review at ``now``: measure, compare, decide. ``levers`` (the last decision) is updated in place
    and ``row`` gets what was seen and decided (``REVIEW_COLS`` columns)."""
    measured = np.empty(N_KPIS)
    true = np.empty(N_KPIS)
    respondents = window_kpis(days, n_days, now - delay - cycle, now - delay, survey, measured)
    window_kpis(days, n_days, now - cycle, now, False, true)
    measured[K_NPS] += nps_sampling_sd(measured[K_NPS], respondents, sample) * normal(u1, u2)
    changed = False
    for r in range(len(rule_kpi)):
        miss = shortfall(rule_kpi[r], measured[rule_kpi[r]], rule_target[r])
        if math.isnan(miss):
            continue  # nothing measured yet: no decision on it
        lever = rule_lever[r]
        value = min(high[lever], max(low[lever], levers[lever] + rule_step[r] * miss))
        if value != levers[lever]:
            changed = True
        levers[lever] = value
    row[R_REVIEW], row[R_AT], row[R_APPLIES] = number, now, now + implementation
    for k in range(N_KPIS):
        row[R_MEASURED + 2 * k] = measured[k]
        row[R_TRUE + 2 * k] = true[k]
    for lever in range(N_LEVERS):
        row[R_LEVERS + lever] = levers[lever]
    row[R_CHANGED] = 1.0 if changed else 0.0


@njit(cache=True)
def head_count(base_agents: int, staffing: float) -> int:
    """A team's head count under a staffing multiplier (as ``compiled`` rounds it)."""
    return int(round(base_agents * staffing))


@njit(cache=True)
def need_budgets(decided: float, policy_budget: float, policy_need_budget: np.ndarray) -> np.ndarray:
    """Each need type's handle-time budget once management has decided a target (minutes).

    A target management moved applies to every need type alike; left at the policy's own value, the
    policy's per-need budgets (a ``pNN`` quantile of each need's work) stay.
    """
    out = policy_need_budget.copy()
    if decided != policy_budget:
        out[:] = decided
    return out

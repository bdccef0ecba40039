"""Management as a controller: measurements with delays, noise and bias, and the review rule (MODEL.md §9).

At each review (a cut of the daily table that closes a review cycle) management reads the daily
rows so far: the *measured* KPIs of the cycle that ended ``measurement_delay`` before the review —
AHT and cost per contact from the system, NPS from the survey's respondents (whose response
probability depends on their experience, ``kernels.loyalty.survey_response_probability``), read
from a sample of ``survey_sample`` answers (an exact draw without replacement), contacts per need, and
first-contact resolution by "no repeat within a window" and by the agents' tick-box (kernels.fcr) —
and the *true* KPIs of the cycle that just ended (every journey, no delay, no sample) beside them. Each rule moves its lever
by ``step`` per unit of shortfall (an integral controller: the levers keep moving until the
measured KPI meets its target), within the lever's limits. The decision takes effect
``implementation_delay`` after the review; the engines only schedule that and store the levers.

Written once here and called by both engines with the same numbers.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from .fcr import F_REPEATED, F_SOLVED, F_TICKED, window_fcr
from ..layouts import (
    D_BUSY_AREA, D_END, D_HANDLED, D_JOURNEYS, D_NEEDS_CREATED, D_OFFERED, D_PROMOTERS, D_DETRACTORS,
    D_RESP_DETRACTORS, D_RESP_PROMOTERS, D_RESPONDENTS, D_STAFF_COST,
)

#: KPI codes (``scenario.mechanisms.KPIS`` order) and lever codes (``MANAGED_LEVERS`` order).
K_AHT, K_COST, K_NPS, K_CPN = range(4)
K_FCR_REPEAT, K_FCR_TICKBOX = 4, 5  # first-contact resolution as measured (kernels.fcr), appended
N_KPIS = 6
N_PAIRED = 4                 # KPIs whose measured and true columns alternate in a review's row
L_BUDGET, L_STAFFING, L_SUPPORT, L_EMPATHY = range(4)
N_LEVERS = 4

#: The columns of one review's row (``records.Review``): review number, time, when it applies,
#: measured and true value of each KPI, the lever values decided, and whether anything changed.
R_REVIEW, R_AT, R_APPLIES = 0, 1, 2
R_MEASURED = 3               # + 2 k: measured KPI k (k < N_PAIRED)
R_TRUE = 4                   # + 2 k: true KPI k
R_LEVERS = R_MEASURED + 2 * N_PAIRED  # + lever
R_CHANGED = R_LEVERS + N_LEVERS
#: Appended: FCR by "no repeat within the window", by the agents' tick-box, and the true FCR.
R_FCR_REPEAT, R_FCR_TICKBOX, R_FCR_TRUE = R_CHANGED + 1, R_CHANGED + 2, R_CHANGED + 3
REVIEW_COLS = R_FCR_TRUE + 1


@njit(cache=True)
def window_kpis(days: np.ndarray, n_days: int, low: float, high: float, survey: bool, out: np.ndarray,
                counts: np.ndarray) -> None:
    """KPIs of the daily rows that end in (``low``, ``high``]; ``survey``: NPS from respondents only.

    ``counts`` gets the respondents (survey) or journeys (true) behind the NPS, their promoters and
    their detractors.
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
    counts[0], counts[1], counts[2] = journeys, promoters, detractors


@njit(cache=True)
def hypergeometric(u: float, good: int, total: int, n: int) -> int:
    """How many of ``n`` answers drawn without replacement from ``total``, ``good`` of them of one kind,
    are of that kind: the inverse of the hypergeometric distribution function at ``u`` (the smallest k
    with F(k) > u), its probabilities summed from the lowest possible k."""
    lowest, highest = max(0, n - (total - good)), min(n, good)
    if lowest >= highest:
        return lowest
    base = (math.lgamma(good + 1.0) + math.lgamma(total - good + 1.0) + math.lgamma(n + 1.0)
            + math.lgamma(total - n + 1.0) - math.lgamma(total + 1.0))
    cumulative = 0.0
    for k in range(lowest, highest):
        cumulative += math.exp(base - math.lgamma(k + 1.0) - math.lgamma(good - k + 1.0) - math.lgamma(n - k + 1.0)
                               - math.lgamma(total - good - n + k + 1.0))
        if u < cumulative:
            return k
    return highest


@njit(cache=True)
def sampled_nps(u1: float, u2: float, respondents: int, promoters: int, detractors: int, sample: int) -> float:
    """The NPS of ``sample`` answers read from the ``respondents`` (drawn without replacement): promoters
    and detractors in the sample are the exact multivariate hypergeometric draw — promoters first
    (``u1``), then detractors among the rest (``u2``). Reads every answer when ``sample`` is 0 or
    at least the respondents; NaN without respondents."""
    if respondents <= 0:
        return math.nan
    if sample <= 0 or sample >= respondents:
        return 100.0 * (promoters - detractors) / respondents
    p = hypergeometric(u1, promoters, respondents, sample)
    d = hypergeometric(u2, detractors, respondents - promoters, sample - p)
    return 100.0 * (p - d) / sample


@njit(cache=True)
def shortfall(kpi: int, measured: float, target: float) -> float:
    """How far a measured KPI is worse than its target (negative: better than target)."""
    if kpi == K_NPS or kpi == K_FCR_REPEAT or kpi == K_FCR_TICKBOX:
        return target - measured
    return measured - target


@njit(cache=True)
def review(days: np.ndarray, n_days: int, now: float, number: int, cycle: float, delay: float,
           implementation: float, sample: int, survey: bool, rule_kpi: np.ndarray, rule_target: np.ndarray,
           rule_lever: np.ndarray, rule_step: np.ndarray, low: np.ndarray, high: np.ndarray,
           levers: np.ndarray, u1: float, u2: float, row: np.ndarray, fcr: np.ndarray, fcr_window: float) -> None:
    """One review at ``now``: measure, compare, decide. ``levers`` (the last decision) is updated in place
    and ``row`` gets what was seen and decided (``REVIEW_COLS`` columns).

    ``fcr`` is the run's first-contact-resolution tally (kernels.fcr): "no repeat within
    ``fcr_window``" is known only that long after the cycle it measures, the tick-box at once.
    """
    measured = np.empty(N_KPIS)
    true = np.empty(N_KPIS)
    counts = np.empty(3)
    window_kpis(days, n_days, now - delay - cycle, now - delay, survey, measured, counts)
    window_kpis(days, n_days, now - cycle, now, False, true, np.empty(3))
    measured[K_NPS] = sampled_nps(u1, u2, int(counts[0]), int(counts[1]), int(counts[2]), sample)
    seen = now - delay
    measured[K_FCR_REPEAT] = window_fcr(fcr, seen - fcr_window - cycle, seen - fcr_window, F_REPEATED)
    measured[K_FCR_TICKBOX] = window_fcr(fcr, seen - cycle, seen, F_TICKED)
    true[K_FCR_REPEAT] = true[K_FCR_TICKBOX] = window_fcr(fcr, now - cycle, now, F_SOLVED)
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
    for k in range(N_PAIRED):
        row[R_MEASURED + 2 * k] = measured[k]
        row[R_TRUE + 2 * k] = true[k]
    for lever in range(N_LEVERS):
        row[R_LEVERS + lever] = levers[lever]
    row[R_CHANGED] = 1.0 if changed else 0.0
    row[R_FCR_REPEAT], row[R_FCR_TICKBOX], row[R_FCR_TRUE] = (measured[K_FCR_REPEAT], measured[K_FCR_TICKBOX],
                                                              true[K_FCR_REPEAT])


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

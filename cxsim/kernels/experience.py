"""Encounter and journey scores (MODEL.md §6).

An encounter is scored 0–10 against expectations (Oliver 1980): waiting against the expected
wait, resolution, empathy (not rushed, agent wellbeing, time for the person) and effort (how many
contacts this need has taken, transfers). Shortfalls weigh ``loss_aversion`` (≈ 2) times as much
as gains (Anderson & Sullivan 1993). A journey is scored by its weakest encounter (the seeds),
by peak-end (Kahneman) or by the mean.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from ..codes import (  # noqa: F401  (COEFFICIENTS re-exported: the order the kernel reads them in)
    C_EFFORT_PER_REPEAT, C_EFFORT_PER_TRANSFER, C_EMPATHY_TIME_FULL, C_EMPATHY_TIME_WEIGHT, C_EMPATHY_WELLBEING_WEIGHT,
    C_RUSHED_PENALTY, C_UNANSWERED_EMPATHY, C_WAIT_WORST_AT, C_WELLBEING_NEUTRAL, COEFFICIENTS, RULE_PEAK_END,
    RULE_WEAKEST,
)


@njit(cache=True)
def _weigh(component: float, weight: float, loss_aversion: float) -> float:
    c = min(1.0, max(-1.0, component))
    return weight * (c if c >= 0.0 else loss_aversion * c)


@njit(cache=True)
def encounter_score(neutral: float, expectation_shift: float, wait: float, expected_wait: float, answered: bool,
                    solved: bool, given_share: float, empathy_minutes: float, wellbeing: float, contact_no: int,
                    transfers: int, w_wait: float, w_resolution: float, w_empathy: float, w_effort: float,
                    loss_aversion: float, coefficients: np.ndarray) -> float:
    """The 0–10 score of one encounter; ``neutral`` is the score of an encounter that just meets expectations.

    ``coefficients`` are the scenario's named ones, in :data:`COEFFICIENTS` order.
    """
    # Waiting: better than expected up to +1, worse down to −1 at ``wait_worst_at`` times the expected wait.
    ew = max(expected_wait, 1e-9)
    c_wait = (ew - wait) / ew if wait <= ew else -(wait - ew) / ((coefficients[C_WAIT_WORST_AT] - 1.0) * ew)
    c_res = 1.0 if solved else -1.0
    if answered:
        rushed = 1.0 - min(1.0, given_share)
        c_emp = (coefficients[C_EMPATHY_TIME_WEIGHT] * min(1.0, empathy_minutes / coefficients[C_EMPATHY_TIME_FULL])
                 + coefficients[C_EMPATHY_WELLBEING_WEIGHT] * (wellbeing - coefficients[C_WELLBEING_NEUTRAL])
                 - coefficients[C_RUSHED_PENALTY] * rushed)
    else:
        c_emp = coefficients[C_UNANSWERED_EMPATHY]  # nobody listened
    c_effort = -min(1.0, coefficients[C_EFFORT_PER_REPEAT] * (contact_no - 1)
                    + coefficients[C_EFFORT_PER_TRANSFER] * transfers)
    score = neutral - expectation_shift
    score += _weigh(c_wait, w_wait, loss_aversion) + _weigh(c_res, w_resolution, loss_aversion)
    score += _weigh(c_emp, w_empathy, loss_aversion) + _weigh(c_effort, w_effort, loss_aversion)
    return min(10.0, max(0.0, score))


@njit(cache=True)
def journey_score(rule: int, lowest: float, peak: float, last: float, total: float, count: int) -> float:
    """A journey's score from running aggregates of its encounter scores.

    ``peak`` is the encounter furthest from neutral (the most intense moment), so
    min ≤ peak-end ≤ max holds by construction.
    """
    if count == 0:
        return 0.0
    if rule == RULE_WEAKEST:
        return lowest
    if rule == RULE_PEAK_END:
        return 0.5 * (peak + last)
    return total / count


@njit(cache=True)
def expectation_shift(expectation: float, neutral: float, weight: float) -> float:
    """How far a customer's expectation moves the score of an encounter that just meets the average one."""
    return weight * (expectation - neutral)

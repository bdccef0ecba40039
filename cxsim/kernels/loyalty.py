"""Recommendation, measurement and loyalty (MODEL.md §7–§8).

After a journey the customer's likelihood to recommend is drawn around the journey score; only
some answer the survey, extremes more often. The relationship balance R moves toward the journey
score relative to the comparison level (reciprocity); churn rises as R falls below it and is
multiplied after a high-effort journey (CEB 2010).
"""

from __future__ import annotations

import math

from numba import njit

from .sampling import standard_normal


@njit(cache=True)
def likelihood_to_recommend(journey_score: float, z: float, spread: float) -> int:
    """0–10 answer to "would you recommend us?", drawn around the journey score."""
    return int(min(10.0, max(0.0, math.floor(journey_score + spread * z + 0.5))))


@njit(cache=True)
def nps_class(ltr: int) -> int:
    """+1 promoter (9–10), 0 passive (7–8), −1 detractor (0–6)."""
    if ltr >= 9:
        return 1
    if ltr <= 6:
        return -1
    return 0


@njit(cache=True)
def survey_response_probability(ltr: int, base_rate: float, extremity: float) -> float:
    """Response probability: ``base_rate`` for a lukewarm 5, up to ``base_rate·(1+extremity)`` at 0 or 10."""
    return min(1.0, base_rate * (1.0 + extremity * abs(ltr - 5.0) / 5.0))


@njit(cache=True)
def relationship_after(balance: float, journey_score: float, comparison_level: float, learning: float) -> float:
    """R moves a share ``learning`` of the way toward (journey score − comparison level)."""
    return balance + learning * ((journey_score - comparison_level) - balance)


@njit(cache=True)
def churn_probability(balance: float, high_effort: bool, base_per_month: float, sensitivity: float,
                      effort_multiplier: float, days: float) -> float:
    """Probability of leaving within ``days``: base hazard × exp(sensitivity·shortfall) × effort."""
    hazard = -math.log1p(-min(base_per_month, 0.999)) / 30.0 * math.exp(sensitivity * max(0.0, -balance))
    if high_effort:
        hazard *= effort_multiplier
    return 1.0 - math.exp(-hazard * days)


@njit(cache=True)
def high_effort(contacts: int, transfers: int, given_up: bool, threshold: int) -> bool:
    """A high-effort journey (CEB 2010): many contacts, a hand-off, or the customer gave up."""
    return contacts >= threshold or transfers > 0 or given_up


#: What a customer's word of mouth does after a journey (:func:`loyalty_after_journey`).
WORD_NONE, WORD_REFERRAL, WORD_DETERRENCE = 0, 1, 2


@njit(cache=True)
def loyalty_after_journey(balance: float, score: float, effort: bool, nps: int, u_churn: float, u_word: float,
                          comparison_level: float, learning: float, journey_churn: float, sensitivity: float,
                          effort_multiplier: float, referral: float, deterrence: float,
                          window_days: float) -> tuple[float, bool, int]:
    """(new balance R, leaves now, word of mouth) after a journey (MODEL.md §8).

    Two uniforms of the loyalty stream: one for churn, one for word of mouth. A promoter brings a
    customer with probability ``referral``; a detractor cancels a future acquisition with ``deterrence``.
    """
    balance = relationship_after(balance, score, comparison_level, learning)
    left = u_churn < churn_probability(balance, effort, journey_churn, sensitivity, effort_multiplier, window_days)
    word = WORD_NONE
    if nps > 0 and u_word < referral:
        word = WORD_REFERRAL
    elif nps < 0 and u_word < deterrence:
        word = WORD_DETERRENCE
    return balance, left, word


@njit(cache=True)
def initial_expectation(neutral: float, spread: float, u1: float, u2: float) -> float:
    """A new customer's expectation X ~ Normal(neutral, spread), clipped to the 0–10 scale."""
    return min(10.0, max(0.0, neutral + spread * standard_normal(u1, u2)))

"""A journey's close and the customer's reaction, as one call each (MODEL.md §7–§8).

Both engines closed a journey with the same calls in the same order — the verdict and the effort
(:func:`cxsim.kernels.needs.journey_end`), the counted totals (:func:`cxsim.kernels.books.count_journey`)
— and let the customer react with two more (the relationship balance and churn,
:func:`cxsim.kernels.loyalty.loyalty_after_journey`, then word of mouth,
:func:`cxsim.kernels.population.word_of_mouth`). Written once here. The engine draws the uniforms
(the experience stream's three as the journey closes, the loyalty stream's two when the customer
reacts), keeps the population in its own storage and acts on what comes back: the customer leaves,
a referred customer joins.

``close_params`` and ``loyalty_params`` pack the compiled parameters into flat tuples once per run.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from ..codes import GIVEN_UP, SOLVED
from .books import count_journey
from .loyalty import loyalty_after_journey
from .needs import journey_end
from .population import word_of_mouth


def close_params(params) -> tuple:
    """(experience mechanism on, loyalty mechanism on, journey rule, recommendation spread, survey rate,
    survey extremity, contacts that make a journey high-effort): what :func:`close_journey` reads."""
    e, m = params.experience, params.mechanisms
    return (bool(m.experience), bool(m.loyalty), int(params.journey_rule), float(e.recommend_spread),
            float(e.survey_rate), float(e.survey_extremity), int(params.loyalty.high_effort_contacts))


def loyalty_params(params) -> tuple:
    """(comparison level, learning, journey churn, sensitivity, effort multiplier, referral, deterrence,
    churn window in days): what :func:`customer_reaction` reads."""
    lo = params.loyalty
    return (float(lo.comparison_level), float(lo.learning), float(lo.journey_churn), float(lo.sensitivity),
            float(lo.effort_multiplier), float(lo.referral), float(lo.deterrence), float(lo.churn_window_days))


@njit(cache=True)
def close_journey(counts: np.ndarray, status: int, u1: float, u2: float, u3: float, lowest: float, peak: float,
                  last: float, total: float, scored: int, contacts: int, transfers: int, active: bool,
                  k) -> tuple[float, int, bool, int, bool, bool]:
    """(journey score, likelihood to recommend, answered the survey, NPS class, the customer reacts,
    high effort) as a journey ends with ``status`` (``SOLVED`` or ``GIVEN_UP``), counted into ``counts``.

    ``u1``–``u3``: three uniforms of the experience stream, drawn only with the experience mechanism on
    (0 otherwise). ``active``: the journey has a customer of a population who is still active; the
    customer reacts when also the loyalty mechanism is on and the journey was scored. ``k``:
    :func:`close_params`.
    """
    scored_on, loyalty_on, rule, spread, survey_rate, extremity, effort_contacts = k
    score, ltr, responded, cls, reacts, effort = journey_end(
        scored_on, rule, lowest, peak, last, total, scored, u1, u2, u3, spread, survey_rate, extremity,
        loyalty_on and active, contacts, transfers, status == GIVEN_UP, effort_contacts)
    count_journey(counts, status == SOLVED, scored_on, score, cls, responded)
    return score, ltr, responded, cls, reacts, effort


@njit(cache=True)
def customer_reaction(balance: float, score: float, effort: bool, nps: int, u_churn: float, u_word: float, owed: int,
                      k) -> tuple[float, bool, bool, int]:
    """(new relationship balance R, the customer leaves now, a referred customer joins now,
    acquisitions owed to detractors) after a journey the customer reacts to.

    Two uniforms of the loyalty stream, in this order: churn, word of mouth. ``k``: :func:`loyalty_params`.
    """
    comparison, learning, journey_churn, sensitivity, effort_multiplier, referral, deterrence, window = k
    balance, left, word = loyalty_after_journey(balance, score, effort, nps, u_churn, u_word, comparison, learning,
                                                journey_churn, sensitivity, effort_multiplier, referral, deterrence,
                                                window)
    joins, owed = word_of_mouth(word, owed)
    return balance, left, joins, owed

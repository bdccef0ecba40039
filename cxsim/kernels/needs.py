"""A need from arrival to its end: the decisions both engines took around the journey kernels.

What kind of need arrives and where its first contact goes (MODEL.md §2), which queue a contact
joins (escalation, §5), how long a caller will wait (§3), whether an encounter upset the customer
(§4), and what a journey's end comes to (§7–§8): each engine used to write these few lines
itself, in its own idiom. Written once here; an engine draws the uniforms (in the order stated),
passes what it stores, and keeps the results.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from .arrivals import next_need_time
from .customers import choose_channel, customer_patience, demand_scale
from .journey import escalated, journey_verdict
from .loyalty import high_effort
from .sampling import bisect_right

#: A new journey's running score aggregates (lowest, peak, gap of the peak, last, total, count):
#: what :func:`cxsim.kernels.journey.add_score` starts from.
FRESH_SCORES = (10.0, 0.0, -1.0, 0.0, 0.0, 0)


@njit(cache=True)
def need_and_channel(u_type: float, u_channel: float, need_cdf: np.ndarray, channel_cdf: np.ndarray,
                     channel_weight: np.ndarray, expected: np.ndarray, wait_norm: np.ndarray,
                     sensitivity: float) -> tuple[int, int]:
    """(need type, first channel) of a new need, from two uniforms of the needs stream.

    With a population the rows are the raising customer's segment's (its need mix, its channel
    mix, its channel preferences) and ``expected`` the waits this customer has learnt, so the
    channel is the multinomial-logit choice of :func:`cxsim.kernels.customers.choose_channel`;
    without one, the scenario's mixes and a ``sensitivity`` of 0 (the fixed mix).
    """
    return bisect_right(need_cdf, u_type), choose_channel(u_channel, channel_cdf, channel_weight, expected,
                                                          wait_norm, sensitivity)


@njit(cache=True)
def contact_queue(channel: int, need_type: int, n_channels: int, n_needs: int, contacts: int, after: int,
                  serves: np.ndarray) -> int:
    """The queue a need's ``contacts``-th contact joins: its (channel, need type) queue, or the
    second line's copy of it once escalation applies (:func:`cxsim.kernels.journey.escalated`);
    ``serves`` has one entry per first-line queue (all False with escalation off)."""
    queue = channel * n_needs + need_type
    if escalated(contacts - 1, after, serves[queue]):
        queue += n_channels * n_needs
    return queue


@njit(cache=True)
def draws_patience(abandons: bool, callback: bool) -> bool:
    """Whether a contact draws a patience: every contact in a channel whose callers abandon, queued
    or not (common random numbers across policies that answer at different speeds), except an
    owner's callback, which nobody hangs up on."""
    return abandons and not callback


@njit(cache=True)
def patience(drawn: float, population: bool, segment_factor: float) -> float:
    """The caller's patience: the channel's draw, times the segment's factor with a population."""
    return customer_patience(drawn, segment_factor) if population else drawn


@njit(cache=True)
def upsets(wellbeing_on: bool, score: float, upset_below: float) -> bool:
    """Whether a handled encounter left the customer upset enough to drain the agent (MODEL.md §4)."""
    return wellbeing_on and score < upset_below


@njit(cache=True)
def journey_end(scored: bool, rule: int, lowest: float, peak: float, last: float, total: float, count: int,
                u1: float, u2: float, u3: float, spread: float, survey_rate: float, extremity: float,
                customer_stays: bool, contacts: int, transfers: int, given_up: bool,
                effort_contacts: int) -> tuple[float, int, bool, int, bool, bool]:
    """(journey score, likelihood to recommend, answered the survey, NPS class, the customer reacts,
    high effort) as a journey ends.

    ``scored``: the experience mechanism is on, and the engine drew ``u1``–``u3`` from the
    experience stream (:func:`cxsim.kernels.journey.journey_verdict`); otherwise nothing is scored
    (NaN, -1). The customer reacts (relationship, churn, word of mouth) when scored and
    ``customer_stays`` (a population with loyalty on, the customer still active).
    """
    if not scored:
        return math.nan, -1, False, 0, False, False
    score, ltr, responded, nps = journey_verdict(rule, lowest, peak, last, total, count, u1, u2, u3, spread,
                                                 survey_rate, extremity)
    effort = high_effort(contacts, transfers, given_up, effort_contacts)
    return score, ltr, responded, nps, customer_stays, effort


@njit(cache=True)
def self_service_solves(u: float, p_self: float) -> bool:
    """Whether a self-service attempt solves the need (one uniform of the resolution stream)."""
    return u < p_self


@njit(cache=True)
def first_resolved(contacts: int, before: bool, solved: bool) -> bool:
    """The need's first-contact resolution after its ``contacts``-th contact: the first contact's outcome."""
    return solved if contacts == 1 else before


@njit(cache=True)
def arrival_after(t: float, u: float, week_rate: np.ndarray, population: bool, counts: np.ndarray,
                  rate_factor: np.ndarray, change_at: np.ndarray, factor: np.ndarray) -> float:
    """When the next need arrives after ``t`` (one uniform of the arrivals stream): the scenario's
    rate, scaled by the active customers' need rates with a population (they change as customers
    churn and join), else as written (:func:`cxsim.kernels.arrivals.next_need_time`)."""
    scale = demand_scale(counts, rate_factor) if population else 1.0
    return next_need_time(t, u, week_rate, scale, change_at, factor)


@njit(cache=True)
def review_due(reviews: np.ndarray, done: int, now: float) -> bool:
    """Whether ``now`` closes the next management review cycle (``done`` reviews so far)."""
    return done < len(reviews) and reviews[done] == now

"""The journey's decisions: what one contact does for its need, and what the customer does next.

An engine only schedules and stores: it draws the uniforms a decision needs from the right
stream (in the order written here), asks one of these kernels, and acts on the code it returns
(:mod:`cxsim.codes` ``NEXT_*``). The SimPy engine and the fast engine call the same functions, so
a change to a rule of the journey is made here once (MODEL.md §3, §5, §6).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from ..codes import (
    CALLBACK, NEXT_CLOSE_SOLVED, NEXT_GIVE_UP, NEXT_RETRY, NEXT_RETURN, NEXT_SWITCH, NEXT_TRANSFER,
    OVERRUN_TRANSFER, REPEAT,
)
from .experience import journey_score
from .handling import handle_time, time_given, work_left
from .loyalty import likelihood_to_recommend, nps_class, survey_response_probability
from .resolution import resolution_probability
from .sampling import standard_normal

@njit(cache=True)
def contact_work(ticket_work: float, need_work: float) -> float:
    """Work a contact carries: what a hand-off passed on (``>= 0``), else the need's whole work."""
    return ticket_work if ticket_work >= 0.0 else need_work


@njit(cache=True)
def given_share(given: float, needed: float) -> float:
    """Time given as a share of the time the work needed (1 when nothing was needed)."""
    return given / needed if needed > 0.0 else 1.0


@njit(cache=True)
def plan_encounter(work: float, effectiveness: float, speed: float, handling_on: bool, transferred: bool,
                   budget: float, overrun: int, empathy: float, standard: float, multiplier: float,
                   slowdown: float, sessions: int) -> tuple[float, float, float, float, bool]:
    """(time needed, time given, empathy time, time with the customer, handed off at the budget).

    A transferred case reaches someone with no target to meet: it is theirs to finish. With the
    handling mechanism off there is no budget and no empathy time.
    """
    needed = work / (effectiveness * speed)
    if handling_on:
        limit = math.inf if transferred else budget
        action, extra = overrun, empathy
    else:
        limit, action, extra = math.inf, 0, 0.0
    given, overran = time_given(needed, standard, multiplier, limit, action)
    handle = handle_time(given, extra, slowdown, sessions)
    return needed, given, extra, handle, overran and action == OVERRUN_TRANSFER


@njit(cache=True)
def encounter_solved(u: float, base: float, given: float, needed: float, quality: float, transfer: bool,
                     gap: np.ndarray, level: np.ndarray) -> bool:
    """Whether a handled encounter solves the need: base × delivered quality (the table ``gap`` → ``level``)
    × g(W); a hand-off never does."""
    solved = u < resolution_probability(base, given, needed, quality, gap, level)
    return solved and not transfer


@njit(cache=True)
def handed_off_work(needed: float, given: float, work: float, overhead: float) -> float:
    """Work the next agent gets after a hand-off: what was not given, plus re-explaining."""
    return work_left(needed, given, work) + overhead


@njit(cache=True)
def after_self_service(solved: bool) -> int:
    """Self-service solved the need, or the customer goes on at once in another channel."""
    return NEXT_CLOSE_SOLVED if solved else NEXT_SWITCH


@njit(cache=True)
def after_handled(solved: bool, transfer: bool) -> int:
    """A handled encounter: handed off, solved, or the need is still open (``NEXT_RETURN`` pending the
    customer's choice, see :func:`after_unsolved`)."""
    if transfer:
        return NEXT_TRANSFER
    if solved:
        return NEXT_CLOSE_SOLVED
    return NEXT_RETURN


@njit(cache=True)
def after_abandonment(u_retry: float, retrial_probability: float) -> int:
    """The caller hung up: tries again later, or gives up ("left alone with the problem")."""
    return NEXT_GIVE_UP if u_retry >= retrial_probability else NEXT_RETRY


@njit(cache=True)
def keeps_ownership(handling_on: bool, ownership: bool, has_agent: bool, agent_gone: bool) -> bool:
    """Whether the agent who handled an unsolved contact owns the need from now on."""
    return handling_on and ownership and has_agent and not agent_gone


@njit(cache=True)
def after_unsolved(u_give_up: float, give_up: float, owned: bool) -> int:
    """An unsolved need comes back later, or the customer gives up; an owner calls back instead."""
    if u_give_up < give_up and not owned:
        return NEXT_GIVE_UP
    return NEXT_RETURN


@njit(cache=True)
def returning_kind(owned: bool, owner_gone: bool, owner_absent: bool) -> int:
    """A need that comes back: the owner's callback, or a repeat contact (an owner off sick or gone
    cannot call back)."""
    if owned and not owner_gone and not owner_absent:
        return CALLBACK
    return REPEAT


@njit(cache=True)
def add_score(lowest: float, peak: float, peak_gap: float, last: float, total: float, scored: int,
              score: float, neutral: float) -> tuple[float, float, float, float, float, int]:
    """The journey's running aggregates after one more encounter score: enough for every journey rule."""
    lowest = min(lowest, score)
    if abs(score - neutral) > peak_gap:
        peak, peak_gap = score, abs(score - neutral)
    return lowest, peak, peak_gap, score, total + score, scored + 1


@njit(cache=True)
def journey_verdict(rule: int, lowest: float, peak: float, last: float, total: float, scored: int,
                    u1: float, u2: float, u3: float, spread: float, survey_rate: float,
                    survey_extremity: float) -> tuple[float, int, bool, int]:
    """(journey score, likelihood to recommend, answered the survey, NPS class) as a journey ends.

    Three uniforms of the experience stream: two for the recommendation, one for the survey.
    """
    score = journey_score(rule, lowest, peak, last, total, scored)
    ltr = likelihood_to_recommend(score, standard_normal(u1, u2), spread)
    responded = u3 < survey_response_probability(ltr, survey_rate, survey_extremity)
    return score, ltr, responded, nps_class(ltr)


@njit(cache=True)
def escalated(failed_contacts: int, after: int, served: bool) -> bool:
    """A need's contact goes to the second-line team's queue (MODEL.md §5): escalation is on
    (``after`` > 0), the second line serves this (channel, need), and the need has already had
    ``after`` failed contacts (every earlier contact of an open need ended unsolved)."""
    return after > 0 and served and failed_contacts >= after

"""What follows a contact, as one call per branch: the arithmetic around the journey's decisions.

:mod:`cxsim.kernels.journey` and :mod:`cxsim.kernels.progress` hold the single decisions (solved or
not, retry or give up, owned or not, the work carried). Both engines used to string them together
themselves — the same five or six calls, in the same order, in two idioms — which meant a change to
the sequence (say, a new field carried to the next contact) had to be made twice and kept in step by
the identity tests alone. These kernels are that sequence, written once: each takes the uniforms the
engine drew (from the stream and in the order stated) and plain values, and returns the next step
with every number the engine needs to schedule it. The engine stores the results and schedules the
next event; nothing else decides.
"""

from __future__ import annotations

from numba import njit

from ..codes import CALLBACK, NEXT_GIVE_UP, NEXT_RETURN, NEXT_TRANSFER
from .arrivals import customer_return_time
from .customers import learnt_wait
from .experience import C_WELLBEING_NEUTRAL, encounter_score, expectation_shift
from .journey import (
    add_score, after_abandonment, after_handled, contact_work, handed_off_work, keeps_ownership, returning_kind,
)
from .progress import after_unsolved_owned, carried_work, comeback_time, contact_progress, scored_wait
from .sampling import bisect_right


@njit(cache=True)
def after_contact(solved: bool, transfer: bool, needed: float, given: float, ticket_work: float, need_work: float,
                  overhead: float, left: float, done: float) -> tuple[int, float, float, float]:
    """(next step, the need's work left, its work done, the work handed off) after a handled contact.

    ``ticket_work`` is what the contact carried (``-1``: the need's whole ``need_work``); ``left`` and
    ``done`` are the need's carried progress before the contact, kept when it solved the need. The
    handed-off work (the rest plus ``overhead`` for re-explaining) is 0 unless the step is a transfer.
    """
    work = contact_work(ticket_work, need_work)
    step = after_handled(solved, transfer)
    if not solved:
        left, done = contact_progress(needed, given, work)
    handoff = handed_off_work(needed, given, work, overhead) if step == NEXT_TRANSFER else 0.0
    return step, left, done, handoff


@njit(cache=True)
def after_unsolved_contact(u_give_up: float, delay: float, now: float, has_agent: bool, agent_gone: bool,
                           handling_on: bool, ownership: bool, give_up: float, owned_give_up: float, promise: float,
                           week_profile, wall_clock: bool) -> tuple[int, float, bool]:
    """(``NEXT_GIVE_UP`` or ``NEXT_RETURN``, when the need comes back, whether the agent owns it).

    Draws (returns stream, in this order): ``u_give_up``, the return ``delay`` (two uniforms), and a
    third uniform the engine keeps for the channel of a repeat (:func:`comeback`). An owned need
    comes back at the owner's promise, any other after the customer's delay on the customers' clock.
    """
    owned = keeps_ownership(handling_on, ownership, has_agent, agent_gone)
    if after_unsolved_owned(u_give_up, give_up, owned_give_up, owned) == NEXT_GIVE_UP:
        return NEXT_GIVE_UP, now, owned
    return NEXT_RETURN, comeback_time(now, delay, owned, promise, week_profile, wall_clock), owned


@njit(cache=True)
def after_abandoned_contact(u_retry: float, delay: float, now: float, retrial_probability: float, week_profile,
                            wall_clock: bool) -> tuple[int, float]:
    """(``NEXT_GIVE_UP`` or ``NEXT_RETRY``, when the retrial comes) after the caller hung up.

    Draws (returns stream, in this order): ``u_retry``, then the channel's retrial ``delay`` (two
    uniforms), both drawn whatever the decision (common random numbers).
    """
    step = after_abandonment(u_retry, retrial_probability)
    if step == NEXT_GIVE_UP:
        return step, now
    return step, customer_return_time(now, delay, week_profile, wall_clock)


@njit(cache=True)
def comeback(owned: bool, owner_gone: bool, owner_absent: bool, channel: int, switch_cdf_row, u_where: float,
             progress_on: bool, left: float, done: float, case_notes_share: float,
             re_explain: float) -> tuple[int, int, float]:
    """(contact kind, channel, work carried) of an unsolved need that comes back.

    The owner calls back in the same channel if still there and at work; otherwise the customer
    repeats, in a channel drawn from ``switch_cdf_row`` with ``u_where`` (drawn when the contact
    ended). ``-1`` work: the whole need again (carried progress off).
    """
    kind = returning_kind(owned, owned and owner_gone, owned and owner_absent)
    carry = carried_work(progress_on, left, done, kind == CALLBACK, case_notes_share, re_explain)
    if kind != CALLBACK:
        channel = bisect_right(switch_cdf_row, u_where)
    return kind, channel, carry


@njit(cache=True)
def encounter_experience(expectation: float, usual_wait: float, wait: float, answered: bool, solved: bool,
                         share: float, empathy: float, has_agent: bool, wellbeing: float, contacts: int,
                         transfers: int, callback: bool, population: bool, queued: bool, lowest: float, peak: float,
                         peak_gap: float, last: float, total: float, scored: int, neutral: float,
                         expectation_weight: float, promise: float, weight_wait: float, weight_resolution: float,
                         weight_empathy: float, weight_effort: float, loss_aversion: float, coefficients,
                         wait_learning: float) -> tuple[float, float, float, float, float, float, int, float]:
    """(encounter score, the journey's six running aggregates after it, the wait the customer expects next).

    The wait is judged against what this customer expects in this channel (``usual_wait``: learnt,
    with a population, else the channel's), a callback's against its promise (kernels.progress.
    scored_wait); with a population the customer's ``expectation`` shifts the score. An encounter
    without a person (self-service, abandoned) scores the neutral wellbeing. Only a ``queued``
    contact's wait (not self-service, not a callback) teaches the customer what to expect.
    """
    shift = expectation_shift(expectation, neutral, expectation_weight) if population else 0.0
    if not has_agent:
        wellbeing = coefficients[C_WELLBEING_NEUTRAL]
    wait, expected = scored_wait(callback, wait, promise, usual_wait)
    score = encounter_score(neutral, shift, wait, expected, answered, solved, share, empathy, wellbeing, contacts,
                            transfers, weight_wait, weight_resolution, weight_empathy, weight_effort, loss_aversion,
                            coefficients)
    lowest, peak, peak_gap, last, total, scored = add_score(lowest, peak, peak_gap, last, total, scored, score, neutral)
    if population and queued and not callback:
        usual_wait = learnt_wait(usual_wait, wait, wait_learning)
    return score, lowest, peak, peak_gap, last, total, scored, usual_wait

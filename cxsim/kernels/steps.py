"""A journey's steps as one call each: the sequence of kernel calls both engines' handlers made.

:mod:`cxsim.kernels.outcome` and :mod:`cxsim.kernels.journey` hold the decisions; each engine's
handler used to string them together itself (the agent's quality, then whether the contact solved
the need, its first-contact resolution, the carried progress and the next step; or the experience
kernel's thirty arguments), in two idioms. Here each sequence is written once: the engine reads its
storage, draws the uniforms (from the stream and in the order stated; no kernel here draws), calls
one kernel, stores what it returns and schedules.

``step_params`` and ``experience_params`` pack the compiled parameters these kernels read into flat
tuples once per run (the SimPy engine from its ``Params``, the fast engine as fields of its
parameter tuple), so both engines pass the same numbers in the same order.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from ..layouts import C_CASES, C_TIME_GIVEN
from .capacity import agent_effectiveness
from .empathy import engaged_empathy
from .journey import after_self_service, contact_work, encounter_solved, given_share, plan_encounter
from .needs import first_resolved, need_and_channel, self_service_solves
from .outcome import after_abandoned_contact, after_contact, after_unsolved_contact, comeback, encounter_experience
from .workforce_day import agent_quality, agent_speed


def step_params(params) -> tuple:
    """The compiled parameters of what follows a contact, as the flat tuple :func:`unsolved_step` and
    :func:`comeback_step` read: (handling mechanism on, give-up probability, an owned need's give-up
    probability, the owner's callback promise, the customers' week profile, wall clock, carried
    progress on, re-explaining work). The case-notes share is a policy lever (it may change over
    time), so :func:`comeback_step` takes it as an argument."""
    pg = params.progress
    return (bool(params.mechanisms.handling), float(params.give_up), float(pg.owned_give_up),
            float(pg.callback_promise), np.ascontiguousarray(params.week_profile, dtype=np.float64),
            bool(params.wall_clock), bool(pg.on), float(pg.re_explain))


def need_params(params) -> tuple:
    """The compiled parameters of a new need's type and first channel, as the flat tuple
    :func:`need_kind` reads: (the scenario's need mix, its channel mix, then per segment the need mix,
    the channel mix and the channel preferences, each channel's expected wait, the sensitivity of
    channel choice to it), cumulative mixes as compiled."""
    cp = params.customers

    def f(a):
        return np.ascontiguousarray(a, dtype=np.float64)
    return (f(params.need_cdf), f(params.channel_cdf), f(cp.need_cdf), f(cp.channel_cdf), f(cp.channel_weight),
            f(cp.wait_norm), float(cp.wait_sensitivity))


def handling_params(params) -> tuple:
    """The compiled parameters of an encounter's plan, as the flat tuple :func:`handling_step` reads:
    (wellbeing mechanism on, handling mechanism on, engagement on, empathy's sensitivity to
    engagement, a rookie's starting effectiveness, the ramp-up time)."""
    w, en = params.wellbeing, params.wellbeing.engagement
    return (bool(params.mechanisms.wellbeing), bool(params.mechanisms.handling), en is not None,
            float(en.empathy_sensitivity) if en else 0.0, float(w.rookie_start), float(w.ramp_up))


def experience_params(params) -> tuple:
    """The compiled parameters of an encounter's score, as the flat tuple :func:`encounter_step` reads:
    (neutral, expectation weight, the callback promise, the four weights, loss aversion, the named
    coefficients, the customers' wait learning, experience mechanism on)."""
    e = params.experience
    return (float(e.neutral), float(e.expectation_weight), float(params.progress.callback_promise),
            float(e.weight_wait), float(e.weight_resolution), float(e.weight_empathy), float(e.weight_effort),
            float(e.loss_aversion), np.ascontiguousarray(e.coefficients, dtype=np.float64),
            float(params.customers.wait_learning), bool(params.mechanisms.experience))


@njit(cache=True)
def need_kind(u_type: float, u_channel: float, segment: int, waits: np.ndarray, k) -> tuple[int, int]:
    """(need type, first channel) of a new need (:func:`cxsim.kernels.needs.need_and_channel`), from
    two uniforms of the needs stream; ``k``: :func:`need_params`.

    With a population (``segment`` >= 0, the raising customer's) the segment's mixes and the waits
    this customer has learnt (``waits``) decide; without one (``segment`` -1) the scenario's mixes,
    the fixed mix (``waits`` is not read).
    """
    need_cdf, channel_cdf, segment_need_cdf, segment_channel_cdf, segment_weight, wait_norm, sensitivity = k
    if segment < 0:
        return need_and_channel(u_type, u_channel, need_cdf, channel_cdf, channel_cdf, channel_cdf, channel_cdf, 0.0)
    return need_and_channel(u_type, u_channel, segment_need_cdf[segment], segment_channel_cdf[segment],
                            segment_weight[segment], waits, wait_norm, sensitivity)


@njit(cache=True)
def handling_step(counts: np.ndarray, ticket_work: float, need_work: float, proficiency: float, hired: float,
                  now: float, wellbeing: float, engagement: float, sessions: int, transferred: bool, budget: float,
                  overrun: int, empathy: float, standard: float, multiplier: float, slowdown: float, day,
                  k) -> tuple[float, float, float, float, bool, float]:
    """(time needed, time given, empathy time, time with the customer, handed off at the budget, time
    given as a share of the time needed) as an agent takes a contact (MODEL.md §5), the time given
    and the case counted into ``counts``.

    The agent's effectiveness (the team's ``proficiency``, ramped up since ``hired``), speed (W;
    ``day``: :func:`cxsim.kernels.workforce_day.day_params`) and the empathy it gives of the lever's
    ``empathy`` (engagement) feed :func:`cxsim.kernels.journey.plan_encounter`. ``k``: :func:`handling_params`.
    No draws.
    """
    wellbeing_on, handling_on, engagement_on, sensitivity, rookie_start, ramp_up = k
    speed = agent_speed(wellbeing_on, wellbeing, day)
    needed, given, extra, handle, transfer = plan_encounter(
        contact_work(ticket_work, need_work), agent_effectiveness(proficiency, hired, now, wellbeing_on, rookie_start,
                                                                  ramp_up), speed, handling_on, transferred, budget,
        overrun, engaged_empathy(empathy, engagement, sensitivity, engagement_on), standard, multiplier, slowdown,
        sessions)
    counts[C_TIME_GIVEN] += given
    counts[C_CASES] += 1
    return needed, given, extra, handle, transfer, given_share(given, needed)


@njit(cache=True)
def abandoned_step(u_retry: float, delay: float, now: float, retrial_probability: float, k) -> tuple[int, float]:
    """(``NEXT_GIVE_UP`` or ``NEXT_RETRY``, when the retrial comes) after the caller hung up
    (:func:`cxsim.kernels.outcome.after_abandoned_contact`, on the customers' clock of ``k``:
    :func:`step_params`). Draws (returns stream): ``u_retry``, then the retrial delay's two uniforms."""
    week_profile, wall_clock = k[4:6]
    return after_abandoned_contact(u_retry, delay, now, retrial_probability, week_profile, wall_clock)


@njit(cache=True)
def handled_step(u: float, base: float, needed: float, given: float, transfer: bool, wellbeing_on: bool,
                 wellbeing: float, strain: float, engagement: float, day, gap: np.ndarray, level: np.ndarray,
                 contacts: int, first_before: bool, ticket_work: float, need_work: float, overhead: float,
                 left: float, done: float) -> tuple[bool, float, bool, int, float, float, float]:
    """(solved, time given as a share of the time needed, the need's first-contact resolution, the
    next step, work left, work done, work handed off) after an agent handled a contact.

    One uniform ``u`` of the resolution stream. The agent's delivered quality
    (:func:`cxsim.kernels.workforce_day.agent_quality`, ``day`` its packed parameters) scales the
    need type's ``base`` resolution; the next step, the carried progress and the handed-off work
    are :func:`cxsim.kernels.outcome.after_contact`'s.
    """
    quality = agent_quality(wellbeing_on, wellbeing, strain, engagement, day)
    solved = encounter_solved(u, base, given, needed, quality, transfer, gap, level)
    first = first_resolved(contacts, first_before, solved)
    step, left, done, handoff = after_contact(solved, transfer, needed, given, ticket_work, need_work, overhead, left,
                                              done)
    return solved, given_share(given, needed), first, step, left, done, handoff


@njit(cache=True)
def self_service_step(u: float, p_self: float, contacts: int, first_before: bool) -> tuple[bool, bool, int]:
    """(solved, the need's first-contact resolution, the next step) of a self-service attempt: one
    uniform of the resolution stream; unsolved, the customer goes on at once in another channel."""
    solved = self_service_solves(u, p_self)
    return solved, first_resolved(contacts, first_before, solved), after_self_service(solved)


@njit(cache=True)
def unsolved_step(u_give_up: float, delay: float, now: float, has_agent: bool, agent_gone: bool, ownership: bool,
                  k) -> tuple[int, float, bool]:
    """(``NEXT_GIVE_UP`` or ``NEXT_RETURN``, when the need comes back, whether the agent owns it) after
    an unsolved handled contact (:func:`cxsim.kernels.outcome.after_unsolved_contact`); ``ownership``
    is the policy's lever now, ``k`` :func:`step_params`. Draws as there: ``u_give_up``, the delay's two
    uniforms, then the uniform the engine keeps for the channel of a repeat."""
    handling_on, give_up, owned_give_up, promise, week_profile, wall_clock = k[:6]
    return after_unsolved_contact(u_give_up, delay, now, has_agent, agent_gone, handling_on, ownership, give_up,
                                  owned_give_up, promise, week_profile, wall_clock)


@njit(cache=True)
def comeback_step(owned: bool, owner_gone: bool, owner_absent: bool, channel: int, switch_cdf_row, u_where: float,
                  left: float, done: float, case_notes_share: float, k) -> tuple[int, int, float]:
    """(contact kind, channel, work carried) of an unsolved need that comes back
    (:func:`cxsim.kernels.outcome.comeback`), ``case_notes_share`` the policy's lever now, ``k``
    :func:`step_params`."""
    progress_on, re_explain = k[6:8]
    return comeback(owned, owned and owner_gone, owned and owner_absent, channel, switch_cdf_row, u_where,
                    progress_on, left, done, case_notes_share, re_explain)


@njit(cache=True)
def encounter_step(expectation: float, usual_wait: float, wait: float, answered: bool, solved: bool, share: float,
                   empathy: float, has_agent: bool, wellbeing: float, contacts: int, transfers: int, callback: bool,
                   population: bool, queued: bool, lowest: float, peak: float, peak_gap: float, last: float,
                   total: float, scored: int, k) -> tuple[float, float, float, float, float, float, int, float]:
    """(encounter score, the journey's six running aggregates after it, the wait the customer expects
    next): :func:`cxsim.kernels.outcome.encounter_experience` with ``k`` :func:`experience_params`;
    with the experience mechanism off NaN, and the aggregates and ``usual_wait`` unchanged."""
    (neutral, expectation_weight, promise, weight_wait, weight_resolution, weight_empathy, weight_effort,
     loss_aversion, coefficients, wait_learning, on) = k
    if not on:
        return np.nan, lowest, peak, peak_gap, last, total, scored, usual_wait
    return encounter_experience(expectation, usual_wait, wait, answered, solved, share, empathy, has_agent, wellbeing,
                                contacts, transfers, callback, population, queued, lowest, peak, peak_gap, last,
                                total, scored, neutral, expectation_weight, promise, weight_wait, weight_resolution,
                                weight_empathy, weight_effort, loss_aversion, coefficients, wait_learning)

"""A need's journey as a state machine: the SimPy engine's ``Model.journey`` and ``Model.contact``.

Where the SimPy process *yields* (waiting in a queue, being served, waiting to come back), this
schedules an event and returns; the event's handler picks the journey up at the same point.
Every draw is made from the same stream, in the same order, as in the SimPy engine.
"""

from __future__ import annotations

import math

from numba import njit

from ...codes import (
    ABANDONED, CALLBACK, GIVEN_UP, HANDLED, NEXT_CLOSE_SOLVED, NEXT_GIVE_UP, NEXT_TRANSFER, OPEN, REPEAT, RETRIAL,
    SELF_SERVICE, SOLVED, SWITCH, TRANSFER, UNFINISHED,
)
from ...kernels.churn import close_journey
from ...kernels.needs import FRESH_SCORES, contact_queue, draws_patience, patience, upsets
from ...kernels.sampling import bisect_right as pick, sample_duration
from ...kernels.steps import (
    abandoned_step, comeback_step, encounter_step, handled_step, handling_step, need_kind, self_service_step,
    unsolved_step,
)
from ...layouts import (
    E_AGENT, E_ARRIVED, E_CHANNEL, E_CONTACT_NO, E_CUSTOMER, E_GIVEN, E_HANDLE, E_KIND, E_NEED, E_NEED_TYPE,
    E_NEEDED, E_OUTCOME, E_RESOLVED, E_SCORE, E_TEAM, E_WAIT, J_ABANDONS, J_CHURNED, J_CONTACTS, J_CREATED,
    J_CUSTOMER, J_ENDED, J_FIRST_CHANNEL, J_FIRST_RESOLVED, J_NEED, J_NEED_TYPE, J_RECOMMEND, J_RESPONDED, J_SCORE,
    J_STATUS, J_TRANSFERS,
)
from ...streams import EXPERIENCE, NEEDS, PATIENCE, RESOLUTION, RETURNS, WORK
from ...tallies import add_encounter, add_journey
from .management import fcr_handled, fcr_start
from .heap import EV_HANDLED, EV_PATIENCE, EV_RETURN, EV_SWITCH, NORMAL, URGENT, push, push_at
from .people import after_journey, raiser
from .router import abandon, assign, enqueue, find_agent, offer_callback, release
from .state import (
    F_NOW, G_ABANDONED, G_CREATED, G_HANDLED, G_OFFERED, I_ENC, I_FREE, I_JOUR,
    I_KEEP, I_LEVER, I_NEXT_NEED, I_OPEN, I_SERIAL,
)

NAN = math.nan


@njit(cache=True)
def draw(p, d: int, stream) -> float:
    """A duration from distribution row ``d``: always two uniforms (see kernels.sampling)."""
    u1 = stream.random()
    u2 = stream.random()
    return sample_duration(p.dist_kind[d], p.dist_a[d], p.dist_b[d], p.dist_values[d, :p.dist_len[d]], u1, u2)


@njit(cache=True)
def new_need(p, w, rng) -> int:
    stream = rng[NEEDS]
    u_type = stream.random()
    u_channel = stream.random()
    who = stream.random()
    if p.population:  # the customer first (the caller checks someone is active): their segment decides
        customer = raiser(p, w, who)
        need_type, channel = need_kind(u_type, u_channel, w.c_segment[customer], w.c_waits[customer], p.st_need)
    else:
        customer = -1
        need_type, channel = need_kind(u_type, u_channel, -1, p.cu_wait_norm, p.st_need)
    work = draw(p, p.need_work[need_type], rng[WORK])
    w.ic[I_FREE] -= 1
    s = w.free[w.ic[I_FREE]]
    w.n_id[s] = w.ic[I_NEXT_NEED]
    w.ic[I_NEXT_NEED] += 1
    w.n_customer[s], w.n_type[s], w.n_first_channel[s], w.n_created[s], w.n_work[s] = \
        customer, need_type, channel, w.fc[F_NOW], work
    w.n_contacts[s] = w.n_abandons[s] = w.n_transfers[s] = 0
    w.n_first_resolved[s] = w.n_first_handled[s] = False
    w.n_lowest[s], w.n_peak[s], w.n_peak_gap[s], w.n_last[s], w.n_total[s], w.n_scored[s] = FRESH_SCORES
    w.n_live[s], w.tk_active[s], w.n_owner[s], w.n_channel[s] = True, False, -1, channel
    w.n_carry[s], w.n_left[s], w.n_done[s] = -1.0, 0.0, 0.0
    w.led[G_CREATED] += 1
    w.ic[I_OPEN] += 1
    return s


# --- records --------------------------------------------------------------------------------------
@njit(cache=True)
def log(p, w, s: int, kind: int, channel: int, arrived: float, wait: float, handle: float, needed: float,
        given: float, outcome: int, solved: bool, agent: int, score: float) -> None:
    """One contact record: tallied for the metrics, and kept unless the run is summary-only."""
    add_encounter(w.tq, w.tc, w.n_first_handled, s, p.warmup, p.ch_target, p.ch_abandoning, kind, channel, arrived,
                  wait, handle, outcome, solved)
    if not w.ic[I_KEEP]:
        return
    r = w.ic[I_ENC]
    if r >= len(w.enc):  # never expected: the loop keeps room (numba does not check bounds)
        raise RuntimeError("fast engine: encounter records overflow")
    w.ic[I_ENC] = r + 1
    e = w.enc[r]
    e[E_NEED], e[E_CUSTOMER], e[E_CONTACT_NO], e[E_KIND] = w.n_id[s], w.n_customer[s], w.n_contacts[s], kind
    e[E_CHANNEL], e[E_NEED_TYPE], e[E_ARRIVED], e[E_WAIT] = channel, w.n_type[s], arrived, wait
    e[E_HANDLE], e[E_NEEDED], e[E_GIVEN], e[E_OUTCOME] = handle, needed, given, outcome
    e[E_RESOLVED], e[E_AGENT], e[E_TEAM], e[E_SCORE] = solved, agent, w.a_team[agent] if agent >= 0 else -1, score


@njit(cache=True)
def log_journey(p, w, s: int, ended: float, status: int, score: float, ltr: int, responded: bool,
                churned: bool) -> None:
    add_journey(w.tc, p.warmup, status, w.n_created[s], ended, score, ltr, responded)
    if not w.ic[I_KEEP]:
        return
    r = w.ic[I_JOUR]
    if r >= len(w.jour):
        raise RuntimeError("fast engine: journey records overflow")
    w.ic[I_JOUR] = r + 1
    j = w.jour[r]
    j[J_NEED], j[J_CUSTOMER], j[J_NEED_TYPE], j[J_FIRST_CHANNEL] = (w.n_id[s], w.n_customer[s], w.n_type[s],
                                                                    w.n_first_channel[s])
    j[J_CREATED], j[J_ENDED], j[J_STATUS], j[J_CONTACTS] = w.n_created[s], ended, status, w.n_contacts[s]
    j[J_ABANDONS], j[J_TRANSFERS], j[J_FIRST_RESOLVED] = w.n_abandons[s], w.n_transfers[s], w.n_first_resolved[s]
    j[J_SCORE], j[J_RECOMMEND], j[J_RESPONDED], j[J_CHURNED] = score, ltr, responded, churned


# --- experience -----------------------------------------------------------------------------------
@njit(cache=True)
def experience(p, w, s: int, channel: int, wait: float, answered: bool, solved: bool, given_share: float,
               empathy: float, agent: int, callback: bool) -> float:
    """The encounter's score (kernels.experience), added to the journey's aggregates.

    The wait is judged against what this customer expects in this channel (learnt, with a population,
    else the channel's), a callback's against its promise (kernels.progress.scored_wait); only queue
    waits teach the customer what to expect.
    """
    cid = w.n_customer[s]
    score, w.n_lowest[s], w.n_peak[s], w.n_peak_gap[s], w.n_last[s], w.n_total[s], w.n_scored[s], usual = encounter_step(
        w.c_expectation[cid] if p.population else 0.0, w.c_waits[cid, channel] if p.population else
        p.ch_expected_wait[channel], wait, answered, solved, given_share, empathy, agent >= 0,
        w.a_wellbeing[agent] if agent >= 0 else 0.0, w.n_contacts[s], w.n_transfers[s], callback, p.population > 0,
        not p.ch_self[channel], w.n_lowest[s], w.n_peak[s], w.n_peak_gap[s], w.n_last[s], w.n_total[s],
        w.n_scored[s], p.st_experience)
    if p.population:
        w.c_waits[cid, channel] = usual
    return score


@njit(cache=True)
def close(p, w, rng, s: int, status: int) -> None:
    """The journey ends: score it, ask for a recommendation, and let the customer react."""
    w.ic[I_OPEN] -= 1
    u1 = u2 = u3 = 0.0
    if p.mech_experience:
        stream = rng[EXPERIENCE]
        u1 = stream.random()
        u2 = stream.random()
        u3 = stream.random()
    cid = w.n_customer[s]
    score, ltr, responded, cls, reacts, effort = close_journey(
        w.led, status, u1, u2, u3, w.n_lowest[s], w.n_peak[s], w.n_last[s], w.n_total[s], w.n_scored[s],
        w.n_contacts[s], w.n_transfers[s], p.population > 0 and w.c_position[cid] >= 0, p.st_close)
    churned = after_journey(p, w, rng, cid, score, effort, cls) if reacts else False
    log_journey(p, w, s, w.fc[F_NOW], status, score, ltr, responded, churned)
    w.n_live[s] = False
    w.free[w.ic[I_FREE]] = s
    w.ic[I_FREE] += 1


# --- one contact ----------------------------------------------------------------------------------
@njit(cache=True)
def start_contact(p, w, rng, s: int, channel: int, kind: int, work: float, owner: int) -> None:
    """A contact begins: self-service, or an agent now, or a queue (with patience) or an owner's list."""
    while True:  # loops only through contacts that end at once (failed self-service, hand-offs)
        now = w.fc[F_NOW]
        w.n_channel[s] = channel
        w.n_contacts[s] += 1
        w.led[G_OFFERED] += 1
        if p.mg_on:
            fcr_start(p, w, s, now)
        if p.ch_self[channel]:
            solved, w.n_first_resolved[s], step = self_service_step(rng[RESOLUTION].random(), p.ch_p_self[channel],
                                                                    w.n_contacts[s], w.n_first_resolved[s])
            score = experience(p, w, s, channel, 0.0, True, solved, 1.0, 0.0, -1, False)
            log(p, w, s, kind, channel, now, 0.0, 0.0, 0.0, 0.0, SELF_SERVICE, solved, -1, score)
            if step == NEXT_CLOSE_SOLVED:
                close(p, w, rng, s, SOLVED)
                return
            channel, kind, work, owner = pick(p.switch_cdf[channel], rng[RETURNS].random()), SWITCH, w.n_carry[s], -1
            if w.ic[I_KEEP] and w.ic[I_ENC] + 2 >= len(w.enc):
                # Self-service may switch to self-service again and again: go on in an *urgent*
                # event at this same time (it runs next, as SimPy's inline loop would), once the
                # loop has made room for more records.
                w.n_channel[s] = channel
                push(w, now, EV_SWITCH, s, 0, URGENT)
                return
            continue
        queue = contact_queue(channel, w.n_type[s], p.n_channels, p.n_needs, w.n_contacts[s], p.es_after, p.es_serves)
        d = p.ch_patience[channel]
        patient_for = 0.0
        if draws_patience(d >= 0, owner >= 0):
            patient_for = patience(draw(p, d, rng[PATIENCE]), p.population > 0,
                                   p.cu_patience[w.c_segment[w.n_customer[s]]] if p.population else 1.0)
        w.ic[I_SERIAL] += 1
        w.tk_serial[s], w.tk_active[s], w.tk_channel[s], w.tk_queue[s], w.tk_kind[s] = \
            w.ic[I_SERIAL], True, channel, queue, kind
        w.tk_arrived[s], w.tk_work[s], w.tk_owner[s], w.tk_done[s], w.tk_wait[s], w.tk_agent[s] = \
            now, work, owner, False, 0.0, -1
        w.q_offered[queue] += 1
        agent = offer_callback(w, s) if owner >= 0 else find_agent(p, w, queue, channel)
        if agent >= 0:
            assign(p, w, s, agent)
            begin_handling(p, w, s, agent)
        elif owner < 0:
            enqueue(w, s)
            if d >= 0:
                push(w, now + patient_for, EV_PATIENCE, s, w.tk_serial[s], NORMAL)
        return


@njit(cache=True)
def begin_handling(p, w, s: int, agent: int) -> None:
    """Work needed, time given, empathy time, time with the customer, and whether it is handed off (§5)."""
    now = w.fc[F_NOW]
    lever = w.ic[I_LEVER]
    team = w.a_team[agent]
    needed, given, empathy, handle, transfer, share = handling_step(
        w.led, w.tk_work[s], w.n_work[s], p.team_proficiency[team], w.a_hired[agent], now, w.a_wellbeing[agent],
        w.a_engagement[agent], w.a_sessions[agent], w.tk_kind[s] == TRANSFER, p.tl_need_budget[lever, w.n_type[s]],
        p.tl_overrun[lever], p.tl_empathy[lever], w.tm_standard[team], w.tm_multiplier[team],
        p.ch_slowdown[w.tk_channel[s]], p.wf_day, p.st_handling)
    w.tm_given[team] += share
    w.tm_count[team] += 1
    w.hd_needed[s], w.hd_given[s], w.hd_empathy[s], w.hd_handle[s] = needed, given, empathy, handle
    w.hd_transfer[s] = transfer
    push(w, now + handle, EV_HANDLED, s, 0, NORMAL)


@njit(cache=True)
def on_patience(w, s: int, serial: int) -> None:
    if w.tk_active[s] and w.tk_serial[s] == serial and not w.tk_done[s]:
        abandon(w, s)


@njit(cache=True)
def on_abandoned(p, w, rng, s: int) -> None:
    """The caller hung up: log it, then retry later or give up."""
    channel = w.tk_channel[s]
    w.n_abandons[s] += 1
    w.led[G_ABANDONED] += 1
    w.tk_active[s] = False
    score = experience(p, w, s, channel, w.tk_wait[s], False, False, 0.0, 0.0, -1, False)
    log(p, w, s, w.tk_kind[s], channel, w.tk_arrived[s], w.tk_wait[s], 0.0, 0.0, 0.0, ABANDONED, False, -1, score)
    stream = rng[RETURNS]
    retry = stream.random()
    delay = draw(p, p.ch_retrial_delay[channel], stream)
    step, when = abandoned_step(retry, delay, w.fc[F_NOW], p.ch_retrial_p[channel], p.st_step)
    if step == NEXT_GIVE_UP:
        close(p, w, rng, s, GIVEN_UP)
        return
    w.n_next_kind[s] = RETRIAL
    push_at(w, when, EV_RETURN, s, 0, NORMAL)


@njit(cache=True)
def on_handled(p, w, rng, s: int) -> None:
    """The encounter ends: solved or not, logged, and the journey goes on."""
    agent = w.tk_agent[s]
    channel = w.tk_channel[s]
    needed, given, empathy, handle = w.hd_needed[s], w.hd_given[s], w.hd_empathy[s], w.hd_handle[s]
    solved, share, w.n_first_resolved[s], step, w.n_left[s], w.n_done[s], handoff = handled_step(
        rng[RESOLUTION].random(), p.need_resolution[w.n_type[s]], needed, given, w.hd_transfer[s], p.mech_wellbeing,
        w.a_wellbeing[agent], w.a_strain[agent], w.a_engagement[agent], p.wf_day, p.quality_gap, p.quality_level,
        w.n_contacts[s], w.n_first_resolved[s], w.tk_work[s], w.n_work[s], p.tl_transfer_overhead[w.ic[I_LEVER]],
        w.n_left[s], w.n_done[s])
    score = experience(p, w, s, channel, w.tk_wait[s], True, solved, share, empathy, agent, w.tk_owner[s] >= 0)
    w.a_upset[agent] += upsets(p.mech_wellbeing, score, p.wb_upset_below)
    release(p, w, agent)
    w.led[G_HANDLED] += 1
    if p.mg_on:
        fcr_handled(p, w, rng, s, w.fc[F_NOW], solved)
    w.tk_active[s] = False
    log(p, w, s, w.tk_kind[s], channel, w.tk_arrived[s], w.tk_wait[s], handle, needed, given, HANDLED, solved, agent,
        score)
    if step == NEXT_TRANSFER:
        w.n_transfers[s] += 1
        start_contact(p, w, rng, s, channel, TRANSFER, handoff, -1)
        return
    if step == NEXT_CLOSE_SOLVED:
        close(p, w, rng, s, SOLVED)
        return
    stream = rng[RETURNS]
    give_up = stream.random()
    delay = draw(p, p.return_delay, stream)
    where = stream.random()
    step, when, owned = unsolved_step(give_up, delay, w.fc[F_NOW], agent >= 0, agent >= 0 and w.a_gone[agent],
                                      p.tl_ownership[w.ic[I_LEVER]], p.st_step)
    if step == NEXT_GIVE_UP:
        close(p, w, rng, s, GIVEN_UP)
        return
    w.n_next_kind[s] = REPEAT
    w.n_owner[s] = agent if owned else -1
    w.n_where[s] = where
    push_at(w, when, EV_RETURN, s, 0, NORMAL)


@njit(cache=True)
def on_return(p, w, rng, s: int) -> None:
    """The customer comes back: a retrial, the owner's callback, or a repeat (maybe in another channel)."""
    channel = w.n_channel[s]
    if w.n_next_kind[s] == RETRIAL:
        start_contact(p, w, rng, s, channel, RETRIAL, w.n_carry[s], -1)
        return
    owner = w.n_owner[s]
    w.n_owner[s] = -1
    owned = owner >= 0
    kind, channel, w.n_carry[s] = comeback_step(owned, owned and w.a_gone[owner], owned and w.a_absent[owner], channel,
                                                p.switch_cdf[channel], w.n_where[s], w.n_left[s], w.n_done[s],
                                                p.tl_case_notes[w.ic[I_LEVER]], p.st_step)
    start_contact(p, w, rng, s, channel, kind, w.n_carry[s], owner if kind == CALLBACK else -1)


@njit(cache=True)
def open_at_horizon(p, w, s: int) -> None:
    """Records of a need still open when the run ends: its contact in progress, if any, and the journey."""
    if w.tk_active[s]:
        wait = w.tk_wait[s] if w.tk_agent[s] >= 0 else NAN
        log(p, w, s, w.tk_kind[s], w.tk_channel[s], w.tk_arrived[s], wait, NAN, NAN, NAN, OPEN, False, w.tk_agent[s], NAN)
    log_journey(p, w, s, NAN, UNFINISHED, NAN, -1, False, False)


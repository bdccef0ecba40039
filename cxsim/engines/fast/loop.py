"""The compiled event loop: pop the next event, hand it to its handler, until the horizon.

The processes of the SimPy engine that are not a need's journey — arrivals, shifts, the daily
table, pressure and standards, the workforce's day, background churn and acquisition, policy
interventions — are small steps here, started at time 0 in the order the SimPy engine starts them.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from ...kernels.needs import arrival_after
from ...codes import FIRST, SWITCH
from ...kernels.books import agent_row, running_totals
from ...kernels.ledger import cut_staff_day
from ...kernels.levers import restaffs
from ...kernels.population import background_joins, background_rate
from ...kernels.sampling import exponential_wait
from ...kernels.shifts import shift_walk
from ...minutes import DAY
from ...streams import ARRIVALS, BACKGROUND
from .heap import (
    EV_ABANDONED, EV_ACQUIRE, EV_ANSWERED, EV_ARRIVAL, EV_BACK, EV_CHURN, EV_DAILY, EV_EROSION, EV_HANDLED, EV_HIRE,
    EV_INTERVENTION, EV_PATIENCE, EV_PERIOD, EV_RETURN, EV_SHIFT, EV_SWITCH, NORMAL, push, push_at, EV_BREAK,
    next_time, pop_next,
)
from .journey import (
    begin_handling, new_need, on_abandoned, on_handled, on_patience, on_return, open_at_horizon, start_contact,
)
from .breaks import break_step, schedule_breaks
from .management import review_step
from .people import (
    add_customer, back_from_absence, churn, churn_hazard, daily_step, hire, new_agent, organisation_step,
    pick_customer, restaff, team_mean,
)
from .router import area, end_shift, start_shift, update_wellbeing
from .state import (
    F_ARRIVAL, F_EXPECTED_LEAVERS, F_LAST_CUT, F_NOW, F_PRESSURE_AREA, F_SUPPORT, I_ACQUIRED, I_ACTIVE, I_AGENTS, I_BOREOUT, I_CHURNED, I_CUSTOMERS, I_CUT,
    I_DAYS, I_DETERRED, I_ENC, I_EVENTS, I_FREE, I_HEAP, I_HIRE_ROOM, I_HIRES, I_JOUR, I_LEAVERS, I_LEVER, I_OPEN, I_OWED,
    I_PINNED, I_STAFFED_DAYS, L_ABSENT, L_BUSY, L_CUSTOMERS, L_EMPLOYED, L_SICK, L_VALUE, L_WAITING, GROW_AGENTS, GROW_CUSTOMERS,
    GROW_ENCOUNTERS, GROW_HEAP, GROW_JOURNEYS, GROW_NEEDS, borrow, I_NOW_TAIL,
)


_ROOMY = 0
_RECORD_MARGIN = 64


# --- the daily table --------------------------------------------------------------------------------
@njit(cache=True)
def totals(p, w, now: float, out) -> None:
    """The running totals the daily table is cut from (kernels.books.running_totals; ``w.led`` is
    laid out by ``layouts.COUNTS``)."""
    staffed = np.empty(p.n_teams)
    for t in range(p.n_teams):
        staffed[t] = area(w.tm_staffed, t, now)
    running_totals(out, w.led, area(w.lv, L_WAITING, now), area(w.lv, L_BUSY, now), staffed, p.team_cost,
                   w.fc[F_PRESSURE_AREA], p.population > 0, float(w.ic[I_CHURNED]), float(w.ic[I_ACQUIRED]),
                   area(w.lv, L_CUSTOMERS, now), area(w.lv, L_VALUE, now), p.mech_wellbeing, float(w.ic[I_LEAVERS]),
                   area(w.lv, L_EMPLOYED, now), area(w.lv, L_ABSENT, now), float(w.ic[I_BOREOUT]),
                   float(w.ic[I_STAFFED_DAYS]), w.fc[F_EXPECTED_LEAVERS], float(w.ic[I_HIRES]),
                   area(w.lv, L_SICK, now))


@njit(cache=True)
def close_period(p, w, now: float) -> None:
    """One row of the daily table, from ``F_LAST_CUT`` to ``now``."""
    start = w.fc[F_LAST_CUT]
    after = np.empty(len(w.totals))
    totals(p, w, now, after)
    n = w.ic[I_AGENTS]
    for a in range(n):
        if not w.a_gone[a]:
            update_wellbeing(p, w, a)
    cut_staff_day(w.days[w.ic[I_DAYS]], start, now, w.totals, after, w.ic[I_OPEN], team_mean(w, w.tm_standard),
                  w.ic[I_ACTIVE] if p.population else 0, w.a_wellbeing[:n], w.a_strain[:n], w.a_engagement[:n],
                  w.a_absent[:n] & (w.a_sick_left[:n] == 0), w.a_gone[:n])
    w.ic[I_DAYS] += 1
    w.totals[:] = after
    w.fc[F_LAST_CUT] = now
    if now == p.warmup:
        for a in range(w.ic[I_AGENTS]):
            w.a_warm_staffed[a] = area(w.a_staffed, a, now)
            w.a_warm_busy[a] = area(w.a_busy, a, now)
            w.a_warm_handled[a] = w.a_handled[a]


# --- the processes that are not journeys --------------------------------------------------------------
@njit(cache=True)
def arrival_step(p, w, rng) -> None:
    """Draw the next arrival of the non-homogeneous Poisson process and schedule it (or stop)."""
    u = rng[ARRIVALS].random()
    t = arrival_after(w.fc[F_ARRIVAL], u, p.week_rate, p.population > 0, w.seg_count, p.cu_rate_factor, p.change_at,
                      p.factor)
    w.fc[F_ARRIVAL] = t
    if t < p.horizon:
        push_at(w, t, EV_ARRIVAL, 0, 0, NORMAL)


@njit(cache=True)
def shift_step(p, w, team: int, phase: int) -> None:
    """Carry a team's shift pattern on from ``phase`` (kernels.shifts: 0 before the shift starts, 1 starting, 2 ending)."""
    end, start, wake, w.tm_shift_week[team], w.tm_shift_k[team], w.tm_shift_phase[team] = shift_walk(
        w.fc[F_NOW], w.tm_shift_week[team], w.tm_shift_k[team], phase, p.team_shift_on[team], p.team_shift_off[team],
        p.team_nshifts[team])
    if end:
        end_shift(p, w, team)
    if start:
        start_shift(p, w, team)
        schedule_breaks(p, w, team, w.tm_shift_week[team] + p.team_shift_on[team, w.tm_shift_k[team]])
    push_at(w, wake, EV_SHIFT, team, 0, NORMAL)


@njit(cache=True)
def churn_step(p, w, rng) -> None:
    rate = background_rate(churn_hazard(p), w.ic[I_ACTIVE])
    if rate <= 0:
        return
    push(w, w.fc[F_NOW] + exponential_wait(rng[BACKGROUND].random(), rate), EV_CHURN, 0, 0, NORMAL)


@njit(cache=True)
def acquisition_step(p, w, rng) -> None:
    rate = background_rate(churn_hazard(p), p.population)
    if rate <= 0:
        return
    push(w, w.fc[F_NOW] + exponential_wait(rng[BACKGROUND].random(), rate), EV_ACQUIRE, 0, 0, NORMAL)


@njit(cache=True)
def intervene(p, w, step: int) -> None:
    """Switch to the policy's levers at ``step`` of its timeline (MODEL.md §9)."""
    if restaffs(p.tl_staffing[w.ic[I_LEVER]], p.tl_staffing[step]):
        restaff(p, w, step)
    w.ic[I_LEVER] = step
    w.ic[I_PINNED] = p.tl_pinned[step]
    w.fc[F_SUPPORT] = p.tl_support[step]
    if step + 1 < len(p.tl_at):
        push_at(w, p.tl_at[step + 1], EV_INTERVENTION, step + 1, 0, NORMAL)


# --- start, run, finish --------------------------------------------------------------------------------
@njit(cache=True)
def _start(p, w, rng) -> None:
    """Time 0: the population, the staff, then each process's first step in the SimPy engine's order."""
    for _ in range(p.population):
        add_customer(p, w, rng)
    initial_w = p.wb_initial if p.mech_wellbeing else 1.0
    for team in range(p.n_teams):
        for _ in range(p.team_agents[team]):
            new_agent(p, w, team, -1e18, initial_w, 0.0)
    if p.mech_wellbeing:
        w.lv[L_EMPLOYED, 0] = w.ic[I_AGENTS]
    w.ic[I_HIRE_ROOM] = p.tl_targets.sum() + 4  # the most one event can add (a head-count change)
    w.ic[I_LEVER] = 0
    w.ic[I_PINNED] = p.tl_pinned[0]
    w.fc[F_SUPPORT] = p.tl_support[0]
    for team in range(p.n_teams):
        if p.team_always[team]:
            start_shift(p, w, team)
    for team in range(p.n_teams):
        if not p.team_always[team]:
            shift_step(p, w, team, 0)
    arrival_step(p, w, rng)
    if len(p.cuts):
        push(w, p.cuts[0], EV_PERIOD, 0, 0, NORMAL)
    if p.mech_erosion:
        push(w, p.er_interval, EV_EROSION, 0, 0, NORMAL)
    if p.mech_wellbeing:
        push(w, DAY, EV_DAILY, 0, 0, NORMAL)
    if p.population and p.mech_loyalty:
        churn_step(p, w, rng)
        acquisition_step(p, w, rng)
    if len(p.tl_at) > 1:
        push(w, p.tl_at[1], EV_INTERVENTION, 1, 0, NORMAL)


@njit(cache=True)
def _room(p, w) -> int:
    """Which group of arrays, if any, might fill up while handling the next event."""
    if w.ic[I_FREE] < 4:
        return GROW_NEEDS
    if w.ic[I_AGENTS] + w.ic[I_HIRE_ROOM] > len(w.a_team):
        return GROW_AGENTS
    # One event may schedule an answer per waiting contact and, on the workforce's day, a return
    # from absence and a replacement hire per agent.
    # A shift start schedules two events per agent and break.
    # (The same-time queue fills from the same pushes and has the heap's capacity.)
    if max(w.ic[I_HEAP], w.ic[I_NOW_TAIL]) + w.ic[I_OPEN] + 2 * w.ic[I_AGENTS] + 2 * p.max_breaks * w.ic[I_AGENTS] + 64 > len(w.h_time):
        return GROW_HEAP
    if w.ic[I_ENC] + _RECORD_MARGIN > len(w.enc) and len(w.enc) > 0:
        return GROW_ENCOUNTERS
    if w.ic[I_JOUR] + _RECORD_MARGIN > len(w.jour) and len(w.jour) > 0:
        return GROW_JOURNEYS
    if p.population and w.ic[I_CUSTOMERS] + 4 > len(w.c_active):
        return GROW_CUSTOMERS
    return _ROOMY


@njit(cache=True)
def _run_events(p, w, rng) -> int:
    """Handle events until the horizon (returns 0) or until a group of arrays must grow (returns its code)."""
    while True:
        code = _room(p, w)
        if code != _ROOMY:
            return code
        if next_time(w) >= p.horizon:
            return _ROOMY
        time, kind, a, b = pop_next(w)
        w.fc[F_NOW] = time
        w.ic[I_EVENTS] += 1
        if kind == EV_HANDLED:
            on_handled(p, w, rng, a)
        elif kind == EV_ARRIVAL:
            if p.population and w.ic[I_ACTIVE] == 0:  # everyone left since this arrival was drawn
                arrival_step(p, w, rng)
                continue
            s = new_need(p, w, rng)
            arrival_step(p, w, rng)
            # SimPy starts the journey as an *urgent* process at this same time: it always runs
            # next, before any other event, so it can run right here.
            start_contact(p, w, rng, s, w.n_first_channel[s], FIRST, -1.0, -1)
        elif kind == EV_SWITCH:
            start_contact(p, w, rng, a, w.n_channel[a], SWITCH, w.n_carry[a], -1)
        elif kind == EV_PATIENCE:
            on_patience(w, a, b)
        elif kind == EV_ANSWERED:
            begin_handling(p, w, a, w.tk_agent[a])
        elif kind == EV_ABANDONED:
            on_abandoned(p, w, rng, a)
        elif kind == EV_RETURN:
            on_return(p, w, rng, a)
        elif kind == EV_SHIFT:
            shift_step(p, w, a, w.tm_shift_phase[a])
        elif kind == EV_PERIOD:
            cut = p.cuts[w.ic[I_CUT]]
            close_period(p, w, cut)
            if p.mg_on:
                review_step(p, w, rng, cut)
            w.ic[I_CUT] += 1
            if w.ic[I_CUT] < len(p.cuts):
                push(w, time + (p.cuts[w.ic[I_CUT]] - time), EV_PERIOD, 0, 0, NORMAL)
        elif kind == EV_EROSION:
            organisation_step(p, w)
            push(w, time + p.er_interval, EV_EROSION, 0, 0, NORMAL)
        elif kind == EV_DAILY:
            daily_step(p, w, rng)
            push(w, time + DAY, EV_DAILY, 0, 0, NORMAL)
        elif kind == EV_BACK:
            back_from_absence(p, w, a)
        elif kind == EV_HIRE:
            hire(p, w, a)
        elif kind == EV_CHURN:
            u = rng[BACKGROUND].random()
            if w.ic[I_ACTIVE] > 0:
                churn(p, w, pick_customer(w, u))
            churn_step(p, w, rng)
        elif kind == EV_ACQUIRE:
            joins, w.ic[I_OWED] = background_joins(w.ic[I_OWED])
            if joins:
                add_customer(p, w, rng)
                w.ic[I_ACQUIRED] += 1
            else:
                w.ic[I_DETERRED] += 1
            acquisition_step(p, w, rng)
        elif kind == EV_INTERVENTION:
            intervene(p, w, a)
        elif kind == EV_BREAK:
            break_step(p, w, a, b)


@njit(cache=True)
def _finish(p, w) -> None:
    """Close the books at the horizon: the last period, the agents, and every need still open.

    ``w.agents_out`` must have a row per agent, and the record tables room for every open need.
    """
    now = p.horizon
    w.fc[F_NOW] = now
    close_period(p, w, now)
    for a in range(w.ic[I_AGENTS]):
        if p.mech_wellbeing and not w.a_gone[a]:
            update_wellbeing(p, w, a)
        agent_row(w.agents_out[a], a, w.a_team[a], area(w.a_staffed, a, now), area(w.a_busy, a, now), w.a_handled[a],
                  w.a_wellbeing[a], w.a_absent_minutes[a], w.a_boreout_days[a], w.a_hired[a], w.a_left[a],
                  w.a_strain[a], w.a_engagement[a], w.a_warm_staffed[a], w.a_warm_busy[a], w.a_warm_handled[a])
    live = np.empty(w.ic[I_OPEN], dtype=np.int64)
    n = 0
    for s in range(len(w.n_live)):
        if w.n_live[s]:
            live[n] = s
            n += 1
    ids = np.empty(n, dtype=np.int64)
    for i in range(n):
        ids[i] = w.n_id[live[i]]
    for i in np.argsort(ids):
        open_at_horizon(p, w, live[i])


# --- the entry points: the StructRefs borrowed once, so that nothing inside counts references -------
@njit(cache=True)
def start(p, w, rng) -> None:
    _start(borrow(p), borrow(w), rng)


@njit(cache=True)
def run_events(p, w, rng) -> int:
    return _run_events(borrow(p), borrow(w), rng)


@njit(cache=True)
def finish(p, w) -> None:
    _finish(borrow(p), borrow(w))

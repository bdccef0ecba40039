"""Staff and customers over time, in arrays: the SimPy engine's ``workforce.py`` and ``customers.py``.

Pressure and the standard (every ``erosion.interval``), the daily workforce step (boreout,
burnout absence, attrition, replacement hires), head-count changes at interventions, and the
customer population (expectations, relationship balance, churn, word of mouth, background churn
and acquisition). The rules are kernels; this decides when they apply, in the SimPy engine's order.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from ...kernels.customers import who_raises
from ...kernels.churn import customer_reaction
from ...kernels.population import new_customer
from ...kernels.sampling import uniform_index
from ...kernels.workforce_day import (
    absence_over, agent_day_close, leave_absences, newcomer, pressure_step, sick_day,
)
from ...kernels.pressure import headcount_change, headcount_mean
from ...kernels.capacity import team_capacities
from ...streams import CUSTOMERS, LOYALTY, SEGMENTS, WORKFORCE
from ...streams import SICKNESS
from .heap import EV_BACK, EV_HIRE, NORMAL, push
from .router import area, change, go_off_duty, go_on_duty, hand_back, remove, update_wellbeing
from .state import (
    F_EXPECTED_LEAVERS, F_NOW, F_PRESSURE_AREA, F_SUPPORT, I_ACQUIRED, I_ACTIVE, I_AGENTS, I_BOREOUT, I_CHURNED,
    I_CUSTOMERS, I_HIRES, I_LEAVERS, I_OWED, I_PINNED, I_STAFFED_DAYS, L_ABSENT, L_CUSTOMERS, L_EMPLOYED, L_VALUE,
)
from .state import L_SICK



# --- the organisation: pressure and standards -----------------------------------------------------
@njit(cache=True)
def team_mean(w, values) -> float:
    """Head-count weighted mean over teams, for the daily table."""
    return headcount_mean(values, w.tm_size)


@njit(cache=True)
def organisation_step(p, w) -> None:
    n = w.ic[I_AGENTS]
    capacities = np.empty(p.n_teams)
    team_capacities(capacities, w.a_team[:n], w.a_on_duty[:n], w.a_gone[:n], w.a_hired[:n], w.fc[F_NOW],
                    p.team_proficiency, p.mech_wellbeing, p.wb_rookie_start, p.wb_ramp_up)
    w.fc[F_PRESSURE_AREA] += pressure_step(
        w.tm_pressure, w.tm_multiplier, w.tm_standard, capacities, w.q_offered, w.q_queued, p.team_queues, p.team_nq,
        p.queue_share, w.tm_given, w.tm_count, w.tm_size, w.ic[I_PINNED] != 0, p.mean_work, p.wf_erosion)
    w.q_offered[:] = 0
    w.tm_given[:] = 0.0
    w.tm_count[:] = 0


# --- the workforce --------------------------------------------------------------------------------
@njit(cache=True)
def new_agent(p, w, team: int, hired: float, wellbeing: float, since: float) -> int:
    a = w.ic[I_AGENTS]
    w.ic[I_AGENTS] = a + 1
    w.a_team[a], w.a_sessions[a], w.a_channel[a], w.a_idle_since[a] = team, 0, -1, 0.0
    w.a_on_duty[a] = w.a_leaving[a] = w.a_absent[a] = w.a_gone[a] = w.a_in_idle[a] = False
    w.a_busy[a, :] = 0.0
    w.a_staffed[a, :] = 0.0
    w.a_handled[a], w.a_wellbeing[a], w.a_since[a], w.a_upset[a], w.a_low_since[a] = 0, wellbeing, since, 0, -1.0
    w.a_hired[a], w.a_cb_head[a], w.a_cb_tail[a] = hired, -1, -1
    w.a_absent_minutes[a], w.a_absent_since[a], w.a_boreout_days[a], w.a_left[a] = 0.0, 0.0, 0, math.nan
    w.a_idle_prev[a] = w.a_idle_next[a] = -1
    w.a_day_staffed[a] = w.a_day_busy[a] = w.a_warm_staffed[a] = w.a_warm_busy[a] = 0.0
    w.a_warm_handled[a] = 0
    w.a_strain[a], w.a_load[a], w.a_day_low[a] = 0.0, 0.0, wellbeing
    w.a_engagement[a], w.a_day_upset[a], w.a_on_break[a] = 1.0, 0, False
    w.a_sick_left[a] = 0
    w.tm_size[team] += 1
    return a


@njit(cache=True)
def hire(p, w, team: int) -> None:
    """A new agent joins the team now (with wellbeing on, a rookie who ramps up, counted on the payroll)."""
    now = w.fc[F_NOW]
    wellbeing, since = newcomer(p.mech_wellbeing, p.wb_initial, now)
    a = new_agent(p, w, team, now, wellbeing, since)
    if p.mech_wellbeing:
        w.ic[I_HIRES] += 1
        change(w.lv, L_EMPLOYED, now, 1.0)
    if w.tm_on_shift[team]:
        go_on_duty(p, w, a)


@njit(cache=True)
def back_from_absence(p, w, agent: int) -> None:
    now = w.fc[F_NOW]
    over, w.a_absent_minutes[agent], on = absence_over(w.a_absent[agent], w.a_gone[agent],
                                                       w.tm_on_shift[w.a_team[agent]], w.a_absent_minutes[agent],
                                                       w.a_absent_since[agent], now)
    if over:
        w.a_absent[agent] = False
        change(w.lv, L_ABSENT, now, -1.0)
    if on:
        go_on_duty(p, w, agent)


@njit(cache=True)
def _burnout(p, w, agent: int, now: float, length: float) -> None:
    w.a_absent[agent] = True
    w.a_absent_since[agent] = now
    change(w.lv, L_ABSENT, now, 1.0)
    w.a_low_since[agent] = -1.0
    go_off_duty(p, w, agent)
    hand_back(p, w, agent)
    push(w, now + length, EV_BACK, agent, 0, NORMAL)


@njit(cache=True)
def _leave(p, w, agent: int) -> None:
    now = w.fc[F_NOW]
    w.ic[I_LEAVERS] += 1
    change(w.lv, L_EMPLOYED, now, -1.0)
    sick, burnt_out, w.a_absent_minutes[agent] = leave_absences(w.a_sick_left[agent], w.a_absent[agent],
                                                                w.a_absent_minutes[agent], w.a_absent_since[agent], now)
    w.a_sick_left[agent], w.a_absent[agent] = 0, False
    if sick:
        change(w.lv, L_SICK, now, -1.0)
    if burnt_out:
        change(w.lv, L_ABSENT, now, -1.0)
    remove(p, w, agent)
    w.tm_size[w.a_team[agent]] -= 1
    push(w, now + p.wb_hiring_delay, EV_HIRE, w.a_team[agent], 0, NORMAL)


@njit(cache=True)
def _sickness(p, w, rng, agent: int, now: float) -> None:
    """Baseline sickness (kernels.sickness): every agent employed at the step draws two uniforms a day."""
    stream = rng[SICKNESS]
    u_start = stream.random()
    u_length = stream.random()
    w.a_sick_left[agent], w.a_absent[agent], sick, off, on = sick_day(
        w.a_gone[agent], w.a_sick_left[agent], w.a_absent[agent], w.tm_on_shift[w.a_team[agent]], p.sk_chance,
        p.sk_mean_days, u_start, u_length)
    if sick:
        change(w.lv, L_SICK, now, float(sick))
    if off:
        go_off_duty(p, w, agent)
        hand_back(p, w, agent)
    if on:
        go_on_duty(p, w, agent)


@njit(cache=True)
def daily_step(p, w, rng) -> None:
    """Once a day: boreout, burnout absence and attrition, each agent drawing the same four uniforms."""
    now = w.fc[F_NOW]
    stream = rng[WORKFORCE]
    for a in range(w.ic[I_AGENTS]):
        if w.a_gone[a]:
            continue
        update_wellbeing(p, w, a)
        # Every agent draws the same four uniforms each day: common random numbers.
        stream.random()  # spare: keeps the stream's layout of earlier versions
        u_leave, d1, d2 = stream.random(), stream.random(), stream.random()
        team = w.a_team[a]
        (w.a_strain[a], w.a_load[a], w.a_engagement[a], w.a_wellbeing[a], worked, bored, burnout, length, chance,
         leaves) = agent_day_close(
            w.a_strain[a], w.a_load[a], w.a_engagement[a], w.a_wellbeing[a], w.a_low_since[a], w.a_absent[a],
            area(w.a_staffed, a, now), w.a_day_staffed[a], area(w.a_busy, a, now), w.a_day_busy[a], w.a_day_low[a],
            w.a_day_upset[a], not p.team_always[team], p.team_skill_use[team], w.fc[F_SUPPORT], now, u_leave, d1, d2,
            p.wf_day)
        w.a_day_upset[a] = 0
        w.a_day_low[a] = w.a_wellbeing[a]
        w.ic[I_STAFFED_DAYS] += worked
        w.a_boreout_days[a] += bored
        w.ic[I_BOREOUT] += bored
        if burnout:
            _burnout(p, w, a, now, length)
        w.fc[F_EXPECTED_LEAVERS] += chance
        if leaves:
            _leave(p, w, a)
        if p.sk_on:
            _sickness(p, w, rng, a, now)
    for a in range(w.ic[I_AGENTS]):
        w.a_day_staffed[a] = area(w.a_staffed, a, now)
        w.a_day_busy[a] = area(w.a_busy, a, now)


@njit(cache=True)
def restaff(p, w, step: int) -> None:
    """A new head count: leavers go without replacement (idle ones first), new hires start now."""
    now = w.fc[F_NOW]
    for team in range(p.n_teams):
        target = p.tl_targets[step, team]
        employed = np.empty(w.ic[I_AGENTS], dtype=np.int64)
        n = 0
        for a in range(w.ic[I_AGENTS]):
            if w.a_team[a] == team and not w.a_gone[a]:
                employed[n] = a
                n += 1
        busy = np.empty(n, dtype=np.bool_)
        hired = np.empty(n)
        for i in range(n):
            busy[i] = w.a_sessions[employed[i]] > 0
            hired[i] = w.a_hired[employed[i]]
        leavers, hires = headcount_change(busy, hired, target)
        for i in leavers:
            a = employed[i]
            remove(p, w, a)
            w.tm_size[team] -= 1
            if p.mech_wellbeing:
                change(w.lv, L_EMPLOYED, now, -1.0)
        for _ in range(hires):
            hire(p, w, team)


# --- customers ------------------------------------------------------------------------------------
@njit(cache=True)
def add_customer(p, w, rng) -> int:
    cid = w.ic[I_CUSTOMERS]
    w.ic[I_CUSTOMERS] = cid + 1
    sd = p.ex_expectation_sd if p.mech_experience else 0.0
    u_segment = rng[SEGMENTS].random()
    stream = rng[CUSTOMERS]
    u1 = stream.random()
    u2 = stream.random()
    seg, w.c_expectation[cid] = new_customer(u_segment, u1, u2, p.cu_share_cdf, p.cu_expectation, sd,
                                             p.cu_expected_wait, p.cu_wait_factor, w.c_waits[cid])
    w.c_balance[cid] = 0.0
    w.c_position[cid] = w.ic[I_ACTIVE]
    w.c_active[w.ic[I_ACTIVE]] = cid
    w.ic[I_ACTIVE] += 1
    now = w.fc[F_NOW]
    change(w.lv, L_CUSTOMERS, now, 1.0)
    w.c_segment[cid] = seg
    w.c_segment_position[cid] = w.seg_count[seg]
    w.c_in_segment[w.seg_count[seg], seg] = cid
    w.seg_count[seg] += 1
    w.c_joined[cid] = now
    w.c_left[cid] = math.nan
    change(w.lv, L_VALUE, now, p.cu_value[seg])
    return cid


@njit(cache=True)
def raiser(p, w, u: float) -> int:
    """The customer who raises the next need, in proportion to their segment's need rate."""
    seg, i = who_raises(u, w.seg_count, p.cu_rate_factor)
    return w.c_in_segment[i, seg]


@njit(cache=True)
def pick_customer(w, u: float) -> int:
    return w.c_active[uniform_index(u, w.ic[I_ACTIVE])]


@njit(cache=True)
def churn(p, w, cid: int) -> None:
    i = w.c_position[cid]
    if i < 0:
        return
    n = w.ic[I_ACTIVE] - 1
    last = w.c_active[n]
    w.ic[I_ACTIVE] = n
    if last != cid:
        w.c_active[i] = last
        w.c_position[last] = i
    w.c_position[cid] = -1
    w.ic[I_CHURNED] += 1
    now = w.fc[F_NOW]
    change(w.lv, L_CUSTOMERS, now, -1.0)
    seg = w.c_segment[cid]
    j = w.c_segment_position[cid]
    m = w.seg_count[seg] - 1
    last = w.c_in_segment[m, seg]
    w.seg_count[seg] = m
    if last != cid:
        w.c_in_segment[j, seg] = last
        w.c_segment_position[last] = j
    w.c_segment_position[cid] = -1
    w.c_left[cid] = now
    change(w.lv, L_VALUE, now, -p.cu_value[seg])


@njit(cache=True)
def after_journey(p, w, rng, cid: int, score: float, high_effort: bool, nps: int) -> bool:
    """Update R, maybe churn, maybe spread word of mouth. Returns whether the customer left."""
    stream = rng[LOYALTY]
    u_churn = stream.random()
    u_word = stream.random()
    w.c_balance[cid], left, joins, w.ic[I_OWED] = customer_reaction(w.c_balance[cid], score, high_effort, nps, u_churn,
                                                                    u_word, w.ic[I_OWED], p.st_loyalty)
    if left:
        churn(p, w, cid)
    if joins:
        add_customer(p, w, rng)
        w.ic[I_ACQUIRED] += 1
    return left


@njit(cache=True)
def churn_hazard(p) -> float:
    """Background churn per customer-minute (memoryless)."""
    return p.lo_background_hazard

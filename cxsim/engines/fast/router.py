"""Queues, routing and agents coming on and off duty, in arrays (the SimPy engine's ``staff.py``).

The rules are the SimPy engine's, step for step, in the same order — that is what keeps the two
engines' trajectories identical: longest-idle skilled agent first, FIFO per (channel, need) queue,
a freed agent calls back its own cases first, then takes the longest-waiting contact it can.
"""

from __future__ import annotations

from numba import njit

from ...kernels.workforce_day import agent_energy
from ...kernels.routing import (
    PULL_ANY, PULL_CALLBACK, PULL_CHANNEL, PULL_NONE, fewer_sessions, idle_longer, may_take_session, owner_takes_now,
    pull_scope, waited_longer,
)
from .heap import EV_ABANDONED, EV_ANSWERED, push_now
from .state import F_NOW, F_SUPPORT, I_AGENTS, L_BUSY, L_WAITING


# --- time-integrated levels ----------------------------------------------------------------------
@njit(cache=True, inline="always")
def change(level, i: int, now: float, delta: float) -> None:
    """Level row ``i`` changes by ``delta`` at ``now``; its area is kept up to date."""
    level[i, 1] += level[i, 0] * (now - level[i, 2])
    level[i, 2] = now
    level[i, 0] += delta


@njit(cache=True, inline="always")
def area(level, i: int, now: float) -> float:
    return level[i, 1] + level[i, 0] * (now - level[i, 2])


# --- wellbeing at every change of an agent's state (the SimPy engine's before_change hook) ----------
@njit(cache=True)
def update_wellbeing(p, w, agent: int) -> None:
    if not p.mech_wellbeing:
        return
    now = w.fc[F_NOW]
    changed, wellbeing, low_since, w.a_day_low[agent], w.a_day_upset[agent] = agent_energy(
        w.a_wellbeing[agent], w.a_low_since[agent], w.a_since[agent], w.a_day_low[agent], w.a_day_upset[agent],
        w.a_sessions[agent], w.a_on_duty[agent], w.a_on_break[agent], w.a_upset[agent],
        w.tm_pressure[w.a_team[agent]], now, w.fc[F_SUPPORT], p.wf_day)
    if changed:
        w.a_wellbeing[agent], w.a_low_since[agent] = wellbeing, low_since
        w.a_since[agent], w.a_upset[agent] = now, 0


# --- intrusive lists -------------------------------------------------------------------------------
@njit(cache=True)
def list_append(w, head, tail, key: int, slot: int) -> None:
    w.lk_prev[slot] = tail[key]
    w.lk_next[slot] = -1
    if tail[key] >= 0:
        w.lk_next[tail[key]] = slot
    else:
        head[key] = slot
    tail[key] = slot


@njit(cache=True)
def list_remove(w, head, tail, key: int, slot: int) -> None:
    prev, nxt = w.lk_prev[slot], w.lk_next[slot]
    if prev >= 0:
        w.lk_next[prev] = nxt
    else:
        head[key] = nxt
    if nxt >= 0:
        w.lk_prev[nxt] = prev
    else:
        tail[key] = prev
    w.lk_prev[slot] = w.lk_next[slot] = -1


@njit(cache=True)
def idle_append(w, agent: int) -> None:
    team = w.a_team[agent]
    w.a_idle_prev[agent] = w.tm_idle_tail[team]
    w.a_idle_next[agent] = -1
    if w.tm_idle_tail[team] >= 0:
        w.a_idle_next[w.tm_idle_tail[team]] = agent
    else:
        w.tm_idle_head[team] = agent
    w.tm_idle_tail[team] = agent
    w.a_in_idle[agent] = True


@njit(cache=True)
def idle_remove(w, agent: int) -> None:
    team = w.a_team[agent]
    prev, nxt = w.a_idle_prev[agent], w.a_idle_next[agent]
    if prev >= 0:
        w.a_idle_next[prev] = nxt
    else:
        w.tm_idle_head[team] = nxt
    if nxt >= 0:
        w.a_idle_prev[nxt] = prev
    else:
        w.tm_idle_tail[team] = prev
    w.a_idle_prev[agent] = w.a_idle_next[agent] = -1
    w.a_in_idle[agent] = False


# --- contacts arrive -------------------------------------------------------------------------------
@njit(cache=True)
def find_agent(p, w, queue: int, channel: int) -> int:
    """The longest-idle skilled agent, or a chat agent with a free session; -1 if all busy."""
    best = -1
    for k in range(p.queue_nteams[queue]):  # the rules: kernels.routing
        head = w.tm_idle_head[p.queue_teams[queue, k]]
        if head >= 0 and idle_longer(w.a_idle_since[head], w.a_idle_since[best] if best >= 0 else 0.0, best >= 0):
            best = head
    if best >= 0:
        idle_remove(w, best)
        return best
    limit = p.ch_sessions[channel]
    if limit > 1:
        for k in range(p.queue_nteams[queue]):
            team = p.queue_teams[queue, k]
            for a in range(w.ic[I_AGENTS]):  # team members in id order, like team.agents
                if w.a_team[a] != team or w.a_gone[a]:
                    continue
                if may_take_session(w.a_channel[a], channel, w.a_sessions[a], limit, w.a_on_duty[a],
                                    w.a_leaving[a]) and fewer_sessions(
                        w.a_sessions[a], w.a_idle_since[a], w.a_sessions[best] if best >= 0 else 0,
                        w.a_idle_since[best] if best >= 0 else 0.0, best >= 0):
                    best = a
    return best


@njit(cache=True)
def offer_callback(w, slot: int) -> int:
    """An owned case comes back: its owner takes it now if free, else it waits for the owner."""
    owner = w.tk_owner[slot]
    if owner_takes_now(w.a_on_duty[owner], w.a_leaving[owner], w.a_sessions[owner], w.a_in_idle[owner]):
        idle_remove(w, owner)
        return owner
    list_append(w, w.a_cb_head, w.a_cb_tail, owner, slot)
    change(w.lv, L_WAITING, w.fc[F_NOW], 1.0)
    return -1


@njit(cache=True)
def enqueue(w, slot: int) -> None:
    q = w.tk_queue[slot]
    list_append(w, w.q_head, w.q_tail, q, slot)
    w.q_queued[q] += 1
    change(w.lv, L_WAITING, w.fc[F_NOW], 1.0)


@njit(cache=True)
def abandon(w, slot: int) -> None:
    """Patience ran out before an agent came."""
    now = w.fc[F_NOW]
    q = w.tk_queue[slot]
    w.tk_done[slot] = True
    w.tk_wait[slot] = now - w.tk_arrived[slot]
    w.q_queued[q] -= 1
    change(w.lv, L_WAITING, now, -1.0)
    list_remove(w, w.q_head, w.q_tail, q, slot)
    push_now(w, EV_ABANDONED, slot, 0)


@njit(cache=True)
def assign(p, w, slot: int, agent: int) -> None:
    now = w.fc[F_NOW]
    w.tk_agent[slot] = agent
    w.tk_wait[slot] = now - w.tk_arrived[slot]
    if w.a_sessions[agent] == 0:
        update_wellbeing(p, w, agent)
        w.a_channel[agent] = w.tk_channel[slot]
        change(w.a_busy, agent, now, 1.0)
        change(w.lv, L_BUSY, now, 1.0)
    w.a_sessions[agent] += 1


@njit(cache=True)
def hand_over(p, w, slot: int, agent: int) -> None:
    w.tk_done[slot] = True
    assign(p, w, slot, agent)
    push_now(w, EV_ANSWERED, slot, 0)


# --- agents free up --------------------------------------------------------------------------------
@njit(cache=True)
def release(p, w, agent: int) -> None:
    if w.a_sessions[agent] == 1:
        update_wellbeing(p, w, agent)
    w.a_sessions[agent] -= 1
    w.a_handled[agent] += 1
    if w.a_sessions[agent] == 0:
        now = w.fc[F_NOW]
        change(w.a_busy, agent, now, -1.0)
        change(w.lv, L_BUSY, now, -1.0)
        if w.a_leaving[agent]:
            go_off_duty(p, w, agent)
            return
    pull(p, w, agent)


@njit(cache=True)
def pull(p, w, agent: int) -> None:
    """Give a free agent its own callbacks first, then the longest-waiting contact it can take."""
    team = w.a_team[agent]
    while True:  # the rules: kernels.routing
        scope = pull_scope(w.a_sessions[agent], p.ch_sessions[w.a_channel[agent]], w.a_leaving[agent],
                           w.a_cb_head[agent] >= 0)
        if scope == PULL_NONE:
            return
        if scope == PULL_CALLBACK:
            slot = w.a_cb_head[agent]
            list_remove(w, w.a_cb_head, w.a_cb_tail, agent, slot)
            change(w.lv, L_WAITING, w.fc[F_NOW], -1.0)
            hand_over(p, w, slot, agent)
            continue
        by_channel = scope == PULL_CHANNEL
        oldest = -1
        n = p.team_ch_nq[team, w.a_channel[agent]] if by_channel else p.team_nq[team]
        for k in range(n):
            q = p.team_ch_queues[team, w.a_channel[agent], k] if by_channel else p.team_queues[team, k]
            head = w.q_head[q]
            if head >= 0 and waited_longer(w.tk_arrived[head], w.tk_arrived[oldest] if oldest >= 0 else 0.0,
                                           oldest >= 0):
                oldest = head
        if oldest < 0:
            if scope == PULL_ANY:
                w.a_idle_since[agent] = w.fc[F_NOW]
                idle_append(w, agent)
            return
        q = w.tk_queue[oldest]
        list_remove(w, w.q_head, w.q_tail, q, oldest)
        w.q_queued[q] -= 1
        change(w.lv, L_WAITING, w.fc[F_NOW], -1.0)
        hand_over(p, w, oldest, agent)


# --- shifts, absence, leaving ----------------------------------------------------------------------
@njit(cache=True)
def go_on_duty(p, w, agent: int) -> None:
    if w.a_absent[agent] or w.a_gone[agent]:
        return
    w.a_leaving[agent] = False
    if w.a_on_duty[agent]:
        return
    update_wellbeing(p, w, agent)
    now = w.fc[F_NOW]
    w.a_on_duty[agent] = True
    change(w.a_staffed, agent, now, 1.0)
    change(w.tm_staffed, w.a_team[agent], now, 1.0)
    pull(p, w, agent)


@njit(cache=True)
def go_off_duty(p, w, agent: int) -> None:
    if w.a_sessions[agent] > 0:
        w.a_leaving[agent] = True
        return
    if w.a_on_duty[agent]:
        update_wellbeing(p, w, agent)
        now = w.fc[F_NOW]
        w.a_on_duty[agent] = False
        w.a_leaving[agent] = False
        change(w.a_staffed, agent, now, -1.0)
        change(w.tm_staffed, w.a_team[agent], now, -1.0)
        if w.a_in_idle[agent]:
            idle_remove(w, agent)


@njit(cache=True)
def end_shift(p, w, team: int) -> None:
    w.tm_on_shift[team] = False
    for a in range(w.ic[I_AGENTS]):
        if w.a_team[a] == team and not w.a_gone[a]:
            go_off_duty(p, w, a)


@njit(cache=True)
def start_shift(p, w, team: int) -> None:
    w.tm_on_shift[team] = True
    for a in range(w.ic[I_AGENTS]):
        if w.a_team[a] == team and not w.a_gone[a]:
            go_on_duty(p, w, a)


@njit(cache=True)
def hand_back(p, w, agent: int) -> None:
    """Owned cases waiting for an agent who cannot call (absent, gone) go to the public queues."""
    while w.a_cb_head[agent] >= 0:
        slot = w.a_cb_head[agent]
        list_remove(w, w.a_cb_head, w.a_cb_tail, agent, slot)
        change(w.lv, L_WAITING, w.fc[F_NOW], -1.0)
        w.tk_owner[slot] = -1
        free = find_agent(p, w, w.tk_queue[slot], w.tk_channel[slot])
        if free >= 0:
            hand_over(p, w, slot, free)
        else:
            enqueue(w, slot)


@njit(cache=True)
def remove(p, w, agent: int) -> None:
    """The agent leaves the company: owned cases go to the public queues."""
    w.a_gone[agent] = True
    w.a_left[agent] = w.fc[F_NOW]
    go_off_duty(p, w, agent)
    hand_back(p, w, agent)

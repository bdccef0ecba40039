"""Breaks within a shift in the fast engine: the SimPy engine's ``engines/simpy/breaks.py``, step for step."""

from __future__ import annotations

from numba import njit

from ...kernels.breaks import break_window, takes_break
from .heap import EV_BREAK, NORMAL, push_at
from .router import go_off_duty, go_on_duty, update_wellbeing
from .state import F_NOW, I_AGENTS


@njit(cache=True)
def schedule_breaks(p, w, team: int, shift_on: float) -> None:
    """The breaks of the shift that started at ``shift_on``: per agent in team order, each break's start then end."""
    nb = p.team_nbreaks[team]
    if nb == 0:
        return
    n = 0
    for a in range(w.ic[I_AGENTS]):
        if w.a_team[a] == team and not w.a_gone[a]:
            n += 1
    rank = 0
    for a in range(w.ic[I_AGENTS]):
        if w.a_team[a] != team or w.a_gone[a]:
            continue
        for k in range(nb):
            start, end = break_window(shift_on, p.team_break_after[team, k], p.team_break_len[team, k],
                                      p.team_stagger[team], rank, n)
            if start < w.fc[F_NOW]:
                continue
            push_at(w, start, EV_BREAK, a, 1, NORMAL)
            push_at(w, end, EV_BREAK, a, 0, NORMAL)
        rank += 1


@njit(cache=True)
def break_step(p, w, agent: int, starts: int) -> None:
    if starts:
        if not takes_break(w.a_absent[agent], w.a_gone[agent]):
            return
        update_wellbeing(p, w, agent)
        w.a_on_break[agent] = True
        go_off_duty(p, w, agent)
    else:
        if not w.a_on_break[agent]:
            return
        update_wellbeing(p, w, agent)
        w.a_on_break[agent] = False
        if w.tm_on_shift[w.a_team[agent]]:
            go_on_duty(p, w, agent)

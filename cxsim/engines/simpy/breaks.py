"""Breaks within a shift in the SimPy engine: scheduled at each shift start, for every employed agent.

When and who are kernels (:mod:`cxsim.kernels.breaks`); this schedules them and changes the
agent's state. The fast engine's ``engines/fast/breaks.py`` does the same, in the same order.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...kernels.breaks import break_window, takes_break
from .schedule import at

if TYPE_CHECKING:
    import simpy

    from .staff import Agent, Router, Team


def schedule_breaks(env: "simpy.Environment", router: "Router", team: "Team", shift_on: float) -> None:
    """The breaks of the shift that started at ``shift_on``: per agent in team order, each break's start then end."""
    if not team.breaks:
        return
    agents = list(team.agents)
    n = len(agents)
    for rank, agent in enumerate(agents):
        for after, length in team.breaks:
            start, end = break_window(shift_on, after, length, team.break_stagger, rank, n)
            if start < env.now:  # the shift was joined late (at time 0): its earlier breaks are gone
                continue
            at(env, start).callbacks.append(lambda _e, a=agent: take_break(router, a))
            at(env, end).callbacks.append(lambda _e, a=agent: end_break(router, a))


def take_break(router: "Router", agent: "Agent") -> None:
    if not takes_break(agent.absent, agent.gone):
        return
    router.before_change(agent)
    agent.on_break = True
    router.go_off_duty(agent)  # a contact in hand is finished first


def end_break(router: "Router", agent: "Agent") -> None:
    if not agent.on_break:
        return
    router.before_change(agent)
    agent.on_break = False
    if agent.team.on_shift:
        router.go_on_duty(agent)

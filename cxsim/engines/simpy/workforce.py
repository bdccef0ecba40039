"""Workforce and organisation processes of the SimPy engine: wellbeing, absence, attrition, hiring,
and the work pressure that erodes the team's standard (MODEL.md §4–§5).

The rules themselves are kernels (:mod:`cxsim.kernels.wellbeing`, :mod:`cxsim.kernels.erosion`);
this module decides *when* they are applied: at every change of an agent's state, once a day for
the slow processes, and every ``erosion.interval`` for pressure and the standard.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Generator

import numpy as np
import simpy

from ...kernels.capacity import team_capacities
from ...kernels.workforce_day import (
    absence_over, agent_day_close, agent_energy, day_params, erosion_params, leave_absences, newcomer, pressure_step,
    sick_day,
)
from ...kernels.pressure import headcount_change, headcount_mean
from ...minutes import DAY
from .staff import Agent, Level, Router

if TYPE_CHECKING:
    from ...compiled import Params
    from ...streams import Stream


class Organisation:
    """Work pressure and the standard of time per case, per team (erosion on), or neither (off).

    Each team feels the pressure of the queues it serves: the work offered to them recently plus
    the work waiting in them (to be cleared within ``clear_time``), against the effective capacity
    of its agents on duty. A team with nobody on duty keeps its last pressure.
    """

    def __init__(self, env: simpy.Environment, params: "Params", router: Router, mean_work: float):
        self.env, self.p, self.router, self.mean_work = env, params, router, mean_work
        n = len(router.teams)
        self.pressure = np.zeros(n)       # perceived work pressure, smoothed
        self.standard = np.ones(n)        # share of the needed time the team considers normal to give
        self.multiplier = np.ones(n)      # pressure_multiplier(pressure): given relative to the standard
        self.pinned = False
        self.pressure_area = 0.0       # ∫ mean pressure dt, for the daily table
        self._offered = np.zeros(params.queue_count, dtype=np.int64)  # offered to each queue since the last update
        self._given = np.zeros(n)                  # Σ time given / time needed since the last update
        self._count = np.zeros(n, dtype=np.int64)
        self._proficiency = np.array([t.proficiency for t in router.teams], dtype=float)
        self._erosion = erosion_params(params.erosion)
        self._team_nq = np.array([len(t.queues) for t in router.teams], dtype=np.int64)
        self._team_queues = np.full((n, max([1] + list(self._team_nq))), -1, dtype=np.int64)
        for i, team in enumerate(router.teams):
            self._team_queues[i, :len(team.queues)] = team.queues

    def offered(self, queue: int) -> None:
        self._offered[queue] += 1

    def given(self, team: int, share: float) -> None:
        self._given[team] += share
        self._count[team] += 1

    def mean(self, values: np.ndarray) -> float:
        """Head-count weighted mean over teams, for the daily table."""
        return headcount_mean(np.array(values, dtype=float), np.array([len(t.agents) for t in self.router.teams]))

    def run(self) -> Generator[simpy.Event, None, None]:
        e, router = self.p.erosion, self.router
        share = np.array([1.0 / max(1, len(teams)) for teams in router.teams_for_queue])  # shared queues split their work
        while True:
            yield self.env.timeout(e.interval)
            now, agents, w = self.env.now, router.agents, self.p.wellbeing
            capacities = np.empty(len(router.teams))
            team_capacities(capacities, np.array([a.team.index for a in agents], dtype=np.int64),
                            np.array([a.on_duty for a in agents]), np.array([a.gone for a in agents]),
                            np.array([a.hired for a in agents]), now, self._proficiency, self.p.mechanisms.wellbeing,
                            w.rookie_start, w.ramp_up)
            self.pressure_area += pressure_step(
                self.pressure, self.multiplier, self.standard, capacities, self._offered,
                np.array(router.queued, dtype=np.int64), self._team_queues, self._team_nq, share, self._given,
                self._count, np.array([len(t.agents) for t in router.teams]), self.pinned, self.mean_work,
                self._erosion)
            self._offered[:] = 0
            self._given[:] = 0.0
            self._count[:] = 0


class HeadCount:
    """The one owner of head-count changes in the SimPy engine: an agent joins a team (a rookie when the
    wellbeing mechanism is on) or leaves it, counted on the payroll (``employed``, wellbeing on). The
    workforce (leavers replaced after a delay) and the staffing lever (``restaff``) both go through here;
    how many leave or join, and who goes first, is the kernel ``kernels.pressure.headcount_change``."""

    def __init__(self, env: simpy.Environment, router: Router, rookie_wellbeing: float | None):
        self.env, self.router, self.rookie_wellbeing = env, router, rookie_wellbeing
        self.hires = 0
        self.employed = Level(float(len(router.agents))) if rookie_wellbeing is not None else None

    def join(self, team) -> Agent:
        """A new agent joins the team now (a rookie who ramps up, Oliva & Sterman: ~0.35 effective, ~12 weeks)."""
        now, on = self.env.now, self.employed is not None
        wellbeing, since = newcomer(on, self.rookie_wellbeing if on else 1.0, now)
        agent = Agent(-1, team, hired=now, wellbeing=wellbeing)
        agent.since = since
        self.router.register(agent)
        team.agents.append(agent)
        if self.employed is not None:
            self.hires += 1
            self.employed.change(now, 1)
        if team.on_shift:
            self.router.go_on_duty(agent)
        return agent

    def leave(self, agent: Agent) -> None:
        self.router.remove(agent)
        agent.team.agents.remove(agent)
        if self.employed is not None:
            self.employed.change(self.env.now, -1)

    def restaff(self, targets: list[int]) -> None:
        """A new head count per team: leavers go without replacement (idle ones first), new hires start now."""
        for team, target in zip(self.router.teams, targets):
            employed = [a for a in team.agents if not a.gone]
            leavers, hires = headcount_change(np.array([a.sessions > 0 for a in employed], dtype=np.bool_),
                                              np.array([a.hired for a in employed], dtype=float), target)
            for agent in [employed[i] for i in leavers]:
                self.leave(agent)
            for _ in range(hires):
                self.join(team)


class Workforce:
    """Agent wellbeing over time, and what follows from it: absence, attrition and replacement."""

    def __init__(self, env: simpy.Environment, params: "Params", router: Router, stream: "Stream",
                 organisation: Organisation, headcount: HeadCount):
        self.env, self.p, self.router, self.rng, self.org = env, params, router, stream, organisation
        self.headcount = headcount
        self.w = params.wellbeing
        self.support = 1.0
        self.leavers = 0
        self.employed = headcount.employed                # agents on the payroll over time
        self.absent = Level()                              # agents off sick over time
        self.boreout_days = 0                              # agent-days of boreout ...
        self.staffed_days = 0                              # ... out of agent-days with any time on duty
        self.expected_leavers = 0.0                        # Σ of each agent-day's probability of resigning
        self.k = day_params(params.wellbeing)             # the daily step's parameters, packed once
        self.sick = Level()                                # agents off with baseline sickness over time
        self.sick_stream: "Stream | None" = None           # its own stream (streams.SICKNESS), set by the model
        self._daily: dict[int, tuple[float, float]] = {}
        router.before_change = self.update

    # --- applied at every state change ------------------------------------------------------
    def update(self, agent: Agent) -> None:
        """Bring the agent's W up to now, by the state it has been in since the last update."""
        now = self.env.now
        changed, wellbeing, low_since, day_low, day_upset = agent_energy(
            agent.wellbeing, agent.low_since, agent.since, agent.day_low, agent.day_upset, agent.sessions,
            agent.on_duty, agent.on_break, agent.upset, self.org.pressure[agent.team.index], now, self.support, self.k)
        if changed:
            agent.wellbeing, agent.low_since, agent.day_low, agent.day_upset = wellbeing, low_since, day_low, day_upset
            agent.since, agent.upset = now, 0

    # --- applied once a day -------------------------------------------------------------------
    def daily(self) -> Generator[simpy.Event, None, None]:
        while True:
            self._daily = {a.id: (a.staffed.area_at(self.env.now), a.busy.area_at(self.env.now))
                           for a in self.router.agents}
            yield self.env.timeout(DAY)
            now = self.env.now
            for agent in list(self.router.agents):
                if agent.gone:
                    continue
                self.update(agent)
                staffed0, busy0 = self._daily.get(agent.id, (0.0, 0.0))
                # Every agent draws the same four uniforms each day: common random numbers (the
                # first is a spare that keeps the stream's layout of earlier versions).
                _spare, u_leave, d1, d2 = (self.rng.uniform() for _ in range(4))
                (agent.strain, agent.load, agent.engagement, agent.wellbeing, worked, bored, burnout, length, chance,
                 leaves) = agent_day_close(
                    agent.strain, agent.load, agent.engagement, agent.wellbeing, agent.low_since, agent.absent,
                    agent.staffed.area_at(now), staffed0, agent.busy.area_at(now), busy0, agent.day_low,
                    agent.day_upset, agent.team.shifts is not None, agent.team.skill_use, self.support, now, u_leave,
                    d1, d2, self.k)
                agent.day_upset = 0
                agent.day_low = agent.wellbeing
                self.staffed_days += worked
                agent.boreout_days += bored
                self.boreout_days += bored
                if burnout:
                    self._burnout(agent, now, length)
                self.expected_leavers += chance
                if leaves:
                    self._leave(agent)
                if self.w.sickness is not None:
                    self._sickness(agent, now)

    def _sickness(self, agent: Agent, now: float) -> None:
        """Baseline sickness (kernels.sickness): every agent employed at the step draws two uniforms a day."""
        k = self.w.sickness
        u_start, u_length = self.sick_stream.uniform(), self.sick_stream.uniform()
        agent.sick_left, agent.absent, sick, off, on = sick_day(agent.gone, agent.sick_left, agent.absent,
                                                                agent.team.on_shift, k.chance, k.mean_days, u_start,
                                                                u_length)
        if sick:
            self.sick.change(now, sick)
        if off:
            self.router.go_off_duty(agent)
            self.router.hand_back(agent)
        if on:
            self.router.go_on_duty(agent)

    def _burnout(self, agent: Agent, now: float, length: float) -> None:
        agent.absent = True
        agent.absent_since = now
        self.absent.change(now, 1)
        agent.low_since = -1.0
        self.router.go_off_duty(agent)
        self.router.hand_back(agent)
        self.env.timeout(length).callbacks.append(lambda _e, agent=agent: self._back(agent))

    def _back(self, agent: Agent) -> None:
        over, agent.absent_minutes, on = absence_over(agent.absent, agent.gone, agent.team.on_shift,
                                                      agent.absent_minutes, agent.absent_since, self.env.now)
        if over:
            agent.absent = False
            self.absent.change(self.env.now, -1)
        if on:
            self.router.go_on_duty(agent)

    @property
    def hires(self) -> int:
        return self.headcount.hires

    def _leave(self, agent: Agent) -> None:
        self.leavers += 1
        sick, burnt_out, agent.absent_minutes = leave_absences(agent.sick_left, agent.absent, agent.absent_minutes,
                                                               agent.absent_since, self.env.now)
        agent.sick_left, agent.absent = 0, False
        if sick:
            self.sick.change(self.env.now, -1)
        if burnt_out:
            self.absent.change(self.env.now, -1)
        team = agent.team
        self.headcount.leave(agent)
        self.env.timeout(self.w.hiring_delay).callbacks.append(lambda _e, t=team: self.headcount.join(t))

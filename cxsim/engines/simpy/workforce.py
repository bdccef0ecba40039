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

from ...kernels import sample_duration
from ...kernels.wellbeing import speed_effect
from ...kernels.capacity import team_capacities
from ...kernels.breaks import off_recovery
from ...compiled import EngagementParams
from ...kernels.engagement import agent_day, delivered_quality, engaged_leave_chance
from ...kernels.strain import burnout_begins
from ...kernels.sickness import BACK, FALLS_SICK, sickness_day
from ...kernels.pressure import headcount_change, headcount_mean, team_load
from ...kernels.workday import day_end, energy_after, team_step
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
        self.pressure = [0.0] * n      # perceived work pressure, smoothed
        self.standard = [1.0] * n      # share of the needed time the team considers normal to give
        self.multiplier = [1.0] * n    # pressure_multiplier(pressure): given relative to the standard
        self.pinned = False
        self.pressure_area = 0.0       # ∫ mean pressure dt, for the daily table
        self._offered = [0] * params.queue_count   # contacts offered to each queue since the last update
        self._given = [0.0] * n                    # Σ time given / time needed since the last update
        self._count = [0] * n
        self._proficiency = np.array([t.proficiency for t in router.teams], dtype=float)

    def offered(self, queue: int) -> None:
        self._offered[queue] += 1

    def given(self, team: int, share: float) -> None:
        self._given[team] += share
        self._count[team] += 1

    def mean(self, values: list[float]) -> float:
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
            for i, team in enumerate(router.teams):
                capacity = capacities[i]
                queues = np.array(team.queues, dtype=np.int64)
                offered, waiting = team_load(capacity, np.array(self._offered, dtype=np.int64),
                                             np.array(router.queued, dtype=np.int64), queues, len(queues), share)
                self.pressure[i], self.multiplier[i], self.standard[i] = team_step(
                    self.pressure[i], self.standard[i], self.multiplier[i], capacity, offered, waiting, self._given[i],
                    self._count[i], self.pinned, e.interval, e.clear_time, self.mean_work, e.smoothing, e.alpha,
                    e.alpha_slack, e.standard_down, e.standard_up)
            self.pressure_area += self.mean(self.pressure) * e.interval
            self._offered = [0] * len(self._offered)
            self._given, self._count = [0.0] * len(self._given), [0] * len(self._count)


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
        now = self.env.now
        if self.employed is None:
            agent = Agent(-1, team, hired=now)
        else:
            agent = Agent(-1, team, hired=now, wellbeing=self.rookie_wellbeing)
            agent.since = now
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
        self.s = params.wellbeing.strain
        self.sick = Level()                                # agents off with baseline sickness over time
        self.sick_stream: "Stream | None" = None           # its own stream (streams.SICKNESS), set by the model
        self._daily: dict[int, tuple[float, float]] = {}
        router.before_change = self.update

    # --- applied at every state change ------------------------------------------------------
    def update(self, agent: Agent) -> None:
        """Bring the agent's W up to now, by the state it has been in since the last update."""
        now, w = self.env.now, self.w
        changed, wellbeing, low_since = energy_after(
            agent.wellbeing, agent.low_since, now - agent.since, agent.sessions, agent.on_duty, agent.upset,
            self.org.pressure[agent.team.index], now, w.drain, w.pressure_drain, w.upset_hit, w.recover_idle,
            off_recovery(agent.on_break, w.recover_off, w.recover_break), self.support, w.burnout_below)
        if changed:
            agent.day_upset += agent.upset
            agent.wellbeing, agent.low_since = wellbeing, low_since
            agent.since, agent.upset = now, 0
            agent.day_low = min(agent.day_low, wellbeing)

    def speed(self, agent: Agent) -> float:
        return speed_effect(agent.wellbeing, self.w.speed_onset, self.w.speed_loss)

    def quality(self, agent: Agent) -> float:
        e = self.w.engagement
        return delivered_quality(agent.wellbeing, agent.strain, agent.engagement, self.w.quality_onset,
                                 self.w.quality_loss, self.s.quality_loss, e.quality_loss if e is not None else 0.0)

    # --- applied once a day -------------------------------------------------------------------
    def daily(self) -> Generator[simpy.Event, None, None]:
        w, s, e = self.w, self.s, self.w.engagement
        en = e if e is not None else EngagementParams(0.0, 0.0, 0.0, 0.0)
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
                staffed = agent.staffed.area_at(now) - staffed0
                busy = agent.busy.area_at(now) - busy0 if staffed > 0 else 0.0
                agent.strain, agent.load, agent.engagement = agent_day(
                    agent.strain, agent.load, agent.engagement, staffed, busy, agent.day_low, float(agent.day_upset),
                    agent.team.shifts is not None, agent.team.skill_use, self.support, s.on, s.low_below,
                    s.per_low_day, s.sustainable, s.per_overload_day, s.load_days, s.recover_working, s.recover_off,
                    s.per_upset, s.contract, s.per_overtime_hour, e is not None, en.bored_below, en.per_bored_day,
                    en.recover_per_day)
                agent.day_upset = 0
                worked, bored, agent.wellbeing = day_end(agent.wellbeing, staffed, busy, w.boreout_below,
                                                         w.boreout_rate)
                agent.day_low = agent.wellbeing
                self.staffed_days += worked
                agent.boreout_days += bored
                self.boreout_days += bored
                # Every agent draws the same four uniforms each day: common random numbers (the
                # first is a spare that keeps the stream's layout of earlier versions).
                _spare, u_leave, d1, d2 = (self.rng.uniform() for _ in range(4))
                self._burnout(agent, now, d1, d2)
                chance = engaged_leave_chance(agent.wellbeing, agent.strain, agent.engagement, w.initial,
                                              w.attrition_per_year, w.attrition_sensitivity, s.attrition_sensitivity,
                                              s.on, e.attrition_sensitivity if e is not None else 0.0, e is not None)
                self.expected_leavers += chance
                if u_leave < chance:
                    self._leave(agent)
                if w.sickness is not None:
                    self._sickness(agent, now)

    def _sickness(self, agent: Agent, now: float) -> None:
        """Baseline sickness (kernels.sickness): every agent employed at the step draws two uniforms a day."""
        k = self.w.sickness
        u_start, u_length = self.sick_stream.uniform(), self.sick_stream.uniform()
        if agent.gone:
            return
        agent.sick_left, event = sickness_day(True, agent.sick_left, agent.absent, k.chance, k.mean_days, u_start,
                                              u_length)
        if event == FALLS_SICK:
            agent.absent = True
            self.sick.change(now, 1)
            self.router.go_off_duty(agent)
            self.router.hand_back(agent)
        elif event == BACK:
            agent.absent = False
            self.sick.change(now, -1)
            if agent.team.on_shift:
                self.router.go_on_duty(agent)

    def _burnout(self, agent: Agent, now: float, d1: float, d2: float) -> None:
        s = self.s
        if burnout_begins(s.on, agent.absent, agent.low_since, now, self.w.burnout_after, agent.strain,
                          s.burnout_above):
            agent.absent = True
            agent.absent_since = now
            self.absent.change(now, 1)
            agent.low_since = -1.0
            self.router.go_off_duty(agent)
            self.router.hand_back(agent)
            a = s.absence if s.on else self.w.absence
            length = sample_duration(a.kind, a.a, a.b, a.values, d1, d2)
            self.env.timeout(length).callbacks.append(lambda _e, agent=agent: self._back(agent))

    def _back(self, agent: Agent) -> None:
        if not agent.absent:  # left the company while off sick: already accounted for in _leave
            return
        agent.absent = False
        agent.absent_minutes += self.env.now - agent.absent_since
        self.absent.change(self.env.now, -1)
        if agent.team.on_shift and not agent.gone:
            self.router.go_on_duty(agent)

    @property
    def hires(self) -> int:
        return self.headcount.hires

    def _leave(self, agent: Agent) -> None:
        self.leavers += 1
        if agent.sick_left > 0:  # off with baseline sickness: the spell ends with the job
            agent.sick_left = 0
            agent.absent = False
            self.sick.change(self.env.now, -1)
        if agent.absent:
            agent.absent = False
            agent.absent_minutes += self.env.now - agent.absent_since
            self.absent.change(self.env.now, -1)
        team = agent.team
        self.headcount.leave(agent)
        self.env.timeout(self.w.hiring_delay).callbacks.append(lambda _e, t=team: self.headcount.join(t))

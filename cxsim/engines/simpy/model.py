"""The SimPy reference engine: a need's journey as one readable process.

This is the engine to read (and to extend) to see what the model does. Each need is a process
that makes contacts until it is solved or the customer gives up; each contact waits in a FIFO
queue (or abandons), is handled by an agent and may or may not solve the need. Every model rule
it applies — how long work takes, whether a contact solves the need, when the next need arrives —
is a kernel from :mod:`cxsim.kernels`, shared with the fast engine.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from typing import Generator

import numpy as np
import simpy

from ...compiled import Dist, Params
from ...experiment.seeds import Stream, streams
from ...kernels import (
    QUALITY_GAP, QUALITY_LEVEL, customer_delay, next_arrival, resolution_probability, sample_duration,
)
from ...records import (
    ABANDONED, FIRST, GIVEN_UP, HANDLED, OPEN, REPEAT, RETRIAL, SELF_SERVICE, SOLVED, SWITCH, UNFINISHED,
    AgentRecord, Day, Encounter, Journey, Recorder,
)
from .staff import Router, Ticket

DAY = 1440.0

# What one contact did for its need.
_SOLVED, _UNSOLVED, _ABANDONED, _SELF_FAILED = range(4)


class Need:
    """One customer need: the unit a journey is about."""

    __slots__ = ("id", "customer", "type", "first_channel", "created", "contacts", "abandons", "first_resolved",
                 "ticket")

    def __init__(self, need_id: int, customer: int, need_type: int, channel: int, created: float):
        self.id, self.customer, self.type, self.first_channel, self.created = need_id, customer, need_type, channel, created
        self.contacts = 0
        self.abandons = 0
        self.first_resolved = False
        self.ticket: Ticket | None = None


def draw(d: Dist, stream: Stream) -> float:
    """A duration from a compiled distribution: always two uniforms (see kernels.sampling)."""
    return sample_duration(d.kind, d.a, d.b, d.values, stream.uniform(), stream.uniform())


def pick(cdf: list[float], u: float) -> int:
    """Index drawn from a cumulative distribution (the same rule as ``np.searchsorted(..., 'right')``)."""
    return bisect_right(cdf, u)


class Model:
    """One replication of one scenario."""

    def __init__(self, params: Params, seed: int, replication: int):
        self.p = params
        self.env = simpy.Environment()
        self.rng = streams(seed, replication)
        self.router = Router(self.env, params)
        self.record = Recorder()
        self.open_needs: dict[int, Need] = {}
        self.next_need = 0
        # Running totals; the daily process turns them into per-day rows.
        self.offered = self.handled = self.abandoned = 0
        self.created = self.solved = self.given_up = 0
        self._self_service = [ch.kind == "self_service" for ch in params.channels]
        # Python lists for the per-contact look-ups: indexing numpy from Python is slow.
        self._need_cdf, self._channel_cdf = params.need_cdf.tolist(), params.channel_cdf.tolist()
        self._switch_cdf = params.switch_cdf.tolist()
        self._base_resolution = params.need_resolution.tolist()

    # --- processes ------------------------------------------------------------------------------
    def arrivals(self) -> Generator[simpy.Event, None, None]:
        """Needs arrive as a non-homogeneous Poisson process (kernels.arrivals)."""
        p, stream = self.p, self.rng["arrivals"]
        scale = float(p.population) if p.population else 1.0
        t = 0.0
        while True:
            t = next_arrival(t, stream.uniform(), p.week_rate, scale)
            if t >= p.horizon:
                return
            yield self.env.timeout(t - self.env.now)
            self.env.process(self.journey(self.new_need()))

    def new_need(self) -> Need:
        p, stream = self.p, self.rng["needs"]
        need_type, channel, who = pick(self._need_cdf, stream.uniform()), pick(self._channel_cdf, stream.uniform()), stream.uniform()
        customer = int(who * p.population) if p.population else -1
        need = Need(self.next_need, customer, need_type, channel, self.env.now)
        self.next_need += 1
        self.created += 1
        self.open_needs[need.id] = need
        return need

    def journey(self, need: Need) -> Generator[simpy.Event, object, None]:
        """Contacts about one need until it is solved or the customer gives up (MODEL.md §3, §5)."""
        p, returns = self.p, self.rng["returns"]
        channel, kind = need.first_channel, FIRST
        while True:
            outcome = yield from self.contact(need, channel, kind)
            if outcome == _SOLVED:
                self.close(need, SOLVED)
                return
            if outcome == _ABANDONED:
                ch = p.channels[channel]
                retry, delay = returns.uniform(), draw(ch.retrial_delay, returns)
                if retry >= ch.retrial_probability:
                    self.close(need, GIVEN_UP)
                    return
                yield self.env.timeout(customer_delay(self.env.now, delay, p.week_profile) - self.env.now)
                kind = RETRIAL
                continue
            if outcome == _SELF_FAILED:
                channel, kind = pick(self._switch_cdf[channel], returns.uniform()), SWITCH
                continue
            give_up, delay, where = returns.uniform(), draw(p.return_delay, returns), returns.uniform()
            if give_up < p.give_up:
                self.close(need, GIVEN_UP)
                return
            yield self.env.timeout(customer_delay(self.env.now, delay, p.week_profile) - self.env.now)
            channel, kind = pick(self._switch_cdf[channel], where), REPEAT

    def contact(self, need: Need, channel: int, kind: int) -> Generator[simpy.Event, object, int]:
        """One contact: self-service, or queue → (abandon | agent handles it) → solved or not."""
        p, env, router = self.p, self.env, self.router
        need.contacts += 1
        self.offered += 1
        now = env.now
        if self._self_service[channel]:
            solved = self.rng["resolution"].uniform() < p.channels[channel].p_self
            self.log(need, kind, channel, now, 0.0, 0.0, 0.0, SELF_SERVICE, solved, None)
            if need.contacts == 1:
                need.first_resolved = solved
            return _SOLVED if solved else _SELF_FAILED

        queue = p.queue_of(channel, need.type)
        ticket = Ticket(need, channel, queue, kind, now)
        need.ticket = ticket
        agent = router.find_agent(queue, channel)
        if agent is not None:
            router.assign(ticket, agent)
        else:
            ticket.event = env.event()
            router.enqueue(ticket)
            patience = p.channels[channel].patience
            if patience is not None:
                # Patience is a callback, not a competing process: cheaper than `req | timeout`.
                env.timeout(draw(patience, self.rng["patience"])).callbacks.append(
                    lambda _event, t=ticket: None if t.done else router.abandon(t))
            agent = yield ticket.event
            if agent is None:
                need.abandons += 1
                self.abandoned += 1
                need.ticket = None
                self.log(need, kind, channel, ticket.arrived, ticket.wait, 0.0, 0.0, ABANDONED, False, None)
                return _ABANDONED

        work = self.rng["work"]
        needed = draw(p.need_work[need.type], work) / agent.team.proficiency
        ch = p.channels[channel]
        handle = needed * (1.0 + ch.slowdown * (agent.sessions - 1))  # concurrent chats slow each other
        yield env.timeout(handle)
        solved = self.rng["resolution"].uniform() < resolution_probability(
            self._base_resolution[need.type], handle, needed, 1.0, QUALITY_GAP, QUALITY_LEVEL)
        router.release(agent)
        self.handled += 1
        need.ticket = None
        if need.contacts == 1:
            need.first_resolved = solved
        self.log(need, kind, channel, ticket.arrived, ticket.wait, handle, needed, HANDLED, solved, agent)
        return _SOLVED if solved else _UNSOLVED

    def log(self, need: Need, kind: int, channel: int, arrived: float, wait: float, handle: float, needed: float,
            outcome: int, solved: bool, agent) -> None:
        self.record.encounters.append(Encounter(
            need.id, need.customer, need.contacts, kind, channel, need.type, arrived, wait, handle, needed,
            outcome, solved, agent.id if agent else -1, agent.team.index if agent else -1))

    def close(self, need: Need, status: int) -> None:
        if status == SOLVED:
            self.solved += 1
        else:
            self.given_up += 1
        del self.open_needs[need.id]
        self.record.journeys.append(Journey(
            need.id, need.customer, need.type, need.first_channel, need.created, self.env.now, status,
            need.contacts, need.abandons, need.first_resolved))

    def shifts(self, team) -> Generator[simpy.Event, None, None]:
        """Bring a team on and off duty, week after week."""
        week = 7 * DAY
        start_of_week = 0.0
        while True:
            for on, off in team.shifts:
                if start_of_week + on > self.env.now:
                    yield self.env.timeout(start_of_week + on - self.env.now)
                if start_of_week + off > self.env.now:
                    for agent in team.agents:
                        self.router.go_on_duty(agent)
                    yield self.env.timeout(start_of_week + off - self.env.now)
                    self.router.end_shift(team)
            start_of_week += week

    def periods(self) -> Generator[simpy.Event, None, None]:
        """Close a row of the daily table at every midnight, and at the end of the warm-up."""
        cuts = sorted({d * DAY for d in range(1, int(math.ceil(self.p.horizon / DAY)))} | {self.p.warmup} - {0.0})
        self._last = (0.0, self._totals(0.0))
        for cut in cuts:
            if cut >= self.p.horizon:
                break
            yield self.env.timeout(cut - self.env.now)
            self.close_period(cut)

    # --- bookkeeping ----------------------------------------------------------------------------
    def _totals(self, now: float) -> tuple:
        r = self.router
        cost = sum(t.staffed.area_at(now) * t.cost_per_minute for t in r.teams)
        return (self.offered, self.handled, self.abandoned, self.created, self.solved, self.given_up,
                r.waiting.area_at(now), r.busy.area_at(now), sum(t.staffed.area_at(now) for t in r.teams), cost)

    def close_period(self, now: float) -> None:
        start, before = self._last
        after = self._totals(now)
        d = [a - b for a, b in zip(after, before)]
        self.record.days.append(Day(int(start // DAY), start, now, *d[:6], len(self.open_needs), *d[6:]))
        self._last = (now, after)
        if now == self.p.warmup:
            self._at_warmup = {a.id: (a.staffed.area_at(now), a.busy.area_at(now), a.handled) for a in self.router.agents}

    def run(self) -> Recorder:
        p, env = self.p, self.env
        self._at_warmup = {a.id: (0.0, 0.0, 0) for a in self.router.agents}
        for team in self.router.teams:
            if team.shifts is None:
                for agent in team.agents:
                    self.router.go_on_duty(agent)
            else:
                env.process(self.shifts(team))
        env.process(self.arrivals())
        env.process(self.periods())
        env.run(until=p.horizon)
        self.finish()
        return self.record

    def finish(self) -> None:
        """Close the books at the horizon: the last period, agents, and every need still open."""
        now = self.p.horizon
        self.close_period(now)
        for a in self.router.agents:
            staffed0, busy0, handled0 = self._at_warmup[a.id]
            self.record.agents.append(AgentRecord(a.id, a.team.index, a.staffed.area_at(now) - staffed0,
                                                  a.busy.area_at(now) - busy0, a.handled - handled0))
        for need in self.open_needs.values():
            t = need.ticket
            if t is not None:  # waiting or being served right now
                wait = t.wait if t.agent is not None else math.nan
                self.log(need, t.kind, t.channel, t.arrived, wait, math.nan, math.nan, OPEN, False, t.agent)
            self.record.journeys.append(Journey(
                need.id, need.customer, need.type, need.first_channel, need.created, math.nan, UNFINISHED,
                need.contacts, need.abandons, need.first_resolved))


def simulate(params: Params, seed: int, replication: int) -> Recorder:
    """Run one replication with the SimPy engine and return its records."""
    return Model(params, seed, replication).run()

"""Agents, teams, queues and routing for the SimPy reference engine.

Routing rules (MODEL.md §3–§4): a contact goes to the longest-idle agent skilled for its channel
and need type; each (channel, need type) pair is a FIFO queue; a freed agent takes the contact
that has waited longest among the queues it is skilled for. Chat agents may hold several sessions
of the same channel at once. Agents come on and off duty with their team's shift; an agent whose
shift ends mid-contact finishes it first.
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:
    import simpy

    from ...compiled import Params


class Level:
    """A level that changes at events, with its time integral (queue length, busy agents, ...)."""

    __slots__ = ("level", "area", "last")

    def __init__(self, level: float = 0.0):
        self.level, self.area, self.last = level, 0.0, 0.0

    def change(self, now: float, delta: float) -> None:
        self.area += self.level * (now - self.last)
        self.last = now
        self.level += delta

    def area_at(self, now: float) -> float:
        return self.area + self.level * (now - self.last)


class Agent:
    __slots__ = ("id", "team", "sessions", "channel", "idle_since", "on_duty", "leaving", "busy", "staffed", "handled")

    def __init__(self, agent_id: int, team: "Team"):
        self.id, self.team = agent_id, team
        self.sessions = 0          # contacts in hand (chat agents may hold several)
        self.channel = -1          # channel of the sessions in hand
        self.idle_since = 0.0
        self.on_duty = False
        self.leaving = False       # shift over: finish what is in hand, then go
        self.busy = Level()        # 1 while holding at least one contact
        self.staffed = Level()     # 1 while on duty
        self.handled = 0


class Team:
    __slots__ = ("index", "name", "agents", "idle", "queues", "queues_by_channel", "proficiency", "cost_per_minute",
                 "staffed", "shifts")

    def __init__(self, index: int, params: "Params"):
        spec = params.teams[index]
        self.index, self.name = index, spec.name
        self.agents = [Agent(-1, self) for _ in range(spec.agents)]
        self.idle: deque[Agent] = deque()  # longest idle first
        self.queues = [params.queue_of(c, n) for c in spec.channels for n in spec.needs]
        self.queues_by_channel = {c: [params.queue_of(c, n) for n in spec.needs] for c in spec.channels}
        self.proficiency = spec.proficiency
        self.cost_per_minute = spec.cost_per_minute
        self.staffed = Level()
        self.shifts = spec.shifts


class Ticket:
    """A contact waiting for, or held by, an agent."""

    __slots__ = ("need", "channel", "queue", "kind", "arrived", "event", "agent", "done", "wait", "started")

    def __init__(self, need, channel: int, queue: int, kind: int, arrived: float):
        self.need, self.channel, self.queue, self.kind, self.arrived = need, channel, queue, kind, arrived
        self.event: simpy.Event | None = None
        self.agent: Agent | None = None
        self.done = False         # answered or abandoned: no longer in the queue
        self.wait = 0.0
        self.started = -1.0


class Router:
    """Matches contacts and agents; owns the queues and the levels that Little's law is read from."""

    def __init__(self, env: "simpy.Environment", params: "Params"):
        self.env = env
        self.teams = [Team(i, params) for i in range(len(params.teams))]
        agent_id = 0
        for team in self.teams:
            for agent in team.agents:
                agent.id = agent_id
                agent_id += 1
        self.agents = [a for t in self.teams for a in t.agents]
        self.sessions = [ch.sessions for ch in params.channels]
        self.queues: list[deque[Ticket]] = [deque() for _ in range(params.queue_count)]
        self.teams_for_queue = [[t for t in self.teams if q in t.queues] for q in range(params.queue_count)]
        self.waiting = Level()   # contacts in all queues
        self.busy = Level()      # agents holding at least one contact
        self.on_assign: Callable[[Ticket], None] | None = None

    # --- contacts arrive ---------------------------------------------------------------------
    def find_agent(self, queue: int, channel: int) -> Agent | None:
        """The longest-idle skilled agent, or a chat agent with a free session; None if all busy."""
        best: Agent | None = None
        for team in self.teams_for_queue[queue]:
            if team.idle and (best is None or team.idle[0].idle_since < best.idle_since):
                best = team.idle[0]
        if best is not None:
            best.team.idle.popleft()
            return best
        limit = self.sessions[channel]
        if limit > 1:
            candidates = [a for t in self.teams_for_queue[queue] for a in t.agents
                          if a.channel == channel and 0 < a.sessions < limit and a.on_duty and not a.leaving]
            if candidates:
                return min(candidates, key=lambda a: (a.sessions, a.idle_since))
        return None

    def enqueue(self, ticket: Ticket) -> None:
        self.queues[ticket.queue].append(ticket)
        self.waiting.change(self.env.now, 1)

    def abandon(self, ticket: Ticket) -> None:
        """Patience ran out before an agent came (the ticket stays in the deque, marked done)."""
        ticket.done = True
        ticket.wait = self.env.now - ticket.arrived
        self.waiting.change(self.env.now, -1)
        ticket.event.succeed(None)  # type: ignore[union-attr]

    def assign(self, ticket: Ticket, agent: Agent) -> None:
        now = self.env.now
        ticket.agent, ticket.started, ticket.wait = agent, now, now - ticket.arrived
        if agent.sessions == 0:
            agent.channel = ticket.channel
            agent.busy.change(now, 1)
            self.busy.change(now, 1)
        agent.sessions += 1

    # --- agents free up ----------------------------------------------------------------------
    def release(self, agent: Agent) -> None:
        agent.sessions -= 1
        agent.handled += 1
        if agent.sessions == 0:
            now = self.env.now
            agent.busy.change(now, -1)
            self.busy.change(now, -1)
            if agent.leaving:
                self.go_off_duty(agent)
                return
        self.pull(agent)

    def pull(self, agent: Agent) -> None:
        """Give a free agent the longest-waiting contact it can take, until it is full or none wait."""
        team = agent.team
        while True:
            if agent.sessions == 0:
                queues = team.queues
            elif agent.sessions < self.sessions[agent.channel]:
                queues = team.queues_by_channel[agent.channel]
            else:
                return
            oldest: Ticket | None = None
            for q in queues:
                waiting = self.queues[q]
                while waiting and waiting[0].done:
                    waiting.popleft()
                if waiting and (oldest is None or waiting[0].arrived < oldest.arrived):
                    oldest = waiting[0]
            if oldest is None:
                if agent.sessions == 0:
                    agent.idle_since = self.env.now
                    team.idle.append(agent)
                return
            self.queues[oldest.queue].popleft()
            oldest.done = True
            self.waiting.change(self.env.now, -1)
            self.assign(oldest, agent)
            oldest.event.succeed(agent)  # type: ignore[union-attr]

    # --- shifts --------------------------------------------------------------------------------
    def go_on_duty(self, agent: Agent) -> None:
        now = self.env.now
        agent.leaving = False
        if agent.on_duty:
            return
        agent.on_duty = True
        agent.staffed.change(now, 1)
        agent.team.staffed.change(now, 1)
        self.pull(agent)

    def go_off_duty(self, agent: Agent) -> None:
        now = self.env.now
        if agent.sessions > 0:
            agent.leaving = True
            return
        if agent.on_duty:
            agent.on_duty = False
            agent.leaving = False
            agent.staffed.change(now, -1)
            agent.team.staffed.change(now, -1)

    def end_shift(self, team: Team) -> None:
        for agent in team.agents:
            self.go_off_duty(agent)
        team.idle = deque(a for a in team.idle if a.on_duty and not a.leaving)

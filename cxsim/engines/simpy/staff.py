"""Agents, teams, queues and routing for the SimPy reference engine.

Routing rules (MODEL.md §3–§4): a contact goes to the longest-idle agent skilled for its channel
and need type; each (channel, need type) pair is a FIFO queue; a freed agent first calls back the
customers whose cases it owns, then takes the contact that has waited longest among the queues it
is skilled for. Chat agents may hold several sessions of the same channel at once. Agents come on
and off duty with their team's shift (finishing what is in hand), may be absent or leave.
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING, Callable

from ...kernels.routing import (
    PULL_ANY, PULL_CALLBACK, PULL_NONE, fewer_sessions, idle_longer, may_take_session, owner_takes_now, pull_scope,
    waited_longer,
)

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
    __slots__ = ("id", "team", "sessions", "channel", "idle_since", "on_duty", "leaving", "busy", "staffed", "handled",
                 "wellbeing", "since", "upset", "low_since", "absent", "gone", "hired", "callbacks", "absent_minutes",
                 "boreout_days", "left", "absent_since", "strain", "load", "day_low", "engagement", "day_upset",
                 "on_break", "sick_left")

    def __init__(self, agent_id: int, team: "Team", hired: float = -1e18, wellbeing: float = 1.0):
        self.id, self.team = agent_id, team
        self.sessions = 0          # contacts in hand (chat agents may hold several)
        self.channel = -1          # channel of the sessions in hand
        self.idle_since = 0.0
        self.on_duty = False
        self.leaving = False       # shift over (or absent, or leaving the company): finish, then go
        self.busy = Level()        # 1 while holding at least one contact
        self.staffed = Level()     # 1 while on duty
        self.handled = 0
        self.wellbeing = wellbeing  # W in [0, 1] (stays 1 with the wellbeing mechanism off)
        self.since = 0.0           # last wellbeing update
        self.upset = 0             # upset customers since the last update
        self.low_since = -1.0      # when W fell below the burnout threshold (-1: it is not below)
        self.absent = False
        self.gone = False          # has left the company
        self.hired = hired         # rookies ramp up from this time
        self.callbacks: deque[Ticket] = deque()  # owned cases waiting for this agent's call
        self.absent_minutes = 0.0
        self.absent_since = 0.0
        self.boreout_days = 0
        self.left = float("nan")
        self.strain = 0.0          # chronic strain S (MODEL.md §4; stays 0 with strain off)
        self.load = 0.0            # occupancy of recent days worked, smoothed
        self.day_low = wellbeing   # lowest W since the last daily step
        self.engagement = 1.0      # engagement E (MODEL.md §4; stays 1 with engagement off)
        self.day_upset = 0         # upset customers since the last daily step (strain input)
        self.on_break = False      # off duty for a break within the shift (kernels.breaks)
        self.sick_left = 0         # days of a baseline sickness spell still to go (kernels.sickness; absent too)

    @property
    def burnt_out(self) -> bool:
        """Absent with burnout (the daily table's ``absent``), not with baseline sickness."""
        return self.absent and self.sick_left == 0

    @property
    def available(self) -> bool:
        """Can be brought on duty: employed, not off sick."""
        return not self.absent and not self.gone


class Team:
    __slots__ = ("index", "name", "agents", "idle", "queues", "queues_by_channel", "proficiency", "cost_per_minute",
                 "staffed", "shifts", "on_shift", "skill_use", "breaks", "break_stagger")

    def __init__(self, index: int, params: "Params"):
        spec = params.teams[index]
        self.index, self.name = index, spec.name
        self.agents = [Agent(-1, self, wellbeing=params.wellbeing.initial if params.mechanisms.wellbeing else 1.0)
                       for _ in range(spec.agents)]
        self.idle: deque[Agent] = deque()  # longest idle first
        self.queues = [params.team_queue_of(index, c, n) for c in spec.channels for n in spec.needs]
        self.queues_by_channel = {c: [params.team_queue_of(index, c, n) for n in spec.needs] for c in spec.channels}
        self.proficiency = spec.proficiency
        self.cost_per_minute = spec.cost_per_minute
        self.staffed = Level()
        self.shifts = spec.shifts
        self.on_shift = spec.shifts is None
        self.skill_use = spec.skill_use
        self.breaks, self.break_stagger = spec.breaks, spec.break_stagger


class Ticket:
    """A contact waiting for, or held by, an agent."""

    __slots__ = ("need", "channel", "queue", "kind", "arrived", "event", "agent", "done", "wait", "started", "work",
                 "owner")

    def __init__(self, need, channel: int, queue: int, kind: int, arrived: float, work: float = -1.0, owner=None):
        self.need, self.channel, self.queue, self.kind, self.arrived = need, channel, queue, kind, arrived
        self.event: simpy.Event | None = None
        self.agent: Agent | None = None
        self.done = False         # answered or abandoned: no longer in the queue
        self.wait = 0.0
        self.started = -1.0
        self.work = work          # work already known (a transfer carries what is left); -1: draw it
        self.owner: Agent | None = owner  # a callback by the agent who owns the case


class Router:
    """Matches contacts and agents; owns the queues and the levels that Little's law is read from."""

    def __init__(self, env: "simpy.Environment", params: "Params"):
        self.env = env
        self.teams = [Team(i, params) for i in range(len(params.teams))]
        self.agents: list[Agent] = []
        for team in self.teams:
            for agent in team.agents:
                self.register(agent)
        self.sessions = [ch.sessions for ch in params.channels]
        self.queues: list[deque[Ticket]] = [deque() for _ in range(params.queue_count)]
        self.teams_for_queue = [[t for t in self.teams if q in t.queues] for q in range(params.queue_count)]
        self.waiting = Level()   # contacts in all queues
        self.queued = [0] * params.queue_count  # contacts waiting per queue (abandoned ones excluded)
        self.busy = Level()      # agents holding at least one contact
        #: Called with an agent just before its state (off, idle, busy) changes: the wellbeing hook.
        self.before_change: Callable[[Agent], None] = lambda agent: None

    def register(self, agent: Agent) -> None:
        agent.id = len(self.agents)
        self.agents.append(agent)

    # --- contacts arrive ---------------------------------------------------------------------
    def find_agent(self, queue: int, channel: int) -> Agent | None:
        """The longest-idle skilled agent, or a chat agent with a free session; None if all busy."""
        best: Agent | None = None
        for team in self.teams_for_queue[queue]:  # the rules: kernels.routing
            if team.idle and idle_longer(team.idle[0].idle_since, best.idle_since if best else 0.0, best is not None):
                best = team.idle[0]
        if best is not None:
            best.team.idle.popleft()
            return best
        limit = self.sessions[channel]
        if limit > 1:
            for a in (a for t in self.teams_for_queue[queue] for a in t.agents):
                if may_take_session(a.channel, channel, a.sessions, limit, a.on_duty, a.leaving) and fewer_sessions(
                        a.sessions, a.idle_since, best.sessions if best else 0, best.idle_since if best else 0.0,
                        best is not None):
                    best = a
        return best

    def offer_callback(self, ticket: Ticket) -> Agent | None:
        """An owned case comes back: its owner takes it now if free, else it waits for the owner."""
        owner = ticket.owner
        assert owner is not None
        if owner_takes_now(owner.on_duty, owner.leaving, owner.sessions, owner in owner.team.idle):
            owner.team.idle.remove(owner)
            return owner
        owner.callbacks.append(ticket)
        self.waiting.change(self.env.now, 1)
        return None

    def enqueue(self, ticket: Ticket) -> None:
        self.queues[ticket.queue].append(ticket)
        self.queued[ticket.queue] += 1
        self.waiting.change(self.env.now, 1)

    def abandon(self, ticket: Ticket) -> None:
        """Patience ran out before an agent came (the ticket stays in the deque, marked done)."""
        ticket.done = True
        ticket.wait = self.env.now - ticket.arrived
        self.queued[ticket.queue] -= 1
        self.waiting.change(self.env.now, -1)
        ticket.event.succeed(None)  # type: ignore[union-attr]

    def assign(self, ticket: Ticket, agent: Agent) -> None:
        now = self.env.now
        ticket.agent, ticket.started, ticket.wait = agent, now, now - ticket.arrived
        if agent.sessions == 0:
            self.before_change(agent)
            agent.channel = ticket.channel
            agent.busy.change(now, 1)
            self.busy.change(now, 1)
        agent.sessions += 1

    # --- agents free up ----------------------------------------------------------------------
    def release(self, agent: Agent) -> None:
        if agent.sessions == 1:
            self.before_change(agent)
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
        """Give a free agent its own callbacks first, then the longest-waiting contact it can take."""
        team = agent.team
        while True:  # the rules: kernels.routing
            scope = pull_scope(agent.sessions, self.sessions[agent.channel], agent.leaving, len(agent.callbacks) > 0)
            if scope == PULL_NONE:
                return
            if scope == PULL_CALLBACK:
                ticket = agent.callbacks.popleft()
                self.waiting.change(self.env.now, -1)
                self._hand_over(ticket, agent)
                continue
            oldest: Ticket | None = None
            for q in team.queues if scope == PULL_ANY else team.queues_by_channel[agent.channel]:
                waiting = self.queues[q]
                while waiting and waiting[0].done:
                    waiting.popleft()
                if waiting and waited_longer(waiting[0].arrived, oldest.arrived if oldest else 0.0, oldest is not None):
                    oldest = waiting[0]
            if oldest is None:
                if scope == PULL_ANY:
                    agent.idle_since = self.env.now
                    team.idle.append(agent)
                return
            self.queues[oldest.queue].popleft()
            self.queued[oldest.queue] -= 1
            self.waiting.change(self.env.now, -1)
            self._hand_over(oldest, agent)

    def _hand_over(self, ticket: Ticket, agent: Agent) -> None:
        ticket.done = True
        self.assign(ticket, agent)
        ticket.event.succeed(agent)  # type: ignore[union-attr]

    # --- shifts, absence, leaving ----------------------------------------------------------------
    def go_on_duty(self, agent: Agent) -> None:
        if not agent.available:
            return
        agent.leaving = False
        if agent.on_duty:
            return
        self.before_change(agent)
        now = self.env.now
        agent.on_duty = True
        agent.staffed.change(now, 1)
        agent.team.staffed.change(now, 1)
        self.pull(agent)

    def go_off_duty(self, agent: Agent) -> None:
        if agent.sessions > 0:
            agent.leaving = True
            return
        if agent.on_duty:
            self.before_change(agent)
            now = self.env.now
            agent.on_duty = False
            agent.leaving = False
            agent.staffed.change(now, -1)
            agent.team.staffed.change(now, -1)
            if agent in agent.team.idle:
                agent.team.idle.remove(agent)

    def end_shift(self, team: Team) -> None:
        team.on_shift = False
        for agent in team.agents:
            self.go_off_duty(agent)

    def start_shift(self, team: Team) -> None:
        team.on_shift = True
        for agent in team.agents:
            self.go_on_duty(agent)

    def remove(self, agent: Agent) -> None:
        """The agent leaves the company: owned cases go to the public queues."""
        agent.gone = True
        agent.left = self.env.now
        self.go_off_duty(agent)
        self.hand_back(agent)

    def hand_back(self, agent: Agent) -> None:
        """Owned cases waiting for an agent who cannot call (absent, gone) go to the public queues."""
        while agent.callbacks:
            ticket = agent.callbacks.popleft()
            self.waiting.change(self.env.now, -1)
            ticket.owner = None
            free = self.find_agent(ticket.queue, ticket.channel)
            if free is not None:
                self._hand_over(ticket, free)
            else:
                self.enqueue(ticket)

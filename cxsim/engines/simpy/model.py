"""The SimPy reference engine: a need's journey as one readable process.

This is the engine to read (and to extend) to see what the model does. Each need is a process
that makes contacts until it is solved or the customer gives up; each contact waits in a FIFO
queue (or abandons), is handled by an agent under the policy of the moment, and may or may not
solve the need. Every model rule it applies — how long work takes, how much time the policy and
the pressure allow, whether a contact solves the need, how the customer experiences it — is a
kernel from :mod:`cxsim.kernels`, shared with the fast engine.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from dataclasses import replace
from typing import Generator

import numpy as np
import simpy

from ...codes import (
    ABANDONED, CALLBACK, FIRST, GIVEN_UP, HANDLED, NEXT_CLOSE_SOLVED, NEXT_GIVE_UP, NEXT_RETRY, NEXT_SWITCH, NEXT_TRANSFER, OPEN, RETRIAL, SELF_SERVICE, SOLVED, SWITCH, TRANSFER, UNFINISHED,
)
from ...compiled import Dist, Params
from ...kernels import sample_duration
from ...kernels.books import agent_row
from ...kernels.churn import close_journey, close_params
from ...kernels.steps import (
    abandoned_step, comeback_step, encounter_step, experience_params, handled_step, handling_params, handling_step,
    need_kind, need_params, self_service_step, step_params, unsolved_step,
)
from ...kernels.workforce_day import day_params
from ...kernels.fcr import FCR_COLS, SLOTS as FCR_SLOTS, contact_handled, contact_starts
from ...kernels.levers import decided_levers, restaffs, team_targets
from ...kernels.management import REVIEW_COLS, review
from ...kernels.needs import (
    FRESH_SCORES, arrival_after, contact_queue, draws_patience, patience as kernel_patience, review_due, upsets,
)
from ...layouts import C_ABANDONED, C_CREATED, C_HANDLED, C_OFFERED, DAY_COLS, AGENT_COLS
from ...kernels.shifts import SHIFT_BEFORE, shift_walk
from ...records import Encounter, Journey, Recorder
from ...streams import (
    ARRIVALS, BACKGROUND, CUSTOMERS, EXPERIENCE, FCR, LOYALTY, MANAGEMENT, NEEDS, PATIENCE, RESOLUTION, RETURNS, SEGMENTS,
    WORK,
    WORKFORCE, Stream, streams,
)
from .customers import Customers
from .ledger import Ledger
from .schedule import at
from .staff import Agent, Router, Ticket
from ...streams import SICKNESS
from .breaks import schedule_breaks
from .workforce import HeadCount, Organisation, Workforce

NAN = math.nan


class Need:
    """One customer need: the unit a journey is about."""

    __slots__ = ("id", "customer", "type", "first_channel", "created", "work", "contacts", "abandons", "transfers",
                 "first_resolved", "ticket", "lowest", "peak", "peak_gap", "last", "total", "scored",
                 "carry", "left", "done")

    def __init__(self, need_id: int, customer: int, need_type: int, channel: int, created: float, work: float):
        self.id, self.customer, self.type, self.first_channel, self.created = need_id, customer, need_type, channel, created
        self.work = work  # T_need: what solving it takes from an agent of proficiency 1 (MODEL.md §2)
        self.contacts = self.abandons = self.transfers = 0
        self.first_resolved = False
        self.ticket: Ticket | None = None
        # Running aggregates of encounter scores, enough for every journey rule.
        self.lowest, self.peak, self.peak_gap, self.last, self.total, self.scored = FRESH_SCORES
        # Carried progress (kernels.progress): the work its next contact carries (-1: all of it), and
        # what the last unsolved contact left and did.
        self.carry, self.left, self.done = -1.0, 0.0, 0.0


def draw(d: Dist, stream: Stream) -> float:
    """A duration from a compiled distribution: always two uniforms (see kernels.sampling)."""
    return sample_duration(d.kind, d.a, d.b, d.values, stream.uniform(), stream.uniform())


def pick(cdf: list[float], u: float) -> int:
    """Index drawn from a cumulative distribution (the same rule as ``np.searchsorted(..., 'right')``)."""
    return bisect_right(cdf, u)


class Model:
    """One replication of one scenario under one policy."""

    def __init__(self, params: Params, seed: int, replication: int):
        self.p = params
        self.env = simpy.Environment()
        self.rng = streams(seed, replication)
        self.router = Router(self.env, params)
        self.record = Recorder()
        self.open_needs: dict[int, Need] = {}
        self.next_need = 0
        self.mech = params.mechanisms
        self.levers = params.levers
        self.org = Organisation(self.env, params, self.router, params.mean_work)
        self.org.pinned = self.levers.pinned
        self._day = day_params(params.wellbeing)   # an agent's speed and quality (kernels.workforce_day)
        self._step, self._ex = step_params(params), experience_params(params)  # packed once (kernels.steps)
        self._close, self._handling = close_params(params), handling_params(params)  # (kernels.churn, .steps)
        self._need = need_params(params)
        self.headcount = HeadCount(self.env, self.router, params.wellbeing.initial if self.mech.wellbeing else None)
        self.workforce = Workforce(self.env, params, self.router, self.rng[WORKFORCE], self.org, self.headcount) \
            if self.mech.wellbeing else None
        if self.workforce:
            self.workforce.support = self.levers.support
            self.workforce.sick_stream = self.rng[SICKNESS]
        self.customers = Customers(self.env, params, self.rng[CUSTOMERS], self.rng[LOYALTY],
                                   self.rng[BACKGROUND], self.rng[SEGMENTS]) \
            if params.population else None
        self.ledger = Ledger(self.env, params, self.router, self.org, self.workforce, self.customers,
                             self.open_needs, self.record.days)
        self._self_service = [ch.kind == "self_service" for ch in params.channels]
        # Python lists for the per-contact look-ups: indexing numpy from Python is slow.
        self._switch_cdf = params.switch_cdf.tolist()
        self._base_resolution = params.need_resolution.tolist()
        self._escalation_serves = params.escalation_serves()
        self._base_agents = np.array([spec.base_agents for spec in params.teams], dtype=np.int64)

    # --- demand -------------------------------------------------------------------------------
    def arrivals(self) -> Generator[simpy.Event, None, None]:
        """Needs arrive as a non-homogeneous Poisson process (kernels.arrivals)."""
        p, stream, c = self.p, self.rng[ARRIVALS], self.customers
        t, counts = 0.0, c.counts if c else np.zeros(len(p.customers.rate_factor), dtype=np.int64)
        while True:
            t = arrival_after(t, stream.uniform(), p.week_rate, c is not None, counts, p.customers.rate_factor,
                              p.change_at, p.factor)
            if t >= p.horizon:
                return
            yield at(self.env, t)
            if self.customers and not self.customers.active:  # everyone left since this arrival was drawn
                continue
            self.env.process(self.journey(self.new_need()))

    def new_need(self) -> Need:
        stream = self.rng[NEEDS]
        u_type, u_channel, who = stream.uniform(), stream.uniform(), stream.uniform()
        c = self.customers
        if c:  # the customer first: their segment decides the need's type and channel
            customer = c.raiser(who)
            need_type, channel = need_kind(u_type, u_channel, c.segment[customer], c.waits[customer], self._need)
        else:
            customer = -1
            need_type, channel = need_kind(u_type, u_channel, -1, self.p.customers.wait_norm, self._need)
        work = draw(self.p.need_work[need_type], self.rng[WORK])
        need = Need(self.next_need, customer, need_type, channel, self.env.now, work)
        self.next_need += 1
        self.ledger.counts[C_CREATED] += 1
        self.open_needs[need.id] = need
        return need

    # --- the journey ----------------------------------------------------------------------------
    def journey(self, need: Need) -> Generator[simpy.Event, object, None]:
        """Contacts about one need until it is solved or the customer gives up (MODEL.md §3, §5)."""
        p, returns = self.p, self.rng[RETURNS]
        channel, kind, work, owner = need.first_channel, FIRST, -1.0, None
        while True:
            step, agent, left = yield from self.contact(need, channel, kind, work, owner)
            work, owner = need.carry, None
            if step == NEXT_CLOSE_SOLVED:
                self.close(need, SOLVED)
                return
            if step == NEXT_TRANSFER:
                kind, work = TRANSFER, left  # a hand-off: a new wait, a new encounter, the rest of the work
                continue
            if step == NEXT_SWITCH:
                channel, kind = pick(self._switch_cdf[channel], returns.uniform()), SWITCH
                continue
            if step == NEXT_RETRY:  # abandoned: retry or give up, decided from two draws (kernels.outcome)
                ch = p.channels[channel]
                retry, delay = returns.uniform(), draw(ch.retrial_delay, returns)
                step, when = abandoned_step(retry, delay, self.env.now, ch.retrial_probability, self._step)
                if step == NEXT_GIVE_UP:
                    self.close(need, GIVEN_UP)
                    return
                yield at(self.env, when)
                kind = RETRIAL
                continue
            give_up, delay, where = returns.uniform(), draw(p.return_delay, returns), returns.uniform()
            step, when, owned = unsolved_step(give_up, delay, self.env.now, agent is not None,
                                              agent is not None and agent.gone, self.levers.ownership, self._step)
            if step == NEXT_GIVE_UP:
                self.close(need, GIVEN_UP)
                return
            yield at(self.env, when)
            kind, channel, work = comeback_step(owned, owned and agent.gone, owned and agent.absent, channel,
                                                p.switch_cdf[channel], where, need.left, need.done,
                                                self.levers.case_notes, self._step)
            need.carry = work
            owner = agent if kind == CALLBACK else None

    def contact(self, need: Need, channel: int, kind: int, work: float, owner: Agent | None
                ) -> Generator[simpy.Event, object, tuple[int, Agent | None, float]]:
        """One contact: self-service, or queue → (abandon | an agent handles it) → solved or not."""
        p, env, router = self.p, self.env, self.router
        need.contacts += 1
        self.ledger.counts[C_OFFERED] += 1
        now = env.now
        if p.management is not None:
            self.fcr_start(need, now)
        if self._self_service[channel]:
            solved, need.first_resolved, step = self_service_step(self.rng[RESOLUTION].uniform(),
                                                                  p.channels[channel].p_self, need.contacts,
                                                                  need.first_resolved)
            score = self.experience(need, channel, 0.0, True, solved, 1.0, 0.0, None)
            self.log(need, kind, channel, now, 0.0, 0.0, 0.0, 0.0, SELF_SERVICE, solved, None, score)
            return step, None, 0.0

        queue = contact_queue(channel, need.type, len(p.channels), len(p.need_names), need.contacts,
                              p.escalation.after, self._escalation_serves)
        patience = p.channels[channel].patience
        patient_for = 0.0
        if draws_patience(patience is not None, owner is not None):
            c = self.customers
            patient_for = kernel_patience(draw(patience, self.rng[PATIENCE]), c is not None,
                                          p.customers.patience[c.segment[need.customer]] if c else 1.0)
        ticket = Ticket(need, channel, queue, kind, now, work, owner)
        need.ticket = ticket
        self.org.offered(queue)
        if owner is not None:
            ticket.event = env.event()  # the owner may pick the callback up later
            agent = router.offer_callback(ticket)
        else:
            agent = router.find_agent(queue, channel)
        if agent is not None:
            router.assign(ticket, agent)
        else:
            if owner is None:
                ticket.event = env.event()
                router.enqueue(ticket)
                if patience is not None:
                    # Patience is a callback, not a competing process: cheaper than `req | timeout`.
                    env.timeout(patient_for).callbacks.append(
                        lambda _event, t=ticket: None if t.done else router.abandon(t))
            agent = yield ticket.event
            if agent is None:
                need.abandons += 1
                self.ledger.counts[C_ABANDONED] += 1
                need.ticket = None
                score = self.experience(need, channel, ticket.wait, False, False, 0.0, 0.0, None)
                self.log(need, kind, channel, ticket.arrived, ticket.wait, 0.0, 0.0, 0.0, ABANDONED, False, None, score)
                return NEXT_RETRY, None, 0.0  # pending the customer's choice (journey)

        needed, given, empathy, handle, transfer = self.handling(need, ticket, agent)
        yield env.timeout(handle)
        solved, share, need.first_resolved, step, need.left, need.done, handoff = handled_step(
            self.rng[RESOLUTION].uniform(), self._base_resolution[need.type], needed, given, transfer,
            self.mech.wellbeing, agent.wellbeing, agent.strain, agent.engagement, self._day, p.quality_gap,
            p.quality_level, need.contacts, need.first_resolved, ticket.work, need.work, self.levers.transfer_overhead,
            need.left, need.done)
        # A callback is the agent calling the customer: judged against the promised time.
        score = self.experience(need, channel, ticket.wait, True, solved, share, empathy, agent, ticket.owner is not None)
        agent.upset += upsets(self.workforce is not None, score, p.wellbeing.upset_below)
        router.release(agent)
        self.ledger.counts[C_HANDLED] += 1
        if p.management is not None:
            self.fcr_handled(need, solved)
        need.ticket = None
        self.log(need, kind, channel, ticket.arrived, ticket.wait, handle, needed, given, HANDLED, solved, agent, score)
        need.transfers += step == NEXT_TRANSFER
        return step, agent, handoff

    def handling(self, need: Need, ticket: Ticket, agent: Agent) -> tuple[float, float, float, float, bool]:
        """Work needed, time given, empathy time, time with the customer, and whether it is handed off (§5)."""
        levers, team = self.levers, agent.team.index
        needed, given, empathy, handle, transfer, share = handling_step(
            self.ledger.counts, ticket.work, need.work, agent.team.proficiency, agent.hired, self.env.now,
            agent.wellbeing, agent.engagement, agent.sessions, ticket.kind == TRANSFER, levers.need_budget[need.type],
            levers.overrun, levers.empathy, self.org.standard[team], self.org.multiplier[team],
            self.p.channels[ticket.channel].slowdown, self._day, self._handling)
        self.org.given(team, share)
        return needed, given, empathy, handle, transfer

    # --- experience and what follows --------------------------------------------------------------
    def experience(self, need: Need, channel: int, wait: float, answered: bool, solved: bool, given_share: float,
                   empathy: float, agent: Agent | None, callback: bool = False) -> float:
        """The encounter's score (kernels.experience), added to the journey's aggregates.

        The wait is judged against what this customer expects in this channel (learnt, with a
        population, else the channel's), a callback's against its promise (kernels.progress.scored_wait);
        only queue waits teach the customer what to expect.
        """
        c = self.customers
        waits = c.waits[need.customer] if c else None
        score, need.lowest, need.peak, need.peak_gap, need.last, need.total, need.scored, usual = encounter_step(
            c.expectation[need.customer] if c else 0.0, waits[channel] if c else self.p.channels[channel].expected_wait,
            wait, answered, solved, given_share, empathy, agent is not None, agent.wellbeing if agent else 0.0,
            need.contacts, need.transfers, callback, c is not None, not self._self_service[channel], need.lowest,
            need.peak, need.peak_gap, need.last, need.total, need.scored, self._ex)
        if c:
            waits[channel] = usual
        return score

    def close(self, need: Need, status: int) -> None:
        """The journey ends: score it, ask for a recommendation, and let the customer react."""
        del self.open_needs[need.id]
        if self.p.management is not None and need.customer < 0:
            self.fcr_by_customer.pop(-1 - need.id, None)  # its pending contacts: no contact will follow
        c = self.customers
        u1, u2, u3 = (self.rng[EXPERIENCE].uniform() for _ in range(3)) if self.mech.experience else (0.0, 0.0, 0.0)
        score, ltr, responded, cls, reacts, effort = close_journey(
            self.ledger.counts, status, u1, u2, u3, need.lowest, need.peak, need.last, need.total, need.scored,
            need.contacts, need.transfers, c is not None and c.is_active(need.customer), self._close)
        churned = c.after_journey(need.customer, score, effort, cls) if reacts else False
        self.record.journeys.append(Journey(
            need.id, need.customer, need.type, need.first_channel, need.created, self.env.now, status,
            need.contacts, need.abandons, need.transfers, need.first_resolved, score, ltr, responded, churned))

    def log(self, need: Need, kind: int, channel: int, arrived: float, wait: float, handle: float, needed: float,
            given: float, outcome: int, solved: bool, agent: Agent | None, score: float) -> None:
        self.record.encounters.append(Encounter(
            need.id, need.customer, need.contacts, kind, channel, need.type, arrived, wait, handle, needed, given,
            outcome, solved, agent.id if agent else -1, agent.team.index if agent else -1, score))

    # --- time ---------------------------------------------------------------------------------------
    def shifts(self, team) -> Generator[simpy.Event, None, None]:
        """Bring a team on and off duty, week after week (the walk: kernels.shifts)."""
        on, off = np.array([s[0] for s in team.shifts]), np.array([s[1] for s in team.shifts])
        week, k, phase = 0.0, 0, SHIFT_BEFORE
        while True:
            end, start, wake, week, k, phase = shift_walk(self.env.now, week, k, phase, on, off, len(on))
            if end:
                self.router.end_shift(team)
            if start:
                self.router.start_shift(team)
                schedule_breaks(self.env, self.router, team, week + on[k])
            yield at(self.env, wake)

    def interventions(self) -> Generator[simpy.Event, None, None]:
        """Switch the policy's levers at the times its interventions give (MODEL.md §9)."""
        for when, levers in self.p.timeline[1:]:
            yield at(self.env, when)
            if restaffs(self.levers.staffing, levers.staffing):
                self.restaff(levers.staffing)
            self.levers = levers
            self.org.pinned = levers.pinned
            if self.workforce:
                self.workforce.support = levers.support

    def review(self, now: float) -> None:
        """A management review if ``now`` closes a review cycle (kernels.management); its decision
        takes effect after the implementation delay (MODEL.md §9)."""
        m, k = self.p.management, len(self.record.reviews)
        if not review_due(m.reviews, k, now):
            return
        stream = self.rng[MANAGEMENT]
        u1, u2 = stream.uniform(), stream.uniform()
        row = np.empty(REVIEW_COLS)
        days = np.array(self.record.days, dtype=np.float64).reshape(-1, DAY_COLS)
        review(days, len(days), now, k, m.cycle, m.measurement_delay, m.implementation_delay, m.survey_sample, m.survey,
               m.rule_kpi, m.rule_target, m.rule_lever, m.rule_step, m.low, m.high, self.decided, u1, u2, row,
               self.fcr_days, m.fcr_window)
        self.record.reviews.append(row)
        decided = self.decided.copy()
        self.env.timeout(m.implementation_delay).callbacks.append(lambda _event, d=decided: self.apply(d))

    def fcr_pending(self, need: Need) -> np.ndarray:
        """The pending handled contacts of the need's customer (of the need itself without a population)."""
        key = need.customer if need.customer >= 0 else -1 - need.id
        pending = self.fcr_by_customer.get(key)
        if pending is None:
            pending = self.fcr_by_customer[key] = np.full(FCR_SLOTS, -1.0)
        return pending

    def fcr_start(self, need: Need, now: float) -> None:
        """A contact starts: it settles its customer's pending handled contacts (kernels.fcr)."""
        contact_starts(self.fcr_days, self.fcr_pending(need), now, self.p.management.fcr_window)

    def fcr_handled(self, need: Need, solved: bool) -> None:
        """An agent has handled a contact: tally it, tick the box, keep it pending (kernels.fcr)."""
        contact_handled(self.fcr_days, self.fcr_pending(need), self.env.now, solved, self.rng[FCR].uniform(),
                        self.p.management.tickbox_bias)

    def apply(self, decided: np.ndarray) -> None:
        """Management's decision takes effect: the levers it moves (the others stay)."""
        policy = self.p.timeline[0][1]
        budget, staffing, support, empathy, budgets, _targets = decided_levers(
            decided, policy.budget, np.array(policy.need_budget, dtype=float), self._base_agents)
        levers = replace(self.levers, budget=float(budget), staffing=float(staffing), support=float(support),
                         empathy=float(empathy), need_budget=tuple(float(b) for b in budgets))
        if restaffs(self.levers.staffing, levers.staffing):
            self.restaff(levers.staffing)
        self.levers = levers
        if self.workforce:
            self.workforce.support = levers.support

    def restaff(self, staffing: float) -> None:
        """A new head count: leavers go without replacement (idle ones first), new hires start now."""
        self.headcount.restaff(team_targets(self._base_agents, staffing).tolist())

    def run(self) -> Recorder:
        p, env = self.p, self.env
        for team in self.router.teams:
            if team.shifts is None:
                self.router.start_shift(team)
            else:
                env.process(self.shifts(team))
        env.process(self.arrivals())
        env.process(self.ledger.periods())
        if self.mech.erosion:
            env.process(self.org.run())
        if self.workforce:
            env.process(self.workforce.daily())
        if self.customers and self.mech.loyalty:
            env.process(self.customers.background_churn())
            env.process(self.customers.background_acquisition())
        if len(p.timeline) > 1:
            env.process(self.interventions())
        if p.management is not None:
            self.decided = p.management.initial.copy()  # the levers as last decided (the controller's state)
            self.fcr_days = np.zeros((len(p.cuts) + 1, FCR_COLS))  # FCR as measured, by day (kernels.fcr)
            self.fcr_by_customer: dict[int, np.ndarray] = {}
            self.ledger.on_cut = self.review
        env.run(until=p.horizon)
        self.finish()
        return self.record

    def finish(self) -> None:
        """Close the books at the horizon: the last period, agents, and every need still open."""
        now = self.p.horizon
        self.ledger.close_period(now)
        at_warmup = self.ledger.at_warmup
        for a in self.router.agents:
            if self.workforce and not a.gone:
                self.workforce.update(a)
            row = np.empty(AGENT_COLS)
            agent_row(row, a.id, a.team.index, a.staffed.area_at(now), a.busy.area_at(now), a.handled, a.wellbeing,
                      a.absent_minutes, a.boreout_days, a.hired, a.left, a.strain, a.engagement,
                      *at_warmup.get(a.id, (0.0, 0.0, 0)))
            self.record.agents.append(row)
        if self.customers:
            c = self.customers
            self.record.customers.extend((cid, c.segment[cid], c.joined[cid], c.left[cid])
                                         for cid in range(len(c.segment)))
        for need in self.open_needs.values():
            t = need.ticket
            if t is not None:  # waiting or being served right now
                wait = t.wait if t.agent is not None else NAN
                self.log(need, t.kind, t.channel, t.arrived, wait, NAN, NAN, NAN, OPEN, False, t.agent, NAN)
            self.record.journeys.append(Journey(
                need.id, need.customer, need.type, need.first_channel, need.created, NAN, UNFINISHED,
                need.contacts, need.abandons, need.transfers, need.first_resolved, NAN, -1, False, False))


def simulate(params: Params, seed: int, replication: int) -> Recorder:
    """Run one replication with the SimPy engine and return its records."""
    return Model(params, seed, replication).run()

"""Routing and outcome kernels (kernels/routing.py, kernels/outcome.py), and the router's invariants.

The routing kernels are the rules both engines apply while walking their own queues and idle lists;
each walk keeps the first candidate the rule prefers. The tests fold the rules over random candidates
and compare with an independent oracle (``min`` / ``np.argmin``, which keep the first of equals), then
drive the SimPy engine's Router through random offers, releases and time steps and check what the
model promises: the longest-idle agent takes a contact, each queue is served first in first out, and
no agent ever holds more sessions than its channel allows (one phone call at a time). The fast
engine's router applies the same kernels; tests/test_fast_engine.py shows it takes the same steps.
"""

from __future__ import annotations

import functools
import math
import pathlib
import tempfile

import numpy as np
import simpy
from hypothesis import example, given, settings
from hypothesis import strategies as st

import cxsim
from cxsim.codes import (
    CALLBACK, FIRST, NEXT_CLOSE_SOLVED, NEXT_GIVE_UP, NEXT_RETRY, NEXT_RETURN, NEXT_TRANSFER, REPEAT,
)
from cxsim.compiled import compile_scenario
from cxsim.engines.simpy.staff import Router, Ticket
from cxsim.compiled import compile_experience
from cxsim.kernels.outcome import (
    after_abandoned_contact, after_contact, after_unsolved_contact, comeback, encounter_experience,
)
from cxsim.kernels.ledger import cut_staff_day
from cxsim.kernels.sampling import exponential_wait, uniform_index
from cxsim.kernels.shifts import SHIFT_BEFORE, shift_walk
from cxsim.layouts import D_ABSENT, D_STRAIN, D_ENGAGEMENT, D_WELLBEING, DAY_COLS, TOTALS
from cxsim.minutes import WEEK
from cxsim.scenario.mechanisms import Experience
from cxsim.kernels.routing import (
    PULL_ANY, PULL_CALLBACK, PULL_CHANNEL, PULL_NONE, fewer_sessions, idle_longer, may_take_session, owner_takes_now,
    pull_scope, waited_longer,
)

settings.register_profile("cxsim", max_examples=200, deadline=None)
settings.load_profile("cxsim")

times = st.floats(0.0, 100.0).map(lambda x: round(x, 1))  # rounded: ties happen
FLAT = np.ones(168)  # a flat week: the customers' clock is the wall clock


# --- the rules, folded over candidates as the engines walk them ------------------------------------
@given(st.lists(times, min_size=1, max_size=12))
def test_idle_rule_picks_the_longest_idle_and_the_first_of_equals(since):
    best = -1
    for i, s in enumerate(since):
        if idle_longer(s, since[best] if best >= 0 else 0.0, best >= 0):
            best = i
    assert best == int(np.argmin(since))


@given(st.lists(times, min_size=1, max_size=12))
def test_queue_rule_is_first_in_first_out_across_queues(heads):
    oldest = -1
    for i, a in enumerate(heads):
        if waited_longer(a, heads[oldest] if oldest >= 0 else 0.0, oldest >= 0):
            oldest = i
    assert oldest == int(np.argmin(heads))


agent = st.tuples(st.integers(-1, 2), st.integers(0, 4), st.booleans(), st.booleans(), times)


@given(st.lists(agent, max_size=12), st.integers(0, 2), st.integers(1, 4))
def test_session_rule_fewest_sessions_then_longest_idle_and_never_a_full_agent(agents, channel, limit):
    best = -1
    for i, (ch, sessions, on_duty, leaving, since) in enumerate(agents):
        if may_take_session(ch, channel, sessions, limit, on_duty, leaving) and fewer_sessions(
                sessions, since, agents[best][1] if best >= 0 else 0, agents[best][4] if best >= 0 else 0.0, best >= 0):
            best = i
    eligible = [(s, t, i) for i, (ch, s, on, leaving, t) in enumerate(agents)
                if ch == channel and 0 < s < limit and on and not leaving]
    assert best == (min(eligible)[2] if eligible else -1)
    if limit == 1:
        assert best == -1  # a phone agent never takes a second call


def test_pull_scope_and_the_owner():
    assert pull_scope(0, 1, True, True) == PULL_NONE  # going off duty: takes nothing more
    assert pull_scope(0, 1, False, True) == PULL_CALLBACK  # own callbacks first
    assert pull_scope(0, 3, False, False) == PULL_ANY
    assert pull_scope(1, 3, False, True) == PULL_CHANNEL  # sessions in hand: its channel only, callbacks wait
    assert pull_scope(3, 3, False, False) == PULL_NONE
    assert pull_scope(1, 1, False, False) == PULL_NONE
    assert owner_takes_now(True, False, 0, True)
    for on_duty, leaving, sessions, idle in [(False, False, 0, True), (True, True, 0, True), (True, False, 1, True),
                                             (True, False, 0, False)]:
        assert not owner_takes_now(on_duty, leaving, sessions, idle)


# --- what follows a contact --------------------------------------------------------------------------
@given(st.booleans(), st.booleans(), st.floats(0.01, 100.0), st.floats(0.0, 1.5), st.one_of(st.just(-1.0),
       st.floats(0.0, 50.0)), st.floats(0.1, 50.0), st.floats(0.0, 5.0))
def test_after_contact_splits_the_work_and_hands_off_the_rest(solved, transfer, needed, share, ticket_work, need_work,
                                                             overhead):
    given_ = needed * (min(share, 1.0) if transfer else share)  # a hand-off happens at a budget below the need
    step, left, done, handoff = after_contact(solved, transfer, needed, given_, ticket_work, need_work, overhead,
                                              -7.0, -9.0)
    work = ticket_work if ticket_work >= 0 else need_work
    assert step == (NEXT_TRANSFER if transfer else NEXT_CLOSE_SOLVED if solved else NEXT_RETURN)
    if solved:
        assert (left, done) == (-7.0, -9.0)  # the need's progress is kept as it was
    else:
        assert 0.0 <= done <= work + 1e-9 and math.isclose(left + done, work, abs_tol=1e-9)
        assert share < 1 or left == 0.0  # all the time needed was given: nothing left
    if transfer:
        assert handoff >= overhead and (solved or math.isclose(handoff, left + overhead, abs_tol=1e-9))
    else:
        assert handoff == 0.0


@given(st.floats(0.0, 1.0, exclude_max=True), st.floats(0.0, 1e4), st.booleans(), st.booleans(), st.booleans(),
       st.floats(0.0, 1.0), st.floats(0.0, 1.0), st.floats(0.0, 600.0))
def test_after_unsolved_contact(u, delay, has_agent, gone, ownership, give_up, owned_give_up, promise):
    now = 1000.0
    step, when, owned = after_unsolved_contact(u, delay, now, has_agent, gone, True, ownership, give_up,
                                               owned_give_up, promise, FLAT, True)
    assert owned == (ownership and has_agent and not gone)
    assert step == (NEXT_GIVE_UP if u < (owned_give_up if owned else give_up) else NEXT_RETURN)
    if step == NEXT_RETURN:
        assert when == (now + promise if owned and promise > 0 else now + delay)
    off = after_unsolved_contact(u, delay, now, has_agent, gone, False, ownership, give_up, owned_give_up, promise,
                                 FLAT, True)
    assert not off[2]  # with the handling mechanism off nobody owns a need


@given(st.floats(0.0, 1.0, exclude_max=True), st.floats(0.0, 1e4), st.floats(0.0, 1.0))
def test_after_abandoned_contact(u, delay, p):
    step, when = after_abandoned_contact(u, delay, 50.0, p, FLAT, True)
    assert step == (NEXT_RETRY if u < p else NEXT_GIVE_UP)
    assert step == NEXT_GIVE_UP or when == 50.0 + delay


def test_comeback_callback_keeps_the_channel_and_the_progress():
    cdf = np.array([0.2, 0.5, 1.0])
    assert comeback(True, False, False, 2, cdf, 0.1, True, 3.0, 4.0, 0.5, 1.0) == (CALLBACK, 2, 3.0)
    # The owner is away: a repeat, in the channel the uniform picks, losing half the progress and re-explaining.
    assert comeback(True, False, True, 2, cdf, 0.3, True, 3.0, 4.0, 0.5, 1.0) == (REPEAT, 1, 3.0 + 2.0 + 1.0)
    assert comeback(False, True, True, 0, cdf, 0.9, False, 3.0, 4.0, 0.5, 1.0) == (REPEAT, 2, -1.0)


E = compile_experience(Experience())


def _experience(wait, answered, solved, has_agent, wellbeing, callback, population, queued, usual=2.0):
    return encounter_experience(7.0, usual, wait, answered, solved, 1.0, 0.0, has_agent, wellbeing, 1, 0, callback,
                                population, queued, 10.0, 0.0, -1.0, 0.0, 0.0, 0, E.neutral, E.expectation_weight,
                                5.0, E.weight_wait, E.weight_resolution, E.weight_empathy, E.weight_effort,
                                E.loss_aversion, E.coefficients, 0.25)


@given(st.floats(0.0, 600.0), st.booleans(), st.booleans(), st.booleans(), st.floats(0.0, 1.0), st.booleans(),
       st.booleans(), st.booleans())
def test_encounter_experience_scores_on_the_scale_and_learns_only_from_queue_waits(wait, answered, solved, has_agent,
                                                                                  wellbeing, callback, population,
                                                                                  queued):
    score, lowest, peak, peak_gap, last, total, scored, usual = _experience(
        wait, answered, solved, has_agent, wellbeing, callback, population, queued)
    assert 0.0 <= score <= 10.0
    assert (lowest, last, total, scored) == (min(10.0, score), score, score, 1)
    assert peak == score and peak_gap == abs(score - E.neutral)  # the first score is the journey's peak so far
    if population and queued and not callback:
        assert min(2.0, wait) <= usual <= max(2.0, wait)  # a step toward the wait just lived
    else:
        assert usual == 2.0
    if not has_agent:  # nobody there: the agent's wellbeing cannot matter
        assert _experience(wait, answered, solved, False, 1.0 - wellbeing, callback, population, queued)[0] == score


shift_points = st.lists(st.integers(0, int(WEEK) - 1), min_size=2, max_size=8, unique=True).map(sorted)


@given(shift_points, st.booleans())
def test_shift_walk_follows_the_weekly_pattern(points, adjacent):
    points = points[:len(points) // 2 * 2]
    on, off = np.array(points[0::2], dtype=float), np.array(points[1::2], dtype=float)
    if adjacent and len(on) > 1:
        off[0] = on[1]  # one shift ends as the next begins: off first, then on
    expected = []
    for week in range(3):
        for a, b in zip(on, off):
            expected += [(week * WEEK + a, "on"), (week * WEEK + b, "off")]
    walked, now, state = [], 0.0, (0.0, 0, SHIFT_BEFORE)
    while now < 3 * WEEK:
        end, start, wake, *state = shift_walk(now, *state, on, off, len(on))
        walked += [(now, "off")] * end + [(now, "on")] * start
        assert wake > now
        now = wake
    assert walked == expected


# --- the SimPy router's invariants -------------------------------------------------------------------
ROUTING = """\
name: routing
horizon: 8 h
demand:
  open:
    rate: 10 /h
needs:
  a: {share: 0.5, work_time: {dist: exponential, mean: 4 min}, resolution: 1.0}
  b: {share: 0.5, work_time: {dist: exponential, mean: 4 min}, resolution: 1.0}
channels:
  phone: {kind: phone, abandons: false, service_level_target: 20 s}
  chat: {kind: chat, concurrency: 3, abandons: false, service_level_target: 1 min}
teams:
  both: {agents: 2, channels: [phone, chat]}
  phone_a: {agents: 1, channels: [phone], needs: [a]}
  chat: {agents: 1, channels: [chat]}
"""

op = st.one_of(st.tuples(st.just("offer"), st.integers(0, 3)), st.tuples(st.just("release"), st.integers(0, 50)),
               st.tuples(st.just("wait"), st.integers(1, 5)))


class RecordingRouter(Router):
    """The SimPy engine's Router, noting every contact handed over from a queue or a callback list."""

    def __init__(self, env, params):
        super().__init__(env, params)
        self.handed: list[Ticket] = []

    def _hand_over(self, ticket, agent):
        self.handed.append(ticket)
        super()._hand_over(ticket, agent)


@functools.lru_cache(maxsize=1)
def _routing_params():
    with tempfile.TemporaryDirectory() as tmp:
        path = pathlib.Path(tmp) / "routing.yaml"
        path.write_text(ROUTING)
        return compile_scenario(cxsim.load_scenario(path))


@settings(max_examples=80)
@given(st.lists(op, min_size=1, max_size=80))
# Chat contacts fill the agents' sessions, a phone call waits, one chat ends: the freed session may
# take another chat, never the call (an agent's sessions are of one channel).
@example(ops=[("offer", 2)] * 6 + [("offer", 1), ("release", 0)])
def test_router_longest_idle_first_fifo_per_queue_and_never_over_the_session_limit(ops):
    params = _routing_params()
    limits = [ch.sessions for ch in params.channels]
    assert limits == [1, 3]
    env = simpy.Environment()
    router = RecordingRouter(env, params)
    for team in router.teams:
        router.start_shift(team)
    held: list[Ticket] = []
    served: dict[int, list[float]] = {q: [] for q in range(params.queue_count)}
    waiting: list[Ticket] = []
    for kind, k in ops:
        if kind == "wait":
            env.run(until=env.now + k)
        elif kind == "offer":
            queue = k
            channel = queue // len(params.need_names)
            ticket = Ticket(None, channel, queue, FIRST, env.now)
            ticket.event = env.event()
            idle = [a for t in router.teams_for_queue[queue] for a in t.idle]
            agent = router.find_agent(queue, channel)
            if idle:  # someone is idle: the longest idle of them takes it
                assert agent is not None and agent.sessions == 0
                assert agent.idle_since == min(a.idle_since for a in idle)
            elif agent is not None:  # a chat agent with a free session of this channel, fewest sessions first
                assert channel == 1 and agent.channel == 1 and 0 < agent.sessions < limits[1]
                others = [a for t in router.teams_for_queue[queue] for a in t.agents if a.channel == 1 and a.sessions]
                assert agent.sessions == min(a.sessions for a in others)
            if agent is not None:
                router.assign(ticket, agent)
                served[queue].append(ticket.arrived)
                held.append(ticket)
            else:
                router.enqueue(ticket)
                waiting.append(ticket)
        elif held:
            ticket = held.pop(k % len(held))
            router.handed.clear()
            router.release(ticket.agent)
            for t in router.handed:  # what the freed agent pulled, in the order it pulled them
                waiting.remove(t)
                served[t.queue].append(t.arrived)
                held.append(t)
        for a in router.agents:
            assert a.sessions <= (limits[a.channel] if a.sessions else 0)  # one phone call at a time
            assert not (a.sessions and a in a.team.idle)  # an agent in a contact is never idle
        assert sum(a.sessions for a in router.agents) == len(held)
        for t in held:
            assert t.agent is not None and t.queue in t.agent.team.queues  # skilled for it
            assert t.channel == t.agent.channel  # sessions held together are of one channel
    for q, arrivals in served.items():
        assert arrivals == sorted(arrivals)  # each queue is served first in, first out
        if arrivals:
            assert all(t.arrived >= arrivals[-1] for t in waiting if t.queue == q)


# --- small shared pieces: the background clocks and the day's staff columns ---------------------------
@given(st.floats(0.0, 1.0, exclude_max=True), st.floats(1e-6, 10.0), st.integers(1, 1000))
def test_background_clock_is_the_exponential_quantile_and_the_pick_stays_in_range(u, rate, n):
    x = exponential_wait(u, rate)
    assert x >= 0.0 and math.isclose(-math.expm1(-rate * x), u, rel_tol=1e-9, abs_tol=1e-12)  # P(X <= x) = u
    assert 0 <= uniform_index(u, n) < n
    assert uniform_index(math.nextafter(1.0, 0.0), n) == n - 1


def test_the_day_row_averages_the_employed_staff_only():
    cols = len(TOTALS)
    row = np.empty(DAY_COLS)
    wellbeing, strain = np.array([0.2, 0.9, 0.5]), np.array([1.0, 7.0, 3.0])
    engagement = np.array([0.25, 0.0, 0.75])
    absent, gone = np.array([True, False, True]), np.array([False, True, False])
    cut_staff_day(row, 0.0, 1440.0, np.zeros(cols), np.zeros(cols), 0, 1.0, 0, wellbeing, strain, engagement, absent,
                  gone)
    # agent 1 has left: not counted
    assert (row[D_WELLBEING], row[D_STRAIN], row[D_ENGAGEMENT], row[D_ABSENT]) == (0.35, 2.0, 0.5, 2)
    cut_staff_day(row, 0.0, 1440.0, np.zeros(cols), np.zeros(cols), 0, 1.0, 0, wellbeing, strain, engagement, absent,
                  np.ones(3, dtype=bool))
    assert math.isnan(row[D_WELLBEING]) and math.isnan(row[D_STRAIN]) and math.isnan(row[D_ENGAGEMENT])
    assert row[D_ABSENT] == 0

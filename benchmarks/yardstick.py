"""The speed yardstick: scenarios/erlang_a_repeats.yaml written as a bare, idiomatic SimPy model.

This is the model a typical SimPy user would write for the same queue: needs arrive as a
Poisson stream, each customer is one process that requests one of 50 agents from a
``simpy.Resource`` while racing its patience (``req | env.timeout(patience)``), and a served
contact that does not solve the need brings the customer back after a delay. Scalars are drawn
one at a time from a numpy ``Generator``; per-contact waits go into a list, as a user collecting
data would. cxsim's SimPy engine is timed relative to this (benchmarks/test_speed.py).
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass, field

import numpy as np
import simpy

RATE = 38.4          # needs per minute
AGENTS = 50
SERVICE = 1.0        # mean handling time, minutes
PATIENCE = 2.0       # mean patience, minutes; an abandoned need is lost
RESOLUTION = 0.8     # probability that a served contact solves the need
RETURN_DELAY = 30.0  # mean delay before an unsolved need's next contact, minutes


@dataclass
class Tally:
    """What the user collects: contacts that reached the queue and the wait of each one that ended."""

    contacts: int = 0
    waits: list[float] = field(default_factory=list)


def customer(env: simpy.Environment, agents: simpy.Resource, rng: np.random.Generator,
             tally: Tally) -> Generator[simpy.Event, object, None]:
    """One need: contact, wait (or abandon), be served, and call again while the need is unsolved."""
    while True:
        tally.contacts += 1
        arrived = env.now
        with agents.request() as req:
            result = yield req | env.timeout(rng.exponential(PATIENCE))
            tally.waits.append(env.now - arrived)
            if req not in result:  # type: ignore[operator]
                return  # abandoned: the need is lost
            yield env.timeout(rng.exponential(SERVICE))
        if rng.random() < RESOLUTION:
            return
        yield env.timeout(rng.exponential(RETURN_DELAY))


def source(env: simpy.Environment, agents: simpy.Resource, rng: np.random.Generator,
           tally: Tally) -> Generator[simpy.Event, None, None]:
    """Open Poisson arrivals of needs."""
    while True:
        yield env.timeout(rng.exponential(1.0 / RATE))
        env.process(customer(env, agents, rng, tally))


def run_yardstick(horizon_minutes: float, seed: int) -> int:
    """Simulate ``horizon_minutes`` and return the number of contacts (first and repeat) that reached the queue."""
    env = simpy.Environment()
    agents = simpy.Resource(env, capacity=AGENTS)
    tally = Tally()
    env.process(source(env, agents, np.random.default_rng(seed), tally))
    env.run(until=horizon_minutes)
    return tally.contacts

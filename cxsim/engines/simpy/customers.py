"""Customers of the SimPy engine: who raises a need, and what they do after a journey (MODEL.md §2, §7–§8).

With a population, each active customer raises needs; churned customers raise no more, so a
policy that loses customers also loses demand, revenue and referrals. Background churn and
background acquisition are Poisson processes over the population (exactly the same as a
memoryless lifetime per customer, at a fraction of the cost); journeys add churn through the
relationship balance, and word of mouth adds or deters customers.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Generator

import numpy as np
import simpy

from ...kernels.customers import who_raises
from ...kernels.churn import customer_reaction, loyalty_params
from ...kernels.population import background_joins, background_rate, new_customer
from ...kernels.sampling import exponential_wait, uniform_index
from .staff import Level

if TYPE_CHECKING:
    from ...compiled import Params
    from ...streams import Stream


class Customers:
    """The population: active customers, their expectation X and relationship balance R."""

    def __init__(self, env: simpy.Environment, params: "Params", creation: "Stream", decisions: "Stream",
                 background: "Stream", segments: "Stream"):
        # Three streams: who the customers are (identical under every policy), what they decide after
        # a journey, and the background clocks of churn and acquisition.
        self.env, self.p, self.new, self.rng, self.clock = env, params, creation, decisions, background
        self.loyal = params.mechanisms.loyalty
        self._loyalty = loyalty_params(params)  # what a customer's reaction reads, packed once (kernels.churn)
        n = params.population
        self.initial = n
        self.expectation: list[float] = []
        self.balance: list[float] = []
        self.active: list[int] = []       # ids of active customers, in any order
        self.position: list[int] = []     # id -> index in `active`, -1 once churned
        self.count = Level(0.0)           # active customers over time (revenue is its integral)
        self.churned = self.acquired = self.deterred = 0
        self._deterrence_owed = 0         # acquisitions that detractors' word of mouth will cancel
        # Segments (kernels.customers): each customer's segment, the active customers of each segment
        # (a customer's place there), their expected wait per channel, and when they joined and left.
        self.segments_stream = segments
        cp = params.customers
        self.segment: list[int] = []
        self.in_segment: list[list[int]] = [[] for _ in cp.names]
        self.segment_position: list[int] = []
        self.counts = np.zeros(len(cp.names), dtype=np.int64)
        self.waits: list[np.ndarray] = []
        self.joined: list[float] = []
        self.left: list[float] = []
        self.value = Level(0.0)           # Σ monthly value of the active customers (revenue is its integral)
        for _ in range(n):
            self._add()

    def _add(self) -> int:
        cid = len(self.position)
        sd = self.p.experience.expectation_sd if self.p.mechanisms.experience else 0.0
        cp = self.p.customers
        waits = np.empty(len(cp.expected_wait))
        seg, expectation = new_customer(self.segments_stream.uniform(), self.new.uniform(), self.new.uniform(),
                                        cp.share_cdf, cp.expectation, sd, cp.expected_wait, cp.wait_factor, waits)
        self.expectation.append(expectation)
        self.balance.append(0.0)
        self.position.append(len(self.active))
        self.active.append(cid)
        self.count.change(self.env.now, 1)
        self.segment.append(seg)
        self.segment_position.append(len(self.in_segment[seg]))
        self.in_segment[seg].append(cid)
        self.counts[seg] += 1
        self.waits.append(waits)
        self.joined.append(self.env.now)
        self.left.append(math.nan)
        self.value.change(self.env.now, cp.value[seg])
        return cid

    def raiser(self, u: float) -> int:
        """The customer who raises the next need, chosen in proportion to their segment's need rate."""
        seg, i = who_raises(u, self.counts, self.p.customers.rate_factor)
        return self.in_segment[seg][i]

    def pick(self, u: float) -> int:
        """A uniformly chosen active customer."""
        return self.active[uniform_index(u, len(self.active))]

    def is_active(self, cid: int) -> bool:
        return self.position[cid] >= 0

    def churn(self, cid: int) -> None:
        i = self.position[cid]
        if i < 0:
            return
        last = self.active.pop()
        if last != cid:
            self.active[i] = last
            self.position[last] = i
        self.position[cid] = -1
        self.churned += 1
        self.count.change(self.env.now, -1)
        seg = self.segment[cid]
        members, j = self.in_segment[seg], self.segment_position[cid]
        last = members.pop()
        if last != cid:
            members[j] = last
            self.segment_position[last] = j
        self.segment_position[cid] = -1
        self.counts[seg] -= 1
        self.left[cid] = self.env.now
        self.value.change(self.env.now, -self.p.customers.value[seg])

    # --- after a journey --------------------------------------------------------------------------
    def after_journey(self, cid: int, score: float, high_effort: bool, nps_class: int) -> bool:
        """Update R, maybe churn, maybe spread word of mouth. Returns whether the customer left."""
        u_churn, u_word = self.rng.uniform(), self.rng.uniform()
        self.balance[cid], left, joins, self._deterrence_owed = customer_reaction(
            self.balance[cid], score, high_effort, nps_class, u_churn, u_word, self._deterrence_owed, self._loyalty)
        if left:
            self.churn(cid)
        if joins:
            self._add()
            self.acquired += 1
        return left

    # --- background processes ---------------------------------------------------------------------
    def background_churn(self) -> Generator[simpy.Event, None, None]:
        """Customers leave for reasons of their own at ``churn_per_month`` (memoryless)."""
        hazard = self.p.loyalty.background_hazard
        while True:
            rate = background_rate(hazard, len(self.active))
            if rate <= 0:
                return
            yield self.env.timeout(exponential_wait(self.clock.uniform(), rate))
            u = self.clock.uniform()
            if self.active:  # journeys may have taken everyone meanwhile
                self.churn(self.pick(u))

    def background_acquisition(self) -> Generator[simpy.Event, None, None]:
        """New customers at the rate that keeps the population steady with background churn alone."""
        rate = background_rate(self.p.loyalty.background_hazard, self.initial)
        if rate <= 0:
            return
        while True:
            yield self.env.timeout(exponential_wait(self.clock.uniform(), rate))
            joins, self._deterrence_owed = background_joins(self._deterrence_owed)
            if joins:
                self._add()
                self.acquired += 1
            else:
                self.deterred += 1

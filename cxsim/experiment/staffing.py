"""The staffing question: the smallest head count that meets a target, per policy.

Head count is searched upward from a lower bound (the offered load, or 1): for each candidate the
scenario is run with common random numbers and the target is judged on the mean across
replications; the answer is reported with the metric's 95 % interval at that head count and at
one fewer, so the user sees how close the call was.
"""

from __future__ import annotations

import math
import operator
import re
from dataclasses import dataclass
from typing import Callable

from ..scenario import Scenario, ScenarioError
from ..stats import interval
from .plan import apply

_TARGET = re.compile(r"^\s*([a-z_.]+)\s*(>=|<=|>|<)\s*(-?[0-9.eE+-]+)\s*$")
_OPS: dict[str, Callable[[float, float], bool]] = {">=": operator.ge, "<=": operator.le, ">": operator.gt,
                                                   "<": operator.lt}


@dataclass(frozen=True)
class Target:
    metric: str
    op: str
    value: float

    def met(self, mean: float) -> bool:
        return not math.isnan(mean) and _OPS[self.op](mean, self.value)

    def __str__(self) -> str:
        return f"{self.metric} {self.op} {self.value:g}"


def parse_target(text: str) -> Target:
    match = _TARGET.match(text)
    if not match:
        raise ValueError(f"target {text!r}: write metric>=value, e.g. 'service_level>=0.8' or 'contacts_per_need<=1.5'")
    return Target(match.group(1), match.group(2), float(match.group(3)))


@dataclass(frozen=True)
class Answer:
    policy: str
    agents: int | None          # None: not met within the search range
    at: dict | None             # the metric's interval at that head count
    below: dict | None          # ... and at one fewer


def smallest_team(scenario: Scenario, team: str, target: Target, policy: str, replications: int,
                  run: Callable, low: int, high: int) -> Answer:
    """Search head counts low..high (doubling, then bisection) for the smallest that meets the target."""
    cache: dict[int, dict] = {}

    def measure(n: int) -> dict:
        if n not in cache:
            try:
                s = apply(scenario.model_copy(update={"sweep": None}), {f"teams.{team}.agents": n}, origin="staff")
            except ScenarioError:
                cache[n] = {"mean": math.nan, "ci_low": None, "ci_high": None, "n": 0}  # unstable: not met
                return cache[n]
            results = run(s, policy, replications)
            if target.metric not in results.metrics:
                raise ValueError(f"the scenario does not produce {target.metric!r}")
            cache[n] = interval(results.metrics[target.metric])
        return cache[n]

    lo, hi = low, None
    n = max(low, 1)
    tried = n
    while n <= high:
        tried = n
        if target.met(measure(n)["mean"]):
            hi = n
            break
        lo = n + 1
        n = min(n * 2, high) if n < high else high + 1  # the largest head count allowed is tried too
    if hi is None:
        # Not met: what the largest head count tried gives, so the user sees how far off it is.
        return Answer(policy, None, measure(tried) if tried <= high else None, None)
    while lo < hi:
        mid = (lo + hi) // 2
        if target.met(measure(mid)["mean"]):
            hi = mid
        else:
            lo = mid + 1
    return Answer(policy, hi, measure(hi), measure(hi - 1) if hi - 1 >= max(low, 1) else None)

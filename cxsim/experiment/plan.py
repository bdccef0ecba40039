"""What an experiment runs: grid points × policies × replications, each a self-contained task.

A grid comes from the scenario's ``sweep:`` block and from ``--set path=v1,v2`` on the command
line: each axis is a dotted path into the scenario and a list of values. Every point is validated
up front (a bad value is reported before anything runs). A task's random streams depend only on
the run's seed and its replication index — never on the worker, the backend or the order runs
finish in — so every point and policy sees the same customers (common random numbers) and
results are identical however they are computed.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from dataclasses import dataclass, field
from typing import Any

from ..compiled import compile_scenario
from ..engines import refusals
from ..scenario import Located, Scenario, ScenarioError
from ..scenario.loading import Where
from ..scenario.sweeps import apply, unknown_path
from ..scenario.units import parse_duration

Axes = dict[str, list[Any]]


@dataclass(frozen=True)
class Point:
    """One grid point: its index, the values of every axis, and the scenario with them applied."""
    index: int
    values: dict[str, Any]
    scenario: Scenario


@dataclass(frozen=True)
class Task:
    point: Point
    policy: str
    replication: int

    @property
    def key(self) -> str:
        return f"p{self.point.index:04d}-{self.policy}-r{self.replication:05d}"


@dataclass
class Plan:
    """The grid of a run and the fingerprint that ties a results folder to it."""
    scenario: Scenario
    axes: Axes
    points: list[Point]
    policies: list[str]
    seed: int
    engine: str
    auto_warmup: bool = False
    fingerprint: str = field(default="")

    def tasks(self, replications: range) -> list[Task]:
        return [Task(point, policy, rep) for rep in replications for point in self.points for policy in self.policies]


def parse_set(option: str) -> tuple[str, list[Any]]:
    """``"teams.phone.agents=20,24,28"`` → (path, values); values are YAML scalars (numbers stay numbers)."""
    path, sep, values = option.partition("=")
    if not sep or not path.strip() or not values.strip():
        raise ValueError(f"--set {option!r}: write dotted.path=value1,value2,...")
    from ruamel.yaml import YAML

    parsed = [YAML(typ="safe").load(v.strip()) if v.strip() else v for v in values.split(",")]
    return path.strip(), parsed


def make_plan(scenario: Scenario, sets: list[str] | None = None, policies: list[str] | None = None,
              seed: int | None = None, engine: str = "fast") -> Plan:
    """The grid of the scenario's ``sweep:`` block and the ``--set`` options (which override it)."""
    axes: Axes = {path: list(values) for path, values in (scenario.sweep or {}).items()}
    for option in sets or []:
        try:
            path, values = parse_set(option)
        except ValueError as exc:
            raise ScenarioError([Located(Where("--set", 0, 0), "", str(exc))]) from None
        axes[path] = values
        reason = unknown_path(scenario, path)
        if reason:
            raise ScenarioError([Located(Where("--set", 0, 0), path, reason)])
    for path in scenario.sweep or {}:
        reason = unknown_path(scenario, path)
        if reason:
            raise ScenarioError([Located(Where("sweep", 0, 0), path, reason)])
    names = policies or list(scenario.policies)
    unknown = [p for p in names if p not in scenario.policies]
    if unknown:
        raise ScenarioError([Located(Where("--policies", 0, 0), "", f"unknown policy {', '.join(map(repr, unknown))} "
                                     f"(the scenario has {', '.join(scenario.policies)})")])
    base = scenario.model_copy(update={"sweep": None})
    combos = list(itertools.product(*axes.values())) if axes else [()]
    points = []
    for i, combo in enumerate(combos):
        values = dict(zip(axes, combo))
        points.append(Point(i, values, apply(base, values) if values else base))
    refused = refusals(engine, compile_scenario(points[0].scenario, names[0]))
    if refused:
        raise ScenarioError([Located(Where("--engine", 0, 0), "", reason) for reason in refused])
    auto = scenario.warmup == "auto"
    plan = Plan(base, axes, points, names, scenario.seed if seed is None else seed, engine, auto)
    plan.fingerprint = fingerprint(plan)
    return plan


def points_plan(scenario: Scenario, settings: list[dict[str, Any]], policies: list[str], seed: int | None = None,
                engine: str = "fast") -> Plan:
    """A plan over given points (a design, not a grid): point ``i`` applies ``settings[i]``.

    What ``cxsim explain`` runs: a Morris or Sobol design, or one-at-a-time changes. Each point is
    validated like a sweep point; the fingerprint covers every point, so resuming is safe.
    """
    base = scenario.model_copy(update={"sweep": None, "uncertain": None})
    points = [Point(i, dict(values), apply(base, values) if values else base) for i, values in enumerate(settings)]
    refused = refusals(engine, compile_scenario(points[0].scenario, policies[0]))
    if refused:
        raise ScenarioError([Located(Where("--engine", 0, 0), "", reason) for reason in refused])
    paths = list(dict.fromkeys(path for values in settings for path in values))
    axes = {path: [values.get(path) for values in settings] for path in paths}
    plan = Plan(base, axes, points, list(policies), scenario.seed if seed is None else seed, engine)
    plan.fingerprint = fingerprint(plan)
    return plan


def fingerprint(plan: Plan) -> str:
    """A hash of everything that decides a run's results except how many replications there are."""
    blob = json.dumps({"scenario": plan.scenario.model_dump(mode="json"), "axes": plan.axes,
                       "policies": plan.policies, "seed": plan.seed, "engine": plan.engine},
                      sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def warmup_minutes(value: Any) -> float:
    return 0.0 if value == "auto" else parse_duration(value)

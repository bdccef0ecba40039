"""The ``uncertain:`` block: which parameters a conclusion should survive, and over what range.

Each key is a dotted path into the scenario (the same paths as ``sweep:`` and ``--set``); each
value a range with an optional distribution::

    uncertain:
      needs.billing.resolution: {low: 0.7, high: 0.95}
      policies.efficiency.staffing: {low: 0.7, high: 1.0, dist: triangular, mode: 0.85}
      needs.fault.work_time.mean: [6 min, 10 min]          # short for {low: ..., high: ...}

The block changes nothing in a run; ``cxsim explain`` samples it. Every range is checked when the
file is loaded by applying its ends to the scenario, so a path that does not exist or a value the
model refuses is reported at the line it was written on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, model_validator

from .types import Strict

#: SALib's names for the distributions a range may have.
SALIB_DISTRIBUTIONS = {"uniform": "unif", "triangular": "triang", "normal": "truncnorm", "loguniform": "logunif"}


class UncertainRange(Strict):
    """A range (numbers, or durations and rates with units) and how values are spread over it."""
    low: float | int | str
    high: float | int | str
    dist: Literal["uniform", "triangular", "normal", "loguniform"] = "uniform"
    mode: float | int | str | None = None
    sd: float | int | str | None = None

    @model_validator(mode="before")
    @classmethod
    def _pair(cls, value: Any) -> Any:
        if isinstance(value, (list, tuple)) and len(value) == 2:
            return {"low": value[0], "high": value[1]}
        return value

    @model_validator(mode="after")
    def _shape(self) -> UncertainRange:
        if self.dist == "triangular" and self.mode is None:
            raise ValueError("a triangular range needs 'mode' (its most likely value)")
        if self.dist == "normal" and self.sd is None:
            raise ValueError("a normal range needs 'sd' (its standard deviation; it is truncated to low..high)")
        if self.dist not in ("triangular",) and self.mode is not None:
            raise ValueError("'mode' only applies to dist: triangular")
        if self.dist != "normal" and self.sd is not None:
            raise ValueError("'sd' only applies to dist: normal")
        return self


@dataclass(frozen=True)
class Uncertain:
    """One uncertain parameter, resolved to numbers in the model's units (minutes, per minute)."""
    path: str
    low: float
    high: float
    nominal: float | None
    dist: str = "uniform"
    mode: float | None = None
    sd: float | None = None
    integer: bool = False

    def salib_bounds(self) -> list[float]:
        if self.dist == "triangular":
            return [self.low, self.high, (self.mode - self.low) / (self.high - self.low)]
        if self.dist == "normal":
            centre = self.nominal if self.nominal is not None else (self.low + self.high) / 2
            return [self.low, self.high, centre, self.sd]
        return [self.low, self.high]

    def value(self, x: float) -> float | int:
        """A sampled number as the scenario takes it (whole numbers for integer fields)."""
        return int(round(x)) if self.integer else float(x)


Problem = tuple[tuple[str | int, ...], str]


def read_path(scenario: BaseModel, path: str) -> Any:
    """The value at a dotted path of a validated scenario; policy levers resolved through ``extends``."""
    keys = path.split(".")
    if keys[0] == "policies" and len(keys) == 3:
        from .mechanisms import BUILT_IN, Levers, resolve_policy
        policies = scenario.policies  # type: ignore[attr-defined]
        if keys[1] not in policies and keys[1] not in BUILT_IN:
            raise KeyError(keys[1])
        if keys[2] not in Levers.model_fields:
            raise KeyError(keys[2])
        return resolve_policy(keys[1], policies).get(keys[2])
    node: Any = scenario
    for key in keys:
        if isinstance(node, BaseModel) and key in type(node).model_fields:
            node = getattr(node, key)
        elif isinstance(node, dict) and key in node:
            node = node[key]
        else:
            raise KeyError(key)
    return node


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def resolve(scenario: BaseModel) -> tuple[list[Uncertain], list[Problem]]:
    """The scenario's uncertain parameters in model units, and the problems with them (by field path).

    Each end of a range is applied to the scenario and validated like a ``--set`` value; the
    number the model then holds is the one sampled (so ``6 min`` and ``0.1 h`` are the same).
    """
    from ..experiment.plan import (
        apply,  # the sweep machinery; imported here to avoid a cycle
    )
    from .loading import ScenarioError

    ranges: dict[str, UncertainRange] = getattr(scenario, "uncertain", None) or {}
    params: list[Uncertain] = []
    problems: list[Problem] = []
    for path, spec in ranges.items():
        where = ("uncertain", path)
        try:
            nominal = read_path(scenario, path)
        except KeyError as exc:
            problems.append((where, f"no such setting: {exc.args[0]!r} is not a key at that place in the scenario"))
            continue
        if isinstance(nominal, (BaseModel, dict)):
            keys = list(type(nominal).model_fields) if isinstance(nominal, BaseModel) else list(nominal)
            problems.append((where, f"{path} is a group of settings, not a number: name one of them "
                                    f"({', '.join(f'{path}.{k}' for k in keys)})"))
            continue
        if nominal is not None and not _number(nominal):
            problems.append((where, f"{path} is {nominal!r}, not a number: only numbers can be uncertain"))
            continue
        ends: dict[str, float] = {}
        for end in ("low", "high", "mode"):
            given = getattr(spec, end)
            if given is None:
                continue
            try:
                value = read_path(apply(scenario, {path: given}, origin="uncertain"), path)
            except ScenarioError as exc:
                problems.append((where + (end,), "; ".join(p.message for p in exc.problems)))
                continue
            except KeyError as exc:
                problems.append((where, f"no such setting: {exc.args[0]!r} is not a key at that place in the scenario"))
                break
            if not _number(value):
                problems.append((where + (end,), f"{given!r} gives {value!r} at {path}, not a number"))
                continue
            ends[end] = value
        if "low" not in ends or "high" not in ends:
            continue
        if ends["low"] >= ends["high"]:
            problems.append((where + ("high",), f"high ({spec.high}) must be above low ({spec.low})"))
            continue
        if "mode" in ends and not ends["low"] <= ends["mode"] <= ends["high"]:
            problems.append((where + ("mode",), f"mode ({spec.mode}) must lie between low and high"))
            continue
        if spec.dist == "loguniform" and ends["low"] <= 0:
            problems.append((where + ("low",), "a loguniform range must be above zero"))
            continue
        sd = None
        if spec.sd is not None:
            if not _number(spec.sd) or spec.sd <= 0:
                problems.append((where + ("sd",), "sd must be a positive number (in the model's units)"))
                continue
            sd = float(spec.sd)
        integer = all(isinstance(v, int) for v in (ends["low"], ends["high"])) and \
            (nominal is None or isinstance(nominal, int))
        params.append(Uncertain(path, float(ends["low"]), float(ends["high"]),
                                None if nominal is None else float(nominal), spec.dist, ends.get("mode"), sd,
                                integer))
    return params, problems

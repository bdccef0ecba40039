"""Sweep points: a scenario with dotted paths set to values, validated as a file would be.

Shared by the experiment plan (every grid point of ``run``) and the loader (``validate`` checks
every value of a ``sweep:`` block, so it refuses what ``run`` would refuse, at the value's line).
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from .loading import Located, ScenarioError, Where, format_path
from .schema import Scenario, cross_check


def _set(data: dict, path: str, value: Any) -> None:
    keys = path.split(".")
    node: Any = data
    for i, key in enumerate(keys[:-1]):
        if not isinstance(node, dict):
            raise KeyError(".".join(keys[:i]))
        node = node.setdefault(key, {})
    if not isinstance(node, dict):
        raise KeyError(".".join(keys[:-1]))
    node[keys[-1]] = value


def apply(scenario: Scenario, values: dict[str, Any], origin: str = "sweep", at: Where | None = None) -> Scenario:
    """The scenario with each dotted path set to its value, validated like a file would be.

    Problems are reported at ``at`` (the value's place in a file) when given, else at ``origin``.
    """
    data = scenario.model_dump(mode="json", exclude_unset=True)
    data.pop("sweep", None)
    data.pop("uncertain", None)  # a point is one setting; its ranges are checked where they were written
    for path, value in values.items():
        try:
            _set(data, path, value)
        except KeyError as exc:
            raise ScenarioError([Located(at or Where(origin, 0, 0), path, f"{exc.args[0]} is not a mapping")]) from None
    label = ", ".join(f"{k}={v}" for k, v in values.items())
    try:
        result = Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError([Located(at or Where(origin, 0, 0), format_path(tuple(e["loc"])), f"{e['msg']} (with {label})")
                             for e in exc.errors()]) from None
    problems = cross_check(result)
    if problems:
        raise ScenarioError([Located(at or Where(origin, 0, 0), format_path(p), f"{m} (with {label})") for p, m in problems])
    return result


#: Scenario sections that are named collections: a path must name one of their members.
_COLLECTIONS = {"teams": "team", "channels": "channel", "needs": "need type", "policies": "policy"}
#: Mappings whose keys the user chooses (a new key is a new entry, not a typo).
_FREE = {("demand", "channel_mix"), ("returns", "switch")}


def unknown_path(scenario: Scenario, path: str) -> str | None:
    """Why a dotted ``--set``/``sweep`` path names nothing in the scenario, or None if it does.

    Setting a misspelt team would otherwise create a new, incomplete team and the user would read
    "channels: Field required" instead of the typo.
    """
    keys = path.split(".")
    node = scenario.model_dump(mode="json")
    for i, key in enumerate(keys):
        here = tuple(keys[:i])
        if here in _FREE or (len(here) == 3 and here[:2] == ("returns", "switch")):
            return None
        if not isinstance(node, dict):
            return None if node is None else f"{'.'.join(here)} is not a mapping"
        if key not in node:
            if len(here) == 1 and here[0] in _COLLECTIONS:
                return f"no {_COLLECTIONS[here[0]]} named {key!r} ({here[0]}: {', '.join(node)})"
            where = ".".join(here) or "a scenario"
            return f"{where} has no key {key!r} (keys: {', '.join(node)})"
        node = node[key]
    return None

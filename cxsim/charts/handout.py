"""What a report shows besides charts, in the words and units a reader uses.

The scenario as run is stored in minutes and per-minute rates (``horizon: 131040.0``,
``need_rate: 2.3148e-05``); a handout shows ``13 w`` and ``1 /30d``, and each policy's levers
with the built-in defaults filled in, so the reader sees what was compared.
"""

from __future__ import annotations

import io
import math
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from ..scenario.units import DURATION_PATTERN, RATE_PATTERN

#: Duration units from the largest, as scenario files write them.
_DURATION_UNITS = (("w", 10080.0), ("d", 1440.0), ("h", 60.0), ("min", 1.0))
#: Rate units (per ...), from the smallest period: "200 /h", "1 /30d".
_RATE_UNITS = (("min", 1.0), ("h", 60.0), ("d", 1440.0), ("30d", 43200.0), ("365d", 525600.0))

LEVER_LABELS = {
    "handle_time_target": "handle-time target", "overrun": "on overrun", "ownership": "ownership",
    "standard": "standard of time per case", "empathy_time": "empathy time",
    "staffing": "staffing (× head count)", "wellbeing_support": "wellbeing support",
    "transfer_overhead": "re-explaining after a hand-off",
    "case_notes_share": "work done a new agent gets from case notes",
}


def duration(minutes: float) -> str:
    """``131040`` → ``"13 w"``, ``0.3333`` → ``"20 s"``: the largest unit that gives a round number."""
    if minutes == 0:
        return "0"
    for unit, size in _DURATION_UNITS:
        count = minutes / size
        if count >= 1 and math.isclose(count, round(count), rel_tol=1e-9):
            return f"{round(count):g} {unit}"
    if minutes < 1:
        return f"{minutes * 60:.4g} s"
    return f"{minutes:.4g} min" if minutes < 120 else f"{minutes / 60:.4g} h"


def rate(per_minute: float) -> str:
    """``2.3148e-05`` → ``"1 /30d"``: the shortest period in which at least one arrives."""
    if per_minute == 0:
        return "0"
    for unit, size in _RATE_UNITS:
        count = per_minute * size
        if count >= 1:
            return f"{count:.4g} /{unit}"
    return f"{per_minute * 525600.0:.4g} /365d"


def _kind(schema: dict, defs: dict, node: dict) -> str | None:
    """'duration' or 'rate' when a schema node is one of cxsim's unit types."""
    for option in node.get("anyOf", []):
        if option.get("pattern") == DURATION_PATTERN:
            return "duration"
        if option.get("pattern") == RATE_PATTERN:
            return "rate"
        if "anyOf" in option:
            found = _kind(schema, defs, option)
            if found:
                return found
    return None


def _resolve(node: dict, defs: dict) -> dict:
    while "$ref" in node:
        node = defs[node["$ref"].rsplit("/", 1)[1]]
    return node


def _options(node: dict, defs: dict) -> list[dict]:
    node = _resolve(node, defs)
    out = []
    for option in node.get("anyOf", []) + node.get("oneOf", []):
        out.extend(_options(option, defs))
    return out or [node]


def with_units(data: Any, node: dict, defs: dict) -> Any:
    """``data`` with every duration and rate written with a unit, guided by the JSON Schema."""
    node = _resolve(node, defs)
    kind = _kind({}, defs, node)
    if kind and isinstance(data, (int, float)) and not isinstance(data, bool):
        return duration(float(data)) if kind == "duration" else rate(float(data))
    if isinstance(data, dict):
        for option in _options(node, defs):
            props = option.get("properties")
            extra = option.get("additionalProperties")
            if props is not None or isinstance(extra, dict):
                out = {}
                for key, value in data.items():
                    sub = (props or {}).get(key, extra if isinstance(extra, dict) else {})
                    out[key] = with_units(value, sub, defs)
                return out
        return data
    if isinstance(data, list):
        for option in _options(node, defs):
            if "items" in option:
                return [with_units(v, option["items"], defs) for v in data]
        return data
    return data


def _compact(data: Any) -> Any:
    """ruamel nodes: mappings in block style, lists of plain values on one line."""
    if isinstance(data, dict):
        out = CommentedMap()
        for key, value in data.items():
            out[key] = _compact(value)
        return out
    if isinstance(data, list):
        seq = CommentedSeq(_compact(v) for v in data)
        if all(not isinstance(v, (dict, list)) for v in data):
            seq.fa.set_flow_style()
        return seq
    return data


def _prune(data: Any) -> Any:
    """Drop empty values (``null``, ``{}``, ``[]``) so the reader sees only what is set."""
    if isinstance(data, dict):
        pruned = {k: _prune(v) for k, v in data.items()}
        return {k: v for k, v in pruned.items() if v not in (None, {}, [])}
    if isinstance(data, list):
        return [_prune(v) for v in data]
    return data


def scenario_yaml(scenario: dict) -> str:
    """The scenario as run, as YAML with units: what a reader could paste into a scenario file."""
    from ..scenario.schema import json_schema

    schema = json_schema()
    whole = schema["$defs"]["Scenario"]
    pruned = _prune(scenario)
    if scenario.get("policies") and not pruned.get("policies"):
        pruned["policies"] = list(scenario["policies"])  # built-in policies with nothing set
    data = with_units(pruned, whole, schema["$defs"])
    yaml = YAML()
    yaml.width = 100
    yaml.indent(mapping=2, sequence=4, offset=2)
    buffer = io.StringIO()
    yaml.dump(_compact(data), buffer)
    return buffer.getvalue()


def lever_text(lever: str, value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if lever == "handle_time_target" and isinstance(value, str):
        return value  # a quantile of each need type's work, e.g. p80
    if lever in ("handle_time_target", "empathy_time", "transfer_overhead"):
        return duration(float(value))
    if lever in ("staffing", "wellbeing_support"):
        return f"× {float(value):g}"
    if lever == "case_notes_share":
        return f"{float(value):.0%}"
    return str(value)


def lever_table(scenario: dict, policies: list[str]) -> tuple[list[str], list[tuple[str, list[str]]], list[str]]:
    """(policies, [(lever label, value per policy)], interventions as sentences) of the scenario as run.

    Levers come from resolving each policy down to its built-in one, so unset levers show the
    default they ran with. Levers that differ between policies come first.
    """
    from ..scenario.mechanisms import levers_as_run, resolve_policy
    from ..scenario.schema import Scenario

    model = Scenario.model_validate(scenario)
    names = [p for p in policies if p in model.policies] or list(model.policies)
    levers = {p: levers_as_run(resolve_policy(p, model.policies), model.progress.case_notes_share) for p in names}
    rows = []
    for lever, label in LEVER_LABELS.items():
        rows.append((label, [lever_text(lever, levers[p].get(lever)) for p in names]))
    rows.sort(key=lambda row: len(set(row[1])) == 1)  # stable: differing levers first
    steps = []
    for p in names:
        for step in model.policies[p].interventions:
            what = f"switches to {step.policy}" if step.policy else "sets " + ", ".join(
                f"{LEVER_LABELS.get(k, k)} {lever_text(k, v)}" for k, v in
                step.set.model_dump(exclude_none=True).items())  # type: ignore[union-attr]
            steps.append(f"{p}: from {duration(step.at)} on, {what}")
    return names, rows, steps

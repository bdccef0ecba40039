"""Reading scenario files: YAML with positions, ``extends:`` inheritance, and located errors.

A process developer who mistypes a key should see ``variant.yaml:12:5: teams.front.agnets: ...``
for every mistake at once, pointing into the file where the key was written (the base file when
the key was inherited). ruamel.yaml keeps the line and column of each key; we carry them through
the deep merge of ``extends`` in a side table keyed by field path.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from .schema import Scenario, cross_check

FieldPath = tuple[Any, ...]


@dataclass(frozen=True)
class Where:
    file: str
    line: int
    col: int


@dataclass(frozen=True)
class Located:
    """One problem in a scenario, printable as ``FILE:LINE:COL: field.path: message``."""
    where: Where
    path: str
    message: str

    def __str__(self) -> str:
        w = self.where
        location = f"{w.file}:{w.line}:{w.col}" if w.line else w.file
        return f"{location}: {self.path}: {self.message}" if self.path else f"{location}: {self.message}"


class ScenarioError(Exception):
    """Everything wrong with a scenario, gathered so the user can fix it in one pass."""

    def __init__(self, problems: list[Located]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def format_path(path: FieldPath) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _plain(node: Any, file: str, path: FieldPath, where: dict[FieldPath, Where]) -> Any:
    """Plain dicts and lists from ruamel nodes, recording where each key and item was written."""
    if isinstance(node, CommentedMap):
        out = {}
        for key, value in node.items():
            line, col = node.lc.key(key)
            where[path + (key,)] = Where(file, line + 1, col + 1)
            out[key] = _plain(value, file, path + (key,), where)
        return out
    if isinstance(node, CommentedSeq):
        out_list = []
        for i, value in enumerate(node):
            line, col = node.lc.item(i)
            where[path + (i,)] = Where(file, line + 1, col + 1)
            out_list.append(_plain(value, file, path + (i,), where))
        return out_list
    return node


def _read(path: Path, chain: tuple[Path, ...]) -> tuple[dict, dict[FieldPath, Where]]:
    """One file's merged content (its ``extends`` applied) and the positions of its keys."""
    shown = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError([Located(Where(shown, 0, 0), "", "no such file")]) from None
    except (IsADirectoryError, PermissionError, UnicodeDecodeError) as exc:
        raise ScenarioError([Located(Where(shown, 0, 0), "", f"cannot read: {exc.__class__.__name__}")]) from None
    try:
        root = YAML(typ="rt").load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        message = f"YAML syntax error: {exc.problem or exc.context}"
        raise ScenarioError([Located(Where(shown, line, col), "", message)]) from None
    except (YAMLError, ValueError) as exc:  # ValueError: a scalar ruamel cannot convert (huge int, bad date)
        raise ScenarioError([Located(Where(shown, 0, 0), "", f"YAML error: {exc}")]) from None
    if root is None:
        root = CommentedMap()
    if not isinstance(root, CommentedMap):
        raise ScenarioError([Located(Where(shown, 1, 1), "", "a scenario file must be a mapping of keys to values")])
    where: dict[FieldPath, Where] = {}
    data = _plain(root, shown, (), where)
    bases = data.pop("extends", None)
    if bases is None:
        return data, where
    if isinstance(bases, str):
        bases = [bases]
    if not isinstance(bases, list) or not all(isinstance(b, str) for b in bases):
        raise ScenarioError([Located(where[("extends",)], "extends", "give a file name or a list of file names")])
    merged: dict = {}
    merged_where: dict[FieldPath, Where] = {}
    for i, base in enumerate(bases):
        base_path = (path.parent / base)
        at = where.get(("extends", i), where[("extends",)])
        if not base_path.exists():
            raise ScenarioError([Located(at, "extends", f"base scenario {base!r} not found (looked in {base_path})")])
        if base_path.resolve() in chain + (path.resolve(),):
            cycle = " -> ".join(str(p) for p in chain + (path.resolve(), base_path.resolve()))
            raise ScenarioError([Located(at, "extends", f"circular extends: {cycle}")])
        base_data, base_where = _read(base_path, chain + (path.resolve(),))
        _merge(merged, merged_where, base_data, base_where, ())
    _merge(merged, merged_where, data, where, ())
    return merged, merged_where


def _merge(into: dict, into_where: dict, data: dict, where: dict, path: FieldPath) -> None:
    """Deep-merge ``data`` over ``into``: mappings merge key by key, anything else replaces."""
    for key, value in data.items():
        sub = path + (key,)
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            into_where[sub] = where.get(sub, into_where.get(sub))
            _merge(into[key], into_where, value, where, sub)
            continue
        for stale in [p for p in into_where if p[: len(sub)] == sub]:
            del into_where[stale]
        into[key] = value
        into_where.update({p: w for p, w in where.items() if p[: len(sub)] == sub})


def _locate(loc: FieldPath, data: Any, where: dict[FieldPath, Where], fallback: Where) -> tuple[FieldPath, Where]:
    """The real field path of a pydantic error location and the closest recorded position.

    pydantic puts union tags (``'lognormal'``) and validator names into ``loc``; we keep only the
    parts that are keys or indices of the data, so that the path is the one the user wrote.
    """
    real: list[Any] = []
    node = data
    for part in loc:
        if isinstance(node, dict) and part in node:
            real.append(part)
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            real.append(part)
            node = node[part]
        elif isinstance(node, (dict, list)) and not isinstance(part, int) and part not in _TAGS:
            real.append(part)  # a missing or unknown key: still part of the path
            node = None
    for n in range(len(real), -1, -1):
        if tuple(real[:n]) in where:
            return tuple(real), where[tuple(real[:n])]
    return tuple(real), fallback


_TAGS = {"exponential", "lognormal", "deterministic", "empirical", "function-after", "function-before"}


def _message(error: dict) -> str:
    msg = error["msg"]
    for prefix in ("Value error, ", "Assertion failed, "):
        if msg.startswith(prefix):
            msg = msg[len(prefix):]
    if error["type"] == "extra_forbidden":
        msg = "unknown key (check the spelling; `cxsim schema` lists the valid keys)"
    elif error["type"] == "missing":
        msg = "required key is missing"
    return msg


def load_scenario(path: str | Path) -> Scenario:
    """Read, merge and validate a scenario file; raise :class:`ScenarioError` listing every problem."""
    path = Path(path)
    data, where = _read(path, ())
    top = Where(str(path), 1, 1)
    problems: list[Located] = []
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors()
        for error in errors:
            real, at = _locate(tuple(error["loc"]), data, where, top)
            problems.append(Located(at, format_path(real), _message(error)))
        scenario = _without(data, [tuple(e["loc"]) for e in errors])
    if scenario is not None:
        problems += [Located(_locate(p, data, where, top)[1], format_path(p), m) for p, m in cross_check(scenario)]
    if problems:
        raise ScenarioError(_unique(problems))
    return scenario


def _without(data: dict, bad: list[FieldPath]) -> Scenario | None:
    """The scenario with every faulty key dropped (so defaults stand in), or None if that fails too.

    This lets whole-scenario checks (a team skilled for a missing channel, warm-up too long) run
    even when some fields are wrong, so one ``validate`` reports every problem at once.
    """
    pruned = copy.deepcopy(data)
    for loc in bad:
        node: Any = pruned
        real = [part for part in loc if part not in _TAGS]
        for part in real[:-1]:
            if isinstance(node, dict) and part in node:
                node = node[part]
            elif isinstance(node, list) and isinstance(part, int) and part < len(node):
                node = node[part]
            else:
                node = None
                break
        if isinstance(node, dict) and real and real[-1] in node:
            del node[real[-1]]
    try:
        return Scenario.model_validate(pruned)
    except ValidationError:
        return None


def _unique(problems: list[Located]) -> list[Located]:
    seen, out = set(), []
    for p in problems:
        if str(p) not in seen:
            seen.add(str(p))
            out.append(p)
    return sorted(out, key=lambda p: (p.where.file, p.where.line, p.where.col))

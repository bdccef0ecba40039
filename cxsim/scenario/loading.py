"""Reading scenario files: YAML with positions, ``extends:`` inheritance, and located errors.

A process developer who mistypes a key should see ``variant.yaml:12:5: teams.front.agnets: ...``
for every mistake at once, pointing into the file where the key was written (the base file when
the key was inherited). ruamel.yaml keeps the line and column of each key; we carry them through
the deep merge of ``extends`` in a side table keyed by field path.

A scenario file is untrusted input that must never take the machine: only regular files below a
size cap are read, YAML aliases and deep nesting are refused before anything is built, each base
file is read once, and bases outside the scenario's folder tree need an explicit switch.
"""

from __future__ import annotations

import copy
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import AliasEvent, MappingEndEvent, MappingStartEvent, SequenceEndEvent, SequenceStartEvent

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
        message = " ".join(self.message.splitlines())  # a value quoted in a message cannot break the line
        return f"{location}: {self.path}: {message}" if self.path else f"{location}: {message}"


class ScenarioError(Exception):
    """Everything wrong with a scenario, gathered so the user can fix it in one pass."""

    def __init__(self, problems: list[Located]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


#: Longest key shown in a message; longer ones are cut (a message stays one readable line).
MAX_KEY_SHOWN = 40


def _shown_key(part: Any) -> str:
    text = str(part)
    if not text.isprintable() or not text.strip() or text != text.strip():
        text = repr(text)  # a newline, tab or NUL in a key must not break the one-line message
    return text if len(text) <= MAX_KEY_SHOWN else text[: MAX_KEY_SHOWN - 1] + "…"


def format_path(path: FieldPath) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{_shown_key(part)}" if out else _shown_key(part))
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


#: A scenario file is small; anything bigger is not one (and is not read whole into memory).
MAX_BYTES = 1 << 20
#: Deepest nesting of mappings and lists accepted (the shipped scenarios use 5).
MAX_DEPTH = 32
#: Most base files one scenario may read through ``extends:`` (each read once), and longest chain.
MAX_BASES, MAX_CHAIN = 64, 16
BASE_SUFFIXES = (".yaml", ".yml")


@dataclass
class _Reading:
    """One load: where bases may come from, and every file read so far (each is read once)."""
    roots: tuple[Path, ...]
    allow_outside: bool
    done: dict[Path, tuple[dict, dict[FieldPath, Where]]]


def _problem(shown: str, message: str, line: int = 0, col: int = 0) -> ScenarioError:
    return ScenarioError([Located(Where(shown, line, col), "", message)])


def _text(path: Path, shown: str) -> str:
    """The file's text: a regular file below :data:`MAX_BYTES`, never a device, FIFO or folder."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise _problem(shown, "no such file") from None
    except (OSError, ValueError) as exc:  # ValueError: a NUL in the path
        raise _problem(shown, f"cannot read: {exc.__class__.__name__}") from None
    if stat.S_ISDIR(info.st_mode):
        raise _problem(shown, "cannot read: IsADirectoryError")
    if not stat.S_ISREG(info.st_mode):
        raise _problem(shown, "cannot read: not a regular file")
    if info.st_size > MAX_BYTES:
        raise _problem(shown, f"cannot read: larger than {MAX_BYTES >> 20} MB, too big for a scenario file")
    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
        if len(raw) > MAX_BYTES:
            raise _problem(shown, f"cannot read: larger than {MAX_BYTES >> 20} MB, too big for a scenario file")
        return raw.decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise _problem(shown, f"cannot read: {exc.__class__.__name__}") from None


def _screen(text: str, shown: str) -> None:
    """Refuse YAML aliases (a few lines can expand to gigabytes) and absurd nesting, before building anything."""
    depth = 0
    for event in YAML(typ="rt").parse(text):
        if isinstance(event, AliasEvent):
            mark = event.start_mark
            raise _problem(shown, "YAML aliases (*name) are not allowed in scenario files: write the value out, "
                                  "or put shared values in a base file (extends:)", mark.line + 1, mark.column + 1)
        if isinstance(event, (MappingStartEvent, SequenceStartEvent)):
            depth += 1
            if depth > MAX_DEPTH:
                mark = event.start_mark
                raise _problem(shown, f"nested more than {MAX_DEPTH} levels deep", mark.line + 1, mark.column + 1)
        elif isinstance(event, (MappingEndEvent, SequenceEndEvent)):
            depth -= 1


def _read(path: Path, chain: tuple[Path, ...], reading: _Reading) -> tuple[dict, dict[FieldPath, Where]]:
    """One file's merged content (its ``extends`` applied) and the positions of its keys."""
    shown = str(path)
    text = _text(path, shown)
    try:
        _screen(text, shown)
        root = YAML(typ="rt").load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        message = f"YAML syntax error: {exc.problem or exc.context}"
        raise ScenarioError([Located(Where(shown, line, col), "", message)]) from None
    except (YAMLError, ValueError) as exc:  # ValueError: a scalar ruamel cannot convert (huge int, bad date)
        raise ScenarioError([Located(Where(shown, 0, 0), "", f"YAML error: {exc.__class__.__name__}")]) from None
    except RecursionError:
        raise _problem(shown, f"nested more than {MAX_DEPTH} levels deep") from None
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
    here = path.resolve()
    for i, base in enumerate(bases):
        at = where.get(("extends", i), where[("extends",)])
        base_path = _base(path, base, at, reading)
        resolved = base_path.resolve()
        if resolved in chain + (here,):
            cycle = " -> ".join(str(p) for p in chain + (here, resolved))
            raise ScenarioError([Located(at, "extends", f"circular extends: {cycle}")])
        if len(chain) + 1 >= MAX_CHAIN:
            raise ScenarioError([Located(at, "extends", f"more than {MAX_CHAIN} levels of extends")])
        if resolved not in reading.done:
            if len(reading.done) >= MAX_BASES:
                raise ScenarioError([Located(at, "extends", f"more than {MAX_BASES} base files")])
            reading.done[resolved] = _read(base_path, chain + (here,), reading)
        base_data, base_where = copy.deepcopy(reading.done[resolved])
        _merge(merged, merged_where, base_data, base_where, ())
    _merge(merged, merged_where, data, where, ())
    return merged, merged_where


def _base(path: Path, base: str, at: Where, reading: _Reading) -> Path:
    """The file an ``extends:`` entry names, if it may be read: a YAML file inside the allowed folders."""
    if not base.endswith(BASE_SUFFIXES) or "\0" in base:
        raise ScenarioError([Located(at, "extends", "a base scenario is a .yaml or .yml file")])
    base_path = path.parent / base
    try:
        exists = base_path.exists()
    except (OSError, RuntimeError) as exc:
        raise ScenarioError([Located(at, "extends", f"cannot read base scenario: {exc.__class__.__name__}")]) from None
    # Where the name points, '..' taken literally: a symlink the user put in their own tree is theirs to follow.
    named = Path(os.path.abspath(base_path))
    if not reading.allow_outside and not any(named.is_relative_to(root) for root in reading.roots):
        raise ScenarioError([Located(at, "extends", (
            f"base scenario {base!r} is outside the scenario's folder and the current folder "
            "(pass --allow-outside to read it)"))])
    if not exists:
        raise ScenarioError([Located(at, "extends", f"base scenario {base!r} not found (looked in {base_path})")])
    return base_path


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


_TAGS = {"exponential", "lognormal", "deterministic", "empirical", "function-after", "function-before",
         "staffing-target", "staffing-multiplier", "management-block", "management-preset"}


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


def _roots(path: Path) -> tuple[Path, ...]:
    try:
        return (Path(os.path.abspath(path.parent)), Path(os.path.abspath(Path.cwd())))
    except (OSError, ValueError, RuntimeError) as exc:
        raise _problem(str(path), f"cannot read: {exc.__class__.__name__}") from None


def read_positions(path: str | Path, allow_outside: bool = False) -> tuple[dict, dict[FieldPath, Where]]:
    """A scenario file's merged content and where each key was written (its own file or a base's)."""
    path = Path(path)
    return _read(path, (), _Reading(_roots(path), allow_outside, {}))


def load_scenario(path: str | Path, allow_outside: bool = False) -> Scenario:
    """Read, merge and validate a scenario file; raise :class:`ScenarioError` listing every problem.

    ``extends:`` reads only ``.yaml``/``.yml`` regular files inside the scenario's own folder or the
    current folder (anywhere with ``allow_outside``), each once, and never prints their content.
    """
    path = Path(path)
    data, where = read_positions(path, allow_outside)
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
    if scenario is not None and scenario.sweep and not problems:
        problems += _sweep_problems(scenario, where, top)
    if problems:
        raise ScenarioError(_unique(problems))
    return scenario


def _sweep_problems(scenario: Scenario, where: dict[FieldPath, Where], top: Where) -> list[Located]:
    """Each value of the ``sweep:`` block applied on its own, reported at the value's line.

    ``run`` checks every combination of the grid before anything runs; a problem that only a
    combination of two axes shows is left to it (the grid can be large).
    """
    from .sweeps import apply

    problems: list[Located] = []
    for axis, values in (scenario.sweep or {}).items():
        for i, value in enumerate(values):
            at = where.get(("sweep", axis, i), where.get(("sweep", axis), top))
            try:
                apply(scenario, {axis: value}, at=at)
            except ScenarioError as exc:
                problems.extend(exc.problems)
    return problems


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

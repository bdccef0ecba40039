"""Output folders: where each command writes, and the rule that cxsim only ever replaces its own.

Every results folder holds a marker file, :data:`MARKER`, naming the kind of result (``run``,
``compare`` or ``sweep``). A folder is replaced only if it carries that marker and holds the same
kind of result (another kind needs ``force``); anything else at the path — a file, a folder of the
user's, the current folder — is refused before anything runs, and never touched.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import shutil
from pathlib import Path
from typing import Callable

from .. import __version__

#: The file inside a results folder that says cxsim wrote it, and what kind of result it holds.
MARKER = ".cxsim-results.json"
KINDS = ("run", "compare", "sweep", "explain")
#: The default folder of each command, below ``results/``: each kind has its own (README).
SUFFIX = {"run": "", "compare": "-compare", "sweep": "-sweep"}
_LEFTOVER = re.compile(r"^\.(?P<name>.+)\.(?:partial|old)-(?P<pid>\d+)(?:-\d+)?$")  # -N: a stream's


class OutputRefused(Exception):
    """The output path holds something cxsim must not replace; the message is one line for the user."""


def default_folder(name: str, kind: str) -> Path:
    """``results/<name>`` for a run, ``results/<name>-compare`` and ``results/<name>-sweep`` for the others."""
    return Path("results") / f"{name}{SUFFIX[kind]}"


def marker_kind(folder: Path) -> str | None:
    """The kind recorded in a results folder's marker, or None if the folder is not cxsim's."""
    try:
        found = json.loads((folder / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    kind = found.get("kind") if isinstance(found, dict) else None
    return kind if kind in KINDS else None


def check_target(out: Path, kind: str, force: bool = False) -> None:
    """Refuse (:class:`OutputRefused`) an output path that cxsim may not write ``kind`` results to."""
    shown = str(out)
    try:
        here = Path.cwd().resolve()
        target = out.resolve()
    except (OSError, RuntimeError) as exc:
        raise OutputRefused(f"{shown}: cannot use as output folder ({exc.__class__.__name__})") from None
    if target == here or target in here.parents:
        raise OutputRefused(f"{shown}: the output folder cannot be the current folder or one that contains it; "
                            "give a new folder name with --out")
    for ancestor in out.parents:
        if ancestor.exists():
            if not ancestor.is_dir():
                raise OutputRefused(f"{shown}: {ancestor} is not a folder")
            break
    if out.is_symlink() or (out.exists() and not out.is_dir()):
        raise OutputRefused(f"{shown}: exists and is not a folder; cxsim will not replace it (choose another --out)")
    if not out.exists() or not any(out.iterdir()):
        return
    found = marker_kind(out)
    if found is None:
        raise OutputRefused(f"{shown}: exists and is not a cxsim results folder (no {MARKER}); cxsim never replaces "
                            "a folder it did not write (choose another --out or remove it yourself)")
    if found != kind and not force:
        raise OutputRefused(f"{shown}: holds the results of a {found}; writing a {kind} there would replace them "
                            "(choose another --out, or pass --force)")


def write_marker(folder: Path, kind: str, scenario: str) -> None:
    (folder / MARKER).write_text(json.dumps({"kind": kind, "scenario": scenario, "cxsim": __version__}) + "\n",
                                 encoding="utf-8")


def remove_leftovers(out: Path) -> None:
    """Remove ``.NAME.partial-PID`` / ``.NAME.old-PID`` folders of ``out`` left by a process that died."""
    try:
        siblings = list(out.parent.iterdir()) if out.parent.is_dir() else []
    except OSError:
        return
    for path in siblings:
        match = _LEFTOVER.match(path.name)
        if not match or match["name"] != out.name or not path.is_dir() or path.is_symlink() \
                or alive(int(match["pid"])):
            continue
        if ".old-" in path.name and not out.exists() and marker_kind(path) is not None:
            path.rename(out)  # killed between its two renames: the previous results come back
        else:
            shutil.rmtree(path, ignore_errors=True)


def alive(pid: int) -> bool:
    """Whether a process with this id exists (another user's counts as alive)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OverflowError:
        return False
    except PermissionError:
        return True
    return True


_STREAMS = itertools.count(1)


def staging(out: Path, stream: bool = False) -> Path:
    """The hidden folder beside ``out`` that :func:`publish` fills and then renames to ``out``;
    ``stream``: a new one of its own for the tables of one run written while it simulates
    (``.NAME.partial-PID-N``), so that two results pending for the same ``out`` in one process, or a
    plain write to it meanwhile, never share or remove each other's files."""
    name = f".{out.name}.partial-{os.getpid()}"
    return out.parent / (f"{name}-{next(_STREAMS)}" if stream else name)


def publish(out: Path, kind: str, scenario: str, fill: Callable[[Path], None], force: bool = False,
            staged: Path | None = None) -> Path:
    """Write a results folder atomically: ``fill`` writes into a hidden folder beside ``out``
    (:func:`staging`), which then takes the place of ``out`` in two renames. Only a cxsim folder of
    the same ``kind`` is replaced (:func:`check_target`); a failed or interrupted write leaves the old
    folder as it was. ``staged``: that hidden folder, made already and holding files written while the
    runs simulated (:mod:`cxsim.experiment.stream`); it is kept and filled, or removed on failure."""
    tmp = staged or staging(out)
    try:
        check_target(out, kind, force)
        out.parent.mkdir(parents=True, exist_ok=True)
        remove_leftovers(out)  # never this process's own staging folder: its process is alive
    except BaseException:
        if staged:
            shutil.rmtree(tmp, ignore_errors=True)
        raise
    old = out.parent / f".{out.name}.old-{os.getpid()}"
    if not staged:
        shutil.rmtree(tmp, ignore_errors=True)
    try:
        tmp.mkdir(exist_ok=staged is not None)
        write_marker(tmp, kind, scenario)
        fill(tmp)
        if out.exists():
            out.rename(old)
        tmp.rename(out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        if old.exists() and not out.exists():
            old.rename(out)
        raise
    shutil.rmtree(old, ignore_errors=True)
    return out

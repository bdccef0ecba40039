"""Finished runs on disk: what makes an experiment survive Ctrl-C, a killed process or a reboot.

Each run writes its tables (Arrow IPC, see :mod:`cxsim.tables`) and then its metrics (a small
JSON file) into a cache folder beside the output folder; the JSON file appears last, by an atomic rename, so a run counts as
finished exactly when it is. Running the same command again skips finished runs. The cache holds
the fingerprint of the experiment it belongs to (everything that changes what is stored, per-contact
tables on or off included), and refuses to mix in runs of another. One command at a time owns a
cache: :func:`hold` takes an exclusive ``fcntl`` lock for the command's whole lifetime, so a second
command on the same output folder stops with one line instead of interleaving its runs.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
from pathlib import Path
from typing import Iterator

from typing import TYPE_CHECKING

from ..scenario import Located, ScenarioError
from ..scenario.loading import Where
from ..tables import RUN_SUFFIX, TABLES, read_run, write_run

if TYPE_CHECKING:
    import pyarrow as pa


class Busy(Exception):
    """Another process holds the lock of this cache; the message is one line for the user."""


_held: dict[Path, list] = {}  # lock file -> [open file, depth]: the lock is re-entrant within a process

#: cache folder -> {run key: that run's tables}, for the folders whose caller will write their tables (see
#: :func:`keeping`): the tables a run of this process stores wait here too, so that writing the output
#: folder does not read back from disk what this process just wrote (a second copy of every table).
_kept: dict[Path, dict[str, dict]] = {}


@contextlib.contextmanager
def keeping(cache: str | Path) -> Iterator[None]:
    """While the body runs, :meth:`Store.save` of this process keeps the tables it stores in ``cache`` in
    memory as well, and :meth:`Store.tables` hands them over instead of reading the files. Runs stored
    by other processes (worker processes, a cluster, an earlier command) are read from disk as before."""
    folder = Path(cache).resolve()
    _kept[folder] = {}
    try:
        yield
    finally:
        _kept.pop(folder, None)


def lock_path(cache: Path) -> Path:
    return cache.with_name(cache.name + ".lock")


@contextlib.contextmanager
def hold(cache: str | Path, shown: str | None = None) -> Iterator[None]:
    """Hold the exclusive lock of a cache folder (and so of its output folder) while the body runs."""
    path = lock_path(Path(cache)).absolute()
    if path in _held:
        _held[path][1] += 1
        try:
            yield
        finally:
            _held[path][1] -= 1
        return
    created = [p for p in reversed(path.parents) if not p.exists()]  # removed again if left empty
    path.parent.mkdir(parents=True, exist_ok=True)
    while True:
        handle = open(path, "a+", encoding="utf-8")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            owner = handle.read().strip() or "?"
            handle.close()
            raise Busy(f"{shown or cache}: another cxsim command (pid {owner}) is writing this folder; "
                       "wait for it to finish or choose another --out") from None
        try:
            same = os.fstat(handle.fileno()).st_ino == os.stat(path).st_ino
        except FileNotFoundError:
            same = False
        if same:
            break
        handle.close()  # the previous holder removed the file between our open and our lock: retry
    handle.truncate(0)
    handle.write(str(os.getpid()))
    handle.flush()
    _held[path] = [handle, 1]
    try:
        yield
    finally:
        _held[path][1] -= 1
        if _held[path][1] == 0:
            del _held[path]
            with contextlib.suppress(OSError):
                path.unlink()
            handle.close()
            for folder in reversed(created):
                with contextlib.suppress(OSError):
                    folder.rmdir()  # only succeeds if empty: a refused run leaves no results/ behind


class Store:
    def __init__(self, folder: Path, fingerprint: str, describe: str):
        self.folder = folder
        self.fingerprint = fingerprint
        manifest = folder / "manifest.json"
        if manifest.exists():
            try:
                found = json.loads(manifest.read_text(encoding="utf-8"))
                if not isinstance(found, dict):
                    raise ValueError("not a mapping")
            except (OSError, ValueError):
                raise ScenarioError([Located(Where(str(manifest), 0, 0), "", (
                    "unreadable (damaged cache of finished runs); pass --fresh to discard it"))]) from None
            if found.get("fingerprint") != fingerprint:
                raise ScenarioError([Located(Where(str(folder), 0, 0), "", (
                    f"holds runs of a different experiment ({found.get('describe', '?')}); "
                    "remove it, choose another --out, or pass --fresh"))])
        else:
            folder.mkdir(parents=True, exist_ok=True)
            _atomic_write(manifest, json.dumps({"fingerprint": fingerprint, "describe": describe}, indent=2))

    def finished(self) -> dict[str, dict]:
        """The runs finished so far; a damaged run file counts as not finished (it is run again)."""
        rows = {}
        for f in self.folder.glob("*.json"):
            if f.name != "manifest.json":
                try:
                    row = json.loads(f.read_text(encoding="utf-8"))
                except (OSError, ValueError):
                    continue
                if isinstance(row, dict):
                    rows[f.stem] = row
        return rows

    def save(self, key: str, row: dict, tables: dict[str, pa.Table] | None) -> None:
        for name, table in (tables or {}).items():
            tmp = self.folder / f".{key}.{name}{RUN_SUFFIX}.tmp"
            write_run(tmp, table)
            os.replace(tmp, self.folder / f"{key}.{name}{RUN_SUFFIX}")
        _atomic_write(self.folder / f"{key}.json", json.dumps(row, default=_plain))
        kept = _kept.get(self.folder.resolve())
        if kept is not None and tables:
            kept[key] = tables

    def tables(self, key: str) -> dict[str, pa.Table] | None:
        kept = _kept.get(self.folder.resolve(), {}).get(key)
        if kept is not None:
            return kept
        paths = {name: self.folder / f"{key}.{name}{RUN_SUFFIX}" for name in TABLES}
        if not all(p.exists() for p in paths.values()):
            return None
        return {name: read_run(p) for name, p in paths.items()}

    def remove(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def _plain(value):
    if hasattr(value, "item"):
        return value.item()
    raise TypeError(type(value))


def _atomic_write(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)

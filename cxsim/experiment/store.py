"""Finished runs on disk: what makes an experiment survive Ctrl-C, a killed process or a reboot.

Each run writes its tables (Arrow IPC, see :mod:`cxsim.tables`) and then its metrics (a small
JSON file) into a cache folder beside the output folder; the JSON file appears last, by an atomic rename, so a run counts as
finished exactly when it is. Running the same command again skips finished runs. The cache holds
the fingerprint of the experiment it belongs to, and refuses to mix in runs of another.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from typing import TYPE_CHECKING

from ..scenario import Located, ScenarioError
from ..scenario.loading import Where
from ..tables import RUN_SUFFIX, TABLES, read_run, write_run

if TYPE_CHECKING:
    import pyarrow as pa


class Store:
    def __init__(self, folder: Path, fingerprint: str, describe: str):
        self.folder = folder
        self.fingerprint = fingerprint
        manifest = folder / "manifest.json"
        if manifest.exists():
            found = json.loads(manifest.read_text(encoding="utf-8"))
            if found.get("fingerprint") != fingerprint:
                raise ScenarioError([Located(Where(str(folder), 0, 0), "", (
                    f"holds runs of a different experiment ({found.get('describe', '?')}); "
                    "remove it, choose another --out, or pass --fresh"))])
        else:
            folder.mkdir(parents=True, exist_ok=True)
            _atomic_write(manifest, json.dumps({"fingerprint": fingerprint, "describe": describe}, indent=2))

    def finished(self) -> dict[str, dict]:
        rows = {}
        for f in self.folder.glob("*.json"):
            if f.name != "manifest.json":
                rows[f.stem] = json.loads(f.read_text(encoding="utf-8"))
        return rows

    def save(self, key: str, row: dict, tables: dict[str, pa.Table] | None) -> None:
        for name, table in (tables or {}).items():
            tmp = self.folder / f".{key}.{name}{RUN_SUFFIX}.tmp"
            write_run(tmp, table)
            os.replace(tmp, self.folder / f"{key}.{name}{RUN_SUFFIX}")
        _atomic_write(self.folder / f"{key}.json", json.dumps(row, default=_plain))

    def tables(self, key: str) -> dict[str, pa.Table] | None:
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

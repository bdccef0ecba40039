"""One run, as a worker process (or the main process) executes it: simulate, measure, store."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from ..compiled import compile_scenario
from ..engines import get_engine, get_summary
from ..metrics import replication_metrics, tally_metrics
from ..stats import mser
from .plan import Task
from .store import Store

DAY = 1440.0


def execute(task: Task, seed: int, engine: str, store_folder: str | None, fingerprint: str,
            keep_tables: bool, auto_warmup: bool) -> dict[str, Any]:
    """Run one (point, policy, replication) and return its metrics row; store it if a folder is given.

    Module-level and self-contained, so that joblib and Dask can ship it to other processes.
    """
    params = compile_scenario(task.point.scenario, task.policy)
    summarise = get_summary(engine)
    if summarise is not None and not keep_tables and not auto_warmup:
        # Summary-only: the engine tallies the metrics as it goes and keeps no per-contact records.
        queues, counts, daily = summarise(params, seed, task.replication)
        tables = None
        metrics = tally_metrics(queues, counts, daily, params)
    else:
        record = get_engine(engine)(params, seed, task.replication)
        tables = record.tables(tuple(c.name for c in params.channels), params.need_names,
                               tuple(t.name for t in params.teams))
        if auto_warmup:
            params = dataclasses.replace(params, warmup=auto_warmup_minutes(tables["daily"]))
        metrics = replication_metrics(tables, params)
    row: dict[str, Any] = {"point": task.point.index, **task.point.values, "policy": task.policy,
                           "replication": task.replication, "warmup": params.warmup, **metrics}
    if store_folder is not None:
        # With `warmup: auto` the tables are kept too: the policies of a replication are measured over
        # one common window once all of them have run (runner.common_warmup).
        Store(Path(store_folder), fingerprint, "").save(task.key, row, tables if keep_tables or auto_warmup else None)
    return row


def auto_warmup_minutes(daily) -> float:
    """MSER-5 on the daily backlog (open needs): the warm-up in whole days."""
    days = daily.groupby("day")["open_needs"].last()
    return float(mser(days.to_numpy())) * DAY

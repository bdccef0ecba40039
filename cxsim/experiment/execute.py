"""One run, as a worker process (or the main process) executes it: simulate, measure, store."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from typing import Any

from ..compiled import compile_scenario
from ..minutes import DAY
from ..engines import get_engine, get_summary
from ..metrics import replication_metrics, tally_metrics
from ..stats import mser
from ..tables import run_tables
from . import backends
from .plan import Task
from .store import Store




def execute(task: Task, seed: int, engine: str, store_folder: str | None, fingerprint: str,
            keep_tables: bool, auto_warmup: bool, owner: int | None = None) -> dict[str, Any]:
    """Run one (point, policy, replication) and return its metrics row; store it if a folder is given.

    Module-level and self-contained, so that joblib and Dask can ship it to other processes.
    ``owner`` is the process that asked for the run: a local worker whose owner was killed stores
    nothing (its cache now belongs to whichever command runs next).
    """
    params = compile_scenario(task.point.scenario, task.policy)
    summarise = get_summary(engine)
    if summarise is not None and not keep_tables and not auto_warmup:
        # Summary-only: the engine tallies the metrics as it goes and keeps no per-contact records.
        queues, counts, daily = summarise(params, seed, task.replication)
        tables = None
        metrics = tally_metrics(queues, counts, daily, params)
    else:
        # Arrow tables straight from the engine's records (cxsim.tables): no pandas for the big ones.
        tables = run_tables(get_engine(engine)(params, seed, task.replication), params)
        if auto_warmup:
            params = dataclasses.replace(params, warmup=auto_warmup_minutes(tables["daily"].to_pandas()))
        metrics = replication_metrics(tables, params)
    row: dict[str, Any] = {"point": task.point.index, **task.point.values, "policy": task.policy,
                           "replication": task.replication, "warmup": params.warmup, **metrics}
    if store_folder is not None and not orphaned(owner):
        # With `warmup: auto` the tables are kept too: the policies of a replication are measured over
        # one common window once all of them have run (runner.common_warmup).
        kept = tables if keep_tables or auto_warmup else None
        save = lambda: Store(Path(store_folder), fingerprint, "").save(task.key, row, kept)  # noqa: E731
        if not backends.defer(save):  # on a thread of this process, the caller stores it as it takes it
            save()
    return row


def orphaned(owner: int | None) -> bool:
    """Whether this is a worker process whose owner has died (it was re-parented)."""
    return owner is not None and os.getpid() != owner and os.getppid() != owner


def auto_warmup_minutes(daily) -> float:
    """MSER-5 on the daily backlog (open needs): the warm-up in whole days."""
    days = daily.groupby("day")["open_needs"].last()
    return float(mser(days.to_numpy())) * DAY

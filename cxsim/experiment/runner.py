"""Run a scenario: grid points × policies × replications, on any backend, resumable, with intervals."""

from __future__ import annotations

import gc
import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import pandas as pd

from ..compiled import Params, compile_scenario
from ..metrics import ORDER
from ..scenario import Scenario, load_scenario
from ..stats import interval, paired_difference, relative_half_width
from . import backends
from .execute import execute
from .plan import Plan, make_plan
from .store import TABLES, Store

#: The metrics ``--precision`` watches (those a scenario produces).
HEADLINE = ("aht", "occupancy", "service_level", "fcr", "contacts_per_need", "time_to_resolution", "nps_true",
            "cost_per_solved_need")
#: Metrics that sit near zero by nature: their precision is judged against their range instead.
SCALES = {"nps_true": 200.0, "nps_measured": 200.0}
RESERVED = ("point", "policy", "replication", "warmup")


@dataclass
class Results:
    """Everything one run of a scenario produced: per-run metrics, tables and their summary."""
    scenario: Scenario
    params: Params
    seed: int
    replications: int
    engine: str
    metrics: pd.DataFrame                       # one row per (point, policy, replication)
    tables: dict[tuple[str, int], dict[str, pd.DataFrame]] = field(default_factory=dict)
    axes: dict[str, list[Any]] = field(default_factory=dict)

    @property
    def policies(self) -> list[str]:
        return list(dict.fromkeys(self.metrics["policy"]))

    @property
    def is_sweep(self) -> bool:
        return bool(self.axes)

    def metric_names(self) -> list[str]:
        present = [c for c in self.metrics.columns if c not in RESERVED and c not in self.axes]
        # Per-channel variants (``service_level.phone``) follow their metric; unknown names go last.
        known = [m for base in ORDER for m in [base] + sorted(x for x in present if x.startswith(base + "."))
                 if m in present]
        return known + sorted(m for m in present if m not in known)

    def _block(self, frame: pd.DataFrame) -> dict:
        names = self.metric_names()
        policies, precision = {}, {}
        for policy in self.policies:
            rows = frame[frame["policy"] == policy]
            policies[policy] = {"metrics": {m: interval(rows[m]) for m in names if rows[m].notna().any()}}
            precision[policy] = {m: _finite(relative_half_width(s, SCALES.get(m)))
                                 for m, s in policies[policy]["metrics"].items()}
        differences = {}
        base = self.policies[0]
        b = frame[frame["policy"] == base].set_index("replication")
        for other in self.policies[1:]:
            a = frame[frame["policy"] == other].set_index("replication")
            differences[f"{other}-{base}"] = {m: paired_difference(a[m], b[m]) for m in names
                                              if a[m].notna().any() and b[m].notna().any()}
        return {"policies": policies, "differences": differences, "precision": precision}

    def summary(self) -> dict:
        """The machine-readable summary: MODEL.md §10's form, one block per grid point in a sweep."""
        head = {"scenario": self.scenario.name, "seed": self.seed, "replications": self.replications,
                "engine": self.engine}
        if not self.is_sweep:
            return {**head, **self._block(self.metrics)}
        points = []
        for point, frame in self.metrics.groupby("point", sort=True):
            values = {axis: _plain(frame[axis].iloc[0]) for axis in self.axes}
            points.append({"point": int(point), "values": values, **self._block(frame)})
        return {**head, "axes": self.axes, "points": points}

    def table(self, name: str) -> pd.DataFrame:
        """One table across all replications, with ``policy`` and ``replication`` columns first."""
        frames = []
        for (policy, rep), tables in self.tables.items():
            t = tables[name].copy()
            t.insert(0, "replication", rep)
            t.insert(0, "policy", policy)
            frames.append(t)
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()

    def write(self, out: str | Path) -> Path:
        """Write the output folder atomically: a failed or interrupted write leaves no half folder."""
        out = Path(out)
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.parent / f".{out.name}.partial-{os.getpid()}"
        old = out.parent / f".{out.name}.old-{os.getpid()}"
        shutil.rmtree(tmp, ignore_errors=True)
        try:
            tmp.mkdir()
            (tmp / "summary.json").write_text(json.dumps(self.summary(), indent=2, default=_plain) + "\n",
                                              encoding="utf-8")
            (tmp / "scenario.json").write_text(self.scenario.model_dump_json(indent=2) + "\n", encoding="utf-8")
            self.metrics.to_parquet(tmp / ("runs.parquet" if self.is_sweep else "metrics.parquet"), index=False)
            if self.tables:
                for name in TABLES:
                    self.table(name).to_parquet(tmp / f"{name}.parquet", index=False)
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


def _finite(value: float) -> float | None:
    return None if value != value or value in (float("inf"), float("-inf")) else value


def _plain(value):
    return value.item() if hasattr(value, "item") else value


def cache_folder(out: str | Path) -> Path:
    """Where the finished runs of an output folder wait until the whole folder is written."""
    out = Path(out)
    return out.parent / f".{out.name}.runs"


def run(scenario: Scenario | str | Path, replications: int | None = None, seed: int | None = None,
        engine: str = "simpy", keep_tables: bool = True, policies: list[str] | None = None,
        on_run: Callable[[int, int], None] | None = None, jobs: int = 1, scheduler: str | None = None,
        sets: list[str] | None = None, precision: float | None = None, max_replications: int = 200,
        cache: str | Path | None = None, fresh: bool = False) -> Results:
    """Run every grid point × policy × replication of a scenario (the Python face of ``cxsim run``).

    Every policy and grid point runs replication ``r`` on the same random streams (common random
    numbers), so differences are paired replication by replication. With ``precision``, runs are
    added (doubling) until each headline metric's 95 % half-width is below that fraction of its
    mean, or ``max_replications`` is reached. With ``cache``, finished runs are kept there and a
    repeated call skips them.
    """
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    plan = make_plan(scenario, sets, policies, seed, engine)
    n = replications or scenario.replications
    temporary = cache is None
    folder = Path(tempfile.mkdtemp(prefix="cxsim-")) if temporary else Path(cache)
    if fresh and not temporary:
        shutil.rmtree(folder, ignore_errors=True)
    store = Store(folder, plan.fingerprint, f"{scenario.name}, seed {plan.seed}")
    # Long-lived objects from imports (numba, pandas, pydantic) need not be re-scanned by every
    # full garbage collection during a run: measured ~12 % of run time otherwise.
    gc.collect()
    gc.freeze()
    try:
        rows = _execute(plan, store, n, jobs, scheduler, keep_tables, precision, max_replications, on_run)
        frame = pd.DataFrame(rows)
        order = {p: i for i, p in enumerate(plan.policies)}
        frame = frame.sort_values(["point", "policy", "replication"], key=lambda c: c.map(order) if c.name == "policy"
                                  else c, kind="stable").reset_index(drop=True)
        replications_done = int(frame["replication"].max()) + 1
        tables = {}
        if keep_tables and not plan.axes:
            for task in plan.tasks(range(replications_done)):
                loaded = store.tables(task.key)
                if loaded is not None:
                    tables[(task.policy, task.replication)] = loaded
        params = compile_scenario(plan.points[0].scenario, plan.policies[0])
        return Results(plan.scenario, params, plan.seed, replications_done, engine, frame, tables, plan.axes)
    finally:
        gc.unfreeze()
        if temporary:
            store.remove()


def run_plan(plan: Plan, replications: int, jobs: int = 1, scheduler: str | None = None,
             cache: str | Path | None = None, fresh: bool = False,
             on_run: Callable[[int, int], None] | None = None) -> pd.DataFrame:
    """Every point × policy × replication of a prepared plan, summary-only: one metrics row per run.

    The same backends, seeds and resumable store as :func:`run`; for plans that are not a grid
    (the designs of ``cxsim explain``, see :func:`~cxsim.experiment.plan.points_plan`).
    """
    temporary = cache is None
    folder = Path(tempfile.mkdtemp(prefix="cxsim-")) if temporary else Path(cache)
    if fresh and not temporary:
        shutil.rmtree(folder, ignore_errors=True)
    store = Store(folder, plan.fingerprint, f"{plan.scenario.name}, seed {plan.seed}")
    gc.collect()
    gc.freeze()
    try:
        rows = _execute(plan, store, replications, jobs, scheduler, False, None, replications, on_run)
    finally:
        gc.unfreeze()
        if temporary:
            store.remove()
    return pd.DataFrame(rows)


def _execute(plan: Plan, store: Store, n: int, jobs: int, scheduler: str | None, keep_tables: bool,
             precision: float | None, cap: int, on_run) -> list[dict]:
    done = store.finished()
    while True:
        wanted = plan.tasks(range(n))
        todo = [t for t in wanted if t.key not in done]
        args = [(execute, (t, plan.seed, plan.engine, str(store.folder), plan.fingerprint, keep_tables,
                           plan.auto_warmup)) for t in todo]
        finished = len(wanted) - len(todo)
        if on_run:
            on_run(finished, len(wanted))
        stream = backends.dask(args, scheduler) if scheduler else backends.local(args, jobs)
        for row in stream:
            done[f"p{row['point']:04d}-{row['policy']}-r{row['replication']:05d}"] = row
            finished += 1
            if on_run:
                on_run(finished, len(wanted))
        rows = [done[t.key] for t in wanted]
        if precision is None or n >= cap or _precise(rows, precision):
            return rows
        n = min(cap, 2 * n)


def _precise(rows: list[dict], precision: float) -> bool:
    frame = pd.DataFrame(rows)
    for _, group in frame.groupby(["point", "policy"]):
        for metric in HEADLINE:
            if metric in group and group[metric].notna().any():
                if relative_half_width(interval(group[metric]), SCALES.get(metric)) > precision:
                    return False
    return True

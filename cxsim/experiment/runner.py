"""Run a scenario: grid points × policies × replications, on any backend, resumable, with intervals.

A run's metrics stay rows (one dict per run) until someone asks for a DataFrame: the summary, the
terminal tables and ``metrics.parquet`` are made from them with numpy and Arrow, the same numbers and
the same bytes as through pandas, which a command then never imports (0.3 s of its start-up).
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import gc
import hashlib
import json
import math
import os
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterator

import numpy as np

from .. import __version__
from ..compiled import Params, compile_scenario
from ..metric_registry import BINARY, HEADLINE, ORDER, RANGES
from ..scenario import Located, Scenario, ScenarioError, load_scenario
from ..scenario.loading import Where
from ..stats import (
    describe, interval, paired_difference, paired_proportion_difference, proportion, relative_half_width,
)
from ..tables import TABLES, labelled, write_parquet
from . import backends
from .execute import execute
from .output import publish
from .plan import Plan, make_plan
from .size import check_size
from .store import Store, hold, keeping

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

    from .stream import TableStream

RunKey = tuple[str, int]  # (policy, replication)

RESERVED = ("point", "policy", "replication", "warmup")


@dataclass
class Results:
    """Everything one run of a scenario produced: per-run metrics, tables and their summary."""
    scenario: Scenario
    params: Params
    seed: int
    replications: int
    engine: str
    rows: MetricRows                            # one row per (point, policy, replication)
    runs: dict[RunKey, dict[str, pa.Table]] = field(default_factory=dict)  # each run's tables, as Arrow
    axes: dict[str, list[Any]] = field(default_factory=dict)
    threads: int | None = None  # how many tables are written at once (default: a thread per core)
    #: (output folder, its tables written while the runs simulated): see :mod:`cxsim.experiment.stream`
    streamed: tuple[Path, TableStream] | None = field(default=None, repr=False)

    @cached_property
    def metrics(self) -> pd.DataFrame:
        """One row per (point, policy, replication), as a pandas DataFrame (made when first asked for)."""
        return self.rows.frame()

    @cached_property
    def tables(self) -> Mapping[RunKey, dict[str, pd.DataFrame]]:
        """Each run's tables as pandas DataFrames, converted when first asked for."""
        return _AsPandas(self.runs)

    @property
    def policies(self) -> list[str]:
        return list(dict.fromkeys(row["policy"] for row in self.rows))

    @property
    def is_sweep(self) -> bool:
        return bool(self.axes)

    def metric_names(self) -> list[str]:
        present = [c for c in self.rows.columns if c not in RESERVED and c not in self.axes]
        # Per-channel variants (``service_level.phone``) follow their metric; unknown names go last.
        known = [m for base in ORDER for m in [base] + sorted(x for x in present if x.startswith(base + "."))
                 if m in present]
        return known + sorted(m for m in present if m not in known)

    def _block(self, rows: list[dict]) -> dict:
        """Intervals per policy and paired differences, from the rows of one grid point (ordered by
        policy, then replication: the pairs are the same replication of two policies)."""
        names = self.metric_names()
        policies, precision = {}, {}
        column = {policy: {m: _column([r for r in rows if r["policy"] == policy], m) for m in names}
                  for policy in self.policies}
        for policy in self.policies:
            values = column[policy]
            policies[policy] = {"metrics": {m: (proportion if m in BINARY else describe)(values[m])
                                            for m in names if _present(values[m])}}
            precision[policy] = {m: _finite(relative_half_width(s, RANGES.get(m)))
                                 for m, s in policies[policy]["metrics"].items()}
        differences = {}
        base = self.policies[0]
        b = column[base]
        for other in self.policies[1:]:
            a = column[other]
            differences[f"{other}-{base}"] = {
                m: (paired_proportion_difference if m in BINARY else paired_difference)(a[m], b[m])
                for m in names if _present(a[m]) and _present(b[m])}
        return {"policies": policies, "differences": differences, "precision": precision}

    def summary(self) -> dict:
        """The machine-readable summary: MODEL.md §10's form, one block per grid point in a sweep."""
        head = {"scenario": self.scenario.name, "seed": self.seed, "replications": self.replications,
                "engine": self.engine}
        if not self.is_sweep:
            return {**head, **self._block(list(self.rows)), **self._lag()}
        points = []
        frame = self.metrics  # a lever's values as pandas reads them (an axis of 1 and 2.5 is all floats)
        for point in sorted({row["point"] for row in self.rows}):
            values = {axis: _plain(frame.loc[frame["point"] == point, axis].iloc[0]) for axis in self.axes}
            points.append({"point": int(point), "values": values,
                           **self._block([r for r in self.rows if r["point"] == point])})
        return {**head, "axes": self.axes, "points": points}

    def _lag(self) -> dict:
        """The measured employee-to-customer lag (:mod:`cxsim.lag`), when the daily tables were kept."""
        p = self.params
        if not self.runs or not (p.mechanisms.wellbeing and p.mechanisms.experience):
            return {}
        from ..lag import employee_customer_lag, measurable
        from ..metrics import arrow_numpy

        warmup = max(float(row["warmup"]) for row in self.rows) if "warmup" in self.rows.columns else float(p.warmup)
        daily = [{name: arrow_numpy(run["daily"], name) for name in run["daily"].column_names}
                 for run in self.runs.values()]
        if not measurable(daily, warmup):  # sure to be empty: decided without pandas
            return {}
        lag = employee_customer_lag(self.table("daily"), warmup)
        return {"lag": lag} if lag else {}

    def table(self, name: str) -> pd.DataFrame:
        """One table across all replications, with ``policy`` and ``replication`` columns first."""
        import pandas as pd
        import pyarrow as pa

        parts = [labelled(run[name], policy, rep) for (policy, rep), run in self.runs.items()]
        return pa.concat_tables(parts).to_pandas() if parts else pd.DataFrame()

    def write_table(self, name: str, path: Path) -> None:
        """Write one table across all replications to Parquet, run by run from the Arrow tables."""
        write_parquet(path, name, ((policy, rep, run[name]) for (policy, rep), run in self.runs.items()))

    @property
    def kind(self) -> str:
        return "sweep" if self.is_sweep else "run"

    def write(self, out: str | Path, kind: str | None = None, force: bool = False) -> Path:
        """Write the output folder atomically: a failed or interrupted write leaves no half folder.

        Only a folder cxsim wrote (its marker file) is replaced, and only by the same ``kind`` of
        result unless ``force``: see :mod:`cxsim.experiment.output`. When :func:`run` was given this
        folder (``out``), its tables were written as the runs finished and only their footers are left.
        """
        streamed, self.streamed = self.streamed, None
        if streamed is not None and streamed[0] != Path(out).absolute():
            streamed[1].abort()  # written elsewhere: from the runs' tables, as below
            streamed = None

        def fill(tmp: Path) -> None:
            (tmp / "summary.json").write_text(json.dumps(self.summary(), indent=2, default=_plain) + "\n",
                                              encoding="utf-8")
            (tmp / "scenario.json").write_text(json.dumps(scenario_as_run(self.scenario), indent=2) + "\n",
                                               encoding="utf-8")
            self.rows.write_parquet(tmp / ("runs.parquet" if self.is_sweep else "metrics.parquet"))
            if streamed is not None:
                streamed[1].finish()  # the tables are in tmp already: the last runs and the footers
                return
            if self.runs:
                # One file per table, each written by one thread from start to end (the same bytes);
                # pyarrow lets go of Python's lock while it encodes and writes, so they overlap.
                workers = min(len(TABLES), self.threads or backends.available_cores())
                if workers <= 1:
                    for name in TABLES:
                        self.write_table(name, tmp / f"{name}.parquet")
                    return
                from concurrent.futures import ThreadPoolExecutor

                with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="cxsim-write") as pool:
                    for done in [pool.submit(self.write_table, name, tmp / f"{name}.parquet") for name in TABLES]:
                        done.result()

        if streamed is None:
            return publish(Path(out), kind or self.kind, self.scenario.name, fill, force)
        try:
            return publish(Path(out), kind or self.kind, self.scenario.name, fill, force, staged=streamed[1].folder)
        except BaseException:
            streamed[1].abort()
            raise


def _column(rows: list[dict], name: str) -> np.ndarray:
    """One metric over rows, NaN where a row lacks it (as the DataFrame's column would read)."""
    return np.array([row.get(name, math.nan) for row in rows], dtype=float)


def _present(values: np.ndarray) -> bool:
    return bool((~np.isnan(values)).any())


class MetricRows(list):
    """The metrics rows of a run, ordered by point, policy and replication, with their columns in the
    order a ``pandas.DataFrame`` of the rows as they finished would have them.

    :meth:`frame` is that DataFrame; :meth:`write_parquet` writes the same file as its
    ``to_parquet(index=False)``, to the byte, with pyarrow alone when every column is one of the
    kinds a run's rows hold (integers, floats with gaps, text), else through pandas.
    """

    def __init__(self, rows: list[dict], columns: list[str]):
        super().__init__(rows)
        self.columns = columns

    @classmethod
    def ordered(cls, rows: list[dict], policies: list[str]) -> MetricRows:
        """The rows as they finished, sorted by (point, policy in the plan's order, replication)."""
        columns = list(dict.fromkeys(name for row in rows for name in row))
        order = {p: i for i, p in enumerate(policies)}
        return cls(sorted(rows, key=lambda r: (r["point"], order.get(r["policy"], len(order)), r["replication"])),
                   columns)

    def frame(self) -> pd.DataFrame:
        import pandas as pd

        return pd.DataFrame(list(self), columns=self.columns) if self else pd.DataFrame()

    def write_parquet(self, path: Path) -> None:
        table = self._arrow()
        if table is None:
            self.frame().to_parquet(path, index=False)
            return
        import pyarrow.parquet as pq

        pq.write_table(table, path, compression="snappy")  # as pandas' to_parquet writes it

    def _arrow(self) -> pa.Table | None:
        """The rows as the Arrow table ``pyarrow.Table.from_pandas(self.frame(), preserve_index=False)``
        makes (columns, types, nulls and pandas' metadata), or None for rows of other kinds."""
        import pyarrow as pa

        from ..tables import arrow_column

        versions = _pandas_metadata_version()
        if not self or versions is None or pa.__version__ != versions[1]:
            return None
        arrays, described = [], []
        for name in self.columns:
            values = [row.get(name) for row in self]
            kinds = {type(v) for v in values}
            if kinds == {int}:
                array, kind = arrow_column(np.array(values, dtype=np.int64), pa.int64()), ("int64", "int64")
            elif kinds <= {int, float, type(None)} and kinds & {float, type(None)} and kinds - {type(None)}:
                # numbers with a gap (a metric some runs lack) or any float: pandas' float64, NaN as null
                column = np.array([math.nan if v is None else v for v in values], dtype=np.float64)
                array = arrow_column(column, pa.float64(), valid=~np.isnan(column))
                kind = ("float64", "float64")
            elif kinds == {str}:
                encoded = [v.encode() for v in values]
                offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
                np.cumsum([len(e) for e in encoded], out=offsets[1:])
                array = pa.Array.from_buffers(pa.large_string(), len(encoded),
                                              [None, pa.py_buffer(offsets), pa.py_buffer(b"".join(encoded))])
                kind = ("object", "str")
            else:
                return None
            if not isinstance(name, str):
                return None
            arrays.append(array)
            described.append({"name": name, "field_name": name, "pandas_type": kind[0], "numpy_type": kind[1],
                              "metadata": None})
        metadata = {"index_columns": [], "column_indexes": [], "columns": described, "attributes": {},
                    "creator": {"library": "pyarrow", "version": pa.__version__},
                    "pandas_version": versions[0]}
        schema = pa.schema([pa.field(n, a.type) for n, a in zip(self.columns, arrays)],
                           metadata={b"pandas": json.dumps(metadata).encode()})
        return pa.Table.from_arrays(arrays, schema=schema)


@functools.lru_cache(maxsize=1)
def _pandas_metadata_version() -> tuple[str, str] | None:
    """(pandas, pyarrow) versions whose ``to_parquet`` metadata :meth:`MetricRows._arrow` writes: pandas 3
    (text columns are its ``str`` dtype) with the pyarrow installed now; None otherwise (pandas then
    writes the file itself). Read from the installed packages' metadata, without importing pandas."""
    try:
        from importlib.metadata import version

        found = version("pandas"), version("pyarrow")
    except Exception:  # noqa: BLE001
        return None
    return found if found[0].split(".")[0] == "3" else None



class _AsPandas(Mapping):
    """(policy, replication) → that run's tables as pandas DataFrames, each run converted once, on demand."""

    def __init__(self, runs: dict[RunKey, dict[str, pa.Table]]) -> None:
        self._runs = runs
        self._converted: dict[RunKey, dict[str, pd.DataFrame]] = {}

    def __getitem__(self, key: RunKey) -> dict[str, pd.DataFrame]:
        if key not in self._converted:
            self._converted[key] = {name: t.to_pandas() for name, t in self._runs[key].items()}
        return self._converted[key]

    def __iter__(self) -> Iterator[RunKey]:
        return iter(self._runs)

    def __len__(self) -> int:
        return len(self._runs)


def scenario_as_run(scenario: Scenario) -> dict:
    """The scenario with every default filled in, each policy's levers included (resolved from the
    policy it extends), so that ``scenario.json`` says exactly what ran."""
    from ..scenario.mechanisms import levers_as_run, resolve_policy

    data = json.loads(scenario.model_dump_json())
    for name, policy in data.get("policies", {}).items():
        policy.update(levers_as_run(resolve_policy(name, scenario.policies), scenario.progress.case_notes_share))
    return data


def _finite(value: float) -> float | None:
    return None if value != value or value in (float("inf"), float("-inf")) else value


def _plain(value):
    return value.item() if hasattr(value, "item") else value


def cache_folder(out: str | Path) -> Path:
    """Where the finished runs of an output folder wait until the whole folder is written."""
    out = Path(out)
    return out.parent / f".{out.name}.runs"


def run(scenario: Scenario | str | Path, replications: int | None = None, seed: int | None = None,
        engine: str = "fast", keep_tables: bool = True, policies: list[str] | None = None,
        on_run: Callable[[int, int], None] | None = None, jobs: int = 1, scheduler: str | None = None,
        sets: list[str] | None = None, precision: float | None = None, max_replications: int = 200,
        cache: str | Path | None = None, fresh: bool = False, insist: bool = False,
        threads: int | None = None, out: str | Path | None = None) -> Results:
    """Run every grid point × policy × replication of a scenario (the Python face of ``cxsim run``).

    ``engine`` is ``"fast"`` (numba, the default, as on the command line; the first call on a
    machine compiles it, about a minute, once) or ``"simpy"``, the readable reference: same results.

    Every policy and grid point runs replication ``r`` on the same random streams (common random
    numbers), so differences are paired replication by replication. With ``precision``, runs are
    added (doubling) until each headline metric's 95 % half-width is below that fraction of its
    mean, or ``max_replications`` is reached. With ``cache``, finished runs are kept there and a
    repeated call skips them; the cache is locked while the call runs. Unless ``insist``, a run the
    pre-run estimate finds too big for this machine is refused (:func:`cxsim.experiment.size.check_size`).
    ``threads``: the fast engine's runs on that many threads of this process (default: every core
    available; 1 with ``jobs`` > 1, a ``scheduler`` or the SimPy engine); the results are the same
    whatever the number. ``out``: the output folder the results will be written to
    (:meth:`Results.write`), if known before the runs: their per-contact tables are then written
    there as the runs finish (:func:`_stream`), instead of all at once after the last.
    """
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    plan = make_plan(scenario, sets, policies, seed, engine)
    n = replications or scenario.replications
    if not insist:
        # Runs in flight at once on this machine: threads of this process, or local worker processes
        # (a Dask cluster's memory is not this machine's).
        at_once = 1 if scheduler else jobs if jobs > 1 else _threads(plan, jobs, scheduler, threads)
        check_size(plan, n, keep_tables, at_once)
    temporary = cache is None
    folder = Path(tempfile.mkdtemp(prefix="cxsim-")) if temporary else Path(cache)
    with contextlib.nullcontext() if temporary else hold(folder):
        if fresh and not temporary:
            shutil.rmtree(folder, ignore_errors=True)
        stored = _stored_fingerprint(plan.fingerprint, keep_tables)
        store = Store(folder, stored, f"{scenario.name}, seed {plan.seed}, tables {'on' if keep_tables else 'off'}")
        # Long-lived objects from imports (numba, pandas, pydantic) need not be re-scanned by every
        # full garbage collection during a run: measured ~12 % of run time otherwise. (No collection
        # first: it cost 0.2 s of every command's start-up, to free a little import-time garbage.)
        collecting = _collecting()
        stream = None
        try:
            with keeping(folder) if keep_tables and not plan.axes else contextlib.nullcontext():
                stream = _stream(out, plan, store, keep_tables, jobs, scheduler)
                results = _finish(plan, store, folder, n, jobs, scheduler, keep_tables, precision, max_replications,
                                  on_run, threads, stream)
                if stream is not None:  # absolute: the working folder may change before the write
                    results.streamed = (Path(out).absolute(), stream)
                return results
        except BaseException:
            if stream is not None:
                stream.abort()
            raise
        finally:
            _collecting(collecting)
            if temporary:
                store.remove()


def _stream(out: str | Path | None, plan: Plan, store: Store, keep_tables: bool, jobs: int,
            scheduler: str | None) -> TableStream | None:
    """The tables' files, opened in ``out``'s staging folder to be written run by run as the runs finish
    (:mod:`cxsim.experiment.stream`), where the runs' order is known ahead and their tables come to this
    process: a fresh run (no runs finished by an earlier command) of tables, one grid point, on threads of
    this process. Otherwise (and for an ``out`` cxsim would refuse) None: the tables are written after all runs."""
    if out is None or not keep_tables or plan.axes or jobs > 1 or scheduler or store.finished():
        return None
    from .output import OutputRefused, check_target, staging
    from .stream import TableStream

    out = Path(out)
    try:
        check_target(out, "run", force=True)  # any cxsim folder of results may be replaced by its own kind
    except OutputRefused:
        return None  # refused again, with its message, when the results are written
    if not out.parent.is_dir():
        return None
    folder = staging(out.absolute(), stream=True)
    shutil.rmtree(folder, ignore_errors=True)  # only a dead process's, whose id and count this one repeats
    return TableStream(folder)


def _finish(plan: Plan, store: Store, folder: Path, n: int, jobs: int, scheduler: str | None, keep_tables: bool,
            precision: float | None, max_replications: int, on_run, threads: int | None,
            stream: TableStream | None = None) -> Results:
    """The runs of :func:`run` once its store is ready: execute them, then gather their metrics and tables."""
    rows = _execute(plan, store, n, jobs, scheduler, keep_tables, precision, max_replications, on_run,
                    threads, stream)
    if plan.auto_warmup:
        rows = common_warmup(plan, store, rows)
    ordered = MetricRows.ordered(rows, plan.policies)
    replications_done = max(int(row["replication"]) for row in ordered) + 1
    wanted = plan.tasks(range(replications_done))
    tables = {}
    if keep_tables and not plan.axes:
        for task in wanted:
            loaded = store.tables(task.key)
            if loaded is None:  # never write a folder whose tables lack some of its runs
                raise ScenarioError([Located(Where(str(folder), 0, 0), "", (
                    f"the tables of run {task.key} are missing; pass --fresh to run everything again"))])
            tables[(task.policy, task.replication)] = loaded
    if len(ordered) != len(wanted):
        raise ScenarioError([Located(Where(str(folder), 0, 0), "", (
            f"{len(ordered)} of {len(wanted)} runs finished; pass --fresh to run everything again"))])
    params = compile_scenario(plan.points[0].scenario, plan.policies[0])
    return Results(plan.scenario, params, plan.seed, replications_done, plan.engine, ordered, tables,
                   plan.axes, threads)


def _collecting(restore: bool | None = None) -> bool:
    """Around the runs: freeze what exists (the imports' long-lived objects, never re-scanned) and
    collect the runs' own garbage (the SimPy engine's events), whether or not the command line turned
    the collector off for its start-up (cli.py: ~0.3 s of collections over the imports). Returns
    whether it was on; ``_collecting(that)`` afterwards unfreezes and restores it."""
    if restore is None:
        was = gc.isenabled()
        gc.freeze()
        gc.enable()
        return was
    gc.unfreeze()
    if not restore:
        gc.disable()
    return restore


def _stored_fingerprint(plan_fingerprint: str, keep_tables: bool) -> str:
    """The plan's fingerprint plus what decides what a cached run holds: tables, and the cxsim version."""
    blob = json.dumps({"plan": plan_fingerprint, "tables": keep_tables, "cxsim": __version__}, sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def run_plan(plan: Plan, replications: int, jobs: int = 1, scheduler: str | None = None,
             cache: str | Path | None = None, fresh: bool = False,
             on_run: Callable[[int, int], None] | None = None, threads: int | None = None) -> pd.DataFrame:
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
    collecting = _collecting()
    try:
        rows = _execute(plan, store, replications, jobs, scheduler, False, None, replications, on_run, threads)
    finally:
        _collecting(collecting)
        if temporary:
            store.remove()
    import pandas as pd

    return pd.DataFrame(rows)


def _execute(plan: Plan, store: Store, n: int, jobs: int, scheduler: str | None, keep_tables: bool,
             precision: float | None, cap: int, on_run, threads: int | None = None,
             stream: TableStream | None = None) -> list[dict]:
    done = store.finished()
    threads = _threads(plan, jobs, scheduler, threads)
    while True:
        wanted = plan.tasks(range(n))
        if stream is not None:  # more replications (--precision) only add runs at the end of the order
            stream.expect([t.key for t in wanted])
        todo = [t for t in wanted if t.key not in done]
        owner = None if scheduler else os.getpid()  # local workers stop storing once this process is gone
        # An absolute folder: a cluster's workers run in another working directory.
        args = [(execute, (t, plan.seed, plan.engine, str(store.folder.resolve()), store.fingerprint, keep_tables,
                           plan.auto_warmup, owner)) for t in todo]
        finished = len(wanted) - len(todo)
        if on_run:
            on_run(finished, len(wanted))
        runs = (backends.dask(args, scheduler) if scheduler else backends.local(args, jobs) if jobs > 1
                else backends.threads(args, threads))
        with contextlib.closing(runs):  # an error here (on_run's too) stops the backend now, not when collected
            for row in runs:
                key = f"p{row['point']:04d}-{row['policy']}-r{row['replication']:05d}"
                done[key] = row
                if stream is not None:  # its tables, kept in memory as the run was stored
                    stream.add(key, row["policy"], row["replication"], store.tables(key))
                finished += 1
                if on_run:
                    on_run(finished, len(wanted))
        rows = [done[t.key] for t in wanted]
        if precision is None or n >= cap or _precise(rows, precision):
            return rows
        n = min(cap, 2 * n)


def _threads(plan: Plan, jobs: int, scheduler: str | None, threads: int | None) -> int:
    """The threads of this process that run the plan's runs."""
    if threads is None:  # the fast engine's default: every core, in this process
        threads = backends.available_cores() if plan.engine == "fast" else 1
    if plan.engine != "fast" or jobs > 1 or scheduler:  # SimPy holds Python's lock; processes have their own cores
        threads = 1
    return threads


def common_warmup(plan: Plan, store: Store, rows: list[dict]) -> list[dict]:
    """One warm-up window per paired comparison: the longest MSER-5 truncation among the policies of
    each (grid point, replication), and every policy's metrics measured over that same window.

    Paired differences of totals (staff cost, contacts handled) over different windows would compare
    different lengths of time; the longest window is past every policy's initial transient.
    """
    from ..metrics import replication_metrics

    common: dict[tuple[int, int], float] = {}
    for row in rows:
        key = (row["point"], row["replication"])
        common[key] = max(common.get(key, 0.0), float(row["warmup"]))
    points = {p.index: p for p in plan.points}
    out = []
    for row in rows:
        window = common[(row["point"], row["replication"])]
        if float(row["warmup"]) != window:
            key = f"p{row['point']:04d}-{row['policy']}-r{row['replication']:05d}"
            tables = store.tables(key)
            if tables is None:
                raise RuntimeError(f"the tables of run {key} are missing from {store.folder}; run again with --fresh")
            params = dataclasses.replace(compile_scenario(points[row["point"]].scenario, row["policy"]), warmup=window)
            head = {k: row[k] for k in ("point", *plan.axes, "policy", "replication")}
            row = {**head, "warmup": window, **replication_metrics(tables, params)}
        out.append(row)
    return out


def _precise(rows: list[dict], precision: float) -> bool:
    import pandas as pd

    frame = pd.DataFrame(rows)
    for _, group in frame.groupby(["point", "policy"]):
        for metric in HEADLINE:
            if metric in group and group[metric].notna().any():
                if relative_half_width(interval(group[metric]), RANGES.get(metric)) > precision:
                    return False
    return True

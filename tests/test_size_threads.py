"""The pre-run size estimate counts the runs held at once: threads of the process × worker processes.

Each run in flight holds its own state (customers, agents); the per-contact tables of all runs are
held until the output folder is written whatever the concurrency. Oracles by construction: the
estimate's state part is the one-run state times the runs in flight, never more than there are runs.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import cxsim
from cxsim.experiment import backends, runner, size
from cxsim.experiment.plan import make_plan
from cxsim.scenario import load_scenario

from helpers import run_interrupted

DATA = Path(__file__).parent / "data"
ERLANG_C = Path(__file__).parent.parent / "scenarios" / "erlang_c.yaml"


def _state_and_tables(plan, replications: int, keep_tables: bool, at_once: int) -> tuple[float, float]:
    _, _, peak, tables = size.estimate(plan, replications, keep_tables, at_once)
    return peak - tables, tables


@pytest.mark.parametrize("keep_tables", [False, True])
def test_the_state_part_scales_with_the_runs_held_at_once(keep_tables: bool) -> None:
    plan = make_plan(load_scenario(DATA / "tinypop.yaml"))
    one, tables = _state_and_tables(plan, 10, keep_tables, 1)
    assert one > 0
    assert (tables > 0) == keep_tables
    for at_once in (2, 3, 7):
        state, same_tables = _state_and_tables(plan, 10, keep_tables, at_once)
        assert state == pytest.approx(at_once * one)
        assert same_tables == tables  # every run's tables are held until the folder is written, whatever the threads
    # never more runs in flight than there are runs: 10 replications × the plan's policies
    runs = 10 * len(plan.policies)
    assert _state_and_tables(plan, 10, keep_tables, 10 * runs)[0] == pytest.approx(runs * one)
    assert _state_and_tables(plan, 10, keep_tables, 0)[0] == pytest.approx(one)  # at least one run


def test_a_run_that_fits_on_one_thread_is_refused_on_many(monkeypatch: pytest.MonkeyPatch) -> None:
    plan = make_plan(load_scenario(DATA / "tinypop.yaml"))
    one = _state_and_tables(plan, 8, False, 1)[0]
    monkeypatch.setattr(size, "physical_memory", lambda: 2.5 * one)  # room for two runs' state, not three
    size.check_size(plan, 8, False, 1)
    size.check_size(plan, 8, False, 2)
    with pytest.raises(size.TooBig) as refused:
        size.check_size(plan, 8, False, 3)
    assert "3 runs at once" in refused.value.reason and refused.value.reason.endswith("--insist")


class _Asked(Exception):
    pass


@pytest.mark.parametrize(("options", "expected"), [
    ({"threads": 3}, 3),
    ({"threads": 1}, 1),
    ({"jobs": 2}, 2),                               # worker processes, one thread each
    ({"jobs": 2, "threads": 3}, 2),
    ({"engine": "simpy", "threads": 3}, 1),          # the SimPy engine runs on one thread
    ({"scheduler": "tcp://127.0.0.1:1"}, 1),         # a cluster's memory is not this machine's
    ({}, None),                                      # the fast engine's default: a thread per core
])
def test_the_runner_tells_the_estimate_how_many_runs_run_at_once(monkeypatch: pytest.MonkeyPatch, options: dict,
                                                                 expected: int | None) -> None:
    asked = []

    def check_size(plan, replications, keep_tables, at_once=1):
        asked.append(at_once)
        raise _Asked

    monkeypatch.setattr(runner, "check_size", check_size)
    with pytest.raises(_Asked):
        cxsim.run(load_scenario(ERLANG_C), replications=4, keep_tables=False, **options)
    assert asked == [backends.available_cores() if expected is None else expected]


def test_tables_of_this_process_are_handed_over_in_memory_and_earlier_runs_read_from_disk(tmp_path, monkeypatch):
    """The output folder is written from the tables this process just ran (not read back from the
    cache) and from the cache for runs an earlier, interrupted command finished: same bytes as a
    fresh run's folder."""
    from cxsim.experiment import store
    from cxsim.tables import TABLES

    s = load_scenario(DATA / "tinypop.yaml")
    cache = tmp_path / "cache"

    run_interrupted(s, cache, after=2, replications=4, threads=1)
    read = []
    original = store.read_run
    monkeypatch.setattr(store, "read_run", lambda path: read.append(path) or original(path))
    cxsim.run(s, replications=4, keep_tables=True, cache=cache, threads=2).write(tmp_path / "resumed")
    assert len(read) == 2 * len(TABLES)  # the two earlier runs' tables, and none of the two run now
    cxsim.run(s, replications=4, keep_tables=True, threads=2).write(tmp_path / "fresh")
    for name in TABLES:
        assert (tmp_path / "resumed" / f"{name}.parquet").read_bytes() == (tmp_path / "fresh" / f"{name}.parquet").read_bytes()
    assert (tmp_path / "resumed" / "metrics.parquet").read_bytes() == (tmp_path / "fresh" / "metrics.parquet").read_bytes()

"""Replications on threads of one process (issue 16, scope 3): the same results whatever the number of
threads, and the fast engine's compiled loop really lets other threads run while it simulates.

Each run owns its state and its random streams (streams.generators(seed, replication)), so a run
cannot see which thread ran it or what ran beside it; the runner sorts finished runs, so the order in
which threads finish never shows. test_fast_engine.py compares the fast engine, on the default
threads, with the SimPy engine table for table.
"""

from __future__ import annotations

import dataclasses
import threading
import time

import pandas as pd
import pytest

import cxsim
from cxsim.compiled import compile_scenario
from cxsim.experiment import backends

from helpers import ROOT, SCENARIOS, run_interrupted


def _tables(results: cxsim.Results) -> dict:
    return {(key, name): frame for key in results.tables for name, frame in results.tables[key].items()}


@pytest.mark.parametrize("name, tables", [("erlang_a_repeats", True), ("contact_centre", False)])
def test_one_thread_or_three_give_the_same_results(name, tables):
    s = cxsim.load_scenario(SCENARIOS / f"{name}.yaml")
    s = s.model_copy(update={"horizon": 8 * 60.0, "warmup": 30.0} if name.startswith("erlang") else
                     {"horizon": 5 * 1440.0, "warmup": 1440.0})
    one = cxsim.run(s, replications=5, seed=3, keep_tables=tables, threads=1)
    three = cxsim.run(s, replications=5, seed=3, keep_tables=tables, threads=3)
    pd.testing.assert_frame_equal(one.metrics, three.metrics, check_exact=True)
    assert one.summary() == three.summary()
    a, b = _tables(one), _tables(three)
    assert list(a) == list(b) and (len(a) > 0) == tables
    for key in a:
        pd.testing.assert_frame_equal(a[key], b[key], check_exact=True)


def test_the_output_folder_is_the_same_bytes_on_one_thread_or_two(tmp_path):
    from typer.testing import CliRunner

    from cxsim.cli import app

    folders = []
    for threads in (1, 2):
        folder = tmp_path / f"t{threads}"
        done = CliRunner().invoke(app, ["run", str(ROOT / "tests" / "data" / "tinypop.yaml"), "-r", "3", "--out",
                                        str(folder), "--threads", str(threads)])
        assert done.exit_code == 0, done.output
        folders.append(folder)
    names = sorted(p.name for p in folders[0].iterdir())
    assert names == sorted(p.name for p in folders[1].iterdir()) and "encounters.parquet" in names
    for file in names:
        assert (folders[0] / file).read_bytes() == (folders[1] / file).read_bytes(), file


def test_the_threads_backend_yields_every_run_once_and_stops_on_a_failure():
    jobs = [(lambda i=i: {"i": i}, ()) for i in range(7)]
    assert sorted(r["i"] for r in backends.threads(jobs, 3)) == list(range(7))
    assert [r["i"] for r in backends.threads(jobs, 1)] == list(range(7))  # one thread: in order, no pool

    def fail():
        raise ValueError("run failed")

    with pytest.raises(ValueError, match="run failed"):
        list(backends.threads([*jobs, (fail, ())], 2))


def test_the_compiled_loop_lets_other_python_threads_run():
    """While a thread is inside the compiled loop, this thread keeps running Python: the longest
    pause between two of its steps stays far below the loop's own time. (With Python's lock held
    for the whole call, the pause would be the whole call.)"""
    from cxsim.engines.fast import driver

    s = cxsim.load_scenario(SCENARIOS / "erlang_a.yaml")
    params = compile_scenario(s)
    driver.simulate_summary(params, 1, 0)  # loaded (or compiled) before timing
    factor, alone = 4, 0.0
    while alone < 0.3 and factor <= 512:  # a run long enough to tell a held lock from a released one
        factor *= 2
        long = dataclasses.replace(params, horizon=params.horizon * factor)
        started = time.perf_counter()
        driver.simulate_summary(long, 1, 0)
        alone = time.perf_counter() - started
    worker = threading.Thread(target=driver.simulate_summary, args=(long, 1, 1))
    longest, last = 0.0, time.perf_counter()
    worker.start()
    while worker.is_alive():
        now = time.perf_counter()
        longest, last = max(longest, now - last), now
    worker.join()
    assert alone >= 0.3
    assert longest < alone / 2, (longest, alone)


def test_an_interrupted_threaded_run_stores_exactly_the_runs_it_took(tmp_path):
    """As on one thread: the runs the caller has taken are stored, and no other (runs still
    simulating on other threads when it stops are dropped), so a resumed run repeats none twice."""
    s = cxsim.load_scenario(ROOT / "tests" / "data" / "tinypop.yaml")
    cache = tmp_path / "cache"

    run_interrupted(s, cache, after=2, replications=8, threads=3)
    assert len([f for f in cache.glob("*.json") if f.name != "manifest.json"]) == 2
    progress = []
    resumed = cxsim.run(s, replications=8, keep_tables=True, cache=cache, threads=3,
                        on_run=lambda finished, total: progress.append(finished))
    assert progress[0] == 2
    whole = cxsim.run(s, replications=8, keep_tables=True, threads=1)
    pd.testing.assert_frame_equal(resumed.metrics, whole.metrics, check_exact=True)


def test_the_threads_backend_runs_jobs_side_by_side_and_holds_a_bounded_window():
    """Runs really overlap (two jobs meet at a barrier, which one thread could never pass), and never
    more than WINDOW runs per thread are started and not yet taken by the caller."""
    meet = threading.Barrier(2, timeout=30)
    started, lock = [0], threading.Lock()

    def job(i):
        with lock:
            started[0] += 1
        if i < 2:
            meet.wait()  # raises BrokenBarrierError unless a second thread arrives
        return {"i": i, "thread": threading.get_ident()}

    jobs = [(job, (i,)) for i in range(12)]
    taken, seen_ahead = [], []
    for row in backends.threads(jobs, 2):
        taken.append(row)
        with lock:
            seen_ahead.append(started[0] - len(taken))
    assert sorted(r["i"] for r in taken) == list(range(12))
    assert len({r["thread"] for r in taken if r["i"] < 2}) == 2
    assert max(seen_ahead) <= backends.WINDOW * 2


def test_the_runner_hands_fast_runs_to_the_threads_backend(monkeypatch):
    """`threads=2` reaches the threads backend with two workers (the backend's own tests show it
    runs them side by side)."""
    calls = []
    real = backends.threads

    def spy(jobs, workers):
        calls.append(workers)
        return real(jobs, workers)

    monkeypatch.setattr(backends, "threads", spy)
    cxsim.run(ROOT / "tests" / "data" / "tinypop.yaml", replications=3, keep_tables=False, threads=2)
    assert calls == [2]


def test_the_default_threads_respect_a_containers_cpu_quota(tmp_path):
    """A container limited to 1.5 CPUs gets 2 threads at most, one with no quota ("max") keeps its
    affinity, and an unreadable file changes nothing."""
    import os

    affinity = len(os.sched_getaffinity(0))
    quota = tmp_path / "cpu.max"
    quota.write_text("150000 100000\n")
    assert backends.available_cores(str(quota)) == min(affinity, 2)
    quota.write_text("50000 100000\n")
    assert backends.available_cores(str(quota)) == 1
    quota.write_text("max 100000\n")
    assert backends.available_cores(str(quota)) == affinity
    assert backends.available_cores(str(tmp_path / "missing")) == affinity


def test_an_error_in_the_callers_callback_ends_the_threads():
    """on_run raising (while the exception is still referenced, as in a REPL or pytest) stops the
    threads backend then and there: no run thread is left waiting for room that never comes."""
    s = cxsim.load_scenario(ROOT / "tests" / "data" / "tinypop.yaml")

    def fail_at_first(finished, total):
        if finished == 1:
            raise RuntimeError("callback failed")

    with pytest.raises(RuntimeError, match="callback failed") as info:
        cxsim.run(s, replications=30, keep_tables=False, on_run=fail_at_first, threads=2)
    deadline = time.monotonic() + 30
    while any(t.name == "cxsim-run" for t in threading.enumerate()) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert info.value is not None  # still referenced: the generator was not collected
    assert not any(t.name == "cxsim-run" for t in threading.enumerate())


@pytest.mark.parametrize("threads", [1, 2])
def test_explain_and_staff_hand_their_threads_to_the_backend(monkeypatch, tmp_path, threads):
    """`cxsim explain --threads N` and `cxsim staff --threads N` run on N threads, like `run`."""
    from typer.testing import CliRunner

    from cxsim.cli import app

    calls = []
    real = backends.threads
    monkeypatch.setattr(backends, "threads", lambda jobs, workers: calls.append(workers) or real(jobs, workers))
    small = ROOT / "docs" / "examples" / "explain_small.yaml"
    done = CliRunner().invoke(app, ["explain", str(small), "--method", "decompose", "-r", "1", "--threads",
                                    str(threads), "-o", str(tmp_path / "explained")])
    assert done.exit_code == 0, done.output
    assert calls and set(calls) == {threads}
    calls.clear()
    done = CliRunner().invoke(app, ["staff", str(ROOT / "tests" / "data" / "tinypop.yaml"), "--team",
                                    next(iter(cxsim.load_scenario(ROOT / "tests" / "data" / "tinypop.yaml").teams)),
                                    "--target", "service_level>=0.5", "-r", "2", "--threads", str(threads)])
    assert done.exit_code == 0, done.output
    assert calls and set(calls) == {threads}


def test_the_first_allocations_on_many_threads_at_once_all_get_whole_states(monkeypatch):
    """Runs on threads call ``state.allocate`` at the same moment at the start of a command, when its
    once-per-process plan of the fields is not made yet: no thread may see half a plan (a review found
    one that did: ``World`` missing fields in 24 of 300 tries). Python switches threads as often as it
    can here, so a half-published plan would show."""
    import sys

    from cxsim.engines.fast import state

    caps = {"needs": 8, "agents": 4, "heap": 16, "customers": 4, "encounters": 8, "journeys": 8}
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        for _ in range(50):
            monkeypatch.setattr(state, "_PLAN", None)
            got, errors, start = [], [], threading.Barrier(6)

            def allocate():
                start.wait()
                try:
                    got.append(state.allocate(2, 3, 2, 4, caps))
                except Exception as exc:  # noqa: BLE001 - reported below
                    errors.append(exc)

            workers = [threading.Thread(target=allocate) for _ in range(6)]
            for t in workers:
                t.start()
            for t in workers:
                t.join()
            assert not errors, errors[0]
            assert len(got) == 6
            assert all(w._fields == state.World._fields for w in got)
            assert all(len(w.n_live) == 8 and len(w.tm_staffed) == 2 for w in got)
    finally:
        sys.setswitchinterval(interval)

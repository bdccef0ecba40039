"""Both engines and two yardsticks on the same scenarios, as ratios measured in one run.

The yardsticks run the Erlang A + repeats queue: bare, idiomatic SimPy (yardstick.py) and a
minimal hand-written numba event loop (numba_yardstick.py), so the fast engine's speed reads both
against what a SimPy user would write and against the fastest this queue goes in numba.

Run from the repository root: ``python -m pytest benchmarks --benchmark-only``. Absolute times depend
on the machine; the ratios are the numbers to track. numba compile time is excluded from every
timing (each engine runs once, untimed, first) and measured apart, from an empty cache.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import textwrap
import time
import tracemalloc
from pathlib import Path

import pytest
from numba_yardstick import run_numba_yardstick
from yardstick import run_yardstick

import cxsim
from cxsim.compiled import Params, compile_scenario
from cxsim.engines.fast import simulate as fast, simulate_summary
from cxsim.engines.simpy import simulate as simpy
from cxsim.tallies import C_ENCOUNTERS

ROOT = Path(__file__).resolve().parents[1]
SEED = 2026
ERLANG_HORIZON = 480.0  # minutes of scenarios/erlang_a_repeats.yaml (the yardstick's queue): its own 8 h


def _params(path: Path, **update) -> Params:
    params = compile_scenario(cxsim.load_scenario(path).model_copy(update=update))
    fast(params, SEED, 0)  # untimed: compiles (or loads) the numba code
    simpy(params, SEED, 0)
    return params


@pytest.fixture(scope="module")
def erlang() -> Params:
    return _params(ROOT / "scenarios" / "erlang_a_repeats.yaml", horizon=ERLANG_HORIZON, warmup=0.0)


@pytest.fixture(scope="module")
def centre() -> Params:
    """The default contact centre, one replication of its first policy, the full 13 weeks."""
    return _params(ROOT / "scenarios" / "contact_centre.yaml")


#: How each engine is timed: a function of the compiled parameters returning the contacts simulated.
RUNNERS = {
    "simpy": lambda params: len(simpy(params, SEED, 0).encounters),
    "fast": lambda params: len(fast(params, SEED, 0).encounters),
    "fast_summary": lambda params: int(simulate_summary(params, SEED, 0)[1][C_ENCOUNTERS]),
}


# --- Erlang A with 20 % repeats: the yardstick's queue ---------------------------------------------
@pytest.mark.benchmark(group="erlang_a_repeats")
def test_erlang_yardstick(benchmark, record_speed):
    contacts = benchmark.pedantic(run_yardstick, args=(ERLANG_HORIZON, SEED), rounds=5, iterations=1)
    record_speed("erlang_a_repeats", "yardstick", benchmark, contacts)


@pytest.mark.benchmark(group="erlang_a_repeats")
def test_erlang_numba_yardstick(benchmark, record_speed):
    run_numba_yardstick(ERLANG_HORIZON, SEED)  # untimed: compiles (or loads) it
    contacts = benchmark.pedantic(run_numba_yardstick, args=(ERLANG_HORIZON, SEED), rounds=30, iterations=1)
    record_speed("erlang_a_repeats", "yardstick_numba", benchmark, contacts)


@pytest.mark.benchmark(group="erlang_a_repeats")
@pytest.mark.parametrize("engine,rounds", [("simpy", 5), ("fast", 30), ("fast_summary", 30)])
def test_erlang(benchmark, record_speed, erlang, engine, rounds):
    contacts = benchmark.pedantic(RUNNERS[engine], args=(erlang,), rounds=rounds, iterations=1)
    record_speed("erlang_a_repeats", engine, benchmark, contacts)


# --- the default contact centre: every mechanism on ------------------------------------------------
@pytest.mark.benchmark(group="contact_centre")
@pytest.mark.parametrize("engine,rounds", [("simpy", 2), ("fast", 3), ("fast_summary", 3)])
def test_centre(benchmark, record_speed, centre, engine, rounds):
    contacts = benchmark.pedantic(RUNNERS[engine], args=(centre,), rounds=rounds, iterations=1)
    record_speed("contact_centre", engine, benchmark, contacts)


# --- size: a year of a 1,000-agent centre with a million customers, summary-only -------------------
@pytest.mark.benchmark(group="big_centre")
def test_big_centre_year(benchmark, record_speed, note):
    params = compile_scenario(cxsim.load_scenario(ROOT / "benchmarks" / "big_centre.yaml"))
    simulate_summary(compile_scenario(cxsim.load_scenario(ROOT / "benchmarks" / "big_centre.yaml").model_copy(
        update={"horizon": 60.0, "warmup": 0.0})), SEED, 0)  # untimed: load the compiled code
    tracemalloc.start()  # numpy reports its arrays to tracemalloc: the engine's whole state
    counts = benchmark.pedantic(lambda: simulate_summary(params, SEED, 0)[1], rounds=1, iterations=1)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    record_speed("big_centre", "fast_summary", benchmark, int(counts[C_ENCOUNTERS]))
    benchmark.extra_info["peak_traced_mb"] = peak / 2**20
    note(f"big_centre: {counts[C_ENCOUNTERS]:,.0f} contacts in {benchmark.stats.stats.mean:.1f} s on one core "
         f"(goal < 30 s); arrays at their peak {peak / 2**20:,.0f} MB (goal: the whole process < 1 GB)")


# --- compile time, apart ---------------------------------------------------------------------------
def test_compile_time(benchmark, note):
    """The fast engine compiled from an empty numba cache, in a fresh process (reported, not part of any timing)."""
    script = textwrap.dedent("""
        import time, cxsim
        from cxsim.compiled import compile_scenario
        from cxsim.engines.fast import simulate
        params = compile_scenario(cxsim.load_scenario("scenarios/erlang_a.yaml").model_copy(update={"horizon": 60.0}))
        t = time.perf_counter(); simulate(params, 1, 0); print(time.perf_counter() - t)
    """)
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "NUMBA_CACHE_DIR": cache}
        seconds = benchmark.pedantic(lambda: float(subprocess.run(
            [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, check=True).stdout),
            rounds=1, iterations=1)
    benchmark.extra_info["compile_seconds"] = seconds
    note(f"fast engine compile time from an empty cache: {seconds:.0f} s (paid once; later runs load the cache)")
    assert time.time() > 0

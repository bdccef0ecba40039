"""Parallel speed-up: the same sweep on one and on two local worker processes.

Like compile time for the engines, starting the worker pool (a process start, imports, numba's
cache load: about 3 s once per session) is excluded: each side runs once untimed. The ratio of
the two mean wall times is the speed-up (goal ≥ 1.8 on 2 workers).
"""

from __future__ import annotations

from pathlib import Path

import cxsim

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"

_TIMES: dict[int, float] = {}


def _sweep(jobs: int) -> None:
    scenario = cxsim.load_scenario(SCENARIOS / "erlang_a.yaml").model_copy(update={"horizon": 24 * 60.0})
    cxsim.run(scenario, replications=4, sets=["teams.agents.agents=48,50"], keep_tables=False, jobs=jobs)


def test_sweep_on_one_worker(benchmark):
    _sweep(1)  # warm numba's cache and the imports
    benchmark.pedantic(_sweep, args=(1,), rounds=2, iterations=1)
    _TIMES[1] = benchmark.stats.stats.mean


def test_sweep_on_two_workers(benchmark):
    _sweep(2)  # start the worker pool
    benchmark.pedantic(_sweep, args=(2,), rounds=2, iterations=1)
    _TIMES[2] = benchmark.stats.stats.mean
    if 1 in _TIMES:
        speedup = _TIMES[1] / _TIMES[2]
        benchmark.extra_info["speedup_two_workers"] = speedup
        print(f"\nparallel speed-up on 2 workers: {speedup:.2f}x ({_TIMES[1]:.1f} s -> {_TIMES[2]:.1f} s)")

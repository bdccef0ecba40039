"""Speed of an explanation: a Morris screening of the default centre's 12 uncertain parameters.

r = 10 trajectories (130 design points, plus the scenario as written), both policies, 2
replications per point: 524 runs of 13 simulated weeks on the fast engine, summary-only, on
2 local workers. Goal: under 10 minutes on 2 cores. Compile time and the worker pool's start are
excluded (one untimed run first).

A smaller dry run, for a shared machine (same code path, fewer and shorter runs)::

    CXSIM_BENCH_TRAJECTORIES=2 CXSIM_BENCH_HORIZON="14 d" python -m pytest benchmarks/test_explain.py \
        --benchmark-only -s
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import cxsim
from cxsim.explain.study import sensitivity_study
from cxsim.scenario.units import parse_duration

SCENARIO = Path(__file__).resolve().parent.parent / "scenarios" / "contact_centre.yaml"
TRAJECTORIES = int(os.environ.get("CXSIM_BENCH_TRAJECTORIES", "10"))
HORIZON = os.environ.get("CXSIM_BENCH_HORIZON")
REPLICATIONS = 2
JOBS = 2


def _scenario():
    scenario = cxsim.load_scenario(SCENARIO)
    if HORIZON:
        horizon = parse_duration(HORIZON)
        scenario = scenario.model_copy(update={"horizon": horizon, "warmup": min(scenario.warmup, horizon / 4)})
    return scenario


def _screen(scenario, trajectories: int) -> dict:
    return sensitivity_study(scenario, "morris", "efficiency", "encounter", ["nps_true", "cost_per_solved_need"],
                             replications=REPLICATIONS, size=trajectories, engine="fast", jobs=JOBS)


def test_morris_screening_of_the_default_centre(benchmark):
    scenario = _scenario()
    started = time.perf_counter()
    _screen(scenario.model_copy(update={"horizon": 1440.0, "warmup": 0.0}), 2)  # compile, start workers
    print(f"\nwarm-up (compile, worker start): {time.perf_counter() - started:.1f} s")
    result = benchmark.pedantic(_screen, args=(scenario, TRAJECTORIES), rounds=1, iterations=1)
    params = len(result["parameters"])
    runs = (TRAJECTORIES * (params + 1) + 1) * 2 * REPLICATIONS
    seconds = benchmark.stats.stats.mean
    benchmark.extra_info.update(runs=runs, seconds_per_run=seconds / runs, trajectories=TRAJECTORIES,
                                parameters=params, horizon_days=scenario.horizon / 1440)
    print(f"Morris screening: {params} parameters, r = {TRAJECTORIES}, {runs} runs of "
          f"{scenario.horizon / 1440:g} d on {JOBS} workers in {seconds:.1f} s ({seconds / runs:.2f} s per run)")
    ix = result["metrics"]["nps_true"]["indices"]
    assert len(ix["mu_star"]) == params == 12

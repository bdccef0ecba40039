"""cxsim's SimPy engine timed next to a bare SimPy model of the same queue, in the same process.

Run with ``pytest benchmarks/ --benchmark-only`` from the repository root. Absolute times depend
on the machine; the ratio of customers/second (cxsim / yardstick) is the number to track.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import pytest
from pytest_benchmark.fixture import BenchmarkFixture
from yardstick import run_yardstick

from cxsim.compiled import Params, compile_scenario
from cxsim.engines.simpy import simulate
from cxsim.scenario import load_scenario

HORIZON = 120.0  # minutes simulated by both models
SEED = 2026
RecordSpeed = Callable[[str, BenchmarkFixture, int], None]  # the fixture in conftest.py
SCENARIO = Path(__file__).resolve().parents[1] / "scenarios" / "erlang_a_repeats.yaml"


@pytest.fixture(scope="module")
def params() -> Params:
    """The yardstick's scenario cut to ``HORIZON`` with no warm-up; numba kernels already compiled."""
    scenario = load_scenario(SCENARIO).model_copy(update={"horizon": HORIZON, "warmup": 0.0})
    compiled = compile_scenario(scenario)
    simulate(compiled, SEED, 0)  # untimed: JIT-compiles (or loads) the kernels
    return compiled


def run_cxsim(params: Params) -> int:
    """One replication with all records on; the number of contacts it recorded."""
    return len(simulate(params, SEED, 0).encounters)


@pytest.mark.benchmark(group="simpy-speed")
def test_yardstick_speed(benchmark: BenchmarkFixture, record_speed: RecordSpeed) -> None:
    contacts = benchmark(run_yardstick, HORIZON, SEED)
    assert contacts > 0
    record_speed("yardstick", benchmark, contacts)


@pytest.mark.benchmark(group="simpy-speed")
def test_cxsim_simpy_speed(benchmark: BenchmarkFixture, record_speed: RecordSpeed, params: Params) -> None:
    contacts = benchmark(run_cxsim, params)
    assert contacts > 0
    record_speed("cxsim", benchmark, contacts)
    assert benchmark.extra_info.get("ratio_cxsim_to_yardstick", 1.0) > 0

"""The user's view: ``cxsim run`` end to end, as a user waits for it, beside the engine-only figures.

Each command runs in a fresh process — imports, loading the compiled engine, simulating, metrics,
the summary and the output folder with its per-contact tables (the default) — on
``scenarios/erlang_a.yaml``, many replications. The ratios land in the same terminal summary as
test_engines.py's engine-only ratios: how much of the engine's speed-up the user gets, what the
tables cost (goal ≤ 1.5× a summary-only run), and the fixed start-up of a tiny run (goal < 1 s).
numba's compile time is excluded (``cxsim compile`` runs first, untimed).

``CXSIM_BENCH_REPLICATIONS`` (default 30, about 690,000 contacts) sets the size; a smaller value
gives a quick look on a shared machine.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

import pyarrow.parquet as pq
import pytest

ROOT = Path(__file__).resolve().parents[1]
REPLICATIONS = int(os.environ.get("CXSIM_BENCH_REPLICATIONS", "30"))
SCENARIO = ROOT / "scenarios" / "erlang_a.yaml"
TINY = ROOT / "tests" / "data" / "tinypop.yaml"

#: name → extra arguments of ``cxsim run``. The fast engine runs replications on a thread per core by
#: default (the SimPy engine on one): ``cli_fast_one_thread`` is the same command held to one core.
COMMANDS = {"cli_fast": [], "cli_fast_no_tables": ["--no-tables"], "cli_fast_one_thread": ["--threads", "1"],
            "cli_simpy": ["--engine", "simpy"]}


#: The commands run as on a user's installation, which keeps Python's bytecode: with
#: PYTHONDONTWRITEBYTECODE set (as in some CI and sandbox shells) every command would compile
#: cxsim's modules from source again, about 0.3 s of "start-up" no user pays.
ENV = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}


def _cxsim(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "cxsim.cli", *args], cwd=ROOT, check=True, capture_output=True, env=ENV)


def _cpu_of_children() -> float:
    """CPU seconds of all finished child processes (the commands run as children)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


@pytest.fixture(scope="module")
def contacts() -> int:
    """The contacts of the benchmarked run (the same for every command: same scenario, same seed)."""
    _cxsim("compile")
    with tempfile.TemporaryDirectory() as out:
        _cxsim("run", str(SCENARIO), "-r", str(REPLICATIONS), "-o", out)
        return pq.ParquetFile(Path(out) / "encounters.parquet").metadata.num_rows


_CPU: dict[str, float] = {}


@pytest.mark.benchmark(group="cli_erlang_a")
@pytest.mark.parametrize("name", list(COMMANDS))
def test_cli(benchmark, record_speed, note, contacts, name):
    rounds = 1 if name == "cli_simpy" else 3
    with tempfile.TemporaryDirectory() as out:
        command = ["run", str(SCENARIO), "-r", str(REPLICATIONS), "-o", out, *COMMANDS[name]]
        cpu = _cpu_of_children()
        benchmark.pedantic(_cxsim, args=command, rounds=rounds, iterations=1)
        _CPU[name] = (_cpu_of_children() - cpu) / rounds
    record_speed("cli_erlang_a", name, benchmark, contacts)
    if benchmark.stats is not None:
        benchmark.extra_info["cpu_seconds"] = _CPU[name]
    if len(_CPU) == len(COMMANDS):  # the same ratios from CPU time, which other load does not inflate
        note(f"cli_erlang_a by CPU time: fast {_CPU['cli_fast']:.1f} s, fast without tables "
             f"{_CPU['cli_fast_no_tables']:.1f} s, fast on one thread {_CPU['cli_fast_one_thread']:.1f} s, SimPy "
             f"{_CPU['cli_simpy']:.1f} s; fast/SimPy {_CPU['cli_simpy'] / _CPU['cli_fast']:.2f}x (goal ≥ 20x), "
             f"tables cost {_CPU['cli_fast'] / _CPU['cli_fast_no_tables']:.2f}x (goal ≤ 1.5x)")


@pytest.mark.benchmark(group="cli_startup")
def test_startup(benchmark, note):
    """A tiny run: nearly all of it is the fixed cost of starting (imports, loading the engine, writing).

    Also reported as CPU time of the process, which other load on the machine does not inflate."""
    _cxsim("compile")
    rounds = 5
    with tempfile.TemporaryDirectory() as out:
        cpu = _cpu_of_children()
        benchmark.pedantic(_cxsim, args=("run", str(TINY), "-o", out), rounds=rounds, iterations=1)
        cpu = (_cpu_of_children() - cpu) / rounds
    if benchmark.stats is not None:
        benchmark.extra_info["cpu_seconds"] = cpu
        note(f"fixed start-up of `cxsim run` (fast engine, a tiny scenario, tables on): {benchmark.stats.stats.min:.2f} s "
             f"at best, {benchmark.stats.stats.mean:.2f} s mean, {cpu:.2f} s of CPU (goal < 1 s)")

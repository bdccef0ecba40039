"""Property: whatever a scenario file holds, loading it gives one clear error per problem or a valid
scenario — never a traceback — in bounded time and memory (issue 15).

Two sources of files: random YAML trees (with keys the schema knows, so that validation goes deep)
and small mutations of the shipped scenarios (a value swapped for a hostile one, a line dropped,
doubled or cut). The budget is fixed (examples per test, derandomized, no example database) so CI time is bounded;
``CXSIM_FUZZ_EXAMPLES=2000`` runs a longer hunt.
"""

from __future__ import annotations

import io
import os
import time
import tracemalloc
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from cxsim.scenario import Scenario, ScenarioError, load_scenario
from helpers import SCENARIOS

SHIPPED = sorted(SCENARIOS.glob("*.yaml"))
#: Examples per test: a fixed budget for CI (about 20 s per test on 2 busy cores); raise it to hunt.
EXAMPLES = int(os.environ.get("CXSIM_FUZZ_EXAMPLES", "50"))
BUDGET = settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                  suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
#: Bounds for one file: seconds and bytes allocated (the files are at most a few kB).
MAX_SECONDS, MAX_BYTES = 5.0, 64 << 20

KEYS = ["name", "horizon", "warmup", "seed", "replications", "demand", "open", "population", "rate", "customers",
        "need_rate", "needs", "share", "work_time", "dist", "mean", "cv", "value", "values", "resolution",
        "channels", "kind", "phone", "chat", "email", "patience", "retrial", "probability", "delay", "teams",
        "agents", "shift", "start", "length", "days", "policies", "extends", "sweep", "spikes", "factor",
        "mechanisms", "returns", "switch", "hourly_profile", "concurrency", "staffing", "interventions", "at"]
HOSTILE_VALUES = ["-1", "0", "1e309", "-1e309", ".nan", ".inf", "1e300", "99999999999999999999999", "''", "~",
                  "true", "'../../x'", "'/tmp/x'", "'.'", "'8 hrs'", "'1 /0h'", "'1e400 min'", "[]", "{}",
                  "[1, [2, [3]]]", "{dist: lognormal, mean: 1e308, cv: 1e308}", "{dist: empirical, values: []}",
                  "&a x", "*a", "!!python/object:os.system", "'\\0'", "'" + "x" * 300 + "'", "extends.yaml",
                  "2026-01-01", "0x10", "|\n  text"]

scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**12, 10**12),
                    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=12),
                    st.sampled_from(["8 h", "30 min", "200 /h", "1 /30d", "phone", "exponential", "auto", "off"]))
keys = st.one_of(st.sampled_from(KEYS), st.text(min_size=1, max_size=8))
trees = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                      st.dictionaries(keys, inner, max_size=6)), max_leaves=25)


def load_and_check(path: Path) -> None:
    """The property itself."""
    tracemalloc.start()
    start = time.perf_counter()
    try:
        scenario = load_scenario(path)
        assert isinstance(scenario, Scenario)
    except ScenarioError as exc:
        assert exc.problems, "an error must say what is wrong"
        for problem in exc.problems:
            assert "\n" not in str(problem) and str(problem).startswith(str(path)), str(problem)
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert time.perf_counter() - start < MAX_SECONDS
    assert peak < MAX_BYTES


@BUDGET
@given(tree=st.dictionaries(keys, trees, max_size=10))
def test_random_yaml_trees(tree: dict, tmp_path_factory) -> None:
    buffer = io.StringIO()
    YAML(typ="safe").dump(tree, buffer)
    path = tmp_path_factory.mktemp("tree") / "s.yaml"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    load_and_check(path)


@st.composite
def mutations(draw) -> str:
    lines = draw(st.sampled_from(SHIPPED)).read_text(encoding="utf-8").splitlines()
    for _ in range(draw(st.integers(1, 3))):
        i = draw(st.integers(0, len(lines) - 1))
        how = draw(st.sampled_from(["value", "drop", "double", "cut", "indent"]))
        if how == "value" and ":" in lines[i]:
            key = lines[i].split(":", 1)[0]
            lines[i] = f"{key}: {draw(st.sampled_from(HOSTILE_VALUES))}"
        elif how == "drop":
            del lines[i]
        elif how == "double":
            lines.insert(i, lines[i])
        elif how == "cut":
            lines[i] = lines[i][: draw(st.integers(0, len(lines[i])))]
        else:
            lines[i] = "  " + lines[i]
        if not lines:
            break
    return "\n".join(lines) + "\n"


@BUDGET
@given(text=mutations())
def test_mutations_of_the_shipped_scenarios(text: str, tmp_path_factory) -> None:
    path = tmp_path_factory.mktemp("mutant") / "s.yaml"
    path.write_text(text, encoding="utf-8")
    load_and_check(path)

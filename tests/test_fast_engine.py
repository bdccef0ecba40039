"""The fast engine against the SimPy reference: identical trajectories, and the same metrics in law.

Both engines draw the same random numbers from the same streams in the same order, so for the
same seed every table must be *identical* — queueing core and whole model alike, shipped scenarios
and adversarial ones, with every array group growing mid-run. For the statistical check the fast
engine runs on other seeds (independent replications), and every metric of every shipped scenario
must agree by Welch's t-test at a family-wise false-alarm rate of 1 % (Holm over all comparisons).
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import cxsim
from cxsim.compiled import compile_scenario
from cxsim.engines import get_engine, get_summary
from cxsim.metrics import replication_metrics, tally_metrics

from helpers import ROOT, SCENARIOS

DAY, WEEK = 1440.0, 7 * 1440.0
#: Every shipped scenario, cut to a horizon that still reaches its interesting parts (the spike of
#: demand_spike at week 4, the interventions of wellbeing at week 6), with replications per engine.
CASES = {
    "erlang_c": dict(horizon=8 * 60.0, warmup=30.0),
    "erlang_a": dict(horizon=8 * 60.0, warmup=30.0),
    "erlang_a_repeats": dict(horizon=8 * 60.0, warmup=30.0),
    "geometric": dict(horizon=2 * DAY, warmup=DAY / 4),
    "contact_centre": dict(horizon=10 * DAY, warmup=2 * DAY),
    "demand_spike": dict(horizon=6 * WEEK, warmup=WEEK),
    "wellbeing": dict(horizon=7 * WEEK, warmup=WEEK),
    "measurement": dict(horizon=3 * WEEK, warmup=WEEK),  # two management reviews, decisions applied
}
SIMPY_REPS, FAST_REPS, SEED, OTHER_SEED = 5, 20, 11, 5011
FAMILY_ALPHA = 0.01
CORE = ("erlang_c", "erlang_a", "erlang_a_repeats", "geometric")  # mechanisms off: the queueing core


def _scenario(name: str):
    return cxsim.load_scenario(SCENARIOS / f"{name}.yaml").model_copy(update=CASES[name])


@pytest.fixture(scope="module")
def runs() -> dict[str, dict[str, cxsim.Results]]:
    """SimPy and fast on the same seed (tables kept), and fast on another seed, for every case."""
    out = {}
    for name in CASES:
        s = _scenario(name)
        out[name] = {"simpy": cxsim.run(s, replications=SIMPY_REPS, seed=SEED, engine="simpy"),
                     "fast": cxsim.run(s, replications=SIMPY_REPS, seed=SEED, engine="fast"),
                     "fast_other": cxsim.run(s, replications=FAST_REPS, seed=OTHER_SEED, engine="fast",
                                             keep_tables=False)}
    return out


@pytest.mark.parametrize("name", ["erlang_a_repeats", "contact_centre"])
def test_quick_identity(name):
    """The quick check's guard: both engines, one short replication, every table equal bit for bit."""
    s = _scenario(name).model_copy(update={"horizon": 6 * 60.0 if name != "contact_centre" else 2 * DAY,
                                           "warmup": 60.0})
    pair = {engine: cxsim.run(s, replications=1, seed=SEED, engine=engine) for engine in ("simpy", "fast")}
    _assert_identical(pair)


@pytest.mark.slow
@pytest.mark.parametrize("name", CORE)
def test_queueing_core_trajectories_are_identical(runs, name):
    """Arrivals, abandonment, retrials, repeats and routing: every record equal, bit for bit."""
    _assert_identical(runs[name])


@pytest.mark.slow
@pytest.mark.parametrize("name", [n for n in CASES if n not in CORE])
def test_whole_model_trajectories_are_identical(runs, name):
    """Handling, erosion, wellbeing, experience, loyalty, shifts, interventions: the same, bit for bit."""
    _assert_identical(runs[name])


def _assert_identical(pair: dict[str, cxsim.Results]) -> None:
    simpy, fast = pair["simpy"], pair["fast"]
    assert simpy.tables and simpy.tables.keys() == fast.tables.keys()
    for key, tables in simpy.tables.items():
        assert len(tables["encounters"]) > 100, "a case too small to tell anything"
        for table in ("encounters", "journeys", "agents", "daily", "reviews"):
            if table not in tables:
                continue
            pd.testing.assert_frame_equal(tables[table], fast.tables[key][table], check_exact=True,
                                          obj=f"{key} {table}")
    pd.testing.assert_frame_equal(simpy.metrics, fast.metrics, check_exact=True)


def test_written_files_are_byte_identical(tmp_path):
    """Both engines' records go through one writer (cxsim.tables): the same run gives the same bytes."""
    s = cxsim.load_scenario(SCENARIOS / "contact_centre.yaml").model_copy(update={"horizon": 3 * DAY, "warmup": DAY})
    folders = {engine: cxsim.run(s, replications=2, seed=SEED, engine=engine).write(tmp_path / engine)
               for engine in ("simpy", "fast")}
    names = sorted(p.name for p in folders["simpy"].iterdir())
    assert {"encounters.parquet", "journeys.parquet", "agents.parquet", "daily.parquet"} <= set(names)
    assert names == sorted(p.name for p in folders["fast"].iterdir())
    for name in names:
        a, b = ((folders[e] / name).read_bytes() for e in ("simpy", "fast"))
        if name == "summary.json":  # it names the engine, and nothing else may differ
            a = a.replace(b'"engine": "simpy"', b'"engine": "fast"')
        assert a == b, name


def _comparisons(runs) -> list[tuple[str, str, str, np.ndarray, np.ndarray]]:
    out = []
    for name, pair in runs.items():
        a, b = pair["simpy"].metrics, pair["fast_other"].metrics
        for policy in pair["simpy"].policies:
            x, y = a[a["policy"] == policy], b[b["policy"] == policy]
            for metric in pair["simpy"].metric_names():
                out.append((name, policy, metric, x[metric].to_numpy(float), y[metric].to_numpy(float)))
    return out


@pytest.mark.slow
def test_every_metric_agrees_statistically(runs):
    """Welch's t-test per (scenario, policy, metric); Holm's step-down keeps the family's false alarms ≤ 1 %.

    With 5 against 20 replications and some 300 comparisons this catches a shift of a few standard
    deviations of a replication's mean — a gross error. The bit-for-bit identity tests above are the
    sharp guard; this one checks the fast engine on seeds the reference never ran.
    """
    tests, failures = [], []
    for name, policy, metric, x, y in _comparisons(runs):
        x, y = x[~np.isnan(x)], y[~np.isnan(y)]
        assert len(x) == SIMPY_REPS and len(y) == FAST_REPS, f"{name}/{policy}/{metric} missing in an engine"
        if x.std() == 0 and y.std() == 0:  # e.g. no burnout at all in either engine
            if x.mean() != pytest.approx(y.mean(), rel=1e-9, abs=1e-12):
                failures.append(f"{name}/{policy}/{metric}: constant {x.mean()} vs {y.mean()}")
            continue
        p = stats.ttest_ind(x, y, equal_var=False).pvalue
        tests.append((p, f"{name}/{policy}/{metric}: simpy {x.mean():.4g} vs fast {y.mean():.4g} (p={p:.2g})"))
    assert len(tests) > 150, f"only {len(tests)} metrics had any variation"
    tests.sort()
    for rank, (p, label) in enumerate(tests):  # Holm: reject while p ≤ α / (m − rank)
        if p > FAMILY_ALPHA / (len(tests) - rank):
            break
        failures.append(label)
    assert not failures, "\n".join(failures)


def test_summary_only_reports_exactly_the_full_metrics():
    """No per-contact records, same numbers: the metrics are tallied by the same kernel either way."""
    for name, policy in (("contact_centre", "efficiency"), ("erlang_a", None), ("wellbeing", "lean")):
        params = compile_scenario(_scenario(name), policy)
        names = (tuple(c.name for c in params.channels), params.need_names, tuple(t.name for t in params.teams))
        full = replication_metrics(get_engine("simpy")(params, SEED, 0).tables(*names), params)
        assert tally_metrics(*get_summary("fast")(params, SEED, 0), params) == full
    assert get_summary("simpy") is None


@pytest.mark.slow
def test_sweeps_use_summary_only_runs_and_match_the_reference():
    s = _scenario("erlang_a")
    fast = cxsim.run(s, replications=2, engine="fast", sets=["teams.agents.agents=48,52"])
    simpy = cxsim.run(s, replications=2, engine="simpy", sets=["teams.agents.agents=48,52"])
    assert not fast.tables  # a sweep keeps no tables: the fast engine ran summary-only
    pd.testing.assert_frame_equal(fast.metrics, simpy.metrics, check_exact=True)


@pytest.mark.slow
def test_results_do_not_depend_on_the_number_of_workers():
    s = _scenario("contact_centre")
    one = cxsim.run(s, replications=2, engine="fast", keep_tables=False)
    two = cxsim.run(s, replications=2, engine="fast", keep_tables=False, jobs=2)
    pd.testing.assert_frame_equal(one.metrics, two.metrics, check_exact=True)


def test_cli_runs_the_fast_engine(tmp_path):
    result = subprocess.run([sys.executable, "-m", "cxsim.cli", "run", str(SCENARIOS / "erlang_a.yaml"), "-r", "2",
                             "--engine", "fast", "-o", str(tmp_path / "out")], capture_output=True, text=True,
                            cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert "engine fast" in result.stdout
    assert (tmp_path / "out" / "summary.json").exists()


@pytest.mark.slow
def test_summary_only_memory_does_not_grow_with_contacts():
    """A run four times longer needs no more memory: nothing is kept per contact."""
    script = textwrap.dedent("""
        import resource, sys
        import cxsim
        from cxsim.compiled import compile_scenario
        from cxsim.engines.fast import simulate_summary
        from cxsim.tallies import C_ENCOUNTERS
        s = cxsim.load_scenario(sys.argv[1]).model_copy(update={"horizon": 30.0, "warmup": 0.0})
        simulate_summary(compile_scenario(s), 1, 0)  # load the compiled code
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        s = s.model_copy(update={"horizon": float(sys.argv[2])})
        _, counts, _ = simulate_summary(compile_scenario(s), 1, 0)
        after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(int(counts[C_ENCOUNTERS]), (after - before) / 1024)
    """)
    growth = {}
    for horizon in (8 * DAY, 32 * DAY):
        out = subprocess.run([sys.executable, "-c", script, str(SCENARIOS / "erlang_a_repeats.yaml"), str(horizon)],
                             capture_output=True, text=True, check=True).stdout.split()
        growth[horizon] = (int(out[0]), float(out[1]))
    (few, grew_few), (many, grew_many) = growth[8 * DAY], growth[32 * DAY]
    assert many > 3.5 * few > 500_000
    # Records would take ≥ 128 bytes per contact: ≥ 200 MB more for the longer run.
    assert grew_many - grew_few < 20, growth


@pytest.mark.parametrize("name", ["stress", "selfloop", "massleave", "tinypop"])
def test_adversarial_scenarios_from_tiny_arrays_are_identical(name, monkeypatch):
    """Corner cases, every array group starting tiny so that each growth path runs mid-event:
    stress (transfers, ownership, chat concurrency 3, two self-service channels switching, shifts
    from Monday 0 h, interventions at 0 and a policy switch, restaffing down and up, burnout,
    attrition, hiring, churn, empirical and deterministic work, a warm-up off midnight), selfloop
    (self-service switching to self-service, many records in one event), massleave (2,100 agents
    burning out and leaving on one day), tinypop (every customer churning)."""
    from cxsim.engines.fast import driver

    monkeypatch.setitem(driver.START_CAPACITY, "needs", 2)
    monkeypatch.setitem(driver.START_CAPACITY, "heap", 8)
    monkeypatch.setitem(driver.START_CAPACITY, "encounters", 16)
    monkeypatch.setitem(driver.START_CAPACITY, "journeys", 16)
    monkeypatch.setitem(driver.START_CAPACITY, "customers", 1)
    monkeypatch.setitem(driver.START_CAPACITY, "agents", 1)
    scenario = cxsim.load_scenario(ROOT / "tests" / "data" / f"{name}.yaml")
    for policy in scenario.policies:
        params = compile_scenario(scenario, policy)
        names = (tuple(c.name for c in params.channels), params.need_names, tuple(t.name for t in params.teams))
        for seed in (1, 2):
            a = get_engine("simpy")(params, seed, 0).tables(*names)
            b = get_engine("fast")(params, seed, 0).tables(*names)
            assert len(a["encounters"]) + len(a["agents"]) > 20  # something happened
            for table in a:
                pd.testing.assert_frame_equal(a[table], b[table], check_exact=True, obj=f"{name}/{policy}/{table}")


def test_a_parameter_the_fast_engine_does_not_know_is_refused_by_name(monkeypatch, tmp_path):
    """A model feature added after the fast engine was written must not be silently ignored."""
    from cxsim.engines.fast import params as fast_params
    from cxsim.scenario import ScenarioError

    scenario = _scenario("erlang_a")
    assert cxsim.run(scenario, replications=1, engine="fast").metrics["p_wait"].notna().all()  # known: runs
    monkeypatch.setitem(fast_params.KNOWN, "WellbeingParams", fast_params.KNOWN["WellbeingParams"] - {"hiring_delay"})
    with pytest.raises(ScenarioError, match=r"fast engine does not support WellbeingParams\.hiring_delay"):
        cxsim.run(scenario, replications=1, engine="fast")
    assert cxsim.run(scenario, replications=1, engine="simpy").metrics["p_wait"].notna().all()  # the reference runs


POISON = -1.2345e300  # no time, count, code or score a record holds (NaN is a record's "none")


@pytest.mark.parametrize("name", ["erlang_a_repeats", "contact_centre", "measurement"])
def test_record_tables_do_not_depend_on_what_their_memory_held(name, monkeypatch):
    """The engine allocates its encounter and journey tables uninitialised (every kept row is written
    whole): a run whose fresh record memory is filled with a value no record holds must give exactly
    the records of a normal run. (Fresh memory from the system is zeroed, so a column left unwritten would otherwise
    pass unseen as zeros.)"""
    from cxsim.engines.fast import driver, state

    params = compile_scenario(_scenario(name).model_copy(update={"horizon": min(CASES[name]["horizon"], 5 * DAY)}))
    plain = driver.run(params, SEED, 0)
    empty = state._empty

    def poisoned(field, *args):
        array = empty(field, *args)
        if field in ("enc", "jour"):
            array.fill(POISON)
        return array

    monkeypatch.setattr(state, "_empty", poisoned)  # (a table that grows gets zeros: grow() fills them)
    poisoned_run = driver.run(params, SEED, 0)
    for i, what in enumerate(("encounters", "journeys")):
        assert len(plain[i]) > 100, what
        assert not (poisoned_run[i] == POISON).any(), f"{name}: a {what} column was left unwritten"
        np.testing.assert_array_equal(plain[i], poisoned_run[i], err_msg=f"{name}: {what}")  # NaN == NaN here

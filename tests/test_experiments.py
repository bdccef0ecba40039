"""Experiments: statistics, sweeps, backends (local processes, a real Dask cluster), resume, staffing."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats as scipy_stats

import cxsim
from cxsim.experiment.runner import cache_folder
from cxsim.queueing import erlang_c_agents
from cxsim.scenario import ScenarioError
from cxsim.stats import interval, mser, paired_difference, relative_half_width

from helpers import ROUND_THE_CLOCK, SCENARIOS, VALID


def small(name: str = "erlang_a.yaml", **update):
    return cxsim.load_scenario(SCENARIOS / name).model_copy(update={"horizon": 120.0, "warmup": 10.0, **update})


def cli(*args: str, cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cxsim.cli", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, env=dict(os.environ, COLUMNS="160"))


# --- statistics ----------------------------------------------------------------------------------

def test_interval_is_the_student_t_interval():
    x = np.array([1.0, 2.0, 4.0, 3.5, 2.5])
    s = interval(x)
    low, high = scipy_stats.t.interval(0.95, 4, loc=x.mean(), scale=scipy_stats.sem(x))
    assert (s["mean"], s["n"]) == (pytest.approx(x.mean()), 5)
    assert (s["ci_low"], s["ci_high"]) == (pytest.approx(low), pytest.approx(high))
    assert relative_half_width(s) == pytest.approx((high - low) / 2 / x.mean())


def test_interval_agrees_with_scipy_stats_to_the_bit():
    """cxsim.stats avoids importing scipy.stats (a second of start-up); summary.json must not change."""
    rng = np.random.default_rng(5)
    for _ in range(500):
        n = int(rng.integers(2, 40))
        x = rng.normal(rng.normal(0, 100), rng.exponential(10), n) * 10.0 ** rng.integers(-4, 5)
        low, high = scipy_stats.t.interval(0.95, n - 1, loc=x.mean(), scale=scipy_stats.sem(x))
        s = interval(x)
        assert (s["ci_low"], s["ci_high"]) == (float(low), float(high))


def test_paired_difference_uses_the_pairs():
    rng = np.random.default_rng(3)
    common = rng.normal(0, 10, 20)
    a, b = common + 1.0 + rng.normal(0, 0.1, 20), common + rng.normal(0, 0.1, 20)
    d = paired_difference(a, b)
    assert d["ci_low"] > 0.8 and d["ci_high"] < 1.2  # an unpaired interval would be ±6


def test_mser5_finds_the_end_of_a_transient():
    rng = np.random.default_rng(11)
    transient = np.linspace(50, 10, 30)
    series = np.concatenate([transient + rng.normal(0, 1, 30), 10 + rng.normal(0, 1, 170)])
    cut = mser(series)
    assert 20 <= cut <= 40 and cut % 5 == 0
    # On a stationary series MSER may cut at a random dip, but never past half, and the mean survives.
    flat = 10 + rng.normal(0, 1, 200)
    cut = mser(flat)
    assert cut <= 100 and abs(flat[cut:].mean() - 10) < 0.3


# --- sweeps and backends ---------------------------------------------------------------------------

SETS = ["teams.agents.agents=48,52"]


@pytest.fixture(scope="module")
def serial_sweep():
    return cxsim.run(small(), replications=2, sets=SETS, keep_tables=False)


def test_a_sweep_is_a_tidy_table(serial_sweep, tmp_path):
    m = serial_sweep.metrics
    assert list(m.columns[:4]) == ["point", "teams.agents.agents", "policy", "replication"]
    assert sorted(m["teams.agents.agents"].unique()) == [48, 52] and len(m) == 4
    # More agents, less waiting, on the same customers.
    by = m.set_index(["teams.agents.agents", "replication"])["mean_wait"]
    assert (by[52] < by[48]).all()
    folder = serial_sweep.write(tmp_path / "out")
    runs = pd.read_parquet(folder / "runs.parquet")
    pd.testing.assert_frame_equal(runs, m)
    summary = json.loads((folder / "summary.json").read_text())
    assert [p["values"] for p in summary["points"]] == [{"teams.agents.agents": 48}, {"teams.agents.agents": 52}]


def test_results_do_not_depend_on_the_number_of_workers(serial_sweep):
    parallel = cxsim.run(small(), replications=2, sets=SETS, keep_tables=False, jobs=2)
    pd.testing.assert_frame_equal(parallel.metrics, serial_sweep.metrics)


@pytest.mark.slow
def test_results_on_a_dask_cluster_are_the_same(serial_sweep, tmp_path):
    """A real dask.distributed scheduler and two worker processes, on loopback only."""
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None) as cluster:
        address = cluster.scheduler_address
        assert address.startswith("tcp://127.0.0.1:")
        on_cluster = cxsim.run(small(), replications=2, sets=SETS, keep_tables=False, scheduler=address)
        pd.testing.assert_frame_equal(on_cluster.metrics, serial_sweep.metrics)
        scenario = tmp_path / "s.yaml"
        scenario.write_text((SCENARIOS / "erlang_a.yaml").read_text().replace("horizon: 8 h", "horizon: 2 h"))
        done = cli("run", str(scenario), "-r", "2", "--scheduler", address, "--set", "teams.agents.agents=48,52",
                   "--out", "out", cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        assert len(pd.read_parquet(tmp_path / "out" / "runs.parquet")) == 4
        # The workers run in the cluster's working directory, not the command's: they must have stored
        # the runs in the command's cache, and nothing where they run.
        assert not (Path.cwd() / ".out.runs").exists()


def test_a_sweep_block_in_the_scenario(tmp_path):
    text = (SCENARIOS / "erlang_a.yaml").read_text().replace("horizon: 8 h", "horizon: 2 h")
    (tmp_path / "s.yaml").write_text(text + "sweep:\n  teams.agents.agents: [48, 52]\n  channels.phone.patience.mean: [1 min, 3 min]\n")
    done = cli("run", "s.yaml", "-r", "1", "--out", "out", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    runs = pd.read_parquet(tmp_path / "out" / "runs.parquet")
    assert len(runs) == 4 and set(runs["channels.phone.patience.mean"]) == {"1 min", "3 min"}


def test_a_bad_sweep_value_is_reported_before_anything_runs(tmp_path):
    done = cli("run", str(SCENARIOS / "erlang_a.yaml"), "--set", "teams.agents.agents=40,-3", "--out", "out",
               cwd=tmp_path)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "teams.agents.agents" in done.stderr and "teams.agents.agents=-3" in done.stderr
    assert not (tmp_path / "out").exists() and not cache_folder(tmp_path / "out").exists()


# --- interruption and resume ---------------------------------------------------------------------------

def test_an_interrupted_run_keeps_finished_runs_and_resumes(tmp_path):
    cache = tmp_path / "cache"
    seen = []

    def stop_after_two(finished, total):
        seen.append(finished)
        if finished == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        cxsim.run(small(), replications=3, sets=SETS, keep_tables=False, cache=cache, on_run=stop_after_two)
    assert len([f for f in cache.glob("*.json") if f.name != "manifest.json"]) == 2
    progress = []
    resumed = cxsim.run(small(), replications=3, sets=SETS, keep_tables=False, cache=cache,
                        on_run=lambda finished, total: progress.append((finished, total)))
    assert progress[0] == (2, 6)  # the two finished runs were skipped
    fresh = cxsim.run(small(), replications=3, sets=SETS, keep_tables=False)
    pd.testing.assert_frame_equal(resumed.metrics, fresh.metrics)


@pytest.mark.slow
def test_a_killed_command_resumes_where_it_stopped(tmp_path):
    scenario = tmp_path / "s.yaml"
    scenario.write_text((SCENARIOS / "erlang_a.yaml").read_text().replace("horizon: 8 h", "horizon: 3 h"))
    # The SimPy engine: slow enough for the process to be killed between runs.
    args = [sys.executable, "-m", "cxsim.cli", "run", "s.yaml", "-r", "6", "--out", "out", "--engine", "simpy"]
    process = subprocess.Popen(args, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    runs = cache_folder(tmp_path / "out")
    deadline = time.time() + 120
    while time.time() < deadline and len(list(runs.glob("p*.json"))) < 2:
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()
    kept = len(list(runs.glob("p*.json")))
    assert 2 <= kept < 6 and not (tmp_path / "out").exists()
    done = subprocess.run(args, cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert json.loads((tmp_path / "out" / "summary.json").read_text())["replications"] == 6
    assert not runs.exists()


def test_a_folder_of_another_scenario_is_refused(tmp_path):
    cache = tmp_path / "cache"
    with pytest.raises(KeyboardInterrupt):
        def stop(finished, total):
            if finished == 1:
                raise KeyboardInterrupt
        cxsim.run(small(), replications=2, keep_tables=False, cache=cache, on_run=stop)
    with pytest.raises(ScenarioError, match="different experiment"):
        cxsim.run(small(horizon=90.0), replications=2, keep_tables=False, cache=cache)
    # --fresh discards it on purpose.
    cxsim.run(small(horizon=90.0), replications=1, keep_tables=False, cache=cache, fresh=True)


# --- precision, warm-up, compare, staff -----------------------------------------------------------------------

@pytest.mark.slow
def test_precision_adds_replications_until_tight():
    loose = small("erlang_c.yaml", horizon=240.0, warmup=30.0)
    r = cxsim.run(loose, replications=2, precision=0.05, max_replications=64, keep_tables=False)
    worst = max(v for k, v in r.summary()["precision"]["baseline"].items()
                if k in ("aht", "occupancy", "service_level", "contacts_per_need", "time_to_resolution"))
    # Met before the cap: it added replications, stopped as soon as the target held, not at the cap.
    assert 2 < r.replications < 64 and worst <= 0.05


@pytest.mark.slow
def test_automatic_warmup_finds_a_known_transient(tmp_path):
    """A known transient: a queue at ρ = 0.5 gets three times its demand for its first three days, builds
    a backlog of ~52,000 and clears it by about day 6. MSER-5 on the daily backlog must cut after the
    backlog has cleared — never inside the transient — and short of the longest cut it may take (half
    the run). Which five-day batch after the transient it picks is left to the noise."""
    text = VALID.replace("horizon: 8 h", "horizon: 60 d").replace("warmup: 30 min", "warmup: auto") \
        .replace("rate: 360 /30min", "rate: 360 /30min\n  spikes:\n    - {start: 0, length: 3 d, factor: 3}") \
        .replace("agents: 55", "agents: 96") + "mechanisms: off\n"
    path = tmp_path / "transient.yaml"
    path.write_text(text)
    r = cxsim.run(cxsim.load_scenario(path), replications=3, engine="fast", keep_tables=False)
    days = r.metrics["warmup"] / 1440.0
    assert ((days >= 5) & (days < 30)).all(), list(days)


@pytest.mark.slow
def test_automatic_warmup_is_whole_days_and_measured(tmp_path):
    scenario = cxsim.load_scenario(ROUND_THE_CLOCK).model_copy(
        update={"horizon": 14 * 1440.0, "warmup": "auto", "policies": {"steady": cxsim.scenario.schema.Policy()}})
    r = cxsim.run(scenario, replications=2, keep_tables=False)
    assert (r.metrics["warmup"] % 1440.0 == 0).all() and (r.metrics["warmup"] < 7 * 1440.0).all()


@pytest.mark.slow
def test_compare_says_only_what_the_intervals_say(tmp_path):
    text = (SCENARIOS / "erlang_a.yaml").read_text().replace("horizon: 8 h", "horizon: 2 h")
    text += "policies:\n  a: {}\n  b: {}\n  more: {staffing: 1.1}\n"
    (tmp_path / "s.yaml").write_text(text.replace("mechanisms: off", "mechanisms: {handling: true, erosion: false, "
                                                  "wellbeing: false, experience: false, loyalty: false}"))
    done = cli("compare", "s.yaml", "-r", "4", "--policies", "a,b,more", "--out", "out", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    lines = [line for line in done.stdout.splitlines() if line.startswith("•")]
    # Policies a and b are the same policy on the same customers: never a difference.
    assert all("no clear difference" in line for line in lines if " b " in line or "between b" in line)
    # 10 % more agents: a real, positive difference in service level, with the summary's numbers.
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    d = summary["differences"]["more-a"]["service_level"]
    sentence = next(line for line in lines if line.startswith("• more") and "service level" in line)
    assert "raises" in sentence and f"{d['mean']:.4f}" in sentence


@pytest.mark.slow
def test_staff_agrees_with_erlang_c(tmp_path):
    done = cli("staff", str(SCENARIOS / "erlang_c.yaml"), "--team", "agents", "--target", "service_level>=0.8",
               "-r", "12", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    row = next(line for line in done.stdout.splitlines() if "baseline" in line)
    agents = int(row.split("│")[2])
    assert abs(agents - erlang_c_agents(12.0, 4.0, 20 / 60, 0.8)) <= 1

"""Calibration from a contact log (MODEL.md §10c, §11): parameter recovery is the oracle.

A log simulated from ``docs/examples/small_centre.yaml`` (known parameters, mechanisms off, wall
clock) is calibrated back; every recovered parameter's interval must contain the value it was
generated with, and be tight enough that a wide interval cannot pass. Intervals are 99 %: with 13
scalar parameters a correct calibration fails at most about one seed in eight by chance (the seed
is fixed), and the 31 profile weights are tested together by a chi-square statistic instead.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import cxsim
from cxsim.calibrate import LogError, calibrate, read_log
from cxsim.calibrate.check import compare, log_kpis, simulate
from cxsim.calibrate.export import export_log, write_log
from cxsim.calibrate.scenario import build, dump, validate
from cxsim.compiled import compile_scenario
from cxsim.kernels.arrivals import customer_delay, customer_return_time
from helpers import ROOT

TRUTH = ROOT / "docs" / "examples" / "small_centre.yaml"
DAYS = 28
LEVEL = 0.99


@pytest.fixture(scope="module")
def logged(tmp_path_factory) -> Path:
    scenario = cxsim.load_scenario(TRUTH)
    results = cxsim.run(scenario, replications=1, engine="fast")
    log = export_log(results.table("encounters"), results.table("journeys"), until=DAYS * 1440.0)
    path = tmp_path_factory.mktemp("log") / "log.csv"
    write_log(log, path)
    return path


@pytest.fixture(scope="module")
def fitted(logged):
    return calibrate(read_log(logged), level=LEVEL)


def _by_path(cal) -> dict:
    return {e.path: e for e in cal.estimates()}


def test_every_recovered_parameter_contains_the_truth(fitted):
    truth = cxsim.load_scenario(TRUTH)
    found = _by_path(fitted)
    expected = {
        "demand.open.rate": truth.demand.open.rate * 60,
        "needs.billing.work_time.mean": 5.0, "needs.billing.work_time.cv": 0.8,
        "needs.fault.work_time.mean": 9.0, "needs.fault.work_time.cv": 1.2,
        "channels.phone.patience.mean": 3.0,
        "channels.phone.retrial.probability": 0.5, "channels.phone.retrial.delay.mean": 15.0,
        "needs.billing.resolution": 0.8, "needs.fault.resolution": 0.65,
        "returns.delay.mean": 1440.0, "returns.switch.phone.email": 0.2,
        "demand.channel_mix.phone": 0.7,
    }
    for path, value in expected.items():
        e = found[path]
        assert e.contains(value), f"{path}: {value} outside [{e.low:.4g}, {e.high:.4g}]"
        assert e.high - e.low < 0.3 * value, f"{path}: interval [{e.low:.4g}, {e.high:.4g}] too wide to say anything"
    assert fitted.work["billing"].dist == fitted.work["fault"].dist == "lognormal"


def test_the_demand_profile_is_recovered(fitted, logged):
    """The hour-of-day and weekday counts of new needs agree with the true profile (chi-square)."""
    truth = cxsim.load_scenario(TRUTH)
    demand = truth.demand
    for estimates, weights in ((fitted.hourly, demand.hourly_profile), (fitted.weekly, demand.weekly_profile)):
        w = np.asarray(weights) / np.mean(weights)
        counts = np.array([e.n for e in estimates], dtype=float)
        expected = counts.sum() * w / w.sum()
        assert stats.chisquare(counts, expected).pvalue > 0.001


def test_head_count_and_shifts_come_from_agent_ids(fitted):
    teams = {t.name: t for t in fitted.teams}
    assert teams["phone"].agents == 7 and teams["phone"].start_hour is None
    email = teams["email"]
    assert (email.agents, email.start_hour, email.hours, email.days) == (6, 7, 12, ("mon", "tue", "wed", "thu", "fri"))


def test_the_written_scenario_loads_and_marks_what_is_not_from_data(fitted):
    text = dump(build(fitted, "fitted"))
    scenario = validate(text, "fitted.yaml")
    assert scenario.clock == "wall"
    assert "*(not from data)*" in text and "give_up" in text
    assert "99 % CI" in text


def test_check_puts_every_kpi_of_the_log_inside_the_simulated_range(fitted):
    text = dump(build(fitted, "fitted"))
    scenario = validate(text, "fitted.yaml")
    logged_kpis = log_kpis(fitted.contacts, fitted.kinds, fitted.window, fitted.end)
    rows = compare(logged_kpis, simulate(scenario, fitted.kinds, fitted.window, DAYS, 5))
    assert {r.kpi for r in rows} >= {"service_level.phone", "p_abandon.phone", "aht", "fcr", "contacts_per_need",
                                      "occupancy"}
    assert all(r.inside for r in rows), [r.sentence() for r in rows if not r.inside]


def test_column_mapping_and_parquet_and_excel_give_the_same_log(logged, tmp_path):
    frame = pd.read_csv(logged, dtype=str).head(300).rename(columns={"timestamp": "start", "need_type": "queue"})
    frame.to_parquet(tmp_path / "log.parquet")
    frame.to_excel(tmp_path / "log.xlsx", index=False)
    mapping = {"start": "timestamp", "queue": "need_type"}
    a = read_log(tmp_path / "log.parquet", mapping).frame
    b = read_log(tmp_path / "log.xlsx", mapping).frame
    assert len(a) == 300 and np.allclose(a["t"], b["t"]) and np.allclose(a["wait"], b["wait"])


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cxsim.cli", *args], cwd=cwd, capture_output=True, text=True)


def test_a_bad_log_is_refused_by_row_and_column_and_nothing_is_written(logged, tmp_path):
    bad = pd.read_csv(logged, dtype=str, nrows=5)
    bad.loc[1, "wait"] = "-4"
    bad.loc[2, "timestamp"] = "yesterday"
    bad.loc[3, "outcome"] = "lost"
    bad.to_csv(tmp_path / "bad.csv", index=False)
    (tmp_path / "fitted.yaml").write_text("mine\n")
    done = _cli("calibrate", "bad.csv", "--out", "fitted.yaml", cwd=tmp_path)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.splitlines() == ["bad.csv:3: wait: negative duration (-4)",
                                        "bad.csv:4: timestamp: not a date and time (yesterday)",
                                        ("bad.csv:5: outcome: not one of answered, abandoned, transferred, "
                                         "self_service (lost)")]
    assert (tmp_path / "fitted.yaml").read_text() == "mine\n"
    bad.drop(columns=["handle_time"]).to_csv(tmp_path / "short.csv", index=False)
    with pytest.raises(LogError) as refused:
        read_log(tmp_path / "short.csv")
    assert [line.split(" (")[0] for line in refused.value.problems] == [f"{tmp_path / 'short.csv'}:1: missing column "
                                                                        "'handle_time'"]


def test_surveys_give_response_rate_score_and_measured_nps(tmp_path):
    rows = []
    for i in range(200):
        rows.append({"contact_id": i, "customer_id": f"c{i}", "timestamp": f"2026-01-05 09:{i % 60:02d}:00",
                     "channel": "phone", "need_type": "q", "wait": 10, "handle_time": 300, "outcome": "answered",
                     "agent_id": "a1", "survey_score": (10 if i % 4 == 0 else 3) if i % 2 == 0 else None})
    pd.DataFrame(rows).to_csv(tmp_path / "s.csv", index=False)
    found = _by_path(calibrate(read_log(tmp_path / "s.csv")))
    assert found["survey.response_rate"].value == 0.5
    assert found["survey.nps_measured"].value == pytest.approx(0.0)   # half 10s, half 3s among answers
    assert found["survey.mean_score"].contains(6.5)


def test_the_wall_clock_is_plain_minutes_and_the_default_is_unchanged():
    base = cxsim.load_scenario(TRUTH)
    demand_clock = compile_scenario(base.model_copy(update={"clock": "demand"}))
    wall = compile_scenario(base)
    assert wall.wall_clock and not demand_clock.wall_clock
    assert np.array_equal(demand_clock.week_rate, wall.week_rate)
    assert np.array_equal(demand_clock.week_profile, wall.week_profile)
    rng = np.random.default_rng(3)
    for now, delay in zip(rng.uniform(0, 60 * 1440, 2000), rng.exponential(1440, 2000)):
        assert customer_return_time(now, delay, wall.week_profile, True) == now + delay  # exactly
        assert customer_return_time(now, delay, wall.week_profile, False) == customer_delay(now, delay,
                                                                                            wall.week_profile)
    # A scenario that does not name a clock compiles as before: delays along the demand profile.
    default = compile_scenario(cxsim.load_scenario(ROOT / "scenarios" / "contact_centre.yaml"))
    assert not default.wall_clock
    assert np.allclose(default.week_profile, default.week_rate / default.week_rate.mean(), rtol=1e-12)


def test_the_readme_documents_every_log_column():
    from cxsim.calibrate.log import COLUMNS
    section = (ROOT / "README.md").read_text(encoding="utf-8").split("## Your own centre", 1)[1].split("\n## ", 1)[0]
    assert all(f"| `{name}` |" in section for name in COLUMNS)


def test_both_engines_run_the_wall_clock_alike():
    scenario = cxsim.load_scenario(TRUTH).model_copy(update={"horizon": 3 * 1440.0})
    reference = cxsim.run(scenario, replications=1, engine="simpy").table("encounters")
    fast = cxsim.run(scenario, replications=1, engine="fast").table("encounters")
    assert (reference["kind"] == "retrial").sum() > 20 and (reference["kind"] == "repeat").sum() > 100
    assert fast.equals(reference)


def test_delays_are_recovered_in_the_clock_the_scenario_runs_on(tmp_path):
    """With ``clock: demand`` a 15-minute retry takes about 8 wall minutes at the peak (where callers
    abandon) and hours at night: fitted along the log's own demand profile the delays come back as
    generated; fitted on the wall clock they do not."""
    scenario = cxsim.load_scenario(TRUTH).model_copy(update={"clock": "demand", "horizon": 15 * 1440.0})
    results = cxsim.run(scenario, replications=1, engine="fast")
    log = export_log(results.table("encounters"), results.table("journeys"), until=14 * 1440.0)
    write_log(log, tmp_path / "log.parquet")
    contacts = read_log(tmp_path / "log.parquet")
    demand = _by_path(calibrate(contacts, level=LEVEL, clock="demand"))
    wall = _by_path(calibrate(contacts, level=LEVEL, clock="wall"))
    for path, truth in (("channels.phone.retrial.delay.mean", 15.0), ("returns.delay.mean", 1440.0)):
        assert demand[path].contains(truth), (path, demand[path])
    assert not wall["channels.phone.retrial.delay.mean"].contains(15.0)


def test_surveys_from_a_separate_file_are_matched_by_contact_id(tmp_path):
    rows = [{"contact_id": f"K{i}", "customer_id": f"c{i}", "timestamp": f"2026-01-05 10:{i:02d}:00",
             "channel": "phone", "need_type": "q", "wait": 5, "handle_time": 200, "outcome": "answered",
             "agent_id": "a1"} for i in range(40)]
    pd.DataFrame(rows).to_csv(tmp_path / "log.csv", index=False)
    answers = pd.DataFrame({"contact_id": ["K1", "K2", "K3", "K4"], "survey_score": [10, 9, 2, 8]})
    answers.to_csv(tmp_path / "s.csv", index=False)
    found = _by_path(calibrate(read_log(tmp_path / "log.csv", surveys=tmp_path / "s.csv")))
    assert found["survey.response_rate"].value == pytest.approx(4 / 40)
    assert found["survey.nps_measured"].value == pytest.approx(100 * (2 - 1) / 4)
    pd.DataFrame({"contact_id": ["K1", "Z9"], "survey_score": [10, 11]}).to_csv(tmp_path / "bad.csv", index=False)
    with pytest.raises(LogError) as refused:
        read_log(tmp_path / "log.csv", surveys=tmp_path / "bad.csv")
    assert [p.split(": ", 1)[1] for p in refused.value.problems] == ["survey_score: not a score 0-10 (11)",
                                                                     "contact_id: no such contact in the log (Z9)"]


def test_the_exported_log_carries_each_surveyed_journeys_answer_once():
    from cxsim.scenario.mechanisms import Mechanisms
    scenario = cxsim.load_scenario(TRUTH).model_copy(update={
        "horizon": 3 * 1440.0, "mechanisms": Mechanisms(handling=False, erosion=False, wellbeing=False,
                                                        experience=True, loyalty=False)})
    results = cxsim.run(scenario, replications=1, engine="fast")
    journeys = results.table("journeys")
    log = export_log(results.table("encounters"), journeys)
    answers = journeys.loc[journeys["responded"], "recommend"]
    assert len(answers) > 100
    assert sorted(log["survey_score"].dropna()) == sorted(answers.astype(float))

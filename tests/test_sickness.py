"""Baseline sickness absence (MODEL.md §4 shrinkage, issue 12): spells of whole days, a rate per
agent-day and a mean length, off by default, counted apart from burnout (``sick_area``).

Oracles: the kernel by construction (a geometric length by inversion, the spell's countdown), and
the renewal share rL / (1 + rL) of agent-days off sick on a large idle team, with a t-interval
across replications (agents within a replication are independent; replications are too)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import cxsim
from cxsim.compiled import compile_scenario
from cxsim.kernels.sickness import BACK, FALLS_SICK, NOTHING, sick_share, sickness_day, spell_days
from cxsim.stats import interval

from helpers import SCENARIOS

WEEK, DAY = 10080.0, 1440.0

IDLE = """\
name: sick_team
seed: 2026
replications: 6
horizon: 15 w
warmup: 1 w
mechanisms: {handling: false, erosion: false, wellbeing: true, experience: false, loyalty: false}
wellbeing:
  attrition_per_year: 0
  sickness: {rate: RATE, mean_length: LENGTH}
demand:
  open: {rate: 0.001 /min}
needs:
  call: {share: 1, work_time: {dist: exponential, mean: 1 min}, resolution: 1.0}
channels:
  phone: {kind: phone}
teams:
  agents: {agents: 2000, channels: [phone]}
"""


def idle(tmp_path: Path, rate: str = "0.03 /d", length: str = "3 d"):
    path = tmp_path / "sick.yaml"
    path.write_text(IDLE.replace("RATE", rate).replace("LENGTH", length), encoding="utf-8")
    return cxsim.load_scenario(path)


# --- the kernel, by construction ------------------------------------------------------------------

def test_a_spell_is_geometric_in_whole_days_with_the_mean_asked():
    # P(N > n) = (1 − 1/L)^n: inverting u at the boundaries gives exact lengths
    assert spell_days(3.0, 0.0) == 1
    assert spell_days(3.0, 1 / 3 - 1e-12) == 1 and spell_days(3.0, 1 / 3 + 1e-12) == 2
    assert spell_days(3.0, 1 - (2 / 3) ** 2 + 1e-12) == 3
    assert spell_days(1.0, 0.999) == 1                       # L = 1: always one day
    u = (np.arange(200_000) + 0.5) / 200_000                  # a fine grid of uniforms: the mean itself
    assert np.mean([spell_days(2.5, x) for x in u]) == pytest.approx(2.5, rel=1e-3)


def test_the_daily_decision_counts_down_and_only_an_agent_at_work_falls_sick():
    assert sickness_day(False, 0, False, 1.0, 3.0, 0.0, 0.5) == (0, NOTHING)        # off: nothing happens
    assert sickness_day(True, 0, False, 0.1, 3.0, 0.099, 0.0) == (1, FALLS_SICK)
    assert sickness_day(True, 0, False, 0.1, 3.0, 0.1, 0.0) == (0, NOTHING)          # u ≥ chance
    assert sickness_day(True, 0, True, 1.0, 3.0, 0.0, 0.0) == (0, NOTHING)           # burnt out: not again
    assert sickness_day(True, 3, True, 1.0, 3.0, 0.0, 0.0) == (2, NOTHING)
    assert sickness_day(True, 1, True, 1.0, 3.0, 0.0, 0.0) == (0, BACK)              # back, not sick again today
    assert sick_share(0.03, 3.0) == pytest.approx(0.09 / 1.09, rel=1e-15)


def test_the_rate_compiles_to_a_daily_chance_and_off_is_none(tmp_path):
    assert compile_scenario(idle(tmp_path, "0 /d")).wellbeing.sickness is None
    on = compile_scenario(idle(tmp_path, "0.03 /d", "3 d")).wellbeing.sickness
    assert on.chance == pytest.approx(0.03, rel=1e-12) and on.mean_days == pytest.approx(3.0, rel=1e-12)


@pytest.mark.parametrize("field,value,message", [
    ("rate", "2 /d", "Input should be less than or equal to"),
    ("mean_length", "12 h", "Input should be greater than or equal to 1440"),
])
def test_bad_sickness_is_one_line_at_its_place(tmp_path, field, value, message):
    text = IDLE.replace("RATE", value if field == "rate" else "0.03 /d").replace(
        "LENGTH", value if field == "mean_length" else "2 d")
    (tmp_path / "s.yaml").write_text(text, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    proc = subprocess.run([sys.executable, "-m", "cxsim.cli", "validate", "s.yaml"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2
    lines = [x for x in proc.stderr.splitlines() if x.strip()]
    line = 1 + text[:text.index("  sickness:")].count("\n")
    assert len(lines) == 1 and lines[0].startswith(f"s.yaml:{line}:") and \
        f"wellbeing.sickness.{field}: {message}" in lines[0], lines


# --- the whole model ------------------------------------------------------------------------------

def test_the_share_of_agent_days_off_sick_is_rl_over_1_plus_rl(tmp_path):
    """2000 agents, 14 measured weeks, 6 replications: the share off sick against rL/(1 + rL), with a
    99 % t-interval across replications; sick agents are off the phones, and burnout counts none."""
    s = idle(tmp_path)
    results = cxsim.run(s, engine="fast")
    d = results.table("daily")
    d = d[d["start"] >= s.warmup]                          # the daily table starts at time 0
    per = d.groupby("replication")[["sick_area", "employed_area", "staffed_area", "absent_area"]].sum()
    share = per["sick_area"] / per["employed_area"]
    ci = interval(share, confidence=0.99)
    expected = sick_share(0.03, 3.0)                       # 0.0826
    assert ci["ci_low"] <= expected <= ci["ci_high"], (ci, expected)
    assert ci["ci_high"] - ci["ci_low"] < 0.1 * expected    # and the interval says something
    # counted apart from burnout, which never happens here
    assert (d["absent"] == 0).all() and (d["absent_area"] == 0).all()
    # a team always on duty: on the phones = employed − off sick, exactly
    assert per["staffed_area"].to_numpy() == pytest.approx((per["employed_area"] - per["sick_area"]).to_numpy(),
                                                           rel=1e-9)


def test_off_by_default_and_both_engines_identical_with_sickness_on():
    d = cxsim.load_scenario(SCENARIOS / "strain.yaml").model_dump()
    d.update(horizon=3 * WEEK, warmup=WEEK, policies={"efficiency": {}})
    from cxsim.scenario.schema import Scenario
    plain = Scenario.model_validate(d)
    assert compile_scenario(plain, "efficiency").wellbeing.sickness is None
    d["wellbeing"]["sickness"] = {"rate": 0.05 / DAY, "mean_length": 3 * DAY}
    sick = Scenario.model_validate(d)
    a, b = (cxsim.run(sick, replications=1, seed=3, engine=e) for e in ("simpy", "fast"))
    for table in ("daily", "agents", "encounters"):
        pd.testing.assert_frame_equal(a.table(table), b.table(table), check_exact=True)
    assert a.table("daily")["sick_area"].sum() > 0
    off = cxsim.run(plain, replications=1, seed=3, engine="fast").table("daily")
    assert (off["sick_area"] == 0).all()

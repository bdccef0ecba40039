"""Breaks in teams staffed by rule (MODEL.md §4, issue 12): a staffing pattern carries ``breaks`` and
``stagger`` like a team's ``shift:``; every rostered group takes them; the rule's requirement and cost
do not change (breaks are part of the shrinkage)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import cxsim
from cxsim.compiled import compile_scenario

WEEK, HOUR = 10080.0, 60.0

TEXT = """\
name: rule_breaks
seed: 2026
replications: 1
horizon: 2 w
warmup: 1 w
policies: {efficiency: {}}
demand:
  open: {rate: 21 /h}
  hourly_profile: [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0]
  weekly_profile: [1, 1, 1, 1, 1, 0, 0]
needs:
  question: {share: 1, work_time: {dist: lognormal, mean: 6 min, cv: 1}, resolution: 0.8}
channels:
  phone:
    kind: phone
    patience: {dist: exponential, mean: 4 min}
    retrial: {probability: 0.5, delay: {dist: exponential, mean: 30 min}}
wellbeing:
  strain: {enabled: true}
teams:
  desk:
    channels: [phone]
    cost_per_hour: 30
    staffing:
      patterns:
        starts: [8 h]
        lengths: [8 h]
        days_on: 5
        BREAKS
      shrinkage: 0.3
"""
BREAKS = "breaks: [{after: 2 h, length: 15 min}, {after: 4 h, length: 30 min}, {after: 6 h, length: 15 min}]\n" \
         "        stagger: 30 min"


def load(tmp_path: Path, breaks: str, name: str = "s.yaml"):
    path = tmp_path / name
    path.write_text(TEXT.replace("BREAKS", breaks), encoding="utf-8")
    return cxsim.load_scenario(path)


def test_rostered_groups_carry_the_breaks_and_the_rule_is_unchanged(tmp_path):
    plain = compile_scenario(load(tmp_path, "days_off: together"), "efficiency")
    breaks = compile_scenario(load(tmp_path, BREAKS), "efficiency")
    assert [t.breaks for t in breaks.teams] == [((120.0, 15.0), (240.0, 30.0), (360.0, 15.0))] * len(breaks.teams)
    assert all(t.break_stagger == 30.0 for t in breaks.teams)
    assert all(t.breaks == () for t in plain.teams)
    # breaks are part of the shrinkage: the same rota, the same grossed-up rate (30 / 60 / (1 − 0.3))
    assert [(t.name, t.agents, t.shifts) for t in breaks.teams] == [(t.name, t.agents, t.shifts) for t in plain.teams]
    assert all(t.cost_per_minute == pytest.approx(30 / HOUR / 0.7, rel=1e-15) for t in breaks.teams)


def test_rule_staffed_agents_go_on_break_and_both_engines_agree(tmp_path):
    """An agent of the rostered Monday-to-Friday 8-hour shift is on duty ~7 h a day with 1 h of breaks
    (a break is cut short only by a contact still in hand), 8 h without; both engines bit for bit."""
    plain = cxsim.run(load(tmp_path, "days_off: together", "plain.yaml"), seed=3, engine="fast")
    simpy = cxsim.run(load(tmp_path, BREAKS), seed=3, engine="simpy")
    fast = cxsim.run(load(tmp_path, BREAKS), seed=3, engine="fast")
    for table in ("daily", "agents", "encounters"):
        pd.testing.assert_frame_equal(simpy.table(table), fast.table(table), check_exact=True)
    days = 5  # the measured week's working days
    plain_per_day = plain.table("agents")["staffed"] / days / HOUR
    per_day = fast.table("agents")["staffed"] / days / HOUR
    assert len(per_day) == len(plain_per_day) > 0
    assert (plain_per_day >= 8).all() and (plain_per_day < 8.3).all()
    assert (per_day >= 7).all() and (per_day < 7.4).all()


def test_a_break_past_the_shortest_pattern_is_one_clear_line(tmp_path):
    text = TEXT.replace("BREAKS", BREAKS).replace("lengths: [8 h]", "lengths: [6 h, 8 h]")
    (tmp_path / "s.yaml").write_text(text, encoding="utf-8")
    line = 1 + text[:text.index("      patterns:")].count("\n")
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    proc = subprocess.run([sys.executable, "-m", "cxsim.cli", "validate", "s.yaml"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2
    assert [x for x in proc.stderr.splitlines() if x.strip()] == [
        f"s.yaml:{line}:7: teams.desk.staffing.patterns: every break (with its stagger) must end before the "
        f"shortest shift does"]

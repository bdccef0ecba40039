"""Scenario lint: valid scenarios that are probably not what their author meant get a warning line
(FILE:LINE:COL: warning: ...) from `validate` and `run`, and a typo in a --set path names the typo."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from cxsim.cli import app
from cxsim.scenario import load_scenario
from cxsim.scenario.lint import ABANDON_SHARE, OFF_DUTY_SHARE, lint
from helpers import SCENARIOS

OFFICE_HOURS = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0]

HELP_DESK = """\
name: help_desk
horizon: 7 d
warmup: 1 d
replications: 2
demand:
  open: {{rate: 30 /h}}{profile}
needs:
  question: {{share: 1, work_time: {{dist: exponential, mean: 6 min}}, resolution: 0.8}}
channels:
  phone: {{kind: phone}}
teams:
  desk:
    agents: {agents}
    channels: [phone]
    shift: {{start: 8 h, length: 9 h, days: [mon, tue, wed, thu, fri]}}
"""


def write(tmp_path, agents=4, profile="", name="help_desk.yaml", extra=""):
    path = tmp_path / name
    path.write_text(HELP_DESK.format(agents=agents, profile=profile) + extra, encoding="utf-8")
    return path


def messages(path) -> list[str]:
    return [m for _, m in lint(load_scenario(path))]


def test_flat_demand_with_office_hours_shifts_warns_with_the_share(tmp_path):
    """A flat 24/7 profile and Mon–Fri 8–17 shifts: 45 of 168 hours are staffed, so 73 % of calls
    arrive with nobody on duty — by construction, not from a run."""
    found = messages(write(tmp_path))
    assert len(found) == 1 and found[0].startswith(f"{1 - 45 / 168:.0%} of phone contacts arrive when nobody who takes phone")


def test_opening_hours_profile_gets_no_warning(tmp_path):
    profile = f"\n  hourly_profile: {OFFICE_HOURS}\n  weekly_profile: [1, 1, 1, 1, 1, 0, 0]"
    # 30 /h on average over the week arrive in its 45 open hours: 112 /h, 11.2 Erlangs on 14 agents.
    assert messages(write(tmp_path, agents=14, profile=profile)) == []


def test_a_queue_that_mostly_abandons_warns(tmp_path):
    profile = f"\n  hourly_profile: {OFFICE_HOURS}\n  weekly_profile: [1, 1, 1, 1, 1, 0, 0]"
    # 11.2 Erlangs while open on 4 agents, patience 3 min: most callers give up.
    found = messages(write(tmp_path, agents=4, profile=profile))
    assert len(found) == 1 and "would abandon even while staffed" in found[0]
    share = float(found[0].split("%")[0].split()[-1]) / 100
    assert share > ABANDON_SHARE
    assert messages(write(tmp_path, agents=14, profile=profile)) == []


def test_a_policy_that_changes_nothing_warns(tmp_path):
    path = write(tmp_path, agents=20, extra="mechanisms: off\npolicies: [baseline, encounter]\n")
    found = [m for m in messages(path) if "policy" in m]
    # With every mechanism off only staffing acts, and encounter's staffing equals baseline's.
    assert found == ["policy 'encounter' runs exactly like 'baseline' with mechanisms handling, erosion, "
                     "wellbeing off: the comparison will show no difference"]
    on = write(tmp_path, agents=20, extra="policies: [baseline, encounter]\n", name="on.yaml")
    assert [m for m in messages(on) if "policy" in m] == []


@pytest.mark.parametrize("path", sorted(SCENARIOS.glob("*.yaml")), ids=lambda p: p.name)
def test_shipped_scenarios_are_clean(path):
    assert lint(load_scenario(path)) == []


def test_validate_prints_the_warning_with_its_line_and_still_succeeds(tmp_path):
    path = write(tmp_path)
    done = CliRunner().invoke(app, ["validate", str(path)], env={"COLUMNS": "400"})
    assert done.exit_code == 0
    assert f"{path}: ok" in done.stdout
    assert f"{path}:6:3: warning: demand: 73% of phone contacts" in done.stderr or \
        f"{path}:5:1: warning: demand: 73% of phone contacts" in done.stderr


def test_run_prints_the_warning_before_running(tmp_path):
    path = write(tmp_path, agents=1, profile=f"\n  hourly_profile: {OFFICE_HOURS}")
    done = CliRunner().invoke(app, ["run", str(path), "-r", "1", "--no-tables", "--out", str(tmp_path / "out")])
    assert done.exit_code == 0, done.output
    assert "warning: channels.phone: about" in done.stderr


@pytest.mark.parametrize("option,expected", [
    ("teams.agnts.agents=3,4", "--set: teams.agnts.agents: no team named 'agnts' (teams: agents)"),
    ("teams.agents.agnts=3", "--set: teams.agents.agnts: teams.agents has no key 'agnts'"),
    ("erosion.alpah=-0.5", "--set: erosion.alpah: erosion has no key 'alpah'"),
])
def test_a_typo_in_a_set_path_names_the_typo(option, expected):
    done = CliRunner().invoke(app, ["run", str(SCENARIOS / "erlang_a.yaml"), "-r", "1", "--set", option])
    assert done.exit_code == 2
    assert done.stderr.startswith(expected)
    assert "Field required" not in done.stderr


def test_thresholds_are_shares():
    assert 0 < OFF_DUTY_SHARE < ABANDON_SHARE < 1


def test_a_policy_that_only_sets_case_notes_says_progress_is_off(tmp_path):
    path = write(tmp_path, agents=20, extra="mechanisms: {progress: false}\npolicies:\n  baseline: {}\n"
                 "  notes: {extends: baseline, case_notes_share: 0.9}\n")
    found = [m for m in messages(path) if "policy" in m]
    assert found == ["policy 'notes' runs exactly like 'baseline' with mechanisms progress off: "
                     "the comparison will show no difference"]

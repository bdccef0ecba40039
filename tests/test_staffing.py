"""Staffing by rule (MODEL.md §4, cxsim/staffing): requirement, shrinkage, rota, and the fair fight.

Oracles: the requirement for a flat profile is Erlang C/A's smallest head count (cxsim/queueing.py);
the rota covers every hour and costs no more than a brute-force optimum on tiny instances; shrinkage
grosses paid time up by exactly 1 / (1 − s); with both policies rostered to the same service-level
target, each simulated service level is the Erlang A value at its head count (an interval).
"""

from __future__ import annotations

import itertools
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import cxsim
from cxsim.compiled import compile_scenario
from cxsim.queueing import erlang_a, erlang_c_agents
from cxsim.scenario import ScenarioError, load_scenario
from cxsim.scenario.staffing import StaffingTarget
from cxsim.staffing.plan import plan_teams
from cxsim.staffing.requirement import agents_for, contact_resolution, handle_time, offered_contacts
from cxsim.staffing.rota import patterns, roster

from helpers import ROOT, assert_matches_theory

FLAT = """\
name: flat
seed: 7
replications: 8
horizon: 3 d
warmup: 2 h
demand:
  open: {rate: RATE}
needs:
  q: {share: 1, work_time: {dist: exponential, mean: 4 min}, resolution: RESOLUTION}
channels:
  phone:
    kind: phone
    PATIENCE
    retrial: {probability: 0}
    service_level_target: 20 s
returns: {give_up: GIVE_UP}
teams:
  desk:
    channels: [phone]
    cost_per_hour: 30
    staffing:
      patterns: {starts: [0 h, 8 h, 16 h], lengths: [8 h], days_on: 7}
      shrinkage: SHRINK
mechanisms: MECHANISMS
policies: POLICIES
"""


def scenario(tmp_path: Path, rate="1 /min", patience="patience: {dist: exponential, mean: 3 min}",
             shrink="0.3", mechanisms="off", policies="[baseline]", resolution="1", give_up="1"):
    text = (FLAT.replace("RESOLUTION", resolution).replace("GIVE_UP", give_up).replace("RATE", rate).replace("PATIENCE", patience).replace("SHRINK", shrink)
            .replace("MECHANISMS", mechanisms).replace("POLICIES", policies))
    path = tmp_path / "flat.yaml"
    path.write_text(text, encoding="utf-8")
    return load_scenario(path)


def _smallest_erlang_a(rate, service, patience, within, level):
    n = 1
    while erlang_a(rate, service, n, patience, within).service_level < level:
        n += 1
    return n


# --- requirement ------------------------------------------------------------------------------

@pytest.mark.parametrize("rate", [0.5, 2.0, 6.0])
def test_flat_requirement_is_erlang_c_smallest_head_count(tmp_path, rate):
    s = scenario(tmp_path, rate=f"{rate} /min", patience="abandons: false")
    plan = plan_teams(s, compile_scenario(s), {"staffing": 1.0})["desk"]
    expected = erlang_c_agents(rate, 4.0, 20 / 60, 0.8)
    assert set(plan.requirement.tolist()) == {expected}


@pytest.mark.parametrize("rate", [0.5, 2.0, 6.0])
def test_flat_requirement_is_erlang_a_smallest_head_count(tmp_path, rate):
    s = scenario(tmp_path, rate=f"{rate} /min")
    plan = plan_teams(s, compile_scenario(s), {"staffing": 1.0})["desk"]
    assert set(plan.requirement.tolist()) == {_smallest_erlang_a(rate, 4.0, 3.0, 20 / 60, 0.8)}


def test_occupancy_target_is_load_over_occupancy_rounded_up():
    target = StaffingTarget(occupancy=0.85)
    for rate, service in ((1.0, 4.0), (2.0, 4.25), (0.3, 10.0)):
        assert agents_for(rate, service, target, 1 / 3, 3.0) == math.ceil(rate * service / 0.85 - 1e-9)
    assert agents_for(0.0, 4.0, target, 1 / 3, 3.0) == 0


def test_failure_demand_allowance_is_the_geometric_series(tmp_path):
    # One channel, resolution r, give-up g: contacts per first contact = 1 / (1 − (1 − r)(1 − g)).
    p = compile_scenario(scenario(tmp_path, resolution="0.6", give_up="0.25"))
    expected = 1.0 / (1.0 - 0.4 * 0.75)
    assert np.allclose(offered_contacts(p)[0], 1.0 * expected)


def test_retrials_raise_the_requirement(tmp_path):
    rate, service, within = 3.0, 4.0, 20 / 60
    target = StaffingTarget(service_level=0.8)
    alone = agents_for(rate, service, target, within, 3.0)
    with_retrials = agents_for(rate, service, target, within, 3.0, retry=1.0)
    # The fixed point: at its head count, the rate inflated by the abandoners who retry is met.
    lost = erlang_a(rate, service, with_retrials, 3.0).p_abandon
    assert with_retrials >= alone
    assert erlang_a(rate / (1 - lost), service, with_retrials, 3.0, within).service_level >= 0.8


def test_handle_time_reads_the_policy(tmp_path):
    s = scenario(tmp_path, mechanisms="{handling: true, erosion: false, wellbeing: false, experience: false, "
                                      "loyalty: false}", policies="[efficiency, encounter]")
    eff, enc = compile_scenario(s, "efficiency"), compile_scenario(s, "encounter")
    # efficiency closes at p80 of the work: for an exponential with mean 4, E[min(T, q80)] = 4 (1 - 0.2);
    # encounter adds 1 min of empathy.
    assert handle_time(eff, eff.levers) == pytest.approx(4 * 0.8, rel=1e-12)
    assert handle_time(enc, enc.levers) == pytest.approx(5.0, rel=1e-12)


# --- rota -------------------------------------------------------------------------------------

def _brute_force(requirement, pats, most):
    cover = np.array([p.coverage() for p in pats])
    hours = np.array([p.hours_per_week for p in pats])
    best = math.inf
    for heads in itertools.product(range(most + 1), repeat=len(pats)):
        x = np.array(heads)
        if (x @ cover >= requirement).all():
            best = min(best, float(x @ hours))
    return best


@pytest.mark.parametrize("case", ["starts and lengths, every day", "5 of 7, one shift a day",
                                  "6 of 7, any day off"])
def test_rota_covers_every_hour_at_the_brute_force_optimum(case):
    rng = np.random.default_rng(11)
    if case == "starts and lengths, every day":
        pats = patterns([0.0, 6 * 60.0, 12 * 60.0, 18 * 60.0], [6 * 60.0, 12 * 60.0], 7)  # 8 patterns
        day = rng.integers(0, 3, size=24)
        requirement = np.tile(day, 7)
    elif case == "5 of 7, one shift a day":
        pats = patterns([0.0], [24 * 60.0], 5)  # 7 patterns, one per pair of days off
        requirement = np.repeat(rng.integers(0, 4, size=7), 24)
    else:
        pats = patterns([0.0], [24 * 60.0], 6, "any")  # 7 patterns, one per day off
        assert len(pats) == 7
        requirement = np.repeat(rng.integers(0, 4, size=7), 24)
    rota = roster(requirement, pats)
    assert (rota.covered >= requirement).all() and rota.uncovered_hours == 0
    cost = float(rota.heads @ np.array([p.hours_per_week for p in pats]))
    assert cost <= _brute_force(requirement, pats, int(requirement.max())) + 1e-9


def test_hours_no_pattern_covers_are_reported_not_infeasible():
    pats = patterns([8 * 60.0], [8 * 60.0], 5)
    requirement = np.ones(168)
    rota = roster(requirement, pats)
    assert rota.uncovered_hours == 168 - 8 * 7  # 16 hours a day are beyond every pattern
    assert (rota.covered[requirement > rota.short] >= 1).all()


# --- shrinkage and cost -------------------------------------------------------------------------

@pytest.mark.parametrize("shrink", [0.0, 0.3, 0.35])
def test_shrinkage_is_paid_but_never_answers(tmp_path, shrink):
    s = scenario(tmp_path, shrink=str(shrink))
    p = compile_scenario(s)
    plan = plan_teams(s, p, {"staffing": 1.0})["desk"]
    rostered_hours = sum(int(h) * pat.hours_per_week for h, pat in zip(plan.rota.heads, plan.patterns))
    assert plan.paid_hours == pytest.approx(rostered_hours / (1 - shrink), rel=1e-12)
    # The engines see the available agents only; every on-duty minute is paid 1 / (1 − s) minutes.
    assert sum(t.agents for t in p.teams) == int(plan.rota.heads.sum())
    assert all(t.cost_per_minute == pytest.approx(30 / 60 / (1 - shrink), rel=1e-12) for t in p.teams)
    results = cxsim.run(s, replications=1, engine="simpy", keep_tables=False)
    row = results.metrics.iloc[0]
    # staff cost = on-duty minutes (busy / occupancy) × the grossed-up rate
    on_duty = row["staff_cost"] / (30 / 60 / (1 - shrink))
    assert row["staff_cost"] == pytest.approx(on_duty * 30 / 60 / (1 - shrink))
    assert on_duty >= rostered_hours * 60 * (s.horizon - s.warmup) / (7 * 1440) * (1 - 1e-9) * 0.99


def test_a_multiplier_still_scales_the_rota(tmp_path):
    s = scenario(tmp_path, policies="{lean: {staffing: 0.5}, full: {}}")
    lean, full = compile_scenario(s, "lean"), compile_scenario(s, "full")
    assert [t.agents for t in lean.teams] == [int(round(t.agents * 0.5)) for t in full.teams]
    assert [t.base_agents for t in lean.teams] == [t.agents for t in full.teams]


# --- the fair fight ------------------------------------------------------------------------------

def test_both_policies_staffed_to_the_same_target_meet_it(tmp_path):
    s = scenario(tmp_path, mechanisms="{handling: true, erosion: false, wellbeing: false, experience: false, "
                                      "loyalty: false}",
                 policies="{efficiency: {staffing: {service_level: 0.8}}, encounter: {staffing: {service_level: 0.8}}}")
    results = cxsim.run(s, engine="simpy", keep_tables=False)
    heads = {}
    for policy in s.policies:
        p = compile_scenario(s, policy)
        n = {t.agents for t in p.teams}
        assert len(n) == 1  # a flat profile: the same head count on every shift
        heads[policy] = n.pop()
        service = handle_time(p, p.levers)
        at = erlang_a(1.0, service, heads[policy], 3.0, 20 / 60).service_level
        assert at >= 0.8 > erlang_a(1.0, service, heads[policy] - 1, 3.0, 20 / 60).service_level
        sl = results.metrics.loc[results.metrics["policy"] == policy, "service_level"]
        assert_matches_theory(sl, at, max_rel_half_width=0.05)
    # The same rule gives the policy that gives less time fewer people: the cost follows the handling.
    assert heads["efficiency"] < heads["encounter"]


# --- the scenario file and the command -------------------------------------------------------------

def _validate(tmp_path, text):
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    return subprocess.run([sys.executable, "-m", "cxsim.cli", "validate", "bad.yaml"], capture_output=True, text=True,
                          timeout=300, cwd=tmp_path)


@pytest.mark.parametrize("change,expected", [
    (("      shrinkage: 0.3", "      shrinkage: 0.3\n    agents: 4"),
     "bad.yaml:18:3: teams.desk: give exactly one of 'agents' (a head count) or 'staffing'"),
    (("      shrinkage: 0.3", "      shrinkage: 1.2"), "bad.yaml:23:7: teams.desk.staffing.shrinkage: Input should "
                                                      "be less than 1"),
    (("policies: [baseline]", "policies: {b: {staffing: {service_level: 0.8, occupancy: 0.8}}}"),
     "bad.yaml:25:16: policies.b.staffing: give exactly one of 'service_level' (with an optional 'within') or "
     "'occupancy'"),
    (("policies: [baseline]", "policies: {b: {staffing: -1}}"),
     "bad.yaml:25:16: policies.b.staffing: Input should be greater than 0"),
])
def test_bad_staffing_is_one_line_at_its_place(tmp_path, change, expected):
    text = FLAT.replace("RESOLUTION", "1").replace("GIVE_UP", "1").replace("RATE", "1 /min").replace("PATIENCE", "abandons: true").replace("SHRINK", "0.3") \
        .replace("MECHANISMS", "off").replace("POLICIES", "[baseline]")
    proc = _validate(tmp_path, text.replace(*change))
    assert proc.returncode == 2, proc.stdout + proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert lines == [expected] or (len(lines) == 1 and lines[0].startswith(expected)), lines
    assert "Traceback" not in proc.stderr


def test_a_rule_staffed_team_owns_its_channel(tmp_path):
    text = FLAT.replace("RESOLUTION", "1").replace("GIVE_UP", "1").replace("RATE", "1 /min").replace("PATIENCE", "abandons: true").replace("SHRINK", "0.3") \
        .replace("MECHANISMS", "off").replace("POLICIES", "[baseline]")
    text += "  # appended\n"
    text = text.replace("teams:\n", "teams:\n  extra: {agents: 2, channels: [phone]}\n")
    path = tmp_path / "s.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as exc:
        load_scenario(path)
    assert "a team staffed by rule must be the only team in its channels" in str(exc.value.problems[0])


def test_cxsim_staff_prints_requirement_and_rota_per_policy():
    proc = subprocess.run([sys.executable, "-m", "cxsim.cli", "staff", "scenarios/contact_centre.yaml",
                           "--policies", "encounter"], capture_output=True, text=True, timeout=600, cwd=ROOT,
                          env={"COLUMNS": "140", "PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)})
    assert proc.returncode == 0, proc.stderr
    for team in ("phone", "chat", "back_office"):
        assert f"encounter · {team}: agents needed/rostered" in proc.stdout
        assert f"encounter · {team}: rota" in proc.stdout
    assert "efficiency ·" not in proc.stdout
    assert "paid cost" in proc.stdout


def test_a_head_count_search_on_a_rule_staffed_team_is_refused_in_one_line():
    proc = subprocess.run([sys.executable, "-m", "cxsim.cli", "staff", "docs/examples/staff_by_rule.yaml", "--team",
                           "desk", "--target", "service_level>=0.8"], capture_output=True, text=True, timeout=300,
                          cwd=ROOT)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        "docs/examples/staff_by_rule.yaml: team 'desk' is staffed by rule: `cxsim staff "
        "docs/examples/staff_by_rule.yaml` prints its rota; to search a head count, give the team `agents` instead "
        "of `staffing`"]


def test_the_allowance_forecasts_the_policys_own_resolution(tmp_path):
    # Deterministic work of 8 min closed at 5 min: every contact gets 5/8 of its time, so the resolution
    # per contact is base × quality(−3/8) exactly, and repeats follow the geometric series with it.
    s = scenario(tmp_path, resolution="0.9", give_up="0.2",
                 policies="{efficiency: {handle_time_target: 5 min}, baseline: {}}",
                 mechanisms="{handling: true, erosion: false, wellbeing: false, experience: false, loyalty: false}")
    text = (tmp_path / "flat.yaml").read_text().replace("{dist: exponential, mean: 4 min}", "{dist: deterministic, "
                                                                                           "value: 8 min}")
    (tmp_path / "flat.yaml").write_text(text)
    s = load_scenario(tmp_path / "flat.yaml")
    eff, base = compile_scenario(s, "efficiency"), compile_scenario(s, "baseline")
    r = 0.9 * float(np.interp(-3 / 8, eff.quality_gap, eff.quality_level))
    assert contact_resolution(eff, eff.levers) == pytest.approx(r, rel=1e-12)
    assert contact_resolution(base, base.levers) == pytest.approx(0.9, rel=1e-12)
    assert np.allclose(offered_contacts(eff, eff.levers)[0], 1.0 / (1.0 - (1 - r) * 0.8))
    assert np.allclose(offered_contacts(base, base.levers)[0], 1.0 / (1.0 - 0.1 * 0.8))


def test_deferred_work_is_done_in_open_hours_at_a_sustainable_occupancy(tmp_path):
    # Email within 24 h, a flat 1 contact a minute of 4 min (4 Erlangs round the clock), a team on duty
    # 8 h a day: the day's work is done in those 8 hours (12 Erlangs), at most at 0.85 occupancy.
    text = FLAT.replace("RESOLUTION", "1").replace("GIVE_UP", "1").replace("RATE", "1 /min") \
        .replace("kind: phone", "kind: email").replace("    PATIENCE\n", "").replace("    retrial: {probability: 0}\n", "") \
        .replace("service_level_target: 20 s", "service_level_target: 24 h").replace("SHRINK", "0.3") \
        .replace("MECHANISMS", "off").replace("POLICIES", "[baseline]") \
        .replace("starts: [0 h, 8 h, 16 h], lengths: [8 h], days_on: 7", "starts: [8 h], lengths: [8 h], days_on: 7")
    path = tmp_path / "email.yaml"
    path.write_text(text, encoding="utf-8")
    s = load_scenario(path)
    plan = plan_teams(s, compile_scenario(s), {"staffing": 1.0})["desk"]
    open_hours = np.array([pattern.coverage() for pattern in plan.patterns]).max(axis=0) > 0
    assert set(plan.requirement[open_hours].tolist()) == {math.ceil(12 / 0.85)}
    assert set(plan.requirement[~open_hours].tolist()) == {0}


def test_at_the_same_target_the_head_count_follows_the_handling_levers_only(tmp_path):
    """The fair fight (issue 11): both policies are rostered to the same service-level target, so the
    difference in paid staff is decided by how each handles a contact (target, overrun, empathy time,
    ownership) and by nothing else: swapping the standard and the wellbeing support between the
    policies leaves each one's rota exactly as it was, and different handling gives a different rota."""
    (tmp_path / "fair.yaml").write_text(
        f"extends: {ROOT / 'scenarios' / 'contact_centre.yaml'}\nname: fair\n"
        "policies:\n"
        "  efficiency: {staffing: {service_level: 0.8}}\n"
        "  encounter: {staffing: {service_level: 0.8}}\n"
        "  efficiency_cared: {extends: efficiency, standard: pinned, wellbeing_support: 1.5}\n"
        "  encounter_lean: {extends: encounter, standard: eroding, wellbeing_support: 1.0}\n")
    s = load_scenario(tmp_path / "fair.yaml")

    def rota(policy):
        p = compile_scenario(s, policy)
        return [(t.name, t.agents, t.shifts, t.cost_per_minute) for t in p.teams]

    def paid(policy):
        return sum(agents * cost * sum(b - a for a, b in shifts)
                   for _, agents, shifts, cost in rota(policy))

    assert rota("efficiency_cared") == rota("efficiency")
    assert rota("encounter_lean") == rota("encounter")
    # Encounter's longer contacts need more paid time at the same target; efficiency's repeats do not
    # make up for it in the forecast (README "What the default scenario shows").
    assert paid("encounter") > paid("efficiency")

"""Breaks within a shift, engagement (boreout that matters) and the extra inputs of chronic strain
(MODEL.md §4, issue 12), with the extreme conditions of §11 for each.

Kernels are checked against closed forms; whole-model claims by construction (an idle team's E
is an exact power) or as paired directions with intervals (policies on common random numbers).
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

import cxsim
from cxsim.kernels.breaks import break_window, off_recovery, takes_break
from cxsim.kernels.engagement import (
    agent_day, boredom, delivered_quality, engaged_leave_chance, engagement_after, overtime_hours, strain_extra,
)
from cxsim.kernels.wellbeing import quality_effect
from cxsim.kernels.strain import leave_chance, strain_after, strain_day
from cxsim.scenario.schema import Scenario
from cxsim.stats import paired_difference

from helpers import SCENARIOS, changed

WEEK, DAY, HOUR = 10080.0, 1440.0, 60.0
BREAKS = [{"after": 120.0, "length": 15.0}, {"after": 240.0, "length": 30.0}, {"after": 360.0, "length": 15.0}]


# --- kernels, by construction ------------------------------------------------------------------------

def test_breaks_are_spread_evenly_over_the_stagger_window():
    starts = [break_window(1000.0, 120.0, 15.0, 30.0, r, 3) for r in range(3)]
    assert starts == [(1120.0, 1135.0), (1130.0, 1145.0), (1140.0, 1155.0)]
    assert break_window(0.0, 60.0, 30.0, 0.0, 5, 10) == (60.0, 90.0)      # no stagger: all at once
    assert takes_break(False, False) and not takes_break(True, False) and not takes_break(False, True)
    assert off_recovery(True, 0.1, 0.5) == 0.5 and off_recovery(False, 0.1, 0.5) == 0.1


def test_engagement_falls_on_empty_days_recovers_on_full_ones_and_ignores_days_off():
    assert engagement_after(0.7, 0.0, 0.0, 0.5, 1.0, 0.02, 0.05) == 0.7              # a day off
    assert engagement_after(1.0, 480.0, 0.0, 0.5, 1.0, 0.02, 0.05) == pytest.approx(0.98, rel=1e-15)
    # occupancy 0.25 is half as empty as 0: half the loss
    assert engagement_after(1.0, 480.0, 120.0, 0.5, 1.0, 0.02, 0.05) == pytest.approx(0.99, rel=1e-15)
    assert engagement_after(0.6, 480.0, 400.0, 0.5, 1.0, 0.02, 0.05) == pytest.approx(0.6 + 0.4 * 0.05, rel=1e-15)
    # work below skill: a busy day (occupancy 0.8) that uses a third of the skill is an empty day
    assert boredom(480.0, 384.0, 0.5, 1 / 3) == pytest.approx((0.5 - 0.8 / 3) / 0.5, rel=1e-12)
    assert boredom(480.0, 384.0, 0.5, 1.0) == 0.0
    e = 1.0
    for _ in range(100):
        e = engagement_after(e, 480.0, 0.0, 0.5, 1.0, 0.02, 0.05)
    assert e == pytest.approx(0.98 ** 100, rel=1e-12)


def test_low_engagement_raises_the_leaving_hazard_by_its_factor_and_off_is_the_old_rule():
    base = leave_chance(0.6, 0.3, 0.8, 0.35, 2.5, 2.0, True)
    assert engaged_leave_chance(0.6, 0.3, 0.2, 0.8, 0.35, 2.5, 2.0, True, 2.0, False) == base
    assert engaged_leave_chance(0.6, 0.3, 1.0, 0.8, 0.35, 2.5, 2.0, True, 2.0, True) == pytest.approx(base, rel=1e-12)
    low = engaged_leave_chance(0.6, 0.3, 0.5, 0.8, 0.35, 2.5, 2.0, True, 2.0, True)
    # hazards (−log of staying) multiply by exp(s · (1 − E))
    assert -math.log1p(-low) == pytest.approx(-math.log1p(-base) * math.exp(2.0 * 0.5), rel=1e-12)


def test_strain_and_disengagement_lower_the_quality_delivered_and_off_is_g_of_w():
    g = quality_effect(0.6, 0.85, 0.5)
    assert delivered_quality(0.6, 0.0, 1.0, 0.85, 0.5, 0.3, 0.3) == g          # S = 0, E = 1: bit for bit
    assert delivered_quality(0.6, 0.5, 1.0, 0.85, 0.5, 0.3, 0.3) == pytest.approx(g * 0.85, rel=1e-12)
    assert delivered_quality(0.6, 0.5, 0.5, 0.85, 0.5, 0.3, 0.3) == pytest.approx(g * 0.85 * 0.85, rel=1e-12)
    assert delivered_quality(0.6, 1.0, 0.0, 0.85, 0.5, 1.0, 1.0) == 0.0        # extreme: nothing gets solved


def test_upset_customers_and_overtime_add_strain_and_nothing_else_changes():
    assert overtime_hours(600.0, 480.0, True) == 2.0
    assert overtime_hours(600.0, 480.0, False) == 0.0   # a seat staffed round the clock is not one person's day
    assert overtime_hours(400.0, 480.0, True) == 0.0
    assert strain_extra(10.0, 2.0, 0.001, 0.02, 1.0) == pytest.approx(0.01 + 0.04, rel=1e-12)
    assert strain_extra(10.0, 2.0, 0.001, 0.02, 2.0) == pytest.approx(0.005 + 0.04, rel=1e-12)  # support buffers upsets
    args = (0.05, 0.85, 0.05, 5.0, 0.01, 0.05)
    # with no extra input strain_day is strain_after, bit for bit
    assert strain_day(0.3, 0.9, 480.0, 450.0, 0.4, 1.0, 0.0, 0.5, *args) == strain_after(0.3, 0.9, 480.0, 450.0, 0.4,
                                                                                         1.0, 0.5, *args)
    # on a calm day (W high, load low) the extra build is exactly a share of the room left
    s, _load = strain_day(0.2, 0.3, 480.0, 100.0, 0.9, 1.0, 0.05, 0.5, *args)
    assert s == pytest.approx((0.2 + 0.05 * 0.8) * math.exp(-0.01), rel=1e-12)


def test_an_agents_day_moves_only_the_states_that_are_on():
    strain_args = (0.5, 0.05, 0.85, 0.05, 5.0, 0.01, 0.05, 0.001, 480.0, 0.02)
    engaged_args = (0.5, 0.02, 0.02)
    both_off = agent_day(0.3, 0.9, 0.7, 600.0, 60.0, 0.2, 30.0, True, 1.0, 1.0, False, *strain_args, False,
                         *engaged_args)
    assert both_off == (0.3, 0.9, 0.7)
    s, load, e = agent_day(0.3, 0.9, 0.7, 600.0, 60.0, 0.2, 30.0, True, 1.0, 1.0, True, *strain_args, True,
                           *engaged_args)
    extra = strain_extra(30.0, 2.0, 0.001, 0.02, 1.0)                     # 30 upsets, 2 h overtime
    assert (s, load) == strain_day(0.3, 0.9, 600.0, 60.0, 0.2, 1.0, extra, *strain_args[:7])
    assert e == engagement_after(0.7, 600.0, 60.0, 0.5, 1.0, 0.02, 0.02)


# --- the whole model ----------------------------------------------------------------------------------

def scenario(**changes) -> Scenario:
    """A Monday-to-Friday day team (scenarios/strain.yaml) with ``changes`` applied (helpers.changed)."""
    return changed(SCENARIOS / "strain.yaml", **changes)


def test_both_engines_identical_with_breaks_engagement_and_strain_inputs():
    s = scenario(horizon=2 * WEEK, warmup=WEEK, policies={"efficiency": {}},
                 teams__agents__shift__breaks=BREAKS, teams__agents__shift__stagger=30.0,
                 wellbeing__engagement={"enabled": True}, teams__agents__skill_use=0.5)
    a, b = (cxsim.run(s, replications=1, seed=11, engine=e) for e in ("simpy", "fast"))
    for table in ("daily", "agents", "encounters"):
        pd.testing.assert_frame_equal(a.table(table), b.table(table), check_exact=True)
    assert a.table("agents")["engagement"].lt(1).any() and a.table("agents")["strain"].gt(0).any()


def test_breaks_take_agents_off_the_phones_and_stay_paid():
    """Without the wellbeing mechanism: an agent on duty ~7 of the 8 rostered hours a day (a break is
    cut short only by a contact still in hand), and the on-duty minute costs 8/7 of the rate."""
    common = dict(horizon=2 * WEEK, warmup=WEEK, policies={"efficiency": {}}, mechanisms={"wellbeing": False})
    plain = cxsim.run(scenario(**common), replications=1, seed=3, engine="fast")
    breaks = cxsim.run(scenario(teams__agents__shift__breaks=BREAKS, teams__agents__shift__stagger=30.0, **common),
                       replications=1, seed=3, engine="fast")
    days = 5  # the measured week's working days
    per_day = breaks.table("agents")["staffed"] / days / HOUR
    plain_per_day = plain.table("agents")["staffed"] / days / HOUR
    assert (plain_per_day >= 8).all() and (plain_per_day < 8.3).all()   # 8 h, plus the last contact's overrun
    assert (per_day >= 7).all() and (per_day < 7.4).all()               # 1 h of breaks off the phones
    d = breaks.table("daily")
    d = d[d["staffed_area"] > 0]
    rate = cxsim.load_scenario(SCENARIOS / "strain.yaml").teams["agents"].cost_per_hour / HOUR
    assert (d["staff_cost"] / d["staffed_area"]).to_numpy() == pytest.approx(rate * 8 / 7, rel=1e-12)


def test_an_idle_team_loses_engagement_exactly_as_the_power_of_its_days_worked():
    """Extreme condition: (almost) no demand. An agent who never took a contact lost E by the full
    per-day share on every day worked, and only then: E = (1 − 0.02)^(days worked)."""
    s = scenario(horizon=3 * WEEK, warmup=0.0, policies={"efficiency": {}}, wellbeing__engagement={"enabled": True},
                 demand__open__rate=1e-6)
    agents = cxsim.run(s, replications=1, seed=5, engine="fast").table("agents")
    idle = agents[agents["busy"] == 0]
    assert len(idle) == len(agents) == 8  # the efficiency policy staffs 85 % of 10
    assert idle["engagement"].to_numpy() == pytest.approx([0.98 ** 15] * 8, rel=1e-12)  # 3 weeks × 5 days


@pytest.fixture(scope="module")
def staffing_levels():
    """One team at a normal load and the same team tripled (policies on common random numbers),
    engagement on and off; 10 weeks."""
    def runs(engaged: bool):
        s = scenario(horizon=10 * WEEK, warmup=WEEK, demand__open__rate=12 / HOUR,
                     policies={"normal": {}, "overstaffed": {"staffing": 3}},
                     wellbeing__engagement={"enabled": engaged}, wellbeing__strain={"enabled": False})
        m = cxsim.run(s, replications=5, seed=2026, engine="fast").metrics
        return m.set_index(["policy", "replication"]).sort_index()
    return runs(True), runs(False)


def test_boreout_matters_an_overstaffed_team_is_less_engaged_and_more_likely_to_leave(staffing_levels):
    on, off = staffing_levels
    d = paired_difference(on.loc["overstaffed", "engagement"], on.loc["normal", "engagement"])
    assert d["ci_high"] < -0.1, d
    d = paired_difference(on.loc["overstaffed", "attrition_hazard"], on.loc["normal", "attrition_hazard"])
    assert d["ci_low"] > 0, d
    # ... which without engagement it is not: an empty day is then forgotten within hours
    d = paired_difference(off.loc["overstaffed", "attrition_hazard"], off.loc["normal", "attrition_hazard"])
    assert d["ci_high"] < 0, d


@pytest.mark.slow  # the shipped 20 weeks, three policies, four replications (~30 s)
def test_shift_teams_feel_the_support_cut_and_the_lean_rota():
    """scenarios/wellbeing.yaml as shipped (two shift teams with breaks, strain and engagement on):
    cutting support lowers W (paired), and the lean rota lowers W and NPS (paired) and tips more
    replications into a collapse than the steady centre."""
    m = cxsim.run(SCENARIOS / "wellbeing.yaml", engine="fast").metrics.set_index(
        ["policy", "replication"]).sort_index()
    for policy in ("support_cut", "lean"):
        d = paired_difference(m.loc[policy, "wellbeing"], m.loc["steady", "wellbeing"])
        assert d["ci_high"] < 0, (policy, d)
    d = paired_difference(m.loc["lean", "nps_true"], m.loc["steady", "nps_true"])
    assert d["ci_high"] < 0, d
    assert m.loc["lean", "collapse"].sum() > m.loc["steady", "collapse"].sum()


def test_a_break_past_the_end_of_the_shift_is_one_clear_line(tmp_path):
    import os
    import subprocess
    import sys
    text = (SCENARIOS / "wellbeing.yaml").read_text()
    bad = text.replace("{after: 6 h, length: 15 min}]", "{after: 470 min, length: 15 min}]", 1)
    assert bad != text
    (tmp_path / "s.yaml").write_text(bad)
    line = 1 + bad[:bad.index("  early:")].count("\n") + 3  # the early team's `shift:` key
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    proc = subprocess.run([sys.executable, "-m", "cxsim.cli", "validate", "s.yaml"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2
    assert [x for x in proc.stderr.splitlines() if x.strip()] == [
        f"s.yaml:{line}:5: teams.early.shift: every break (with its stagger) must end before the shift does"]

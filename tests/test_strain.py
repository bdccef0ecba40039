"""Chronic strain S beside daily energy W (MODEL.md §4, issue 12), and the extreme conditions of §11.

Kernel rules are checked against their closed forms; whole-model claims are directions with
intervals across replications (policies on common random numbers, paired), with fixed seeds.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

import cxsim
from cxsim.kernels.strain import burnout_begins, leave_chance, strain_after
from cxsim.kernels.wellbeing import attrition_probability
from cxsim.scenario.mechanisms import Policy
from cxsim.scenario.schema import Spike
from cxsim.stats import interval, paired_difference

from helpers import ROUND_THE_CLOCK, SCENARIOS

WEEK, DAY = 10080.0, 1440.0
# strain_after's parameters after (S, load, staffed, busy, W, support): the scenario defaults
DEFAULTS = dict(low_below=0.5, per_low_day=0.05, sustainable=0.85, per_overload_day=0.05, load_days=5.0,
                recover_working=0.01, recover_off=0.05)


def after(strain, load, staffed, busy, energy, support=1.0, **update):
    k = {**DEFAULTS, **update}
    return strain_after(strain, load, staffed, busy, energy, support, k["low_below"], k["per_low_day"],
                        k["sustainable"], k["per_overload_day"], k["load_days"], k["recover_working"],
                        k["recover_off"])


# --- the kernel, by construction -------------------------------------------------------------------

def test_a_day_off_only_recovers_and_keeps_the_load():
    s, load = after(0.6, 0.9, 0.0, 0.0, 0.1, support=2.0)
    assert s == pytest.approx(0.6 * math.exp(-0.05 * 2.0), rel=1e-12) and load == 0.9


def test_a_sustainable_day_with_energy_left_only_recovers_slowly():
    s, load = after(0.4, 0.5, 480.0, 240.0, 0.8)
    assert load == pytest.approx(0.5 + (0.5 - 0.5) / 5)
    assert s == pytest.approx(0.4 * math.exp(-0.01), rel=1e-12)


def test_low_energy_and_overload_build_strain_toward_one():
    # a day ending at W = 0 adds per_low_day of the room left; a load of 1 adds per_overload_day
    s, load = after(0.2, 1.0, 480.0, 480.0, 0.0)
    assert load == 1.0
    assert s == pytest.approx((0.2 + (0.05 + 0.05) * 0.8) * math.exp(-0.01), rel=1e-12)
    s = 0.0
    for _ in range(2000):
        s, _l = after(s, 1.0, 480.0, 480.0, 0.0, recover_working=0.0)
    assert 0.99 < s <= 1.0


def test_burnout_by_strain_when_on_by_low_energy_days_when_off():
    assert burnout_begins(True, False, -1.0, 0.0, 3 * DAY, 0.6, 0.6)
    assert not burnout_begins(True, True, -1.0, 0.0, 3 * DAY, 0.9, 0.6)      # already off sick
    assert not burnout_begins(True, False, 0.0, 10 * DAY, 3 * DAY, 0.59, 0.6)  # low W alone: not with strain on
    assert burnout_begins(False, False, 0.0, 3 * DAY, 3 * DAY, 0.0, 0.6)


def test_leaving_rises_with_strain_and_is_the_old_rule_when_off():
    base = attrition_probability(0.6, 0.8, 0.35, 2.5, 1.0)
    assert leave_chance(0.6, 0.9, 0.8, 0.35, 2.5, 2.0, False) == base
    assert leave_chance(0.6, 0.0, 0.8, 0.35, 2.5, 2.0, True) == pytest.approx(base, rel=1e-12)
    assert leave_chance(0.6, 0.5, 0.8, 0.35, 2.5, 2.0, True) > base


# --- the whole model ------------------------------------------------------------------------------

def strain_scenario(**update):
    return cxsim.load_scenario(SCENARIOS / "strain.yaml").model_copy(update=update)


def test_both_engines_identical_with_strain():
    s = strain_scenario(horizon=3 * WEEK, warmup=WEEK, policies={"efficiency": Policy()})
    a, b = (cxsim.run(s, replications=1, seed=7, engine=e) for e in ("simpy", "fast"))
    for table in ("daily", "agents", "encounters"):
        pd.testing.assert_frame_equal(a.table(table), b.table(table), check_exact=True)
    assert a.table("agents")["strain"].gt(0).any()


@pytest.fixture(scope="module")
def overload():
    """scenarios/strain.yaml as shipped: 30 % above a sustainable load for three months."""
    return cxsim.run(strain_scenario(), replications=5, seed=2026, engine="fast")


def test_done_means_burnout_under_sustained_overload_and_support_lowers_it(overload):
    m = overload.metrics.set_index(["policy", "replication"]).sort_index()
    absence = interval(m.loc["efficiency", "burnout_absence_days"].to_numpy())
    assert absence["ci_low"] > 0, absence
    d = paired_difference(m.loc["supported", "burnout_absence_days"], m.loc["efficiency", "burnout_absence_days"])
    assert d["ci_high"] < 0, d
    d = paired_difference(m.loc["supported", "strain"], m.loc["efficiency", "strain"])
    assert d["ci_high"] < 0, d


def test_strain_carries_over_the_nights_and_the_hazard_is_tight(overload):
    """Midnight after midnight mean S keeps rising (weeks 1–3, no one off yet) while W, reset by every
    night, does not keep falling; the attrition hazard's interval is far tighter than the leavers'."""
    d = overload.table("daily")
    d = d[(d["policy"] == "efficiency") & (d["day"] >= 7) & (d["day"] < 21)]
    weekday = d[(d["day"] % 7) < 5]
    # strain only grows while nobody is yet off sick and every working day is overloaded
    assert (weekday.groupby("replication")["strain"].diff().dropna() > 0).mean() > 0.9
    week = weekday.assign(week=weekday["day"] // 7).groupby(["replication", "week"])[["wellbeing", "strain"]].mean()
    change = week.xs(2, level="week") - week.xs(1, level="week")   # the same weekdays, a week later
    # S piles up week on week; W, reset every night, moves far less (at most half as much)
    assert (change["strain"] > 0.1).all() and (change["wellbeing"].abs() < change["strain"] / 2).all(), change
    # the attrition hazard is reported with a far tighter interval than the leavers counted
    m = overload.metrics[overload.metrics["policy"] == "efficiency"]
    hazard, counted = interval(m["attrition_hazard"].to_numpy()), interval(m["attrition"].to_numpy())
    assert (hazard["ci_high"] - hazard["ci_low"]) < (counted["ci_high"] - counted["ci_low"]) / 2


def test_extreme_demand_times_three_burns_out_a_shift_team_and_support_times_ten_prevents_it():
    """MODEL.md §11: demand ×3 for months → S rises and burnout absence appears; support ×10 → none.

    'normal' is a comfortable load (scenarios/strain.yaml's demand ÷ 1.3 × 0.8: occupancy ~0.7 for
    the whole team); 'heavy' is three times that, all ten weeks, on the same shift-based team.
    """
    s = strain_scenario(horizon=10 * WEEK)
    rate = s.demand.open.rate / 1.3 * 0.8
    demand = s.demand.model_copy(update={"open": s.demand.open.model_copy(update={"rate": rate})})
    normal = s.model_copy(update={"demand": demand, "policies": {"normal": Policy()}})
    heavy = s.model_copy(update={"demand": demand.model_copy(update={"spikes": [
        Spike(start=0.0, length=10 * WEEK, factor=3.0)]}), "policies": {
        "heavy": Policy(), "supported": Policy(wellbeing_support=10.0)}})
    calm = cxsim.run(normal, replications=3, seed=5, engine="fast").metrics
    m = cxsim.run(heavy, replications=3, seed=5, engine="fast").metrics.set_index(["policy", "replication"])
    assert (m.loc["heavy", "burnout_absence_days"] > 0).all()
    assert (m.loc["supported", "burnout_absence_days"] == 0).all()
    assert (calm["burnout_absence_days"] == 0).all()
    assert (m.loc["heavy", "strain"].to_numpy() > calm.sort_values("replication")["strain"].to_numpy()).all()


def test_no_agents_nothing_solved():
    s = strain_scenario(horizon=2 * WEEK, warmup=DAY, policies={"efficiency": Policy()})
    s = s.model_copy(update={"teams": {k: t.model_copy(update={"agents": 0}) for k, t in s.teams.items()}})
    r = cxsim.run(s, replications=1, seed=3, engine="fast")
    d = r.table("daily")
    assert d["needs_solved"].sum() == 0 and d["handled"].sum() == 0 and d["needs_created"].sum() > 0


# --- reporting: collapse probability, hiring cost --------------------------------------------------

@pytest.mark.parametrize("k,n", [(0, 5), (2, 4), (5, 5), (7, 20)])
def test_collapse_share_has_the_wilson_interval(k, n):
    from scipy.stats import binomtest

    from cxsim.stats import proportion

    ci = binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
    got = proportion([1.0] * k + [0.0] * (n - k))
    assert got["mean"] == k / n and got["n"] == n
    assert got["ci_low"] == pytest.approx(ci.low, abs=1e-12) and got["ci_high"] == pytest.approx(ci.high, abs=1e-12)


def test_collapse_is_reported_as_a_probability(overload):
    """Every efficiency replication loses a quarter of its team to burnout; no supported one does."""
    policies = overload.summary()["policies"]
    eff, sup = policies["efficiency"]["metrics"]["collapse"], policies["supported"]["metrics"]["collapse"]
    assert eff["mean"] == 1.0 and 0.4 < eff["ci_low"] < 1.0 and eff["ci_high"] == 1.0
    assert sup["mean"] == 0.0 and sup["ci_low"] == 0.0 and 0.0 < sup["ci_high"] < 0.6


def test_hiring_cost_is_hires_times_cost_and_comes_off_net_value():
    """Two agents hired at week 2 (staffing 1.0 → 1.2 of 10): 2 × the cost, and net value that much lower."""
    base = cxsim.load_scenario(ROUND_THE_CLOCK).model_copy(update=dict(
        horizon=3 * WEEK, warmup=WEEK, policies={"grow": Policy(interventions=[
            {"at": 2 * WEEK, "set": {"staffing": 1.2}}])}))
    costly = base.model_copy(update={"wellbeing": base.wellbeing.model_copy(update={"hiring_cost": 5000.0})})
    a, b = (cxsim.run(x, replications=2, seed=1, engine="fast").metrics for x in (base, costly))
    hires = cxsim.run(costly, replications=2, seed=1, engine="fast").table("daily")
    hires = hires[hires["start"] >= WEEK].groupby("replication")["hires"].sum().to_numpy()
    assert (hires >= 2).all()
    assert "hiring_cost" not in a.columns
    assert b["hiring_cost"].to_numpy() == pytest.approx(5000.0 * hires)
    assert (a["net_value"] - b["net_value"]).to_numpy() == pytest.approx(5000.0 * hires)

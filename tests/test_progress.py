"""Carried progress, ownership and quantile handle-time targets (MODEL.md §1, §5; issue 11 items 2–3).

Oracles: the ``p80`` budget is the lognormal quantile exactly; with resolution independent of time
(handling off) carried progress changes the work a repeat needs but not the geometric law (contacts
per need 1/p, repeat share 1 − p); the work a repeat carries is known by construction; an owned need
that is always given up never gets a callback; a callback comes exactly at its promise. Directions
with paired intervals: keeping more progress means fewer contacts per need.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import cxsim
from cxsim.codes import NEXT_GIVE_UP, NEXT_RETURN
from cxsim.compiled import compile_distribution, compile_scenario, work_quantile
from cxsim.kernels.progress import (
    after_unsolved_owned, carried_work, comeback_time, contact_progress, scored_wait,
)
from cxsim.scenario.mechanisms import Mechanisms, Policy
from cxsim.scenario.progress import Ownership, Progress
from cxsim.scenario.types import Deterministic, Empirical, Exponential, Lognormal
from cxsim.stats import paired_difference

from helpers import SCENARIOS, assert_matches_theory

CORE_AND_PROGRESS = Mechanisms(handling=False, erosion=False, wellbeing=False, experience=False, loyalty=False,
                               progress=True)


def geometric(**update):
    return cxsim.load_scenario(SCENARIOS / "geometric.yaml").model_copy(update=update)


# --- the handle-time target as a quantile of the work ------------------------------------------------

def test_p80_budget_is_the_lognormal_quantile_exactly():
    """Each need type's budget is the 80th percentile of its own lognormal work time (scipy's, from mean and cv)."""
    scenario = cxsim.load_scenario(SCENARIOS / "contact_centre.yaml")
    levers = compile_scenario(scenario, "efficiency").levers
    for budget, need in zip(levers.need_budget, scenario.needs.values()):
        mean, cv = need.work_time.mean, need.work_time.cv
        sigma = math.sqrt(math.log1p(cv ** 2))
        expected = stats.lognorm.ppf(0.8, s=sigma, scale=mean / math.sqrt(1 + cv ** 2))
        assert budget == pytest.approx(expected, rel=1e-12)
        assert budget > mean  # a competent target sits above the mean work, not below it
    # The policy without a target has none for any need type.
    assert compile_scenario(scenario, "encounter").levers.need_budget == (math.inf,) * 3


def test_quantiles_of_every_work_distribution():
    assert work_quantile(compile_distribution(Exponential(dist="exponential", mean=6.0)), 0.5) == \
        pytest.approx(6.0 * math.log(2), rel=1e-12)
    assert work_quantile(compile_distribution(Deterministic(dist="deterministic", value=4.0)), 0.9) == 4.0
    sample = compile_distribution(Empirical(dist="empirical", values=[1.0, 2.0, 3.0, 4.0, 5.0]))
    assert work_quantile(sample, 0.8) == 4.0 and work_quantile(sample, 0.81) == 5.0
    ln = compile_distribution(Lognormal(dist="lognormal", mean=5.0, cv=1.0))
    assert work_quantile(ln, 0.5) == pytest.approx(5.0 / math.sqrt(2), rel=1e-12)  # the median


def test_a_minute_target_is_the_same_for_every_need_type_and_a_bad_quantile_is_refused():
    scenario = cxsim.load_scenario(SCENARIOS / "contact_centre.yaml")
    tight = scenario.model_copy(update={"policies": {"tight": Policy(extends="efficiency", handle_time_target=4.0)}})
    assert compile_scenario(tight, "tight").levers.need_budget == (4.0, 4.0, 4.0)
    assert Policy(handle_time_target="p95").handle_time_target == "p95"
    for bad in ("p0", "p100", "p", "q80", "p-5"):
        with pytest.raises(ValueError):
            Policy(handle_time_target=bad)


# --- the kernels, by construction ---------------------------------------------------------------------

def test_progress_kernels():
    # Half the needed time given: half the work done, half left.
    assert contact_progress(8.0, 4.0, 6.0) == (3.0, 3.0)
    assert contact_progress(8.0, 9.0, 6.0) == (0.0, 6.0)   # all of it given
    assert contact_progress(0.0, 0.0, 0.0) == (0.0, 0.0)   # nothing was needed
    assert carried_work(False, 3.0, 3.0, False, 0.5, 2.0) == -1.0  # off: the whole work again
    assert carried_work(True, 3.0, 4.0, True, 0.5, 2.0) == 3.0    # the owner keeps it all, no re-explaining
    assert carried_work(True, 3.0, 4.0, False, 0.5, 2.0) == 3.0 + 2.0 + 2.0  # half the progress lost, re-explain
    assert carried_work(True, 3.0, 4.0, False, 1.0, 0.0) == 3.0
    # An owned need is given up with its own probability, an unowned one with the scenario's.
    assert after_unsolved_owned(0.05, 0.1, 0.03, True) == NEXT_RETURN
    assert after_unsolved_owned(0.05, 0.1, 0.03, False) == NEXT_GIVE_UP
    assert after_unsolved_owned(0.02, 0.1, 0.03, True) == NEXT_GIVE_UP
    # The owner calls back at the promise, on the wall clock; anyone else comes back on their own time.
    profile = np.ones(168)
    assert comeback_time(100.0, 7.0, True, 1440.0, profile, True) == 1540.0
    assert comeback_time(100.0, 7.0, False, 1440.0, profile, True) == 107.0
    assert comeback_time(100.0, 7.0, True, 0.0, profile, True) == 107.0
    # A callback is judged on its real wait (promise + lateness) against the promise: on time is neutral.
    assert scored_wait(True, 0.0, 1440.0, 1.0) == (1440.0, 1440.0)
    assert scored_wait(True, 90.0, 1440.0, 1.0) == (1530.0, 1440.0)
    assert scored_wait(False, 2.5, 1440.0, 1.0) == (2.5, 1.0)


# --- geometric failure demand with carried progress ------------------------------------------------------

@pytest.fixture(scope="module")
def kept():
    """The geometric oracle with progress on (handling off: resolution does not depend on time)."""
    scenario = geometric(horizon=1440.0, warmup=120.0, mechanisms=CORE_AND_PROGRESS,
                         progress=Progress(case_notes_share=0.5, re_explain=2.0))
    return cxsim.run(scenario, replications=6, engine="fast")


def test_carried_progress_keeps_the_geometric_law(kept):
    p = 0.6
    m = kept.metrics
    assert_matches_theory(m["contacts_per_need"], 1 / p, max_rel_half_width=0.02)
    assert_matches_theory(m["failure_demand_share"], 1 - p, max_rel_half_width=0.03)
    assert (m["needs_given_up"] == 0).all()


def test_a_repeat_carries_the_progress_lost_plus_re_explaining(kept):
    """By construction: all the time was given, so a repeat needs half the last contact's work plus 2 min."""
    enc = next(iter(kept.tables.values()))["encounters"]
    enc = enc[enc["outcome"] == "handled"].sort_values(["need", "contact_no"])
    previous = enc.groupby("need")["time_needed"].shift()
    repeats = enc["contact_no"] > 1
    assert repeats.sum() > 500
    np.testing.assert_allclose(enc.loc[repeats, "time_needed"], 0.5 * previous[repeats] + 2.0, rtol=1e-12)


# --- directions, paired ---------------------------------------------------------------------------------

def test_more_progress_kept_means_fewer_contacts_per_need():
    """A 4-minute target closed at the budget: the more of the work done reaches the next agent, the fewer
    contacts a need takes (same customers, paired by replication)."""
    mechanisms = Mechanisms(handling=True, erosion=False, wellbeing=False, experience=False, loyalty=False,
                            progress=True)
    tight = {"tight": Policy(extends="baseline", handle_time_target=4.0, overrun="close")}
    runs = {share: cxsim.run(geometric(horizon=1440.0, warmup=120.0, mechanisms=mechanisms, policies=tight,
                                       progress=Progress(case_notes_share=share, re_explain=0.0)),
                             replications=6, engine="fast").metrics.set_index("replication")["contacts_per_need"]
            for share in (0.0, 1.0)}
    d = paired_difference(runs[1.0].sort_index(), runs[0.0].sort_index())
    assert d["ci_high"] < 0, d


# --- ownership --------------------------------------------------------------------------------------------

def _owning(ownership: Ownership):
    mechanisms = Mechanisms(handling=True, erosion=False, wellbeing=False, experience=False, loyalty=False,
                            progress=True)
    owner = {"owner": Policy(extends="baseline", ownership=True)}
    return cxsim.run(geometric(horizon=720.0, warmup=60.0, mechanisms=mechanisms, policies=owner,
                               ownership=ownership), replications=1, engine="fast")


def test_an_owned_need_can_be_given_up():
    """Given up always: one contact per need, no callback, and every unsolved need given up (by construction)."""
    enc_journeys = next(iter(_owning(Ownership(give_up=1.0)).tables.values()))
    journeys = enc_journeys["journeys"]
    ended = journeys[journeys["status"] != "open"]
    assert (ended["contacts"] == 1).all()
    assert not (enc_journeys["encounters"]["kind"] == "callback").any()
    assert ((ended["status"] == "given_up") == ~ended["first_contact_resolved"]).all()


def test_a_callback_comes_at_its_promise_and_takes_the_owners_time():
    tables = next(iter(_owning(Ownership(give_up=0.0, callback_promise=30.0)).tables.values()))
    enc = tables["encounters"].sort_values(["need", "contact_no"])
    ended = enc["arrived"] + enc["wait"] + enc["handle"]
    previous_end, previous_agent = ended.groupby(enc["need"]).shift(), enc.groupby("need")["agent"].shift()
    callbacks = enc["kind"] == "callback"
    assert callbacks.sum() > 100
    np.testing.assert_allclose(enc.loc[callbacks, "arrived"], previous_end[callbacks] + 30.0, rtol=1e-12)
    answered = callbacks & (enc["outcome"] == "handled")
    assert (enc.loc[answered, "agent"] == previous_agent[answered]).all()  # the owner makes it
    assert (tables["journeys"]["status"] != "given_up").all()


# --- the default scenario: a competent efficiency policy -------------------------------------------------------

def test_default_scenario_first_contact_resolution():
    """Efficiency (p80 target, closed at the budget) lands in 0.65–0.75; encounter near 0.80 (MODEL.md §1)."""
    scenario = cxsim.load_scenario(SCENARIOS / "contact_centre.yaml").model_copy(update={"horizon": 35 * 1440.0})
    m = cxsim.run(scenario, replications=3, engine="fast", keep_tables=False).metrics
    for policy, low, high in (("efficiency", 0.65, 0.75), ("encounter", 0.76, 0.84)):
        x = m.loc[m["policy"] == policy, "fcr"].to_numpy()
        half = stats.t.ppf(0.975, len(x) - 1) * x.std(ddof=1) / math.sqrt(len(x))
        assert low <= x.mean() - half and x.mean() + half <= high, (policy, x)


@pytest.mark.parametrize("target,message", [
    ("p200", "'p200' is not a quantile of the work: write 'p1' to 'p99', e.g. 'p80'"),
    ("0 min", "a handle-time target must be longer than 0 minutes")])
def test_a_bad_handle_time_target_is_one_line_naming_file_line_and_field(tmp_path, target, message):
    import subprocess
    import sys

    from helpers import VALID

    path = tmp_path / "bad.yaml"
    policy = f"  tight: {{extends: baseline, overrun: close, handle_time_target: {target}}}"
    path.write_text(VALID + "policies:\n" + policy + "\n")
    line, column = len(VALID.splitlines()) + 2, policy.index("handle_time_target") + 1
    proc = subprocess.run([sys.executable, "-m", "cxsim.cli", "run", str(path)], cwd=tmp_path, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 2
    assert (proc.stdout + proc.stderr).strip() == \
        f"{path}:{line}:{column}: policies.tight.handle_time_target: {message}"


# --- case notes as a policy lever -------------------------------------------------------------------------

def _notes_run(progress_share: float, lever: float | None, engine: str = "fast", replications: int = 3):
    mechanisms = Mechanisms(handling=True, erosion=False, wellbeing=False, experience=False, loyalty=False,
                            progress=True)
    policy = {"tight": Policy(extends="baseline", handle_time_target=4.0, overrun="close",
                              **({} if lever is None else {"case_notes_share": lever}))}
    return cxsim.run(geometric(horizon=720.0, warmup=60.0, mechanisms=mechanisms, policies=policy,
                               progress=Progress(case_notes_share=progress_share, re_explain=2.0)),
                     replications=replications, seed=3, engine=engine)


def test_the_case_notes_lever_is_the_progress_share_it_overrides():
    """By construction: a policy's ``case_notes_share: 0.8`` over a progress block of 0.1 gives exactly the
    run of a progress block of 0.8, and a policy that leaves it unset keeps the block's value."""
    a, b = _notes_run(0.1, 0.8).metrics, _notes_run(0.8, None).metrics
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    c = _notes_run(0.1, None).metrics
    assert not a["aht"].equals(c["aht"])  # and it does act: 0.8 is not 0.1


def test_an_intervention_moves_the_case_notes_lever():
    s = geometric(mechanisms=Mechanisms(progress=True), progress=Progress(case_notes_share=0.25),
                  policies={"notes": Policy(extends="baseline", interventions=[
                      {"at": 600.0, "set": {"case_notes_share": 1.0}}])})
    timeline = compile_scenario(s, "notes").timeline
    assert [(at, levers.case_notes) for at, levers in timeline] == [(0.0, 0.25), (600.0, 1.0)]
    assert compile_scenario(s, "baseline").levers.case_notes == 0.25


def test_both_engines_read_the_case_notes_lever_alike():
    pair = {engine: _notes_run(0.1, 0.9, engine, replications=1) for engine in ("simpy", "fast")}
    for key, tables in pair["simpy"].tables.items():
        assert (tables["encounters"]["contact_no"] > 1).sum() > 100, "a case without repeats tells nothing"
        for table in ("encounters", "journeys"):
            pd.testing.assert_frame_equal(tables[table], pair["fast"].tables[key][table], check_exact=True)
    pd.testing.assert_frame_equal(pair["simpy"].metrics, pair["fast"].metrics, check_exact=True)


def test_a_decomposition_switches_case_notes_from_unset_to_set():
    """explain: a policy that sets only case notes differs from its base in that lever alone, and each
    coalition resolves to the levers intended (unset stays unset: the progress block's value)."""
    from cxsim.explain import shapley
    from cxsim.scenario.mechanisms import resolve_policy

    policies = {"notes": Policy(extends="encounter", case_notes_share=1.0)}
    levers = shapley.differing_levers(policies, "encounter", "notes")
    assert levers.levers == {"case_notes_share": (None, 1.0)}
    for mask, expected in ((0, None), (1, 1.0)):
        name = levers.policy_name(mask)
        assert resolve_policy(name, {**policies, name: levers.coalition(mask)})["case_notes_share"] == expected


def test_an_intervention_on_case_notes_acts_from_its_time_alike_on_both_engines():
    """By construction (handling off: all the time is given, so a repeat needs the work lost plus 2 min):
    no notes before the intervention at 6 h, full notes after it; both engines bit for bit."""
    s = geometric(horizon=720.0, warmup=60.0, mechanisms=CORE_AND_PROGRESS,
                  progress=Progress(case_notes_share=0.0, re_explain=2.0),
                  policies={"notes": Policy(extends="baseline", interventions=[
                      {"at": 360.0, "set": {"case_notes_share": 1.0}}])})
    pair = {engine: cxsim.run(s, replications=1, seed=5, engine=engine, policies=["notes"])
            for engine in ("simpy", "fast")}
    for key, tables in pair["simpy"].tables.items():
        for table in ("encounters", "journeys"):
            pd.testing.assert_frame_equal(tables[table], pair["fast"].tables[key][table], check_exact=True)
    enc = next(iter(pair["fast"].tables.values()))["encounters"]
    enc = enc[enc["outcome"] == "handled"].sort_values(["need", "contact_no"])
    previous = enc.groupby("need")["time_needed"].shift()
    repeats = enc["contact_no"] > 1
    early, late = repeats & (enc["arrived"] < 360.0), repeats & (enc["arrived"] >= 360.0)
    assert early.sum() > 100 and late.sum() > 100
    np.testing.assert_allclose(enc.loc[early, "time_needed"], previous[early] + 2.0, rtol=1e-12)
    np.testing.assert_allclose(enc.loc[late, "time_needed"], 2.0, rtol=1e-12)


def test_the_report_and_scenario_json_say_the_case_notes_that_ran():
    """An unset lever is shown (and written) as the progress block's value, a set one as its own."""
    from cxsim.charts.handout import lever_table
    from cxsim.experiment.runner import scenario_as_run

    s = geometric(progress=Progress(case_notes_share=0.3),
                  policies={"baseline": Policy(), "notes": Policy(extends="baseline", case_notes_share=0.9)})
    data = scenario_as_run(s)
    assert [data["policies"][p]["case_notes_share"] for p in ("baseline", "notes")] == [0.3, 0.9]
    _, rows, _ = lever_table(data, ["baseline", "notes"])
    assert dict(rows)["work done a new agent gets from case notes"] == ["30%", "90%"]

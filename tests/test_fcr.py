"""First-contact resolution as it is really measured, management presets, the survey's exact sample (issue 13).

Oracles:
* the FCR kernels on contacts made by hand: which handled contacts a repeat within the window marks;
* in the model, "no repeat contact within 7 days" of every review equals, exactly, 1 − the share of
  handled contacts that the same customer follows with a contact within 7 days, computed here from
  the contacts table on its own;
* the tick-box with bias b reads true FCR + b·(1 − true FCR) in expectation: the binomial interval of
  the unsolved contacts ticked, review by review (the true FCR and the handled contacts counted here
  from the contacts table);
* the survey's sample is the exact hypergeometric draw: its inversion is scipy's ``hypergeom.ppf``, and
  the sampled NPS has the mean and variance of a draw without replacement;
* a preset expands to the block README documents for it; both engines agree with FCR rules steering.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from ruamel.yaml import YAML

import cxsim
from cxsim.compiled import compile_scenario
from cxsim.engines import get_engine
from cxsim.kernels.fcr import F_HANDLED, F_REPEATED, F_SOLVED, F_TICKED, FCR_COLS, SLOTS, contact_handled, \
    contact_starts, window_fcr
from cxsim.kernels.management import hypergeometric, sampled_nps
from cxsim.scenario.loading import ScenarioError
from cxsim.scenario.mechanisms import Management, Policy
from cxsim.tables import run_tables

from helpers import ROOT, small_phone_centre

DAY, WEEK = 1440.0, 7 * 1440.0


# --- the kernels ----------------------------------------------------------------------------------
def test_a_repeat_within_the_window_marks_the_contact_it_follows():
    tally, pending = np.zeros((30, FCR_COLS)), np.full(SLOTS, -1.0)
    contact_handled(tally, pending, 1.5 * DAY, True, 0.9, 0.0)     # day 1, solved
    contact_starts(tally, pending, 1.5 * DAY + 6.9 * DAY, WEEK)     # back after 6.9 days: a repeat of day 1
    contact_handled(tally, pending, 9.0 * DAY, False, 0.9, 0.0)     # day 9, not solved
    contact_starts(tally, pending, 9.0 * DAY + 7.1 * DAY, WEEK)     # back after 7.1 days: not a repeat
    contact_starts(tally, pending, 17.0 * DAY, WEEK)                # nothing pending: nothing counted
    assert tally[1, F_REPEATED] == 1 and tally[9, F_REPEATED] == 0 and tally[:, F_REPEATED].sum() == 1
    assert tally[:, F_HANDLED].sum() == 2 and tally[1, F_SOLVED] == 1 and tally[9, F_SOLVED] == 0
    # Two contacts handled in parallel, then one contact: it settles both, each by its own end.
    contact_handled(tally, pending, 20.0 * DAY, True, 0.9, 0.0)
    contact_handled(tally, pending, 21.0 * DAY, True, 0.9, 0.0)
    contact_starts(tally, pending, 27.5 * DAY, WEEK)                # 7.5 days after the first, 6.5 after the second
    assert tally[20, F_REPEATED] == 0 and tally[21, F_REPEATED] == 1
    assert window_fcr(tally, 0.0, 10 * DAY, F_REPEATED) == pytest.approx(0.5)
    assert window_fcr(tally, 0.0, 10 * DAY, F_SOLVED) == pytest.approx(0.5)
    assert math.isnan(window_fcr(tally, 2 * DAY, 9 * DAY, F_SOLVED))  # nothing handled then


def test_the_tickbox_ticks_every_solved_contact_and_the_bias_of_the_rest():
    tally, pending = np.zeros((2, FCR_COLS)), np.full(SLOTS, -1.0)
    assert contact_handled(tally, pending, 10.0, True, 0.99, 0.3)       # solved: always ticked
    assert contact_handled(tally, pending, 20.0, False, 0.29, 0.3)      # unsolved, u < b: ticked
    assert not contact_handled(tally, pending, 30.0, False, 0.31, 0.3)  # unsolved, u ≥ b: not
    assert tally[0, F_TICKED] == 2 and tally[0, F_SOLVED] == 1


# --- the survey's exact sample ----------------------------------------------------------------------
@pytest.mark.parametrize("good,total,n", [(30, 200, 25), (0, 50, 10), (50, 50, 10), (120, 300, 299), (7, 40, 39)])
def test_the_survey_sample_inverts_the_hypergeometric_distribution(good, total, n):
    dist = stats.hypergeom(total, good, n)
    support = np.arange(max(0, n - (total - good)), min(n, good) + 1)
    cdf = dist.cdf(support)
    for k, (low, high) in zip(support, zip(np.r_[0.0, cdf[:-1]], cdf)):
        if high - low < 1e-7:
            continue  # a step too small to aim inside, given rounding in either sum
        for u in (low + 1e-3 * (high - low), (low + high) / 2, high - 1e-3 * (high - low)):
            if u < 1.0:
                assert hypergeometric(u, good, total, n) == k


def test_the_sampled_nps_has_the_mean_and_variance_of_a_draw_without_replacement():
    respondents, promoters, detractors, sample = 400, 150, 130, 60
    rng = np.random.default_rng(11)
    draws = np.array([sampled_nps(rng.random(), rng.random(), respondents, promoters, detractors, sample)
                      for _ in range(6000)]) / 100
    p, d = promoters / respondents, detractors / respondents
    mean = p - d
    var = (p + d - mean ** 2) / sample * (respondents - sample) / (respondents - 1)
    assert abs(draws.mean() - mean) < 4 * math.sqrt(var / len(draws))
    # the sample variance of n normal-ish draws has sd ≈ var·√(2/(n−1)); kurtosis is mild here
    assert abs(draws.var(ddof=1) / var - 1) < 4 * math.sqrt(2 / (len(draws) - 1)) * 1.5
    assert sampled_nps(0.5, 0.5, respondents, promoters, detractors, 0) == pytest.approx(100 * mean)  # 0: all
    assert sampled_nps(0.5, 0.5, respondents, promoters, detractors, 10_000) == pytest.approx(100 * mean)


# --- in the model ------------------------------------------------------------------------------------
SCENARIO = """
name: fcr
seed: 5
replications: 1
horizon: {horizon}
warmup: 1 w
mechanisms: {{handling: on, erosion: off, wellbeing: off, experience: on, loyalty: off}}
policies:
  steer:
    extends: baseline
    handle_time_target: 6 min
    overrun: close
    management:
      rules:
        - {{kpi: fcr_tickbox, target: 0.95, lever: handle_time_target, step: 2.0}}
      tickbox_bias: {bias}
      {extra}
{centre}"""


def _params(tmp_path, horizon="8 w", bias=0.4, extra="cycle: 7 d", customers=6000):
    path = tmp_path / "fcr.yaml"
    path.write_text(SCENARIO.format(horizon=horizon, bias=bias, extra=extra, centre=small_phone_centre(customers)))
    return compile_scenario(cxsim.load_scenario(path))


def _handled(encounters: pd.DataFrame) -> pd.DataFrame:
    enc = encounters.copy()
    enc["end"] = enc["arrived"] + enc["wait"] + enc["handle"]
    return enc[enc["outcome"].astype(str) == "handled"]


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    params = _params(tmp_path_factory.mktemp("fcr"))
    tables = run_tables(get_engine("fast")(params, 5, 0), params)
    return tables["reviews"].to_pandas(), tables["encounters"].to_pandas()


def test_fcr_by_repeat_is_the_share_not_followed_within_7_days_in_the_contacts_table(run):
    reviews, encounters = run
    handled = _handled(encounters)
    arrivals = {c: np.sort(g["arrived"].to_numpy()) for c, g in encounters.groupby("customer")}
    followed = np.array([np.searchsorted(arrivals[c], e, "left") < np.searchsorted(arrivals[c], e + WEEK, "right")
                         for c, e in zip(handled["customer"], handled["end"])])
    handled = handled.assign(followed=followed)
    checked = 0
    for r in reviews.itertuples():
        window = handled[(handled.end >= r.at - WEEK - WEEK) & (handled.end < r.at - WEEK)]
        if len(window) == 0:
            assert math.isnan(r.fcr_repeat)   # the first week is not known yet
            continue
        assert r.fcr_repeat == pytest.approx(1 - window.followed.mean(), abs=1e-12)
        checked += 1
    assert checked == len(reviews) - 1
    # a measure of its own: not the tick-box, not the truth
    assert not np.allclose(reviews.fcr_repeat.iloc[1:], reviews.fcr_true.iloc[1:])


def test_the_tickbox_reads_true_fcr_plus_bias_times_the_rest(run):
    reviews, encounters = run
    handled, b = _handled(encounters), 0.4
    z = []
    for r in reviews.itertuples():
        window = handled[(handled.end >= r.at - WEEK) & (handled.end < r.at)]
        n, solved = len(window), int(window.resolved.sum())
        assert r.fcr_true == pytest.approx(solved / n, abs=1e-12)       # the truth: every handled contact
        expected = r.fcr_true + b * (1 - r.fcr_true)
        sd = math.sqrt(b * (1 - b) * (n - solved)) / n
        z.append((r.fcr_tickbox - expected) / sd)
    assert np.max(np.abs(z)) < 4.0
    assert abs(np.mean(z)) < 4.0 / math.sqrt(len(z))
    assert (reviews.fcr_tickbox > reviews.fcr_true).all()               # it flatters


def test_both_engines_identical_with_fcr_steering_and_no_population(tmp_path):
    params = _params(tmp_path, horizon="3 w", extra="cycle: 7 d\n      survey_sample: 20")
    fast = run_tables(get_engine("fast")(params, 3, 0), params)
    simpy = run_tables(get_engine("simpy")(params, 3, 0), params)
    assert fast["reviews"].num_rows == 2
    for name in fast:
        assert fast[name].to_pandas().equals(simpy[name].to_pandas()), name
    path = tmp_path / "open.yaml"
    path.write_text(SCENARIO.format(horizon="3 w", bias=0.4, extra="cycle: 7 d", centre=small_phone_centre(1)).replace(
        "  population: {customers: 1, need_rate: 1 /30d}", "  open: {rate: 3 /h}"))
    params = compile_scenario(cxsim.load_scenario(path))
    fast = run_tables(get_engine("fast")(params, 3, 0), params)
    simpy = run_tables(get_engine("simpy")(params, 3, 0), params)
    reviews = fast["reviews"].to_pandas()
    assert reviews.fcr_repeat.notna().sum() == 1 and reviews.fcr_tickbox.notna().all()
    for name in fast:
        assert fast[name].to_pandas().equals(simpy[name].to_pandas()), name


# --- presets -------------------------------------------------------------------------------------------
def _documented_presets() -> dict[str, dict]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- management presets -->\n```yaml\n(.*?)```", readme, re.S).group(1)
    policies = YAML(typ="safe").load(block)["policies"]
    return {name: policies[f"{name}_focus"]["management"] for name in ("efficiency", "encounter")}


@pytest.mark.parametrize("name", ["efficiency", "encounter"])
def test_a_preset_expands_to_the_block_the_readme_documents(name):
    documented = Management.model_validate(_documented_presets()[name])
    expanded = Policy.model_validate({"management": name}).management
    assert expanded.preset == name and expanded.model_dump(exclude={"preset"}) == documented.model_dump(exclude={"preset"})
    assert Management.model_validate({"preset": name}).model_dump(exclude={"preset"}) == \
        documented.model_dump(exclude={"preset"})


def test_a_block_naming_a_preset_overrides_its_fields():
    m = Policy.model_validate({"management": {"preset": "encounter", "targets": {"nps": 30, "fcr_repeat": 0.7},
                                              "cycle": "14 d", "tickbox_bias": 0.2}}).management
    documented = _documented_presets()["encounter"]
    assert [r.kpi for r in m.rules] == [r["kpi"] for r in documented["rules"]]
    assert [r.target for r in m.rules] == [30.0 if r["kpi"] == "nps" else 0.7 for r in documented["rules"]]
    assert m.cycle == 14 * DAY and m.tickbox_bias == 0.2
    own = Policy.model_validate({"management": {"preset": "efficiency",
                                                "rules": [{"kpi": "aht", "target": 6, "lever": "staffing",
                                                           "step": 0.1}]}}).management
    assert len(own.rules) == 1 and own.rules[0].lever == "staffing"


def test_an_unknown_preset_is_one_line_naming_the_field(tmp_path):
    path = tmp_path / "fcr.yaml"
    path.write_text(SCENARIO.format(horizon="2 w", bias=0.4, extra="cycle: 7 d", centre=small_phone_centre(100)).replace(
        "    management:\n      rules:\n        - {kpi: fcr_tickbox, target: 0.95, lever: handle_time_target, step: 2.0}\n"
        "      tickbox_bias: 0.4\n      cycle: 7 d\n", "    management: effciency\n"))
    with pytest.raises(ScenarioError) as info:
        cxsim.load_scenario(path)
    lines = str(info.value).strip().splitlines()
    assert len(lines) == 1 and "policies.steer.management" in lines[0] and "'efficiency' or 'encounter'" in lines[0]


def test_a_measurement_nobody_watches_moves_nothing_else(tmp_path):
    """The tick-box draws from a stream of its own: with no rule on it, its bias changes only its column."""
    extra = "cycle: 7 d"
    tables = {}
    for bias in (0.0, 1.0):
        path = tmp_path / f"b{bias}.yaml"
        path.write_text(SCENARIO.format(horizon="3 w", bias=bias, extra=extra, centre=small_phone_centre(3000)).replace(
            "kpi: fcr_tickbox, target: 0.95", "kpi: fcr_repeat, target: 0.95"))
        params = compile_scenario(cxsim.load_scenario(path))
        tables[bias] = {k: v.to_pandas() for k, v in run_tables(get_engine("fast")(params, 9, 0), params).items()}
    for name in tables[0.0]:
        a, b = tables[0.0][name], tables[1.0][name]
        if name == "reviews":
            assert (a.fcr_tickbox <= a.fcr_true + 1e-12).all() and (b.fcr_tickbox == 1.0).all()
            a, b = a.drop(columns="fcr_tickbox"), b.drop(columns="fcr_tickbox")
        assert a.equals(b), name

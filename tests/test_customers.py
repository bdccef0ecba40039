"""Customers (MODEL.md §2): segments, channel choice that responds to the wait, expectations that
learn, a brand promise, the customer table, and the cost of acquiring a replacement customer.

Oracles: exact Poisson and binomial laws for what segments raise, constructed cases for learning
and choice, and paired runs on the same customers (common random numbers) for directions.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import yaml
from scipy import stats

from cxsim.codes import ABANDONED, HANDLED
from cxsim.compiled import compile_scenario
from cxsim.engines import get_engine
from cxsim.kernels.customers import choose_channel, demand_scale, learnt_wait, segment_of, who_raises
from cxsim.metrics import replication_metrics
from cxsim.scenario.schema import Scenario
from cxsim.tables import run_tables

DAY = 1440.0

#: A small population with two channels and the loyalty and erosion mechanisms off, so that the
#: population stays what it was at the start (needs are then a Poisson process per customer).
BASE = {
    "name": "customers", "horizon": "4 d", "warmup": "0 min", "seed": 3, "replications": 1,
    "demand": {"population": {"customers": 3000, "need_rate": "1 /10d"},
               "channel_mix": {"phone": 0.6, "chat": 0.4}},
    "needs": {"billing": {"share": 0.6, "work_time": {"dist": "exponential", "mean": "4 min"}, "resolution": 0.8},
              "fault": {"share": 0.4, "work_time": {"dist": "exponential", "mean": "6 min"}, "resolution": 0.7}},
    "channels": {"phone": {"kind": "phone"}, "chat": {"kind": "chat"}},
    "teams": {"phone": {"agents": 3, "channels": ["phone"]}, "chat": {"agents": 2, "channels": ["chat"]}},
    "mechanisms": {"erosion": False, "wellbeing": False, "loyalty": False, "handling": False, "experience": True},
}


def scenario(**changes) -> Scenario:
    data = yaml.safe_load(yaml.safe_dump(BASE, sort_keys=False))  # a deep copy, in order
    for path, value in changes.items():
        node = data
        keys = path.split("__")
        for k in keys[:-1]:
            node = node.setdefault(k, {})
        node[keys[-1]] = value
    return Scenario.model_validate(data)


def tables(s: Scenario, seed: int = 1, replication: int = 0, engine: str = "simpy", policy: str | None = None):
    p = compile_scenario(s, policy)
    return run_tables(get_engine(engine)(p, seed, replication), p), p


def same(a, b) -> bool:
    """Equal tables, NaN equal to NaN (Arrow's own ``equals`` says NaN differs from itself)."""
    return a.schema == b.schema and a.to_pandas().equals(b.to_pandas())


# --- kernels --------------------------------------------------------------------------------------
def test_one_segment_picks_as_before():
    """One segment, rate factor 1: the scale is the active count and the pick is min(int(u·n), n−1)."""
    counts, factor = np.array([1234], dtype=np.int64), np.array([1.0])
    assert demand_scale(counts, factor) == 1234.0
    for u in np.linspace(0, 1, 1001, endpoint=False):
        assert who_raises(u, counts, factor) == (0, min(int(u * 1234), 1233))
    assert segment_of(0.999, np.array([1.0])) == 0


def test_who_raises_weighs_by_need_rate():
    """On a fine grid of uniforms, each segment gets its share of Σ count × rate factor (to the grid)."""
    counts, factor = np.array([100, 0, 50], dtype=np.int64), np.array([1.0, 5.0, 4.0])
    grid = (np.arange(30000) + 0.5) / 30000
    picks = [who_raises(u, counts, factor) for u in grid]
    segs = np.array([s for s, _ in picks])
    share = np.bincount(segs, minlength=3) / len(grid)
    np.testing.assert_allclose(share, [100 / 300, 0.0, 200 / 300], atol=1e-4)
    assert all(0 <= i < counts[s] for s, i in picks)


def test_channel_choice_is_the_mix_at_the_norm_and_a_logit_away_from_it():
    weight = np.array([0.5, 0.3, 0.2])
    cdf = np.cumsum(weight) / weight.sum()
    norm = np.array([1.0, 2.0, 480.0])
    grid = (np.arange(20000) + 0.5) / 20000

    def shares(expected, beta):
        picks = np.array([choose_channel(u, cdf, weight, expected, norm, beta) for u in grid])
        return np.bincount(picks, minlength=3) / len(grid)

    np.testing.assert_allclose(shares(norm.copy(), 1.5), weight, atol=1e-4)      # at the norm: the mix
    np.testing.assert_allclose(shares(4 * norm, 0.0), weight, atol=1e-4)         # sensitivity 0: the mix
    expected = np.array([3.0, 2.0, 240.0])  # phone 3× its norm, email half of it
    odds = weight * np.exp(-1.5 * (expected / norm - 1))
    np.testing.assert_allclose(shares(expected, 1.5), odds / odds.sum(), atol=1e-4)


def test_learnt_wait_converges_to_the_experienced_mean():
    """Constructed: exponential waits of mean 5; the expectation after many encounters is, over
    independent customers, centred on 5 with the stationary variance a/(2−a)·σ² of the EWMA."""
    rng = np.random.default_rng(7)
    rate, mean, customers, steps = 0.2, 5.0, 4000, 80
    waits = rng.exponential(mean, size=(customers, steps))
    expected = np.full(customers, 1.0)  # a brand promise of 1 minute, far from the truth
    for k in range(steps):
        expected = np.array([learnt_wait(e, w, rate) for e, w in zip(expected, waits[:, k])])
    se = math.sqrt(rate / (2 - rate) * mean ** 2 / customers)
    assert abs(expected.mean() - mean) < 4 * se
    assert learnt_wait(3.0, 10.0, 0.0) == 3.0 and learnt_wait(3.0, 10.0, 1.0) == 10.0
    assert learnt_wait(3.0, math.nan, 0.5) == 3.0


# --- segments -------------------------------------------------------------------------------------
def test_one_listed_segment_gives_the_same_run_as_none():
    plain, _ = tables(scenario())
    listed, _ = tables(scenario(demand__segments={"everyone": {"share": 1}}))
    for name in ("encounters", "journeys", "agents"):
        assert same(plain[name], listed[name]), name
    assert same(plain["customers"].drop_columns(["segment"]), listed["customers"].drop_columns(["segment"]))


SEGMENTS = {"private": {"share": 0.5},
            "business": {"share": 0.3, "need_rate": "3 /10d", "needs": {"fault": 1}, "value_per_month": 90},
            "vulnerable": {"share": 0.2, "patience": 2.0, "expectation": 8.5}}


def test_segment_shares_recovered_from_the_customer_table():
    t, _ = tables(scenario(demand__segments=SEGMENTS))
    customers = t["customers"].to_pandas()
    assert len(customers) == 3000 and customers["joined"].eq(0).all()
    counts = customers["segment"].value_counts()
    for name, seg in SEGMENTS.items():
        lo, hi = stats.binom.interval(0.999, 3000, seg["share"])
        assert lo <= counts[name] <= hi, (name, counts[name])


def test_needs_per_segment_follow_their_need_rate():
    """Oracle: with a constant population, segment s raises Poisson(n_s · rate_s · T) needs; the
    business segment (3× the rate) raises ~3× the needs per customer, and only faults."""
    s = scenario(demand__segments=SEGMENTS, horizon="6 d")
    t, p = tables(s, seed=4)
    customers = t["customers"].to_pandas()
    rate = {"private": 0.1 / DAY, "business": 0.3 / DAY, "vulnerable": 0.1 / DAY}
    for name, r in rate.items():
        mine = customers[customers["segment"] == name]
        lam = len(mine) * r * p.horizon
        lo, hi = stats.poisson.interval(0.999, lam)
        assert lo <= mine["needs"].sum() <= hi, (name, mine["needs"].sum(), lam)
    journeys = t["journeys"].to_pandas()
    business = set(customers.loc[customers["segment"] == "business", "customer"])
    of_business = journeys[journeys["customer"].isin(business)]
    assert len(of_business) and (of_business["need_type"] == "fault").all()
    per = customers.groupby("segment", observed=True)["needs"].mean()
    assert 2.4 < per["business"] / per["private"] < 3.6


def test_customer_table_adds_up_to_the_journeys():
    t, _ = tables(scenario(demand__segments=SEGMENTS))
    customers, journeys = t["customers"].to_pandas(), t["journeys"].to_pandas()
    assert customers["needs"].sum() == len(journeys)
    assert customers["contacts"].sum() == journeys["contacts"].sum()
    assert customers["solved"].sum() == (journeys["status"] == "solved").sum()
    assert customers["given_up"].sum() == (journeys["status"] == "given_up").sum()
    asked = customers["nps_class"].notna()
    assert asked.sum() == journeys.loc[journeys["recommend"] >= 0, "customer"].nunique()


# --- churn, value and acquisition ---------------------------------------------------------------------
def test_acquisition_cost_enters_net_value():
    """Same customers, same run: net value falls by exactly the acquisition cost × customers lost, and
    value lost in the customer table is each churned customer's value over the rest of the horizon."""
    loyal = {"erosion": False, "wellbeing": False, "loyalty": True, "handling": False, "experience": True}
    s0 = scenario(mechanisms=loyal, demand__segments=SEGMENTS, loyalty={"churn_per_month": 0.3})
    s1 = scenario(mechanisms=loyal, demand__segments=SEGMENTS, loyalty={"churn_per_month": 0.3},
                  customers={"acquisition_cost": 250.0})
    (t0, p0), (t1, p1) = tables(s0), tables(s1)
    m0, m1 = replication_metrics(t0, p0), replication_metrics(t1, p1)
    assert m0["customers_lost"] == m1["customers_lost"] > 0
    assert m1["net_value"] == pytest.approx(m0["net_value"] - 250.0 * m0["customers_lost"], rel=1e-12)
    c = t1["customers"].to_pandas()
    churned = c[c["churned"]]
    value = churned["segment"].map({"private": 30.0, "business": 90.0, "vulnerable": 30.0}).astype(float)
    np.testing.assert_allclose(churned["value_lost"], value * (p1.horizon - churned["left"]) / (30 * DAY))
    assert (c.loc[~c["churned"], "value_lost"] == 0).all()


# --- channel choice and learning in a run -----------------------------------------------------------------
def _phone_share(t, start: float) -> float:
    j = t["journeys"].to_pandas()
    j = j[j["created"] >= start]
    return float((j["first_channel"] == "phone").mean())


def test_channel_choice_moves_demand_away_from_a_slow_channel():
    """Paired: the same customers (300 of them, two needs a day each) with the phone team cut from
    2 agents to 1, so that phone waits rise. Without choice the first channels are identical; with
    choice and learning the phone share falls."""
    choice = {"wait_sensitivity": 1.0, "wait_learning": 0.5}
    demand = {"customers": 300, "need_rate": "2 /d"}
    diffs, same = [], []
    for rep in range(4):
        runs = {}
        for label, extra in (("fixed", {}), ("choice", {"customers": choice})):
            good, _ = tables(scenario(demand__population=demand, teams__phone__agents=2, **extra), replication=rep)
            slow, _ = tables(scenario(demand__population=demand, teams__phone__agents=1, **extra), replication=rep)
            runs[label] = (_phone_share(good, DAY), _phone_share(slow, DAY))
        same.append(runs["fixed"][0] == runs["fixed"][1])
        diffs.append(runs["choice"][1] - runs["choice"][0])
    assert all(same)
    d = np.array(diffs)
    half = stats.t.ppf(0.995, len(d) - 1) * d.std(ddof=1) / math.sqrt(len(d))
    assert d.mean() + half < 0, d


def test_full_learning_remembers_the_last_wait():
    """Constructed: with learning rate 1, a customer's expected phone wait after the run is the wait
    of their last phone contact that queued (and the brand promise for customers who never called)."""
    from cxsim.engines.simpy.model import Model
    s = scenario(customers={"wait_learning": 1.0, "brand_promise": {"phone": "10 s"}}, horizon="2 d")
    model = Model(compile_scenario(s), 1, 0)
    model.run()
    enc = [e for e in model.record.encounters if e.channel == 0 and e.outcome in (HANDLED, ABANDONED)]
    last: dict[int, float] = {}
    # An encounter is scored (and learnt from) when it ends: at the answer plus the handling, or abandoning.
    for e in sorted(enc, key=lambda e: e.arrived + e.wait + e.handle):
        last[e.customer] = e.wait
    waits = model.customers.waits
    assert len(last) > 100
    for cid, wait in last.items():
        assert waits[cid][0] == pytest.approx(wait, abs=1e-9)
    never = [cid for cid in range(len(waits)) if cid not in last]
    assert never and all(waits[cid][0] == pytest.approx(10 / 60) for cid in never)


# --- input --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("changes, field", [
    ({"demand__segments": {"a": {"share": 1, "channel_mix": {"fax": 1}}}}, "demand.segments.a.channel_mix.fax"),
    ({"demand__segments": {"a": {"share": 1, "needs": {"nope": 1}}}}, "demand.segments.a.needs.nope"),
    ({"customers": {"brand_promise": {"fax": "1 min"}}}, "customers.brand_promise.fax"),
])
def test_unknown_names_are_refused_with_their_path(changes, field):
    from cxsim.scenario.schema import cross_check
    problems = cross_check(scenario(**changes))
    assert any(".".join(map(str, path)) == field for path, _ in problems), problems


# --- both engines -------------------------------------------------------------------------------------------
def test_engines_identical_with_segments_choice_and_learning():
    loyal = {"erosion": True, "wellbeing": True, "loyalty": True, "handling": True, "experience": True}
    s = scenario(mechanisms=loyal, demand__segments=SEGMENTS, loyalty={"churn_per_month": 0.2, "referral": 0.05},
                 customers={"wait_sensitivity": 0.8, "wait_learning": 0.3, "brand_promise": {"chat": "30 s"},
                            "acquisition_cost": 100.0}, horizon="3 d")
    a, p = tables(s, engine="simpy", seed=9)
    b, _ = tables(s, engine="fast", seed=9)
    for name in a:
        assert same(a[name], b[name]), name
    assert replication_metrics(a, p) == replication_metrics(b, p)


def test_validate_points_at_a_bad_segment_key(tmp_path):
    """Bad input is one line naming file, line and field, exit 2."""
    import subprocess
    import sys
    text = yaml.safe_dump(BASE, sort_keys=False).replace(
        "demand:\n", "demand:\n  segments:\n    business: {share: 1, channel_mix: {fax: 1}}\n", 1)
    (tmp_path / "s.yaml").write_text(text, encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "cxsim.cli", "validate", "s.yaml"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert lines == ["s.yaml:8:40: demand.segments.business.channel_mix.fax: 'fax' does not exist"], lines

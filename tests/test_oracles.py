"""The engine against queueing theory (MODEL.md §11): Erlang C, Erlang A, Little's law, 1/p, conservation."""

from __future__ import annotations

import pytest

import cxsim
from cxsim.metrics import little
from cxsim.queueing import erlang_a, erlang_c

from helpers import SCENARIOS, assert_matches_theory

pytestmark = pytest.mark.slow  # many replications per oracle: run by .ci/run, not by the quick check


#: The oracles hold on both engines. The fast engine runs on its own seed: with the scenario's seed
#: it would repeat the SimPy engine's trajectory exactly (tests/test_fast_engine.py), and prove nothing new.
ENGINES = [("simpy", None), ("fast", 9001)]


def _run(name: str, request) -> cxsim.Results:
    engine, seed = request.param
    return cxsim.run(SCENARIOS / name, engine=engine, seed=seed)


@pytest.fixture(scope="module", params=ENGINES, ids=[e for e, _ in ENGINES])
def erlang_c_run(request):
    return _run("erlang_c.yaml", request)


@pytest.fixture(scope="module", params=ENGINES, ids=[e for e, _ in ENGINES])
def erlang_a_run(request):
    return _run("erlang_a.yaml", request)


@pytest.fixture(scope="module", params=ENGINES, ids=[e for e, _ in ENGINES])
def geometric_run(request):
    return _run("geometric.yaml", request)


def test_theory_values_are_the_published_ones():
    c = erlang_c(12.0, 4.0, 55, target=20 / 60)
    assert (round(c.p_wait, 4), round(c.mean_wait * 60, 2), round(c.service_level, 4)) == (0.2387, 8.18, 0.8668)
    a = erlang_a(48.0, 1.0, 50, 2.0)
    assert (round(a.p_wait, 4), round(a.p_abandon, 4), round(a.mean_wait * 60, 2)) == (0.4678, 0.0309, 3.71)


@pytest.mark.parametrize("metric,theory", [("p_wait", "p_wait"), ("mean_wait", "mean_wait"),
                                           ("service_level", "service_level")])
def test_erlang_c(erlang_c_run, metric, theory):
    expected = getattr(erlang_c(12.0, 4.0, 55, target=20 / 60), theory)
    # Mean wait is a small number with a heavy right tail: it needs a looser precision bound.
    assert_matches_theory(erlang_c_run.metrics[metric], expected, max_rel_half_width=0.35)


@pytest.mark.parametrize("metric,theory", [("p_wait", "p_wait"), ("p_abandon", "p_abandon"),
                                           ("mean_wait", "mean_wait"), ("service_level", "service_level")])
def test_erlang_a(erlang_a_run, metric, theory):
    expected = getattr(erlang_a(48.0, 1.0, 50, 2.0, target=20 / 60), theory)
    assert_matches_theory(erlang_a_run.metrics[metric], expected, max_rel_half_width=0.15)


def test_erlang_a_occupancy_is_carried_load(erlang_a_run):
    assert_matches_theory(erlang_a_run.metrics["occupancy"], erlang_a(48.0, 1.0, 50, 2.0).occupancy,
                          max_rel_half_width=0.01)


def _assert_littles_law(results: cxsim.Results) -> None:
    for rep in range(results.replications):
        L, lam, W = little(results.tables[("baseline", rep)], results.params)
        # Only contacts straddling the window's two ends separate L from λW.
        assert L == pytest.approx(lam * W, rel=0.02, abs=1e-3), f"replication {rep}: L={L}, λW={lam * W}"


def test_littles_law_on_each_sample_path_erlang_c(erlang_c_run):
    _assert_littles_law(erlang_c_run)


def test_littles_law_on_each_sample_path_erlang_a(erlang_a_run):
    _assert_littles_law(erlang_a_run)


def test_littles_law_on_each_sample_path_geometric(geometric_run):
    _assert_littles_law(geometric_run)


def test_geometric_failure_demand(geometric_run):
    p = 0.6
    m = geometric_run.metrics
    assert_matches_theory(m["contacts_per_need"], 1 / p, max_rel_half_width=0.02)
    assert_matches_theory(m["failure_demand_share"], 1 - p, max_rel_half_width=0.02)
    assert_matches_theory(m["fcr"], p, max_rel_half_width=0.02)
    assert (m["needs_given_up"] == 0).all()


@pytest.fixture(scope="module")
def busy_centre():
    """The default centre over a short horizon: abandonment, retrials, give-ups, self-service, shifts."""
    scenario = cxsim.load_scenario(SCENARIOS / "contact_centre.yaml")
    return cxsim.run(scenario.model_copy(update={"horizon": 3 * 1440.0, "warmup": 0.0}), replications=2)


def test_conservation_every_need_is_accounted_for(busy_centre):
    for (_, rep), t in busy_centre.tables.items():
        journeys, enc, daily = t["journeys"], t["encounters"], t["daily"]
        assert journeys["need"].is_unique
        assert len(journeys) == daily["needs_created"].sum()
        counts = journeys["status"].value_counts()
        assert counts["solved"] + counts["given_up"] + counts["open"] == len(journeys)
        assert counts["solved"] == daily["needs_solved"].sum() and counts["given_up"] == daily["needs_given_up"].sum()
        assert daily["open_needs"].iloc[-1] == counts["open"]
        # Every contact belongs to a recorded need, and each need's contact count matches its encounters.
        per_need = enc.groupby("need").size()
        assert set(per_need.index) <= set(journeys["need"])
        merged = journeys.set_index("need")["contacts"].reindex(per_need.index)
        assert (merged == per_need).all()
        # Solved needs end with a resolving contact; nothing resolves after a need is closed.
        last = enc.sort_values(["need", "contact_no"]).groupby("need").tail(1).set_index("need")
        solved = journeys[journeys["status"] == "solved"]["need"]
        assert last.loc[solved, "resolved"].all()
        assert enc.groupby("need")["resolved"].sum().max() == 1


def test_busy_centre_exercises_every_path(busy_centre):
    enc = busy_centre.table("encounters")
    assert set(enc["kind"].unique()) >= {"first", "repeat", "retrial", "switch"}
    assert set(enc["outcome"].unique()) >= {"handled", "abandoned", "self_service"}
    journeys = busy_centre.table("journeys")
    assert set(journeys["status"].unique()) == {"solved", "given_up", "open"}

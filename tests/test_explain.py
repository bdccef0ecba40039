"""Explaining a result (MODEL.md §10b) against known answers.

- Shapley: the contributions add up exactly to the whole difference, replication by replication;
  the empty and the full coalition are exactly the two policies; on a game with known values the
  exact and the all-orders computation both give them.
- Sensitivity: Ishigami's analytic Sobol indices are recovered within their bootstrap intervals
  through the same design and analysis code the simulation uses; a parameter that is never read
  (in Ishigami, and in the model) gets an index indistinguishable from zero.
- Flips: crossings and the rule on data whose boundary is known by construction.
Simulation tests use a tiny centre (a week, 400 customers) on the SimPy engine.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from helpers import ROOT

import cxsim
from cxsim.experiment.runner import run
from cxsim.explain import flip, sensitivity, shapley
from cxsim.explain.study import decompose, sensitivity_study

TINY = ROOT / "docs" / "examples" / "explain_small.yaml"
METRICS = ["nps_true", "cost_per_solved_need", "contacts_per_need", "aht"]


@pytest.fixture(scope="module")
def tiny():
    return cxsim.load_scenario(TINY)


@pytest.fixture(scope="module")
def decomposition(tiny):
    return decompose(tiny, "rushed", "owning", METRICS, replications=2, engine="simpy")


# --- Shapley -------------------------------------------------------------------------------

def test_contributions_add_up_exactly_to_the_difference(decomposition):
    assert decomposition["method"] == "exact" and decomposition["coalitions"] == 8
    assert set(decomposition["levers"]) == {"handle_time_target", "overrun", "ownership"}
    for metric in METRICS:
        per_rep = decomposition["metrics"][metric]["per_replication"]
        total = np.array(per_rep["total"])
        summed = sum(np.array(per_rep[lever]) for lever in decomposition["levers"])
        np.testing.assert_allclose(summed, total, rtol=1e-12, atol=1e-12)
        means = decomposition["metrics"][metric]
        assert math.isclose(sum(c["mean"] for c in means["contributions"].values()), means["total"]["mean"],
                            rel_tol=1e-12, abs_tol=1e-12)


def test_empty_and_full_coalitions_are_the_two_policies(tiny, decomposition):
    """Coalition ∅ is the reference policy and the full coalition the other, run for run (same streams)."""
    direct = run(tiny, replications=2, engine="simpy", keep_tables=False).metrics
    for metric in METRICS:
        block = decomposition["metrics"][metric]
        for policy, key in (("rushed", "reference"), ("owning", "other")):
            values = direct[direct["policy"] == policy].sort_values("replication")[metric].to_numpy()
            assert math.isclose(block[key]["mean"], float(values.mean()), rel_tol=1e-12)


def test_an_interaction_is_shared_equally(decomposition):
    """A handle-time target does nothing without closing at it, and closing does nothing without a
    target: a pure interaction, which Shapley splits half and half."""
    for metric in METRICS:
        parts = decomposition["metrics"][metric]["per_replication"]
        np.testing.assert_allclose(parts["handle_time_target"], parts["overrun"], rtol=1e-12)


def _game(n: int, weights, pair: float):
    """v(S) = Σ_{i∈S} w_i + pair·[0 ∈ S and 1 ∈ S]: Shapley values w_0 + pair/2, w_1 + pair/2, w_i."""
    values = {}
    for mask in range(2 ** n):
        v = sum(w for i, w in enumerate(weights) if mask >> i & 1) + (pair if mask & 3 == 3 else 0.0)
        values[mask] = np.array([v, 2 * v])   # two "replications"
    known = np.array(weights, dtype=float) + np.array([pair / 2, pair / 2] + [0.0] * (n - 2))
    return values, known


def test_exact_and_all_orders_give_the_known_shapley_values():
    values, known = _game(4, [1.0, -2.0, 0.5, 3.0], pair=5.0)
    np.testing.assert_allclose(shapley.exact(values, 4)[:, 0], known)
    phi, error = shapley.sampled(values, 4, shapley.all_orders(4))
    np.testing.assert_allclose(phi[:, 0], known)
    np.testing.assert_allclose(phi[:, 1], 2 * known)


def test_sampled_orders_add_up_exactly_and_state_their_error():
    values, known = _game(5, [1.0, -2.0, 0.5, 3.0, 0.0], pair=5.0)
    orders = shapley.sampled_orders(5, 6, seed=3)
    phi, error = shapley.sampled(values, 5, orders)
    np.testing.assert_allclose(phi.sum(axis=0), values[31] - values[0], rtol=1e-12)
    # Additive levers have the same contribution in every order: no sampling error; the pair has some.
    assert error[2] == 0 and error[3] == 0 and error[0] > 0
    assert np.all(np.abs(phi[:, 0] - known) <= 4 * error + 1e-12)
    assert set(shapley.order_masks(orders)) >= {0, 31}


# --- sensitivity: Ishigami through the same code -----------------------------------------

ISHIGAMI_S1 = [0.3139, 0.4424, 0.0, 0.0]     # Ishigami & Homma (1990), a = 7, b = 0.1
ISHIGAMI_ST = [0.5576, 0.4424, 0.2437, 0.0]  # the fourth parameter is never read


def _ishigami(X):
    from SALib.test_functions import Ishigami
    return Ishigami.evaluate(X[:, :3])


def _ishigami_problem():
    from cxsim.scenario.uncertain import Uncertain
    return [Uncertain(f"x{i}", -math.pi, math.pi, 0.0) for i in range(1, 4)] + [Uncertain("unused", 0.0, 1.0, 0.5)]


def test_sobol_recovers_the_analytic_ishigami_indices_within_their_intervals():
    _, _, result = sensitivity.run_design("sobol", _ishigami_problem(), 1024, seed=11, model=_ishigami)
    for i in range(4):
        assert abs(result["S1"][i] - ISHIGAMI_S1[i]) <= result["S1_conf"][i] + 1e-12, (i, result)
        assert abs(result["ST"][i] - ISHIGAMI_ST[i]) <= result["ST_conf"][i] + 1e-12, (i, result)
    assert result["ST"][3] == 0 and result["S1"][3] == 0


def test_morris_screens_out_the_parameter_never_read():
    _, _, result = sensitivity.run_design("morris", _ishigami_problem(), 20, seed=5, model=_ishigami)
    assert result["mu_star"][3] == 0 and result["mu_star_conf"][3] == 0
    assert all(result["mu_star"][i] - result["mu_star_conf"][i] > 0 for i in (0, 1))


def test_a_model_parameter_never_read_has_no_effect_and_one_read_has(tiny):
    """loyalty.value_per_month only prices revenue: on common random numbers the cost per solved need
    cannot move with it; the team's head count moves it clearly."""
    s = sensitivity_study(tiny, "morris", "rushed", "owning", ["cost_per_solved_need"], replications=1, size=3,
                          engine="simpy")
    names = [p["path"] for p in s["parameters"]]
    ix = s["metrics"]["cost_per_solved_need"]["indices"]
    unused, agents = names.index("loyalty.value_per_month"), names.index("teams.front.agents")
    assert ix["mu_star"][unused] == 0 and ix["mu_star_conf"][unused] == 0
    assert ix["mu_star"][agents] - ix["mu_star_conf"][agents] > 0


def test_one_at_a_time_design_changes_one_parameter_at_a_time():
    params = _ishigami_problem()
    settings = sensitivity.one_at_a_time(params, 3)
    assert settings[0] == {} and len(settings) == 1 + 4 * 3
    assert all(len(s) == 1 for s in settings[1:])
    assert [s["x1"] for s in settings[1:4]] == pytest.approx([-math.pi, 0.0, math.pi])


# --- flips ---------------------------------------------------------------------------------

def test_crossings_of_a_line_are_where_it_meets_zero():
    assert flip.crossings([0, 1, 2, 3], [3, 1, -1, -3]) == pytest.approx([1.5])
    assert flip.crossings([2, 0, 1], [-1, 3, 1]) == pytest.approx([1.5])    # unsorted input
    assert flip.crossings([0, 1], [1, 2]) == []


def test_the_rule_finds_a_box_known_by_construction():
    rng = np.random.default_rng(0)
    X = rng.uniform(0, 1, size=(400, 3))
    Y = np.where((X[:, 0] < 0.3) & (X[:, 2] > 0.6), -1.0, 1.0) * (1 + X[:, 1])
    r = flip.rule(X, Y, ["a", "b", "c"], reference_sign=1)
    assert r["flipped"] == int((Y < 0).sum()) and r["accuracy"] >= 0.97
    assert len(r["boxes"]) == 1
    (box,) = r["boxes"]
    said = {tuple(c.split(" ")[:2]): float(c.split(" ")[2]) for c in box}
    # Thresholds fall between sampled points: within a few sample spacings of the true edges.
    assert set(said) == {("a", "<"), ("c", "≥")}, r["text"]
    assert abs(said[("a", "<")] - 0.3) < 0.05 and abs(said[("c", "≥")] - 0.6) < 0.05, r["text"]
    assert flip.rule(X, np.abs(Y), ["a", "b", "c"], 1)["text"] == "never flips in 400 sampled points"


# --- the command -----------------------------------------------------------------------------

def _cxsim(*args, cwd, monkeypatch):
    """The command in this process (typer's runner): the same code path without paying the imports again."""
    from typer.testing import CliRunner

    from cxsim.cli import app

    monkeypatch.chdir(cwd)
    return CliRunner().invoke(app, list(args), env={"COLUMNS": "120", "NO_COLOR": "1"})


def test_explain_writes_results_and_charts_and_the_report_shows_them(tmp_path, monkeypatch):
    done = _cxsim("explain", str(TINY), "--engine", "simpy", "-r", "2", "--levels", "2", "--metric", "nps_true",
                  "-o", "out-explain", cwd=tmp_path, monkeypatch=monkeypatch)
    assert done.exit_code == 0, (done.stderr, done.exception)
    e = json.loads((tmp_path / "out-explain" / "explain.json").read_text())
    assert set(e) >= {"decomposition", "sensitivity"} and list(e["sensitivity"]) == ["oat"]
    charts = {p.name for p in (tmp_path / "out-explain" / "charts").iterdir()}
    assert {"waterfall_nps_true.png", "tornado_nps_true.svg"} <= charts
    assert not list(tmp_path.glob(".out*")), "no cache or partial folder left behind"
    assert "• NPS: owning − rushed" in done.stdout
    # The report of the run beside it gains the section; without an explanation it has none.
    assert _cxsim("compare", str(TINY), "--engine", "simpy", "-r", "2", "-o", "out", cwd=tmp_path,
                  monkeypatch=monkeypatch).exit_code == 0
    from cxsim.charts.commands import report
    page = report(tmp_path / "out").read_text()
    assert "<h2>Why, and how sure</h2>" in page and 'id="waterfall_nps_true"' in page
    assert "NPS: owning − rushed" in page
    (tmp_path / "out-explain").rename(tmp_path / "elsewhere")
    assert "Why, and how sure" not in report(tmp_path / "out").read_text()


def test_explain_refuses_bad_input_with_one_line_and_exit_2(tmp_path, monkeypatch):
    bad = tmp_path / "bad.yaml"
    bad.write_text(TINY.read_text().replace("teams.front.agents: [1, 3]", "teams.front.agnets: [1, 3]"))
    done = _cxsim("explain", str(bad), "-m", "oat", cwd=tmp_path, monkeypatch=monkeypatch)
    assert done.exit_code == 2
    line = bad.read_text().splitlines().index("  teams.front.agnets: [1, 3]") + 1
    assert done.stderr.strip() == (f"{bad}:{line}:3: uncertain.teams.front.agnets: no such setting: 'agnets' is "
                                   "not a key at that place in the scenario")
    done = _cxsim("explain", str(ROOT / "scenarios" / "erlang_a.yaml"), "-m", "oat", cwd=tmp_path,
                  monkeypatch=monkeypatch)
    assert done.exit_code == 2 and len(done.stderr.strip().splitlines()) == 1, done.stderr
    done = _cxsim("explain", str(TINY), "--metric", "nps", cwd=tmp_path, monkeypatch=monkeypatch)
    assert done.exit_code == 2 and "unknown metric 'nps'" in done.stderr
    done = _cxsim("explain", str(TINY), "-m", "decompose,sobol", "--samples", "6", cwd=tmp_path,
                  monkeypatch=monkeypatch)   # refused before the decomposition runs
    assert done.exit_code == 2 and done.stderr.strip() == \
        "cxsim explain: a Sobol base sample is a power of two (got 6)"
    assert not (tmp_path / "results").exists()


def test_every_bad_range_is_reported_at_its_line(tmp_path):
    from cxsim.scenario import ScenarioError
    from cxsim.scenario.uncertain import resolve

    text = TINY.read_text().split("uncertain:")[0] + "\n".join([
        "uncertain:",
        "  needs.billing.resolution: [0.9, 0.6]",
        "  needs.fault.resolution: {low: 0.5, high: 1.2}",
        "  needs.fault.work_time.mean: {low: 6 min, high: 10 min, dist: triangular}",
        "  needs.fault.work_time: [1, 2]",
        "  teams.front.agents: [1, 3]",
        "  needs.billing.work_time.mean: [0.1 h, 7 min]",
    ]) + "\n"
    bad = tmp_path / "ranges.yaml"
    bad.write_text(text)
    with pytest.raises(ScenarioError) as caught:
        cxsim.load_scenario(bad)
    lines = text.splitlines()
    first = lines.index("uncertain:") + 1
    said = [str(p) for p in caught.value.problems]
    assert said == [
        f"{bad}:{first + 1}:3: uncertain.needs.billing.resolution.high: high (0.6) must be above low (0.9)",
        f"{bad}:{first + 2}:{lines[first + 1].index('high') + 1}: uncertain.needs.fault.resolution.high: "
        "Input should be less than or equal to 1 "
        "(with needs.fault.resolution=1.2)",
        f"{bad}:{first + 3}:3: uncertain.needs.fault.work_time.mean: a triangular range needs 'mode' (its most "
        "likely value)",
        f"{bad}:{first + 4}:3: uncertain.needs.fault.work_time: needs.fault.work_time is a group of settings, "
        "not a number: name one of them (needs.fault.work_time.dist, needs.fault.work_time.mean, "
        "needs.fault.work_time.cv)",
    ], said
    # The good ones, in the model's units: whole agents, minutes for a duration given in hours.
    fixed = "\n".join(line for line in lines if not any(k in line for k in (
        "billing.resolution", "fault.resolution", "fault.work_time"))) + "\n"
    bad.write_text(fixed)
    params, problems = resolve(cxsim.load_scenario(bad))
    assert problems == []
    by_path = {p.path: p for p in params}
    assert by_path["teams.front.agents"].integer and (by_path["teams.front.agents"].low, by_path[
        "teams.front.agents"].high) == (1, 3)
    assert (by_path["needs.billing.work_time.mean"].low, by_path["needs.billing.work_time.mean"].high) == \
        pytest.approx((6.0, 7.0))

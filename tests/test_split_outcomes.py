"""Reporting (MODEL.md §10): an outcome that splits replications into two groups is reported as the share
of replications in each group, and waits are not pooled across channels of different time scales.

Oracles by construction: samples made of two known groups must be split exactly there; samples from one
distribution must almost never be (the rule's design rate is at most 1 in 1,000, checked against a
binomial bound); the Wilson bounds must solve Wilson's equation.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from cxsim.stats import describe, split, split_threshold, wilson


@pytest.mark.parametrize("n_low,n", [(2, 5), (3, 10), (7, 30), (15, 20)])
def test_a_known_split_is_found_where_it_was_made(n_low, n):
    """Some replications collapse to NPS −100, the others stay healthy around +20."""
    rng = np.random.default_rng(n_low * 100 + n)
    values = np.concatenate([np.full(n_low, -100.0), rng.normal(20.0, 3.0, n - n_low)])
    rng.shuffle(values)
    groups = split(values)
    assert groups is not None
    assert (groups["low"]["k"], groups["high"]["k"], groups["n"]) == (n_low, n - n_low, n)
    assert groups["low"]["mean"] == -100.0 and -100.0 < groups["cut"] < values[values > -100].min()
    assert groups["low"]["share"] == pytest.approx(n_low / n)
    assert groups["low"]["ci_low"] < n_low / n < groups["low"]["ci_high"]
    # describe(): the usual interval plus the split, for the terminal and the report.
    summary = describe(values)
    assert summary["split"] == groups and summary["mean"] == pytest.approx(values.mean())


def test_two_healthy_levels_that_never_overlap_are_a_split_too():
    values = [0.61, 0.60, 0.62, 0.91, 0.90, 0.92, 0.905, 0.615]
    groups = split(values)
    assert groups is not None and (groups["low"]["k"], groups["high"]["k"]) == (4, 4)


@pytest.mark.parametrize("n", [4, 5, 8, 10, 30])
@pytest.mark.parametrize("draw", ["normal", "gamma"])
def test_a_unimodal_sample_is_almost_never_flagged(n, draw):
    """2,000 samples from one distribution: with a design rate of at most 0.1 %, more than 10 flags
    (0.5 %) has probability below 1e-4 under the binomial law (mean 2), so this is not a coin toss."""
    rng = np.random.default_rng(2026 + n)
    sample = (lambda: rng.normal(50.0, 5.0, n)) if draw == "normal" else (lambda: rng.gamma(4.0, 2.0, n))
    flagged = sum(split(sample()) is not None for _ in range(2000))
    assert flagged <= 10


def test_too_few_replications_or_one_outlier_never_split():
    assert split([1.0, 50.0, 51.0]) is None  # n < 4: no test
    assert math.isinf(split_threshold(3))
    assert split([10.0, 10.1, 9.9, 10.05, 80.0]) is None  # one odd replication is not a group (at least 2)
    assert split([5.0] * 6) is None  # no gap at all
    assert "split" not in describe([10.0, 10.1, 9.9, 10.05, 10.2])


@pytest.mark.parametrize("k,n", [(0, 10), (2, 5), (7, 30), (30, 30), (1, 1)])
def test_wilson_bounds_solve_wilsons_equation(k, n):
    """The Wilson interval is {p : (p̂ − p)² ≤ z² p (1 − p) / n}: its bounds are that equation's roots."""
    z = 1.959963984540054
    low, high = wilson(k, n)
    p_hat = k / n
    for p in (low, high):
        assert (p_hat - p) ** 2 == pytest.approx(z * z * p * (1 - p) / n, abs=1e-12)
    assert 0.0 <= low <= p_hat <= high <= 1.0


# --- The terminal and the report show a split as shares --------------------------------------------

class _Constructed:
    """Just what the terminal's tables read from Results: a summary built from constructed replications."""

    def __init__(self, values: dict[str, dict[str, list[float]]]):
        from cxsim.stats import paired_difference

        self.values = values
        policies = list(values)
        self._summary = {
            "scenario": "constructed", "seed": 1, "replications": len(values[policies[0]]["nps_true"]), "engine": "fast",
            "policies": {p: {"metrics": {m: describe(v) for m, v in ms.items()}} for p, ms in values.items()},
            "differences": {f"{policies[1]}-{policies[0]}": {
                m: paired_difference(values[policies[1]][m], values[policies[0]][m]) for m in values[policies[0]]}},
        }

    def summary(self) -> dict:
        return self._summary

    def metric_names(self) -> list[str]:
        return list(next(iter(self.values.values())))


def _render(table) -> str:
    from rich.console import Console

    console = Console(width=250, record=True)
    console.print(table)
    return console.export_text()


def test_the_terminal_shows_a_split_outcome_as_the_share_of_replications_in_each_group():
    from cxsim.terminal import SPLIT_NOTE, decision_table, findings, results_table

    collapsing = [-100.0, 21.0, -100.0, 19.0, 20.0]  # two of five replications collapse
    healthy = [30.0, 31.0, 29.0, 30.5, 29.5]
    results = _Constructed({"efficiency": {"nps_true": collapsing, "aht": [5.0, 5.1, 4.9, 5.0, 5.05]},
                            "encounter": {"nps_true": healthy, "aht": [8.0, 8.1, 7.9, 8.0, 8.05]}})
    for table in (results_table(results), decision_table(results)):
        text = _render(table)
        low, high = wilson(2, 5)
        assert f"split: -100.0 in 2/5 ({low:.0%}–{high:.0%}) · 20.0 in 3/5" in text
        assert "-36.0" not in text  # the mean of the collapsing policy, which describes no replication
        assert "30.0 ± " in text  # the healthy policy keeps its mean and interval
        assert " ".join(SPLIT_NOTE.split()[:6]) in " ".join(text.split())
    sentences = findings(results)
    assert sentences[0].startswith("under efficiency, NPS splits the replications into two groups: -100.0 in 2/5")
    assert not any("encounter, NPS splits" in s for s in sentences)


def test_the_report_table_shows_the_split_too():
    from types import SimpleNamespace

    from cxsim.charts.commands import _summary_rows
    from cxsim.terminal import SPLIT_NOTE

    results = _Constructed({"a": {"nps_true": [-100.0, -100.0, 18.0, 20.0, 22.0]},
                            "b": {"nps_true": [30.0, 31.0, 29.0, 30.5, 29.5]}})
    rows = _summary_rows(SimpleNamespace(summary=results.summary(), is_sweep=False))
    cells = [c["text"] for row in rows["rows"] for c in row]
    assert any(c.startswith("split: -100.0 in 2/5") for c in cells) and rows["note"] == SPLIT_NOTE


# --- Waits are per channel when the channels' time scales differ ------------------------------------

def test_waits_are_pooled_only_across_channels_of_alike_time_scales(tmp_path):
    from helpers import SCENARIOS

    import cxsim
    from cxsim.compiled import compile_scenario
    from cxsim.metrics import waits_poolable

    assert waits_poolable(compile_scenario(cxsim.load_scenario(SCENARIOS / "erlang_a.yaml")))  # one channel
    assert not waits_poolable(compile_scenario(cxsim.load_scenario(SCENARIOS / "contact_centre.yaml")))  # 20 s … 24 h
    alike = tmp_path / "alike.yaml"  # the email answered within 2 min: 20 s, 1 min, 2 min are alike
    alike.write_text((SCENARIOS / "contact_centre.yaml").read_text(encoding="utf-8")
                     .replace("service_level_target: 24 h", "service_level_target: 2 min"), encoding="utf-8")
    assert waits_poolable(compile_scenario(cxsim.load_scenario(alike)))


# --- the paired difference of a 0/1 outcome (Newcombe 1998, method 10) ---------------------------

def test_a_binary_difference_where_every_pair_agrees_is_not_a_point():
    """Five replications, no collapse under either policy: the difference is 0 and its interval is
    minus and plus the Wilson upper bound of 0 in 5, z^2 / (n + z^2), exactly."""
    from cxsim.stats import paired_proportion_difference

    z = 1.959963984540054
    d = paired_proportion_difference(np.zeros(5), np.zeros(5))
    assert d["mean"] == 0.0
    assert d["ci_low"] == pytest.approx(-z * z / (5 + z * z), rel=1e-12)
    assert d["ci_high"] == pytest.approx(z * z / (5 + z * z), rel=1e-12)


def test_a_binary_difference_stays_within_minus_one_and_one_around_its_estimate():
    from cxsim.stats import paired_proportion_difference

    rng = np.random.default_rng(3)
    for n in (2, 3, 5, 10, 40):
        for _ in range(200):
            a, b = rng.random(n) < rng.random(), rng.random(n) < rng.random()
            d = paired_proportion_difference(a, b)
            assert -1.0 <= d["ci_low"] <= d["mean"] <= d["ci_high"] <= 1.0
            assert d["mean"] == pytest.approx(a.mean() - b.mean())


def test_a_binary_difference_covers_the_true_difference_as_often_as_it_says():
    """Monte Carlo oracle: correlated pairs (a shared uniform) with P(a) = 0.6, P(b) = 0.3, 20 pairs; the
    95 % interval covers 0.3 in at least 92 % of 4,000 samples (Newcombe reports near-nominal coverage;
    the estimate's standard error here is 0.35 points)."""
    from cxsim.stats import paired_proportion_difference

    rng = np.random.default_rng(11)
    covered = 0
    for _ in range(4000):
        u = rng.random(20)
        v = np.where(rng.random(20) < 0.5, u, rng.random(20))  # half the pairs share their uniform
        d = paired_proportion_difference(u < 0.6, v < 0.3)
        covered += d["ci_low"] <= 0.3 <= d["ci_high"]
    assert covered / 4000 >= 0.92

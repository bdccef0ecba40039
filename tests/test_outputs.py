"""Outputs: summary.json in MODEL.md §10's form, reproducibility, independent streams, atomic folders."""

from __future__ import annotations

import json

import numpy as np
import pytest

import cxsim
from cxsim.experiment.runner import Results
from cxsim.metrics import ORDER, POOLED_WAITS

from helpers import SCENARIOS


def small(name: str = "contact_centre.yaml", **update):
    scenario = cxsim.load_scenario(SCENARIOS / name)
    return scenario.model_copy(update={"horizon": 1440.0, "warmup": 120.0, **update})


def test_summary_has_the_documented_form(tmp_path):
    results = cxsim.run(small(horizon=2 * 1440.0), replications=3, seed=7)  # two days: daily employee metrics
    folder = results.write(tmp_path / "out")
    summary = json.loads((folder / "summary.json").read_text())
    assert set(summary) == {"scenario", "seed", "replications", "engine", "policies", "differences", "precision"}
    # The relative half-width of every metric, per policy, for --precision and for the reader.
    for policy, block in summary["precision"].items():
        for name, rel in block.items():
            m = summary["policies"][policy]["metrics"][name]
            if m["mean"] and not name.startswith("nps"):
                assert rel == pytest.approx((m["ci_high"] - m["ci_low"]) / 2 / abs(m["mean"]))
    assert (summary["scenario"], summary["seed"], summary["replications"], summary["engine"]) == \
        ("contact_centre", 7, 3, "fast")  # the API's default engine, as the command line's
    assert list(summary["policies"]) == ["efficiency", "encounter"]
    assert list(summary["differences"]) == ["encounter-efficiency"]
    metrics = summary["policies"]["efficiency"]["metrics"]
    for block in (metrics, summary["policies"]["encounter"]["metrics"], summary["differences"]["encounter-efficiency"]):
        for name, m in block.items():
            assert name.split(".")[0] in ORDER, name
            assert set(m) == {"mean", "ci_low", "ci_high", "n"} and m["n"] == 3
            assert m["ci_low"] <= m["mean"] <= m["ci_high"]
    # A paired difference is the difference of the means.
    gap = summary["differences"]["encounter-efficiency"]["aht"]["mean"]
    assert gap == pytest.approx(summary["policies"]["encounter"]["metrics"]["aht"]["mean"] - metrics["aht"]["mean"])
    for share in ("p_wait.phone", "service_level", "p_abandon", "occupancy", "fcr", "failure_demand_share"):
        assert 0 <= metrics[share]["mean"] <= 1
    # The default centre has a population and every mechanism on: it reports every §10 metric but those of
    # features that are off by default (chronic strain, engagement, a hiring cost), the waits per channel only (phone
    # seconds and email hours pooled would mean nothing: MODEL.md §10).
    assert set(ORDER) - set(POOLED_WAITS) - {"strain", "engagement", "hiring_cost"} <= set(metrics), set(ORDER) - set(metrics)
    assert not set(POOLED_WAITS) & set(metrics)
    assert {f"{w}.{c}" for w in POOLED_WAITS for c in ("phone", "chat", "email")} <= set(metrics)
    assert -100 <= metrics["nps_true"]["mean"] <= 100 and -100 <= metrics["nps_measured"]["mean"] <= 100
    for table in ("encounters", "journeys", "agents", "daily", "metrics"):
        assert (folder / f"{table}.parquet").exists()


def test_metrics_a_scenario_cannot_produce_are_absent():
    """Open arrivals and every mechanism off: no churn, NPS or wellbeing is faked as zero."""
    metrics = cxsim.run(small("erlang_a.yaml", horizon=120.0, warmup=0.0), replications=2).summary()
    present = set(metrics["policies"]["baseline"]["metrics"])
    assert not present & {"nps_true", "nps_measured", "journey_score", "churn_rate", "customers_lost", "revenue",
                           "net_value", "wellbeing", "attrition", "boreout", "burnout_absence_days"}
    assert {"p_wait", "p_abandon", "fcr", "contacts_per_need"} <= present


def test_same_seed_same_files_different_seed_different_results(tmp_path):
    a = cxsim.run(small(), replications=2, seed=11).write(tmp_path / "a")
    b = cxsim.run(small(), replications=2, seed=11).write(tmp_path / "b")
    for f in sorted(p.name for p in a.iterdir()):
        assert (a / f).read_bytes() == (b / f).read_bytes(), f
    c = cxsim.run(small(), replications=2, seed=12)
    assert not c.metrics.equals(cxsim.run(small(), replications=2, seed=11).metrics)


def test_each_purpose_has_its_own_stream():
    """Changing patience must not move arrivals or needs: the basis of common random numbers."""
    base = small("erlang_a.yaml", horizon=240.0, warmup=0.0)
    patient = base.model_copy(update={"channels": {"phone": base.channels["phone"].model_copy(
        update={"patience": base.channels["phone"].patience.model_copy(update={"mean": 20.0})})}})
    a, b = cxsim.run(base, replications=1), cxsim.run(patient, replications=1)
    ja, jb = a.table("journeys").sort_values("need"), b.table("journeys").sort_values("need")
    assert np.array_equal(ja["created"].to_numpy(), jb["created"].to_numpy())
    assert a.metrics["p_abandon"].iloc[0] > b.metrics["p_abandon"].iloc[0]


def test_replications_are_independent():
    results = cxsim.run(small("erlang_a.yaml", horizon=120.0, warmup=0.0), replications=2)
    j = results.table("journeys")
    first = j[j["replication"] == 0]["created"].to_numpy()[:50]
    second = j[j["replication"] == 1]["created"].to_numpy()[:50]
    assert not np.allclose(first, second)


def test_a_failed_write_leaves_no_folder(tmp_path, monkeypatch):
    results = cxsim.run(small("erlang_a.yaml", horizon=60.0, warmup=0.0), replications=1)
    original = Results.write_table

    def broken(self, name, path):
        if name == "daily":
            raise KeyboardInterrupt  # as if the user pressed Ctrl-C half-way through the tables
        return original(self, name, path)

    monkeypatch.setattr(Results, "write_table", broken)
    with pytest.raises(KeyboardInterrupt):
        results.write(tmp_path / "out")
    assert list(tmp_path.iterdir()) == []


def test_rewriting_replaces_the_folder_whole(tmp_path):
    out = tmp_path / "out"
    cxsim.run(small("erlang_a.yaml", horizon=60.0, warmup=0.0), replications=1).write(out)
    (out / "stale.txt").write_text("from an earlier run")
    cxsim.run(small("erlang_a.yaml", horizon=60.0, warmup=0.0), replications=2).write(out)
    assert not (out / "stale.txt").exists()
    assert json.loads((out / "summary.json").read_text())["replications"] == 2
    assert [p.name for p in tmp_path.iterdir()] == ["out"]

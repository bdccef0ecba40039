"""`warmup: auto` picks one window per paired comparison.

MSER-5 on each run's backlog can pick 5 days for one policy and 15 for another; a paired
difference of totals (staff cost, contacts handled) over two different windows compares different
lengths of time. Every policy of a replication is measured over the longest of their windows.
"""

from __future__ import annotations

import numpy as np
import pytest

import cxsim
from cxsim.experiment.execute import auto_warmup_minutes
from helpers import ROOT

SCENARIO = ROOT / "tests" / "data" / "warmup_pair.yaml"


@pytest.fixture(scope="module")
def results():
    return cxsim.run(SCENARIO, keep_tables=True)


def test_the_policies_of_a_replication_share_the_longest_window(results):
    own = {key: auto_warmup_minutes(tables["daily"]) for key, tables in results.tables.items()}
    # The scenario is one where MSER-5 disagrees between the policies of some replication.
    assert any(own[("baseline", r)] != own[("efficiency", r)] for r in range(results.replications))
    for r in range(results.replications):
        rows = results.metrics[results.metrics["replication"] == r]
        assert set(rows["warmup"]) == {max(own[(p, r)] for p in results.policies)}


def test_totals_are_measured_over_the_common_window(results):
    """Staff cost is the daily table's cost summed from the window on, for every policy (by definition)."""
    for (policy, r), tables in results.tables.items():
        row = results.metrics[(results.metrics["policy"] == policy) & (results.metrics["replication"] == r)].iloc[0]
        daily = tables["daily"]
        expected = daily.loc[daily["start"] >= row["warmup"], "staff_cost"].sum()
        assert row["staff_cost"] == pytest.approx(expected, rel=1e-12)


def test_paired_differences_use_the_common_window(results):
    summary = results.summary()
    m = results.metrics
    a = m[m["policy"] == "efficiency"].set_index("replication")["staff_cost"]
    b = m[m["policy"] == "baseline"].set_index("replication")["staff_cost"]
    assert summary["differences"]["efficiency-baseline"]["staff_cost"]["mean"] == pytest.approx(float(np.mean(a - b)))

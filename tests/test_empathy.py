"""Low engagement lowers the empathy an agent gives (MODEL.md §4, issue 12; :mod:`cxsim.kernels.empathy`).

The kernel by construction (identity at E = 1 and with engagement off, monotone in E); the whole model
as a paired direction (the same customers with the sensitivity on and at 0) and engine identity.
"""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st

import cxsim
from cxsim.kernels.empathy import engaged_empathy
from cxsim.scenario.schema import Scenario
from cxsim.stats import paired_difference

from helpers import SCENARIOS, changed

WEEK, HOUR = 10080.0, 60.0
unit = st.floats(0.0, 1.0)
minutes = st.floats(0.0, 60.0)
sensitivity = st.floats(0.0, 5.0)


@settings(deadline=None)  # the first call compiles the kernel
@given(minutes, sensitivity, unit)
def test_fully_engaged_or_engagement_off_gives_the_lever_in_full(empathy, s, e):
    assert engaged_empathy(empathy, 1.0, s, True) == empathy
    assert engaged_empathy(empathy, e, s, False) == empathy
    assert engaged_empathy(empathy, e, 0.0, True) == empathy


@settings(deadline=None)
@given(minutes, sensitivity, unit, unit)
def test_less_engaged_gives_no_more_and_never_less_than_nothing(empathy, s, e1, e2):
    low, high = sorted((e1, e2))
    a, b = engaged_empathy(empathy, low, s, True), engaged_empathy(empathy, high, s, True)
    assert 0.0 <= a <= b <= empathy


def test_the_linear_form():
    assert engaged_empathy(2.0, 0.6, 0.5, True) == 2.0 * (1 - 0.5 * 0.4)
    assert engaged_empathy(2.0, 0.2, 2.0, True) == 0.0          # clipped at nothing


def scenario(**changes) -> Scenario:
    """A Monday-to-Friday day team (scenarios/strain.yaml) with ``changes`` applied (helpers.changed)."""
    return changed(SCENARIOS / "strain.yaml", **changes)


def overstaffed(sensitivity: float, **changes) -> Scenario:
    """A team three times what its demand needs (boreout lowers E), asked for 1 minute of empathy."""
    return scenario(demand__open__rate=12 / HOUR, policies={"overstaffed": {"staffing": 3, "empathy_time": 1.0}},
                    wellbeing__engagement={"enabled": True, "empathy_sensitivity": sensitivity},
                    wellbeing__strain={"enabled": False}, **changes)


def per_replication(result) -> pd.DataFrame:
    e = result.table("encounters")
    e = e[e["agent"] >= 0]
    return e.assign(empathy=e["handle"] - e["time_given"]).groupby("replication")[["empathy", "score"]].mean()


def test_a_bored_team_gives_less_empathy_and_its_customers_notice():
    """Paired on common random numbers: sensitivity 1 against 0, engagement on in both."""
    on, off = (per_replication(cxsim.run(overstaffed(s, horizon=4 * WEEK, warmup=WEEK), replications=4, seed=7,
                                         engine="fast")) for s in (1.0, 0.0))
    assert off["empathy"].to_numpy() == pytest.approx(1.0, rel=1e-9)   # the lever in full at sensitivity 0
    d = paired_difference(on["empathy"], off["empathy"])
    assert d["ci_high"] < 0, d
    d = paired_difference(on["score"], off["score"])
    assert d["ci_high"] < 0, d


def test_both_engines_identical_with_empathy_scaled_by_engagement():
    s = overstaffed(1.0, horizon=2 * WEEK, warmup=WEEK)
    a, b = (cxsim.run(s, replications=1, seed=11, engine=e) for e in ("simpy", "fast"))
    for table in ("daily", "agents", "encounters"):
        pd.testing.assert_frame_equal(a.table(table), b.table(table), check_exact=True)
    assert a.table("agents")["engagement"].lt(1).any()

"""The employee-to-customer lag, measured (cxsim.lag, issue 12): by construction, then in a shipped scenario."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import cxsim
from cxsim.charts import CHARTS, load_results
from cxsim.lag import cross_correlation, employee_customer_lag

from helpers import SCENARIOS

WEEK = 10080.0


def synthetic(shift: int, days: int = 140, seed: int = 0) -> pd.DataFrame:
    """A daily table whose NPS is its wellbeing ``shift`` days later, plus noise (a known answer)."""
    rng = np.random.default_rng(seed)
    walk = np.cumsum(rng.normal(size=days + shift))
    w = 0.7 + 0.01 * walk[shift:]          # wellbeing at day t ...
    nps = 0.01 * walk[:days] * 50          # ... and NPS at day t is wellbeing at day t − shift
    ended = np.full(days, 1000)
    promoters = np.round(ended * (0.4 + nps / 200)).astype(int)
    detractors = np.round(ended * (0.4 - nps / 200)).astype(int)
    return pd.DataFrame({"day": np.arange(days), "start": np.arange(days) * 1440.0, "wellbeing": w,
                         "journeys_ended": ended, "promoters": promoters, "detractors": detractors})


@pytest.mark.parametrize("shift", [0, 3, 9])
def test_a_known_lag_is_found(shift):
    runs = [synthetic(shift, seed=s).assign(policy="p", replication=s) for s in range(5)]
    found = employee_customer_lag(pd.concat(runs), warmup=0.0)["p"]
    assert found["lags"] == [float(shift)] * 5
    assert found["lag_days"]["mean"] == shift


def test_cross_correlation_of_a_series_with_itself_peaks_at_zero():
    x = np.sin(np.arange(60) / 3.0)
    r = cross_correlation(x, x, 5)
    assert r[5] == pytest.approx(1.0) and np.nanargmax(r) == 5


@pytest.mark.slow  # six replications of the shipped 20 weeks, two policies (~1 min)
def test_nps_follows_wellbeing_after_the_support_cut(tmp_path):
    """scenarios/wellbeing.yaml as shipped: with support cut at week 6, NPS follows wellbeing by days, and the
    95 % interval of the lag is above 0 and within a fortnight; the steady centre shows no such lead."""
    s = cxsim.load_scenario(SCENARIOS / "wellbeing.yaml")
    s = s.model_copy(update={"policies": {k: v for k, v in s.policies.items() if k in ("steady", "support_cut")}})
    results = cxsim.run(s, replications=6, seed=2026, engine="fast")
    lag = results.summary()["lag"]
    cut = lag["support_cut"]["lag_days"]
    assert 0 < cut["ci_low"] and cut["ci_high"] < 14, cut
    assert lag["steady"]["lag_days"]["ci_low"] < 1, lag["steady"]["lag_days"]
    # the chart plots the summary's numbers, and its message names only the lag whose interval excludes 0
    fig, values = CHARTS["lag"](load_results(results.write(tmp_path / "out")))
    assert values["lag"]["support_cut"] == pytest.approx(cut)
    title = fig._suptitle.get_text().replace("\n", " ")
    assert "support_cut" in title and "steady" not in title
    assert fig.get_size_inches()[0] / fig.get_size_inches()[1] == pytest.approx(16 / 9, rel=0.01)


def test_a_series_shorter_than_the_lags_gives_no_correlation_instead_of_failing():
    # A short run (or a long warm-up) leaves fewer days than lags: nothing to correlate, no error.
    x = np.array([0.1, -0.2, 0.3])
    r = cross_correlation(x, x, max_lag=5)
    assert r.shape == (11,) and np.isnan(r[:3]).all() and np.isnan(r[-3:]).all()

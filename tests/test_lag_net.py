"""The employee-to-NPS lag net of load (cxsim.lag.net_of_load, issue 12): occupancy drives both NPS
(at once) and strain (over weeks); the partial correlation given the week's occupancy recovers a lag
built in by construction where the plain cross-correlation is pulled to "NPS moves first"."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cxsim.lag import employee_customer_lag, lagged_moments, net_of_load, partial_correlation


def confounded(k: int, days: int = 200, seed: int = 0, load_effect: float = 1.0) -> pd.DataFrame:
    """A daily table where NPS is −strain k days earlier, minus (``load_effect``) the same day's occupancy;
    strain integrates occupancy (and has causes of its own): occupancy confounds the lag."""
    rng = np.random.default_rng(seed)
    n = days + k + 50
    ar = np.zeros(n)
    for t in range(1, n):
        ar[t] = 0.9 * ar[t - 1] + rng.normal()
    occupancy = 0.8 + 0.02 * ar
    smoothed = np.zeros(n)
    smoothed[0] = occupancy[0]
    for t in range(1, n):
        smoothed[t] = 0.9 * smoothed[t - 1] + 0.1 * occupancy[t - 1]
    strain = 0.3 + 2.0 * (smoothed - 0.8) + 0.01 * np.cumsum(rng.normal(size=n))
    strain, occupancy = strain[50:], occupancy[50:]
    nps = (0.3 - strain[:days]) * 100 - load_effect * (occupancy[k:] - 0.8) * 1000 + rng.normal(size=days) * 0.5
    ended = np.full(days, 10000)
    staffed = np.full(days, 14400.0)
    return pd.DataFrame({
        "day": np.arange(days), "start": np.arange(days) * 1440.0, "strain": strain[k:], "wellbeing": 0.7,
        "engagement": 1.0, "journeys_ended": ended,
        "promoters": np.round(ended * (0.4 + nps / 200)).astype(int),
        "detractors": np.round(ended * (0.4 - nps / 200)).astype(int),
        "staffed_area": staffed, "busy_area": staffed * occupancy[k:]})


def found(k: int, load_effect: float = 1.0) -> dict:
    runs = [confounded(k, seed=s, load_effect=load_effect).assign(policy="p", replication=s) for s in range(6)]
    return employee_customer_lag(pd.concat(runs), 0.0, employee="strain")["p"]


@pytest.mark.parametrize("k", [0, 5, 10])
def test_net_of_load_recovers_the_built_in_lag_where_the_plain_one_is_confounded(k):
    f = found(k)
    net = f["net_of_load"]
    assert net["control"] == "occupancy" and net["lag_days"]["mean"] == k
    assert net["lag_days"]["ci_low"] <= k <= net["lag_days"]["ci_high"]
    assert net["lag_days"]["ci_high"] - net["lag_days"]["ci_low"] <= 2
    # the plain cross-correlation reads the load's two effects: NPS "moves first", an interval excluding k
    plain = f["lag_days"]
    assert plain["ci_high"] < 0 and not plain["ci_low"] <= k <= plain["ci_high"], plain


def test_without_a_load_effect_both_estimates_agree():
    f = found(7, load_effect=0.0)
    assert f["net_of_load"]["lag_days"]["mean"] == 7
    assert f["lag_days"]["ci_low"] <= 7 <= f["lag_days"]["ci_high"]


def test_partial_correlation_is_the_correlation_of_the_residuals_given_z():
    rng = np.random.default_rng(3)
    z = rng.normal(size=400)
    x = 0.5 * z + rng.normal(size=400)
    y = 0.3 * x - 0.8 * z + rng.normal(size=400)
    m = lagged_moments(x, y, z, max_lag=0)
    design = np.column_stack([np.ones_like(z), z])
    rx = x - design @ np.linalg.lstsq(design, x, rcond=None)[0]
    ry = y - design @ np.linalg.lstsq(design, y, rcond=None)[0]
    assert partial_correlation(m)[0] == pytest.approx(np.corrcoef(rx, ry)[0, 1], rel=1e-10)
    # a control that does not vary leaves the plain correlation
    flat = lagged_moments(x, y, np.zeros_like(z), max_lag=0)
    assert partial_correlation(flat)[0] == pytest.approx(np.corrcoef(x, y)[0, 1], rel=1e-12)


def test_the_interval_is_reproducible_and_a_table_without_occupancy_has_no_net_estimate():
    a, b = found(5)["net_of_load"], found(5)["net_of_load"]
    assert a == b
    runs = [confounded(5, seed=s).drop(columns=["busy_area"]).assign(policy="p", replication=s) for s in range(3)]
    assert "net_of_load" not in employee_customer_lag(pd.concat(runs), 0.0, employee="strain")["p"]
    assert net_of_load([(np.array([1.0, 2.0]), np.array([1.0, 2.0]), np.array([0.0, 1.0]))], max_lag=1) is None

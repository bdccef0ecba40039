"""The employee-to-customer lag, measured (cxsim.lag, issue 12): by construction, then in a shipped scenario."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import cxsim
from cxsim.charts import CHARTS, load_results
from cxsim.charts.load import LoadedResults
from cxsim.lag import SIGNALS, choose_signal, cross_correlation, employee_customer_lag, weekly_change
from cxsim.scenario.mechanisms import Policy

from helpers import ROUND_THE_CLOCK, SCENARIOS

WEEK = 10080.0


def synthetic(shift: int, days: int = 140, seed: int = 0, signal: str = "wellbeing") -> pd.DataFrame:
    """A daily table whose NPS is its employee state ``shift`` days later (a known answer by construction).

    The state is a random walk; ``signal`` carries it: wellbeing and engagement as it is, strain sign-flipped
    (more strain, a worse state); the other columns stay constant, as they are with their mechanism off."""
    rng = np.random.default_rng(seed)
    walk = np.cumsum(rng.normal(size=days + shift))
    state = 0.01 * walk[shift:]            # the employee state at day t ...
    nps = 0.01 * walk[:days] * 50          # ... and NPS at day t is the state at day t − shift
    ended = np.full(days, 1000)
    promoters = np.round(ended * (0.4 + nps / 200)).astype(int)
    detractors = np.round(ended * (0.4 - nps / 200)).astype(int)
    columns = {"wellbeing": np.full(days, 0.7), "strain": np.zeros(days), "engagement": np.ones(days)}
    columns[signal] = 0.3 - state if signal == "strain" else 0.7 + state
    return pd.DataFrame({"day": np.arange(days), "start": np.arange(days) * 1440.0, **columns,
                         "journeys_ended": ended, "promoters": promoters, "detractors": detractors})


@pytest.mark.parametrize("shift", [0, 3, 9])
def test_a_known_lag_is_found(shift):
    runs = [synthetic(shift, seed=s).assign(policy="p", replication=s) for s in range(5)]
    found = employee_customer_lag(pd.concat(runs), warmup=0.0)["p"]
    assert found["lags"] == [float(shift)] * 5
    assert found["lag_days"]["mean"] == shift


@pytest.mark.parametrize("signal", SIGNALS)
@pytest.mark.parametrize("shift", [0, 7, 12])
def test_a_known_lag_is_found_from_each_employee_signal(signal, shift):
    # noisy NPS (binomial promoters and detractors around the construction): the lag interval covers the truth
    rng = np.random.default_rng(shift)
    runs = []
    for rep in range(6):
        d = synthetic(shift, seed=100 + rep, signal=signal)
        p = (0.4 + (d["promoters"] - d["detractors"]) / 2000).clip(0, 0.8)
        d["promoters"] = rng.binomial(1000, p)
        d["detractors"] = rng.binomial(1000, 0.8 - p)
        runs.append(d.assign(policy="p", replication=rep))
    found = employee_customer_lag(pd.concat(runs), warmup=0.0, employee=signal)["p"]
    assert found["employee"] == signal
    ci = found["lag_days"]
    assert ci["ci_low"] <= shift <= ci["ci_high"] and ci["ci_high"] - ci["ci_low"] < 7, ci   # narrower than a week
    # the wrong sign is not a lead: with strain read as if more were better, the peak is elsewhere or weak
    if signal == "strain":
        flipped = pd.concat(runs).assign(strain=lambda t: 1 - t["strain"])
        r = np.array(employee_customer_lag(flipped, 0.0, employee="strain")["p"]["curve"]["mean"], dtype=float)
        assert np.nanmax(r) < 0.5 < -np.nanmin(r)


@pytest.mark.parametrize("signal", SIGNALS)
def test_auto_reads_strain_when_it_is_on_else_wellbeing(signal):
    d = synthetic(5, signal=signal).assign(policy="p", replication=0)
    expected = "strain" if signal == "strain" else "wellbeing"
    assert choose_signal(d) == expected
    found = employee_customer_lag(d, 0.0)
    if signal == "engagement":   # auto does not read engagement: constant wellbeing gives no lag, not a wrong one
        assert found == {}
    else:
        assert found["p"]["employee"] == expected and found["p"]["lags"] == [5.0]
    with pytest.raises(ValueError, match="employee signal"):
        employee_customer_lag(d, 0.0, employee="mood")


def test_the_chart_names_the_signal_and_says_when_nps_moves_first(tmp_path):
    # by construction: NPS follows strain by 6 days under "after", and strain follows NPS by 6 days under "before"
    after = [synthetic(6, seed=rep, signal="strain").assign(policy="after", replication=rep) for rep in range(4)]
    before = []
    for rep in range(4):
        d = synthetic(6, seed=rep, signal="strain")
        columns = ["strain", "promoters", "detractors"]
        d[columns] = d[columns].to_numpy()[::-1]   # reversed in time: the state now follows NPS by 6 days
        before.append(d.assign(policy="before", replication=rep))
    daily = pd.concat(after + before, ignore_index=True)
    r = LoadedResults(tmp_path, {"scenario": "made", "seed": 0, "replications": 4, "policies": {"after": {}, "before": {}}},
                      {"warmup": 0.0}, pd.DataFrame(), {"daily": daily})
    fig, values = CHARTS["lag"](r)
    assert values["lag"]["after"]["mean"] == 6 and values["lag"]["before"]["mean"] == -6
    assert values["title"] == ("NPS follows staff strain by 6.0 days under after (95 % CI 6.0–6.0); "
                               "NPS moves before staff strain by 6.0 days under before (95 % CI 6.0–6.0)")
    assert "strain" in fig.axes[0].get_ylabel()


def test_a_tiny_shift_run_gives_a_finite_strain_series_and_reads_the_lag_from_it(tmp_path):
    """scenarios/strain.yaml (a Monday-to-Friday day shift), 5 weeks: the daily strain is finite, moves,
    and is what the summary's lag is read from; the nightly reset W would not carry over the days."""
    s = cxsim.load_scenario(SCENARIOS / "strain.yaml").model_copy(
        update={"horizon": 5 * WEEK, "warmup": WEEK, "policies": {"efficiency": Policy()}})
    results = cxsim.run(s, replications=2, seed=11, engine="fast")
    daily = results.table("daily")
    for _, run in daily.groupby("replication"):
        run = run[run["start"] >= WEEK]
        x, y = weekly_change(run, "strain")
        known = np.isfinite(x)
        assert known.sum() >= 14 and np.isfinite(y[known]).all()
        assert np.std(x[known]) > 0
        assert run["strain"].between(0, 1).all() and run["strain"].iloc[-1] > 0
    lag = results.summary()["lag"]["efficiency"]
    assert lag["employee"] == "strain" and len(lag["lags"]) == 2
    fig, values = CHARTS["lag"](load_results(results.write(tmp_path / "out")))
    assert values["lag"]["efficiency"] == pytest.approx(lag["lag_days"])
    assert "strain" in values["title"] and "strain" in fig.axes[0].get_ylabel()
    # the daily table has occupancy: the chart draws the net-of-load curve the summary holds, dashed
    net = lag["net_of_load"]
    assert values["net_of_load"]["efficiency"] == net["lag_days"]
    line = next(x for x in fig.axes[0].get_lines() if x.get_gid() == "net_of_load:efficiency")
    assert line.get_linestyle() == "--"
    expected = np.array([np.nan if v is None else v for v in net["curve"]["r"]], dtype=float)
    np.testing.assert_array_equal(line.get_ydata(), expected)
    np.testing.assert_array_equal(line.get_xdata(), np.array(net["curve"]["lag"], dtype=float))


def test_cross_correlation_of_a_series_with_itself_peaks_at_zero():
    x = np.sin(np.arange(60) / 3.0)
    r = cross_correlation(x, x, 5)
    assert r[5] == pytest.approx(1.0) and np.nanargmax(r) == 5


@pytest.mark.slow  # six replications of the shipped 20 weeks, two policies (~1 min)
def test_nps_follows_wellbeing_after_the_support_cut(tmp_path):
    """scenarios/wellbeing.yaml as shipped: with support cut at week 6, NPS follows wellbeing by days, and the
    95 % interval of the lag is above 0 and within a fortnight; the steady centre shows no such lead."""
    s = cxsim.load_scenario(ROUND_THE_CLOCK)
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

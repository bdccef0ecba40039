"""Management as a controller (MODEL.md §9, issue 13): the review kernel and the loop in the model.

Oracles:
* the review kernel in a closed loop with a plant known by construction (AHT = a·target + c, every
  day) reproduces the recurrence of an integral controller exactly — b' = b − g·(a·b₋ₘ + c − T),
  the lever it sees ``m`` cycles late — so it settles at its target with perfect, instant
  measurement, and a measurement delay longer than the review cycle overshoots, more the longer;
* in the model, perfect instant measurement settles the measured AHT at its target (an interval
  over the last reviews);
* the survey's NPS differs from the true NPS by what the response probabilities of the journeys
  that ended say it should (kernels.loyalty.survey_response_probability), and the true NPS a review
  reports is exactly that of the journeys table;
* both engines write identical tables, reviews included.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import cxsim
from cxsim.compiled import compile_scenario
from cxsim.engines import get_engine
from cxsim.kernels.fcr import FCR_COLS
from cxsim.kernels.loyalty import survey_response_probability
from cxsim.kernels.management import K_AHT, L_BUDGET, R_LEVERS, R_MEASURED, REVIEW_COLS, review
from cxsim.layouts import D_BUSY_AREA, D_END, D_HANDLED, D_START, DAY_COLS
from cxsim.scenario.loading import ScenarioError
from cxsim.tables import run_tables

from helpers import SCENARIOS, small_phone_centre

DAY, WEEK = 1440.0, 7 * 1440.0
INF = math.inf


def closed_loop(start: float, gain: float, a: float, c: float, target: float, delay_days: int, weeks: int,
                implementation_days: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """The review kernel steering a plant whose AHT each day is ``a · handle-time target + c``.

    Returns (handle-time target decided at each review, AHT of each week as the plant made it).
    """
    days = np.zeros((weeks * 7, DAY_COLS))
    levers = np.array([start, 1.0, 1.0, 0.0])
    in_force, pending = start, []
    decided, weekly = [], []
    for d in range(weeks * 7):
        t0, t1 = d * DAY, (d + 1) * DAY
        for when, value in list(pending):
            if when <= t0:
                in_force = value
                pending.remove((when, value))
        row = days[d]
        row[D_START], row[D_END], row[D_HANDLED] = t0, t1, 1000.0
        row[D_BUSY_AREA] = (a * in_force + c) * 1000.0
        if (d + 1) % 7 == 0:
            weekly.append(a * in_force + c)
            out = np.empty(REVIEW_COLS)
            review(days, d + 1, t1, len(decided), WEEK, delay_days * DAY, implementation_days * DAY, 0, True,
                   np.array([K_AHT]), np.array([target]), np.array([L_BUDGET]), np.array([-gain]),
                   np.array([0.0, 0.0, 1.0, 0.0]), np.array([INF, 2.0, 3.0, 10.0]), levers, 0.5, 0.5, out,
                   np.zeros((weeks * 7, FCR_COLS)), WEEK)
            decided.append(out[R_LEVERS + L_BUDGET])
            pending.append((t1 + implementation_days * DAY, levers[L_BUDGET]))
    return np.array(decided), np.array(weekly)


def recurrence(start: float, gain: float, a: float, c: float, target: float, lag: int, n: int) -> np.ndarray:
    """b[k]: the lever in force in week k; review k sees week k − lag and decides b[k+1]."""
    b = [start]
    for k in range(n):
        seen = k - lag
        b.append(b[-1] - gain * (a * b[seen] + c - target) if seen >= 0 else b[-1])
    return np.array(b[1:])


@pytest.mark.parametrize("lag", [0, 1, 2, 3])
def test_review_kernel_is_the_integral_controller(lag):
    decided, _ = closed_loop(10.0, 0.8, 0.5, 2.0, 5.0, 7 * lag, 30)
    np.testing.assert_allclose(decided, recurrence(10.0, 0.8, 0.5, 2.0, 5.0, lag, 30), rtol=0, atol=1e-9)


def test_perfect_instant_measurement_settles_at_target():
    decided, weekly = closed_loop(10.0, 0.8, 0.5, 2.0, 5.0, 0, 80)
    assert weekly[-1] == pytest.approx(5.0, abs=1e-9)       # AHT on target
    assert decided[-1] == pytest.approx(6.0, abs=1e-9)      # the lever where a·b + c = T
    assert np.all(np.diff(weekly[1:] - 5.0) <= 1e-12)       # no overshoot: straight down to the target
    assert weekly.min() >= 5.0 - 1e-9


def test_a_measurement_delay_longer_than_the_cycle_overshoots_more_the_longer():
    """Overshoot: how far below its target the AHT is driven (it starts above it)."""
    overshoot = [5.0 - closed_loop(10.0, 0.8, 0.5, 2.0, 5.0, 7 * lag, 60)[1].min() for lag in (0, 1, 2, 3)]
    assert overshoot[0] == pytest.approx(0.0, abs=1e-9)
    assert overshoot[0] < overshoot[1] < overshoot[2] < overshoot[3]


def test_an_implementation_delay_shifts_the_effect_not_the_decision_rule():
    """A decision that takes effect 3 days late changes half a week of the plant: still settles."""
    decided, weekly = closed_loop(10.0, 0.8, 0.5, 2.0, 5.0, 0, 60, implementation_days=3)
    assert weekly[-1] == pytest.approx(5.0, abs=1e-6)


def test_limits_hold():
    levers = np.array([4.0, 1.0, 1.0, 0.0])
    days = np.zeros((7, DAY_COLS))
    days[:, D_END] = np.arange(1, 8) * DAY
    days[:, D_HANDLED], days[:, D_BUSY_AREA] = 100.0, 100.0 * 50.0  # AHT 50 min against a target of 5
    out = np.empty(REVIEW_COLS)
    review(days, 7, WEEK, 0, WEEK, 0.0, 0.0, 0, True, np.array([K_AHT]), np.array([5.0]), np.array([L_BUDGET]),
           np.array([-1.0]), np.array([3.0, 0.5, 1.0, 0.0]), np.array([60.0, 2.0, 3.0, 10.0]), levers, 0.5, 0.5, out,
           np.zeros((7, FCR_COLS)), WEEK)
    assert out[R_MEASURED + 2 * K_AHT] == pytest.approx(50.0)
    assert levers[L_BUDGET] == 3.0 and out[R_LEVERS + L_BUDGET] == 3.0


# --- the loop in the model ------------------------------------------------------------------------
SMALL = """
name: steer
seed: 7
replications: 1
horizon: {horizon}
warmup: 1 w
mechanisms: {{handling: on, erosion: off, wellbeing: off, experience: on, loyalty: off}}
policies:
  steer:
    extends: baseline
    handle_time_target: 12 min
    overrun: close
    management:
      rules:
        - {{kpi: aht, target: 4.0, lever: handle_time_target, step: -0.8}}
      {extra}
{centre}"""


def _small(tmp_path, horizon: str = "26 w", extra: str = "cycle: 7 d"):
    path = tmp_path / "steer.yaml"
    path.write_text(SMALL.format(horizon=horizon, extra=extra, centre=small_phone_centre()))
    return compile_scenario(cxsim.load_scenario(path))


def test_the_model_settles_at_its_target(tmp_path):
    params = _small(tmp_path)
    reviews = run_tables(get_engine("fast")(params, 7, 0), params)["reviews"].to_pandas()
    assert len(reviews) == 25
    late = reviews["aht"].to_numpy()[-8:]
    half_width = 4 * late.std(ddof=1) / math.sqrt(len(late)) + 0.05
    assert abs(late.mean() - 4.0) < half_width
    assert reviews["handle_time_target"].iloc[-1] < 12.0   # it had to tighten to get there


def test_survey_nps_gap_is_what_the_response_probabilities_say(tmp_path):
    params = _small(tmp_path, horizon="10 w")
    tables = run_tables(get_engine("fast")(params, 7, 0), params)
    reviews, journeys = tables["reviews"].to_pandas(), tables["journeys"].to_pandas()
    x = params.experience
    z_scores, gaps, expected_gaps = [], [], []
    for r in reviews.itertuples():
        ended = journeys[(journeys.ended > r.at - WEEK) & (journeys.ended <= r.at)]
        ltr = ended.recommend.to_numpy()
        assert (ltr >= 0).all()
        cls = np.where(ltr >= 9, 1.0, np.where(ltr <= 6, -1.0, 0.0))
        assert r.nps_true == pytest.approx(100 * cls.mean(), abs=1e-9)   # the truth: every journey
        p = np.array([survey_response_probability(int(v), x.survey_rate, x.survey_extremity) for v in ltr])
        expected = np.sum(p * cls) / np.sum(p)                            # what the survey should read
        sd = math.sqrt(np.sum(p * (1 - p) * (cls - expected) ** 2)) / np.sum(p)
        z_scores.append((r.nps / 100 - expected) / sd)
        gaps.append(r.nps - r.nps_true)
        expected_gaps.append(100 * expected - r.nps_true)
    assert np.max(np.abs(z_scores)) < 4.0
    # Over all reviews the mean gap is the expected one (its sd shrinks with the number of reviews).
    assert abs(np.mean(z_scores)) < 4.0 / math.sqrt(len(z_scores))
    assert np.mean(expected_gaps) > 0   # with extreme answerers the survey flatters this organisation


def test_both_engines_identical_with_management(tmp_path):
    params = _small(tmp_path, horizon="4 w", extra="cycle: 7 d\n      implementation_delay: 2 d\n"
                                                  "      measurement_delay: 7 d\n      survey_sample: 30")
    fast = run_tables(get_engine("fast")(params, 3, 0), params)
    simpy = run_tables(get_engine("simpy")(params, 3, 0), params)
    assert fast["reviews"].num_rows == 3
    for name in fast:
        a, b = fast[name].to_pandas(), simpy[name].to_pandas()
        assert a.equals(b), name


def test_measurement_chart_shows_the_reviews(tmp_path):
    from cxsim.charts import CHARTS, load_results

    path = tmp_path / "steer.yaml"
    path.write_text(SMALL.format(horizon="5 w", extra="cycle: 7 d", centre=small_phone_centre()))
    folder = cxsim.run(cxsim.load_scenario(path), replications=2).write(tmp_path / "out")
    reviews = pd.read_parquet(folder / "reviews.parquet")
    assert len(reviews) == 2 * 4
    fig, values = CHARTS["measurement"](load_results(folder))
    assert values["nps_gap"]["steer"] == pytest.approx((reviews.nps - reviews.nps_true).mean())
    np.testing.assert_allclose(values["series"]["handle_time_target"]["steer"],
                               reviews.groupby("at").handle_time_target.mean())
    assert values["series"]["handle_time_target"]["steer"][-1] < 12.0   # tightened from the policy's 12 min
    assert "steer" in values["title"]


def test_management_off_by_default_and_interventions_exclusive(tmp_path):
    assert compile_scenario(cxsim.load_scenario(SCENARIOS / "contact_centre.yaml")).management is None
    path = tmp_path / "both.yaml"
    path.write_text(SMALL.format(horizon="4 w", extra="cycle: 7 d", centre=small_phone_centre()).replace(
        "    overrun: close\n", "    overrun: close\n    interventions: [{at: 2 w, set: {staffing: 1.2}}]\n"))
    with pytest.raises(ScenarioError, match="not both"):
        cxsim.load_scenario(path)
    path.write_text(SMALL.format(horizon="4 w", extra="cycle: 36 h", centre=small_phone_centre()))
    with pytest.raises(ScenarioError, match="whole number of days"):
        cxsim.load_scenario(path)


def test_a_bad_rule_is_one_line_naming_file_line_and_field(tmp_path):
    import os
    import subprocess
    import sys

    path = tmp_path / "bad.yaml"
    path.write_text(SMALL.format(horizon="4 w", extra="cycle: 7 d", centre=small_phone_centre()).replace("kpi: aht", "kpi: speed"))
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES", "FORCE_COLOR", "TERM")}
    done = subprocess.run([sys.executable, "-m", "cxsim.cli", "validate", str(path)], capture_output=True, text=True,
                          env=env, timeout=300)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"{path}:15:12:")
    assert "policies.steer.management.rules[0].kpi" in lines[0]

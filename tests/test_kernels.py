"""Unit and property tests below whole runs: the fast engine's heap and index picking against the
standard library, and the shared kernels' bounds, monotonicity and decisions (hypothesis).

Whole-run tests show the engines agree with each other and with theory; these show each small
piece does what its docstring says, over inputs nobody would think to write by hand.
"""

from __future__ import annotations

import heapq
import math
from bisect import bisect_right
from typing import NamedTuple

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxsim.codes import (
    CALLBACK, JOURNEY_RULES, NEXT_CLOSE_SOLVED, NEXT_GIVE_UP, NEXT_RETRY, NEXT_RETURN, NEXT_SWITCH, NEXT_TRANSFER,
    OVERRUN_CLOSE, OVERRUN_CONTINUE, OVERRUN_TRANSFER, REPEAT, RULE_MEAN, RULE_PEAK_END, RULE_WEAKEST,
)
from cxsim.engines.fast.heap import pop, push
from cxsim.engines.fast.journey import pick
from cxsim.engines.fast.state import I_HEAP, N_IC
from cxsim.compiled import compile_experience
from cxsim.kernels.experience import encounter_score, journey_score
from cxsim.scenario.mechanisms import Experience
from cxsim.kernels.journey import (
    add_score, after_abandonment, after_handled, after_self_service, after_unsolved, keeps_ownership,
    plan_encounter, returning_kind,
)
from cxsim.kernels.resolution import QUALITY_GAP, QUALITY_LEVEL, resolution_probability
from cxsim.kernels.wellbeing import attrition_probability, wellbeing_after
from cxsim.kernels.workday import burnout_starts, day_end, energy_after, team_step

#: The encounter score's named coefficients at their scenario defaults.
DEFAULT_COEFFICIENTS = compile_experience(Experience()).coefficients

settings.register_profile("cxsim", max_examples=200, deadline=None)
settings.load_profile("cxsim")

unit = st.floats(0.0, 1.0, exclude_max=True)
positive = st.floats(1e-3, 1e3)


class _Heap(NamedTuple):
    """The heap's slice of the fast engine's state (numba reads a named tuple by attribute)."""
    h_time: np.ndarray
    h_order: np.ndarray
    h_kind: np.ndarray
    ic: np.ndarray


def _heap(n: int) -> _Heap:
    return _Heap(np.zeros(n), np.zeros(n, np.int64), np.zeros(n, np.int64),
                 np.zeros(N_IC, np.int64))  # every scalar push reads


# --- the fast engine's event heap against heapq -------------------------------------------------------
@given(st.lists(st.tuples(st.sampled_from([0.0, 1.0, 2.5, 1e9]) | st.floats(0, 100), st.integers(0, 1),
                          st.booleans()), min_size=1, max_size=60))
def test_heap_pops_in_simpy_order(ops):
    """Pushes and pops interleaved: the fast heap gives (time, priority, scheduling order) like heapq."""
    w, reference, serial = _heap(len(ops)), [], 0
    for time, priority, pop_now in ops:
        push(w, time, 7, serial, 0, priority)
        heapq.heappush(reference, (time, priority, serial))
        serial += 1
        if pop_now:
            t, kind, a, _ = pop(w)
            expected = heapq.heappop(reference)
            assert (t, a) == (expected[0], expected[2]) and kind == 7
    while reference:
        t, _, a, _ = pop(w)
        expected = heapq.heappop(reference)
        assert (t, a) == (expected[0], expected[2])
    assert w.ic[I_HEAP] == 0


# --- index picking against bisect ---------------------------------------------------------------------
@given(st.lists(st.floats(0.0, 10.0), min_size=1, max_size=12), unit)
def test_pick_is_bisect_right(weights, u):
    cdf = np.cumsum(np.asarray(weights) + 1e-9)
    cdf = cdf / cdf[-1]
    assert pick(cdf, u) == bisect_right(cdf.tolist(), u)


# --- resolution and handling ---------------------------------------------------------------------------
@given(st.floats(0.0, 1.0), positive, st.floats(0.0, 1.0), st.floats(0.0, 1.0))
def test_resolution_is_a_probability_that_falls_as_time_given_falls(base, needed, share_hi, quality):
    share_lo = share_hi * 0.9
    hi = resolution_probability(base, share_hi * needed, needed, quality, QUALITY_GAP, QUALITY_LEVEL)
    lo = resolution_probability(base, share_lo * needed, needed, quality, QUALITY_GAP, QUALITY_LEVEL)
    assert 0.0 <= lo <= hi <= 1.0
    full = resolution_probability(base, needed, needed, quality, QUALITY_GAP, QUALITY_LEVEL)
    assert math.isclose(full, base * quality, rel_tol=1e-12, abs_tol=1e-15)


@given(positive, st.floats(0.1, 2.0), st.floats(0.5, 1.0), st.booleans(), st.booleans(),
       st.floats(0.1, 100.0), st.sampled_from([OVERRUN_CONTINUE, OVERRUN_CLOSE, OVERRUN_TRANSFER]),
       st.floats(0.0, 5.0), st.floats(0.5, 1.0), st.floats(0.3, 1.0), st.floats(0.0, 0.5), st.integers(1, 3))
def test_plan_encounter_keeps_its_promises(work, effectiveness, speed, handling, transferred, budget, overrun,
                                           empathy, standard, multiplier, slowdown, sessions):
    needed, given, extra, handle, transfer = plan_encounter(work, effectiveness, speed, handling, transferred,
                                                            budget, overrun, empathy, standard, multiplier,
                                                            slowdown, sessions)
    assert math.isclose(needed, work / (effectiveness * speed))
    assert 0.0 <= given <= needed * (1 + 1e-12)
    assert handle >= given + extra - 1e-9
    if not handling:
        assert extra == 0.0 and not transfer and math.isclose(given, needed * min(1.0, standard * multiplier))
    if transfer:
        assert handling and overrun == OVERRUN_TRANSFER and not transferred and given == budget
    if handling and not transferred and overrun != OVERRUN_CONTINUE:
        assert given <= budget


# --- the journey's decisions ----------------------------------------------------------------------------
@given(st.booleans(), st.booleans())
def test_after_handled(solved, transfer):
    step = after_handled(solved, transfer)
    assert step == (NEXT_TRANSFER if transfer else NEXT_CLOSE_SOLVED if solved else NEXT_RETURN)


def test_small_decisions():
    assert after_self_service(True) == NEXT_CLOSE_SOLVED and after_self_service(False) == NEXT_SWITCH
    assert after_abandonment(0.3, 0.5) == NEXT_RETRY and after_abandonment(0.5, 0.5) == NEXT_GIVE_UP
    assert after_unsolved(0.1, 0.2, False) == NEXT_GIVE_UP
    assert after_unsolved(0.1, 0.2, True) == NEXT_RETURN  # an owner calls back
    assert after_unsolved(0.3, 0.2, False) == NEXT_RETURN
    assert keeps_ownership(True, True, True, False)
    assert not keeps_ownership(False, True, True, False) and not keeps_ownership(True, True, True, True)
    assert returning_kind(True, False, False) == CALLBACK
    assert returning_kind(True, False, True) == REPEAT and returning_kind(False, False, False) == REPEAT


@given(st.lists(st.floats(0.0, 10.0), min_size=1, max_size=20), st.floats(0.0, 10.0))
def test_journey_rules_are_ordered(scores, neutral):
    """min ≤ peak_end ≤ max and min ≤ mean ≤ max, from the running aggregates."""
    agg = (10.0, 0.0, -1.0, 0.0, 0.0, 0)
    for s in scores:
        agg = add_score(*agg, s, neutral)
    lowest, peak, _, last, total, n = agg
    weakest, peak_end, mean = (journey_score(r, lowest, peak, last, total, n)
                               for r in (RULE_WEAKEST, RULE_PEAK_END, RULE_MEAN))
    assert weakest == min(scores) and n == len(scores) and last == scores[-1]
    assert min(scores) <= peak_end <= max(scores) and min(scores) - 1e-9 <= mean <= max(scores) + 1e-9
    assert len(JOURNEY_RULES) == 3


@given(st.floats(0, 10), st.floats(-3, 3), st.floats(0, 1e4), st.floats(0.01, 1e3), st.booleans(), st.booleans(),
       st.floats(0, 1), st.floats(0, 10), st.floats(0, 1), st.integers(1, 20), st.integers(0, 5))
def test_encounter_score_stays_on_the_scale(neutral, shift, wait, expected, answered, solved, share, empathy,
                                            wellbeing, contacts, transfers):
    score = encounter_score(neutral, shift, wait, expected, answered, solved, share, empathy, wellbeing, contacts,
                            transfers, 1.0, 2.0, 0.5, 0.4, 2.0, DEFAULT_COEFFICIENTS)
    assert 0.0 <= score <= 10.0


# --- the workforce ---------------------------------------------------------------------------------------
@given(st.floats(0, 1), st.floats(0, 600), st.floats(0, 600), st.floats(0, 2000), st.floats(-1, 1),
       st.integers(0, 10), st.floats(0.1, 10))
def test_wellbeing_stays_in_unit_interval(w0, busy, idle, off, pressure, upset, support):
    w = wellbeing_after(w0, busy, idle, off, pressure, float(upset), 0.1 / 60, 0.5, 0.02, 0.05 / 60, 0.08 / 60,
                        support)
    assert 0.0 <= w <= 1.0


@given(st.floats(0, 1), st.floats(0.01, 1), st.floats(0, 1), st.floats(0, 5))
def test_attrition_is_a_probability_that_rises_as_wellbeing_falls(w, drop, base, sensitivity):
    hi = attrition_probability(max(0.0, w - drop), 0.8, min(base, 0.99), sensitivity, 1.0)
    lo = attrition_probability(w, 0.8, min(base, 0.99), sensitivity, 1.0)
    assert 0.0 <= lo <= hi <= 1.0


def test_energy_clock_starts_when_energy_falls_and_nothing_changes_without_time():
    changed, w, low = energy_after(0.5, -1.0, 0.0, 1, True, 0, 0.0, 100.0, 0.01, 0.0, 0.0, 0.0, 0.0, 1.0, 0.25)
    assert not changed and w == 0.5 and low == -1.0
    changed, w, low = energy_after(0.26, -1.0, 60.0, 1, True, 0, 0.0, 100.0, 0.01, 0.0, 0.0, 0.0, 0.0, 1.0, 0.25)
    assert changed and w < 0.25 and low == 100.0
    assert burnout_starts(False, 100.0, 100.0 + 3 * 1440.0, 3 * 1440.0)
    assert not burnout_starts(True, 100.0, 1e9, 1.0) and not burnout_starts(False, -1.0, 1e9, 1.0)


def test_day_end_counts_boreout_only_below_the_threshold():
    assert day_end(0.8, 0.0, 0.0, 0.2, 0.01) == (False, False, 0.8)
    worked, bored, w = day_end(0.8, 480.0, 24.0, 0.2, 0.01 / 1440)
    assert worked and bored and w < 0.8
    assert day_end(0.8, 480.0, 200.0, 0.2, 0.01 / 1440) == (True, False, 0.8)


@given(st.floats(-1, 1), st.floats(0.5, 1), st.floats(0, 50), st.floats(0, 500), st.floats(0, 500),
       st.booleans())
def test_team_step_pressure_in_range_and_pinned_standard_is_one(pressure, standard, capacity, offered, waiting,
                                                               pinned):
    p, m, s = team_step(pressure, standard, 1.0, capacity, offered, waiting, 0.5 * 10, 10, pinned, 60.0, 60.0,
                        6.0, 1440.0, -0.64, -0.1, 19 * 10080.0, math.inf)
    assert -1.0 <= p <= 1.0 and m > 0.0
    assert (s == 1.0) if pinned else (0.0 < s <= standard)
    if capacity == 0.0:
        assert p == pressure  # nobody on duty: the last pressure stands


@pytest.mark.parametrize("u", [0.0, 0.999999])
def test_after_abandonment_bounds(u):
    assert after_abandonment(u, 1.0) == NEXT_RETRY and after_abandonment(u, 0.0) == NEXT_GIVE_UP


# --- the named coefficients are what the kernels read ---------------------------------------------------
def test_the_encounter_score_reads_its_named_coefficients():
    """Each named coefficient moves the score the way its description says (and the defaults are the
    numbers the score used before they were named: 3× expected wait is the worst wait, etc.)."""
    from cxsim.kernels.experience import COEFFICIENTS

    base = dict(neutral=7.0, expectation_shift=0.0, wait=2.0, expected_wait=1.0, answered=True, solved=False,
                given_share=0.8, empathy_minutes=0.5, wellbeing=0.9, contact_no=2, transfers=1, w_wait=1.0,
                w_resolution=1.5, w_empathy=1.0, w_effort=1.0, loss_aversion=1.0)

    def score(**changes):
        c = DEFAULT_COEFFICIENTS.copy()
        for name, value in changes.items():
            c[COEFFICIENTS.index(name)] = value
        return encounter_score(*base.values(), c)

    assert dict(zip(COEFFICIENTS, DEFAULT_COEFFICIENTS)) == {
        "wait_worst_at": 3.0, "empathy_time_weight": 0.5, "empathy_time_full": 1.0, "empathy_wellbeing_weight": 0.5,
        "wellbeing_neutral": 0.7, "rushed_penalty": 4.0, "unanswered_empathy": -0.5, "effort_per_repeat": 0.35,
        "effort_per_transfer": 0.5}
    assert score(rushed_penalty=0.0) > score() > score(rushed_penalty=8.0)
    assert score(wait_worst_at=6.0) > score()          # a long wait hurts less when the worst is further out
    assert score(effort_per_transfer=0.0) > score()
    assert score(wellbeing_neutral=0.95) < score()     # the same agent now counts as below neutral


def test_a_scenario_quality_table_is_compiled_and_a_bad_one_refused(tmp_path):
    """The delivered-quality table is a scenario parameter (``resolution:``): given, it is what the engines
    read; a table that does not end at full quality for no gap is refused at its line."""
    import cxsim
    from cxsim.compiled import compile_scenario
    from cxsim.scenario import ScenarioError
    from helpers import VALID

    good = tmp_path / "good.yaml"
    good.write_text(VALID + "resolution:\n  quality_gap: [-1, -0.5, 0]\n  quality_level: [0, 0.5, 1]\n")
    params = compile_scenario(cxsim.load_scenario(good))
    assert params.quality_gap.tolist() == [-1, -0.5, 0] and params.quality_level.tolist() == [0, 0.5, 1]
    default = compile_scenario(cxsim.load_scenario(_write(tmp_path / "plain.yaml", VALID)))
    assert default.quality_gap.tolist() == [-1.0, -0.5, -0.4, -0.3, -0.2, -0.1, 0.0]
    bad = _write(tmp_path / "bad.yaml", VALID + "resolution:\n  quality_gap: [-1, -0.5]\n  quality_level: [0, 0.5]\n")
    with pytest.raises(ScenarioError, match=r"bad.yaml:\d+:\d+: resolution: .*end at 0"):
        cxsim.load_scenario(bad)


def _write(path, text):
    path.write_text(text)
    return path


# --- the organisation's pressure step and head-count changes (kernels/pressure.py) ------------------------
from cxsim.kernels.erosion import required_capacity, work_pressure  # noqa: E402
from cxsim.kernels.pressure import headcount_change, headcount_mean, team_load  # noqa: E402

counts = st.lists(st.integers(0, 50), min_size=1, max_size=6)


@given(counts, counts, st.floats(0.0, 20.0), st.data())
def test_team_load_is_the_shared_sum_over_the_team_queues_and_nothing_off_duty(offered, queued, capacity, data):
    nq = min(len(offered), len(queued))
    offered, queued = np.array(offered[:nq], np.int64), np.array(queued[:nq], np.int64)
    teams = np.array(data.draw(st.lists(st.integers(1, 4), min_size=nq, max_size=nq)))
    share = 1.0 / teams
    queues = np.array(data.draw(st.lists(st.sampled_from(range(nq)), unique=True, max_size=nq)), np.int64)
    o, w = team_load(capacity, offered, queued, np.concatenate([queues, [0, 0]]), len(queues), share)
    if capacity == 0.0:
        assert (o, w) == (0.0, 0.0)  # nobody on duty: the team feels no work
    else:  # exact by construction: each queue's count split among the teams that serve it
        assert o == pytest.approx(sum(int(offered[q]) / int(teams[q]) for q in queues), abs=1e-12)
        assert w == pytest.approx(sum(int(queued[q]) / int(teams[q]) for q in queues), abs=1e-12)


@given(st.integers(1, 40), st.integers(0, 400), st.integers(0, 400), st.floats(-1.0, 1.0))
def test_the_pressure_step_stays_in_bounds_and_moves_toward_required_over_capacity(agents, offered, waiting, p0):
    """One erosion interval: pressure moves from where it was toward (required − capacity) / required."""
    capacity = float(agents)
    o, w = team_load(capacity, np.array([offered]), np.array([waiting]), np.array([0]), 1, np.array([1.0]))
    p, m, s = team_step(p0, 1.0, 1.0, capacity, o, w, 0.0, 0, False, 60.0, 60.0, 6.0, 1440.0, -0.64, -0.1,
                        19 * 10080.0, math.inf)
    target = work_pressure(required_capacity(offered, waiting, 60.0, 60.0, 6.0), capacity)
    assert -1.0 <= p <= 1.0 and s == 1.0
    assert min(p0, target) - 1e-12 <= p <= max(p0, target) + 1e-12
    if abs(p0 - target) > 1e-12:  # closer to it (a start within rounding of the target cannot move)
        assert abs(p - target) < abs(p0 - target)


@given(st.lists(st.tuples(st.floats(-1.0, 1.0), st.integers(0, 30)), min_size=1, max_size=6))
def test_headcount_mean_is_the_head_count_weighted_mean(pairs):
    values, sizes = np.array([v for v, _ in pairs]), np.array([n for _, n in pairs], np.int64)
    m = headcount_mean(values, sizes)
    if sizes.sum() == 0:
        assert m == values[0]
    else:
        assert values[sizes > 0].min() - 1e-12 <= m <= values[sizes > 0].max() + 1e-12
        assert m == pytest.approx(float(np.average(values, weights=sizes)), abs=1e-12)


@given(st.lists(st.tuples(st.booleans(), st.integers(0, 5)), max_size=12), st.integers(-3, 20))
def test_headcount_change_hits_the_target_and_cuts_idle_newest_first(agents, target):
    busy = np.array([b for b, _ in agents], np.bool_)
    hired = np.array([float(h) for _, h in agents])
    leavers, hires = headcount_change(busy, hired, target)
    n = len(agents)
    assert hires >= 0 and len(leavers) <= n and len(set(leavers.tolist())) == len(leavers)
    assert n - len(leavers) + hires == max(0, target)  # the team ends at its target, never below zero
    assert len(leavers) == 0 or hires == 0             # never both in one change
    # who goes: the stable sort on (busy, newest first), as the standard library sorts it
    expected = sorted(range(n), key=lambda i: (bool(busy[i]), -hired[i]))[:len(leavers)]
    assert leavers.tolist() == expected

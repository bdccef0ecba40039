"""The workforce's daily step and an agent's speed and quality as kernels (kernels/workforce_day.py).

Oracles: known answers by construction (a deterministic absence length, a day without duty, the
leaving draw against its chance), the rules the step is made of (the same kernels called one by
one, as both engines did before), bounds and directions (chance in [0, 1], falling as W rises;
quality in [0, 1], not rising with strain), and 'wellbeing off gives 1'.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cxsim
from cxsim.codes import DIST_DETERMINISTIC
from cxsim.compiled import Dist, compile_scenario
from cxsim.kernels.engagement import agent_day, delivered_quality, engaged_leave_chance
from cxsim.kernels.sampling import sample_duration
from cxsim.kernels.strain import burnout_begins
from cxsim.kernels.wellbeing import speed_effect
from cxsim.kernels.workday import day_end
from cxsim.kernels.workforce_day import agent_day_close, agent_quality, agent_speed, day_params

from helpers import SCENARIOS

DAY = 1440.0


@pytest.fixture(scope="module")
def wellbeing():
    """The shipped wellbeing scenario's block: strain and engagement on."""
    return compile_scenario(cxsim.load_scenario(SCENARIOS / "wellbeing.yaml"), "steady").wellbeing


def close(k, **kw):
    args = dict(strain=0.2, load=0.6, engagement=0.9, wellbeing=0.7, low_since=-1.0, absent=False,
                staffed_area=10 * DAY, staffed_before=10 * DAY - 480.0, busy_area=5 * DAY, busy_before=5 * DAY - 400.0,
                day_low=0.6, day_upset=2, rostered=True, skill_use=0.8, support=1.0, now=11 * DAY, u_leave=0.5,
                d1=0.3, d2=0.6)
    args.update(kw)
    return agent_day_close(*args.values(), k)


def test_day_params_picks_the_absence_of_the_mechanism_on(wellbeing):
    on = replace(wellbeing, absence=Dist(DIST_DETERMINISTIC, 111.0),
                 strain=replace(wellbeing.strain, on=True, absence=Dist(DIST_DETERMINISTIC, 222.0)))
    off = replace(on, strain=replace(on.strain, on=False))
    assert day_params(on)[19:21] == (DIST_DETERMINISTIC, 222.0)
    assert day_params(off)[19:21] == (DIST_DETERMINISTIC, 111.0)
    no_engagement = day_params(replace(wellbeing, engagement=None))
    assert no_engagement[11] is False and no_engagement[27] == 0.0 and no_engagement[33] == 0.0


def test_burnout_length_is_the_deterministic_absence_and_zero_without_burnout(wellbeing):
    s = replace(wellbeing.strain, on=True, burnout_above=0.5, absence=Dist(DIST_DETERMINISTIC, 3 * DAY))
    k = day_params(replace(wellbeing, strain=s))
    *_, burnout, length, _chance, _leaves = close(k, strain=0.95)
    assert burnout and length == 3 * DAY
    *_, burnout, length, _chance, _leaves = close(k, strain=0.95, absent=True)  # already off: no new spell
    assert not burnout and length == 0.0
    *_, burnout, length, _chance, _leaves = close(k, strain=0.0, staffed_before=10 * DAY)
    assert not burnout and length == 0.0


def test_a_day_off_duty_neither_works_nor_bores(wellbeing):
    k = day_params(wellbeing)
    out = close(k, staffed_before=10 * DAY, busy_before=0.0)  # no minute on duty; the busy area is ignored
    assert out[4] is False and out[5] is False and out[3] == 0.7


def test_strain_and_engagement_off_keep_s_load_and_e(wellbeing):
    k = day_params(replace(wellbeing, strain=replace(wellbeing.strain, on=False), engagement=None))
    strain, load, engagement = close(k)[:3]
    assert (strain, load, engagement) == (0.2, 0.6, 0.9)


@settings(max_examples=60, deadline=None)
@given(strain=st.floats(0.0, 1.0), load=st.floats(0.0, 1.5), engagement=st.floats(0.0, 1.0),
       w=st.floats(0.0, 1.0), staffed=st.floats(0.0, 720.0), busy_share=st.floats(0.0, 1.0),
       upset=st.integers(0, 5), u=st.floats(0.0, 0.999), d1=st.floats(0.0, 0.999), d2=st.floats(0.0, 0.999),
       strain_on=st.booleans(), engaged=st.booleans())
def test_the_step_is_the_rules_in_the_engines_order(wellbeing, strain, load, engagement, w, staffed, busy_share,
                                                    upset, u, d1, d2, strain_on, engaged):
    """The kernel gives, bit for bit, what the engines computed step by step before it existed."""
    wb = replace(wellbeing, strain=replace(wellbeing.strain, on=strain_on),
                 engagement=wellbeing.engagement if engaged else None)
    s, e = wb.strain, wb.engagement
    now, low_since = 30 * DAY, 25 * DAY
    out = close(day_params(wb), strain=strain, load=load, engagement=engagement, wellbeing=w, low_since=low_since,
                staffed_area=now, staffed_before=now - staffed, busy_area=staffed * busy_share, busy_before=0.0,
                day_upset=upset, now=now, u_leave=u, d1=d1, d2=d2)
    busy_area = staffed * busy_share
    staffed = now - (now - staffed)  # as the kernel takes it: from the running areas
    busy = busy_area if staffed > 0 else 0.0
    S, L, E = agent_day(strain, load, engagement, staffed, busy, 0.6, float(upset), True, 0.8, 1.0, s.on,
                        s.low_below, s.per_low_day, s.sustainable, s.per_overload_day, s.load_days,
                        s.recover_working, s.recover_off, s.per_upset, s.contract, s.per_overtime_hour, e is not None,
                        e.bored_below if e else 0.0, e.per_bored_day if e else 0.0, e.recover_per_day if e else 0.0)
    worked, bored, W = day_end(w, staffed, busy, wb.boreout_below, wb.boreout_rate)
    burnout = burnout_begins(s.on, False, low_since, now, wb.burnout_after, S, s.burnout_above)
    a = s.absence if s.on else wb.absence
    length = sample_duration(a.kind, a.a, a.b, a.values, d1, d2) if burnout else 0.0
    chance = engaged_leave_chance(W, S, E, wb.initial, wb.attrition_per_year, wb.attrition_sensitivity,
                                  s.attrition_sensitivity, s.on, e.attrition_sensitivity if e else 0.0, e is not None)
    assert out == (S, L, E, W, worked, bored, burnout, length, chance, u < chance)
    assert 0.0 <= out[8] <= 1.0


@settings(max_examples=40, deadline=None)
@given(w=st.floats(0.0, 0.99), dw=st.floats(0.001, 0.5))
def test_leaving_chance_falls_as_w_rises(wellbeing, w, dw):
    k = day_params(wellbeing)
    low, high = close(k, wellbeing=w)[8], close(k, wellbeing=min(1.0, w + dw))[8]
    assert high <= low


@settings(max_examples=60, deadline=None)
@given(w=st.floats(0.0, 1.0), s=st.floats(0.0, 1.0), e=st.floats(0.0, 1.0), ds=st.floats(0.0, 0.5))
def test_speed_and_quality(wellbeing, w, s, e, ds):
    k = day_params(wellbeing)
    assert agent_speed(False, w, k) == 1.0 and agent_quality(False, w, s, e, k) == 1.0  # wellbeing off gives 1
    assert agent_speed(True, w, k) == speed_effect(w, wellbeing.speed_onset, wellbeing.speed_loss)
    en = wellbeing.engagement
    q = agent_quality(True, w, s, e, k)
    assert q == delivered_quality(w, s, e, wellbeing.quality_onset, wellbeing.quality_loss,
                                  wellbeing.strain.quality_loss, en.quality_loss if en else 0.0)
    assert 0.0 <= q <= 1.0
    assert agent_quality(True, w, min(1.0, s + ds), e, k) <= q
    assert agent_quality(True, 1.0, 0.0, 1.0, k) == 1.0
    assert not math.isnan(q) and np.isfinite(agent_speed(True, w, k))


@pytest.fixture(scope="module")
def erosion():
    return compile_scenario(cxsim.load_scenario(SCENARIOS / "wellbeing.yaml"), "steady").erosion


@settings(max_examples=40, deadline=None)
@given(cap=st.lists(st.sampled_from([0.0, 0.5, 3.0, 12.0]), min_size=2, max_size=2),
       offered=st.lists(st.integers(0, 40), min_size=3, max_size=3),
       queued=st.lists(st.integers(0, 20), min_size=3, max_size=3),
       given_=st.lists(st.floats(0.0, 30.0), min_size=2, max_size=2), count=st.lists(st.integers(0, 30), min_size=2,
                                                                                    max_size=2),
       sizes=st.lists(st.integers(0, 9), min_size=2, max_size=2), pinned=st.booleans())
def test_pressure_step_is_team_step_per_team(erosion, cap, offered, queued, given_, count, sizes, pinned):
    """Two teams over three queues (queue 1 shared): each team's step is the rule applied to its own load."""
    from cxsim.kernels.pressure import headcount_mean, team_load
    from cxsim.kernels.workday import team_step
    from cxsim.kernels.workforce_day import erosion_params, pressure_step
    k = erosion_params(erosion)
    queues, nq = np.array([[0, 1], [1, 2]], dtype=np.int64), np.array([2, 2], dtype=np.int64)
    share = np.array([1.0, 0.5, 1.0])
    pressure, multiplier, standard = np.array([0.9, 1.3]), np.array([1.0, 0.8]), np.array([0.95, 0.7])
    before = pressure.copy(), multiplier.copy(), standard.copy()
    args = (np.array(cap), np.array(offered, dtype=np.int64), np.array(queued, dtype=np.int64), queues, nq, share,
            np.array(given_), np.array(count, dtype=np.int64), np.array(sizes, dtype=np.int64), pinned, 6.0, k)
    area = pressure_step(pressure, multiplier, standard, *args)
    for t in range(2):
        load, waiting = team_load(cap[t], args[1], args[2], queues[t], nq[t], share)
        expect = team_step(before[0][t], before[2][t], before[1][t], cap[t], load, waiting, given_[t], count[t],
                           pinned, erosion.interval, erosion.clear_time, 6.0, erosion.smoothing, erosion.alpha,
                           erosion.alpha_slack, erosion.standard_down, erosion.standard_up)
        assert (pressure[t], multiplier[t], standard[t]) == expect
        if cap[t] == 0.0:  # nobody on duty: the team keeps its pressure
            assert pressure[t] == before[0][t] and multiplier[t] == before[1][t]
        if pinned:
            assert standard[t] == 1.0
    assert area == headcount_mean(pressure, args[8]) * erosion.interval


@settings(max_examples=60, deadline=None)
@given(w=st.floats(0.0, 1.0), dt=st.floats(0.0, 600.0), sessions=st.integers(0, 2), on_duty=st.booleans(),
       on_break=st.booleans(), upset=st.integers(0, 3), pressure=st.floats(0.0, 3.0), day_low=st.floats(0.0, 1.0))
def test_agent_energy_is_energy_after_with_the_days_books(wellbeing, w, dt, sessions, on_duty, on_break, upset,
                                                          pressure, day_low):
    """W up to now by the agent's state (a break's recovery rate while on a break), the day's lowest W
    and upset customers carried; no time and nobody upset: nothing changes."""
    from cxsim.kernels.workday import energy_after
    from cxsim.kernels.workforce_day import agent_energy
    k = day_params(wellbeing)
    now = 5 * DAY
    out = agent_energy(w, -1.0, now - dt, day_low, 4, sessions, on_duty, on_break, upset, pressure, now, 1.5, k)
    rate = wellbeing.recover_break if on_break else wellbeing.recover_off
    changed, W, low = energy_after(w, -1.0, now - (now - dt), sessions, on_duty, upset, pressure, now, wellbeing.drain,
                                   wellbeing.pressure_drain, wellbeing.upset_hit, wellbeing.recover_idle, rate, 1.5,
                                   wellbeing.burnout_below)
    assert out[:3] == (changed, W, low)
    if changed:
        assert out[3] == min(day_low, W) and out[4] == 4 + upset
    else:
        assert out[1:] == (w, -1.0, day_low, 4)
    assert agent_energy(w, -1.0, now, day_low, 4, sessions, on_duty, on_break, 0, pressure, now, 1.5, k)[0] is False


def test_newcomer_is_a_rookie_only_with_wellbeing_on():
    from cxsim.kernels.workforce_day import newcomer
    assert newcomer(True, 0.8, 3 * DAY) == (0.8, 3 * DAY)
    assert newcomer(False, 0.8, 3 * DAY) == (1.0, 0.0)


@pytest.mark.parametrize("sick_left, absent, expect", [
    (0, False, (False, False, 10.0)),                  # at work: nothing ends
    (2, True, (True, False, 10.0)),                    # off sick: the spell ends, no burnout minutes
    (0, True, (False, True, 10.0 + DAY - 600.0)),      # off with burnout: its minutes so far are counted
])
def test_leaving_ends_the_absence_the_agent_is_on(sick_left, absent, expect):
    from cxsim.kernels.workforce_day import leave_absences
    assert leave_absences(sick_left, absent, 10.0, 600.0, DAY) == expect


def test_absence_over_only_for_an_agent_still_absent():
    from cxsim.kernels.workforce_day import absence_over
    assert absence_over(False, True, True, 50.0, 100.0, DAY) == (False, 50.0, False)  # left meanwhile
    assert absence_over(True, False, True, 50.0, 100.0, DAY) == (True, 50.0 + DAY - 100.0, True)
    assert absence_over(True, False, False, 50.0, 100.0, DAY)[2] is False  # team off shift: stays off duty


def test_sick_day_acts_on_the_sickness_kernels_event():
    """The spell's events as kernels.sickness gives them: falls sick (off duty), back (on duty if on
    shift), and nothing at all for an agent who has left."""
    from cxsim.kernels.sickness import BACK, FALLS_SICK, sickness_day
    from cxsim.kernels.workforce_day import sick_day
    assert sick_day(True, 0, False, True, 1.0, 3.0, 0.0, 0.5) == (0, False, 0, False, False)
    left, event = sickness_day(True, 0, False, 1.0, 3.0, 0.0, 0.5)
    assert event == FALLS_SICK and sick_day(False, 0, False, True, 1.0, 3.0, 0.0, 0.5) == (left, True, 1, True, False)
    left, event = sickness_day(True, 1, True, 1.0, 3.0, 0.0, 0.5)
    assert event == BACK
    assert sick_day(False, 1, True, True, 1.0, 3.0, 0.0, 0.5) == (left, False, -1, False, True)
    assert sick_day(False, 1, True, False, 1.0, 3.0, 0.0, 0.5) == (left, False, -1, False, False)
    assert sick_day(False, 3, True, True, 1.0, 3.0, 0.0, 0.5)[2:] == (0, False, False)  # still sick

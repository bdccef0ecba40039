"""An agent's daily step as one kernel, and the parameters it reads packed once (MODEL.md §4).

Both engines walk their agents once a day; for each employed agent the step is written here once:
the day's staffed and busy minutes from the running areas, the slow states (S, load, E), boreout,
whether burnout absence starts and how long it lasts, the chance of resigning and whether the agent
does. The engines keep only their storage (the areas, the levels, who goes off duty) and
the scheduling (the return from absence, the replacement hire). The speed and quality an agent
delivers (1 with the wellbeing mechanism off) are here too.

``day_params`` packs the compiled wellbeing block into one flat tuple, so that both engines pass the
same numbers in the same order (the SimPy engine from its ``Params``, the fast engine as a field of
its parameter tuple); which absence distribution applies (chronic strain's when it is on) is decided
there, once.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .breaks import off_recovery
from .engagement import agent_day, delivered_quality, engaged_leave_chance
from .sampling import sample_duration
from .sickness import BACK, FALLS_SICK, sickness_day
from .strain import burnout_begins
from .wellbeing import speed_effect
from .pressure import headcount_mean, team_load
from .workday import day_end, energy_after, team_step


def day_params(wellbeing) -> tuple:
    """The wellbeing block (``compiled.WellbeingParams``) as the flat tuple :func:`agent_day_close`,
    :func:`agent_speed`, :func:`agent_quality` and :func:`agent_energy` read. Engagement off gives zeros
    (and E stays 1)."""
    w, s, e = wellbeing, wellbeing.strain, wellbeing.engagement
    absence = s.absence if s.on else w.absence
    f = float
    return (bool(s.on), f(s.low_below), f(s.per_low_day), f(s.sustainable), f(s.per_overload_day), f(s.load_days),
            f(s.recover_working), f(s.recover_off), f(s.per_upset), f(s.contract), f(s.per_overtime_hour),
            e is not None, f(e.bored_below) if e else 0.0, f(e.per_bored_day) if e else 0.0,
            f(e.recover_per_day) if e else 0.0,
            f(w.boreout_below), f(w.boreout_rate), f(w.burnout_after), f(s.burnout_above),
            int(absence.kind), f(absence.a), f(absence.b), np.ascontiguousarray(absence.values, dtype=np.float64),
            f(w.initial), f(w.attrition_per_year), f(w.attrition_sensitivity), f(s.attrition_sensitivity),
            f(e.attrition_sensitivity) if e else 0.0,
            f(w.speed_onset), f(w.speed_loss), f(w.quality_onset), f(w.quality_loss), f(s.quality_loss),
            f(e.quality_loss) if e else 0.0,
            f(w.drain), f(w.pressure_drain), f(w.upset_hit), f(w.recover_idle), f(w.recover_off), f(w.recover_break),
            f(w.burnout_below))


@njit(cache=True)
def agent_day_close(strain: float, load: float, engagement: float, wellbeing: float, low_since: float, absent: bool,
                    staffed_area: float, staffed_before: float, busy_area: float, busy_before: float, day_low: float,
                    day_upset: int, rostered: bool, skill_use: float, support: float, now: float, u_leave: float,
                    d1: float, d2: float, k):
    """One employed agent's day, closed at ``now`` (W already brought up to now).

    ``staffed_area``/``busy_area`` are the agent's running minutes on duty and busy now, the ``_before``
    values those at the start of the day. Returns (S, load, E, W, worked today, bored today,
    burnout starts, its length in minutes (0 if not), chance of resigning, resigns), in the order
    the engines apply them: burnout absence first, then the leaving draw ``u_leave`` < chance.
    ``d1``, ``d2`` are the absence length's uniforms (drawn every day, used only if burnout starts).
    """
    (st_on, low_below, per_low_day, sustainable, per_overload_day, load_days, recover_working, recover_off,
     per_upset, contract, per_overtime_hour, en_on, bored_below, per_bored_day, recover_per_day,
     boreout_below, boreout_rate, burnout_after, burnout_above, a_kind, a_a, a_b, a_values,
     initial, attrition, sensitivity, st_sensitivity, en_sensitivity) = k[:28]
    staffed = staffed_area - staffed_before
    busy = busy_area - busy_before if staffed > 0 else 0.0
    strain, load, engagement = agent_day(
        strain, load, engagement, staffed, busy, day_low, float(day_upset), rostered, skill_use, support, st_on,
        low_below, per_low_day, sustainable, per_overload_day, load_days, recover_working, recover_off, per_upset,
        contract, per_overtime_hour, en_on, bored_below, per_bored_day, recover_per_day)
    worked, bored, wellbeing = day_end(wellbeing, staffed, busy, boreout_below, boreout_rate)
    burnout = burnout_begins(st_on, absent, low_since, now, burnout_after, strain, burnout_above)
    length = sample_duration(a_kind, a_a, a_b, a_values, d1, d2) if burnout else 0.0
    chance = engaged_leave_chance(wellbeing, strain, engagement, initial, attrition, sensitivity, st_sensitivity,
                                  st_on, en_sensitivity, en_on)
    return strain, load, engagement, wellbeing, worked, bored, burnout, length, chance, u_leave < chance


@njit(cache=True)
def agent_speed(on: bool, wellbeing: float, k) -> float:
    """The agent's speed multiplier (W's effect on handling time); 1 with the wellbeing mechanism off."""
    if not on:
        return 1.0
    return speed_effect(wellbeing, k[28], k[29])


@njit(cache=True)
def agent_quality(on: bool, wellbeing: float, strain: float, engagement: float, k) -> float:
    """The resolution multiplier the agent delivers (W, and S and E when on); 1 with wellbeing off."""
    if not on:
        return 1.0
    return delivered_quality(wellbeing, strain, engagement, k[30], k[31], k[32], k[33])


def erosion_params(erosion) -> tuple:
    """The erosion block (``compiled.ErosionParams``) as the flat tuple :func:`pressure_step` reads."""
    e = erosion
    return (float(e.interval), float(e.clear_time), float(e.smoothing), float(e.alpha), float(e.alpha_slack),
            float(e.standard_down), float(e.standard_up))


@njit(cache=True)
def pressure_step(pressure: np.ndarray, multiplier: np.ndarray, standard: np.ndarray, capacities: np.ndarray,
                  offered: np.ndarray, queued: np.ndarray, team_queues: np.ndarray, team_nq: np.ndarray,
                  share: np.ndarray, given: np.ndarray, count: np.ndarray, sizes: np.ndarray, pinned: bool,
                  mean_work: float, k) -> float:
    """Every team's pressure, multiplier and standard after one erosion interval, in place.

    Each team feels the work offered to and waiting in the queues it serves (``team_queues[t, :team_nq[t]]``,
    a queue shared by several teams split by ``share``) against its effective capacity ``capacities[t]``
    (:func:`cxsim.kernels.capacity.team_capacities`); ``given``/``count`` are the time given over the time
    needed summed over the interval's encounters. Returns the interval's share of the pressure area:
    the head-count weighted mean pressure (``sizes``) × the interval.
    """
    interval, clear_time, smoothing, alpha, alpha_slack, tau_down, tau_up = k
    for t in range(pressure.shape[0]):
        capacity = capacities[t]
        load, waiting = team_load(capacity, offered, queued, team_queues[t], team_nq[t], share)
        pressure[t], multiplier[t], standard[t] = team_step(
            pressure[t], standard[t], multiplier[t], capacity, load, waiting, given[t], count[t], pinned, interval,
            clear_time, mean_work, smoothing, alpha, alpha_slack, tau_down, tau_up)
    return headcount_mean(pressure, sizes) * interval


@njit(cache=True)
def agent_energy(wellbeing: float, low_since: float, since: float, day_low: float, day_upset: int, sessions: int,
                 on_duty: bool, on_break: bool, upset: int, pressure: float, now: float, support: float, k):
    """An agent's W brought up to ``now`` by the state it has been in since ``since``
    (:func:`cxsim.kernels.workday.energy_after`; off duty it recovers at the break rate while on a break).

    Returns (changed, W, low since, the day's lowest W, the day's upset customers); when changed, the
    engine also sets ``since`` to now and the upset count to 0.
    """
    drain, pressure_drain, upset_hit, recover_idle, recover_off, recover_break, burnout_below = k[34:41]
    changed, wellbeing, low_since = energy_after(
        wellbeing, low_since, now - since, sessions, on_duty, upset, pressure, now, drain, pressure_drain, upset_hit,
        recover_idle, off_recovery(on_break, recover_off, recover_break), support, burnout_below)
    if changed:
        day_upset += upset
        day_low = min(day_low, wellbeing)
    return changed, wellbeing, low_since, day_low, day_upset


@njit(cache=True)
def newcomer(wellbeing_on: bool, initial: float, now: float) -> tuple[float, float]:
    """A new agent's (W, time W is counted from): with the wellbeing mechanism on a rookie at the initial W
    from now (it also counts as a hire on the payroll), with it off W = 1 from time 0."""
    if wellbeing_on:
        return initial, now
    return 1.0, 0.0


@njit(cache=True)
def leave_absences(sick_left: int, absent: bool, absent_minutes: float, absent_since: float,
                   now: float) -> tuple[bool, bool, float]:
    """An agent leaves the company now: (a sickness spell ends, a burnout absence ends, minutes absent).

    Off with baseline sickness, the spell ends with the job (it is not burnout absence); off with
    burnout, the absence ends and its minutes so far are counted. Afterwards the agent is neither.
    """
    sick = sick_left > 0
    burnt_out = absent and not sick
    if burnt_out:
        absent_minutes += now - absent_since
    return sick, burnt_out, absent_minutes


@njit(cache=True)
def absence_over(absent: bool, gone: bool, on_shift: bool, absent_minutes: float, absent_since: float,
                 now: float) -> tuple[bool, float, bool]:
    """A burnout absence's planned end: (it ends now, minutes absent, the agent goes on duty).

    Nothing ends for an agent no longer absent (who left the company meanwhile: counted then); an agent
    back goes on duty if the team is on shift and the agent still employed."""
    if not absent:
        return False, absent_minutes, False
    return True, absent_minutes + (now - absent_since), on_shift and not gone


@njit(cache=True)
def sick_day(gone: bool, sick_left: int, absent: bool, on_shift: bool, chance: float, mean_days: float,
             u_start: float, u_length: float) -> tuple[int, bool, int, bool, bool]:
    """Baseline sickness for one agent at the daily step (:func:`cxsim.kernels.sickness.sickness_day`):
    (days left, absent, change in the number off sick, goes off duty, goes on duty).

    An agent who has left draws the uniforms and nothing happens; one falling sick goes off duty; one
    back goes on duty if the team is on shift."""
    if gone:
        return sick_left, absent, 0, False, False
    sick_left, event = sickness_day(True, sick_left, absent, chance, mean_days, u_start, u_length)
    if event == FALLS_SICK:
        return sick_left, True, 1, True, False
    if event == BACK:
        return sick_left, False, -1, False, on_shift
    return sick_left, absent, 0, False, False

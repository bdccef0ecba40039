"""Staffing by simulation (MODEL.md §4: "Erlang A, or simulation where Erlang A does not fit").

The rule (:mod:`.requirement`) sizes each hour with Erlang A/C from a forecast: first contacts plus a
failure-demand allowance from the policy's resolution *as designed*, the policy's handle time *as
designed*, and a queue that is stationary within the hour. In a scenario with erosion, pressure,
carried progress, ownership and callbacks none of that holds exactly, and the rota misses (or beats)
its target in simulation. With ``method: simulation`` a team's rota is refined, round by round:

1. **Simulate** the current rotas (round 1: the rule's) with the fast engine for ``replications``
   runs of the scenario's horizon. The planning runs use replications ``PLAN_REPLICATION + k`` of the
   scenario's seed: the same customers for every policy (common random numbers) and none of the
   customers a run is then measured on (replications 0, 1, ...), so the rota is not tuned to them.
2. **Measure** per team: the service level achieved (as the ``service_level`` metric counts it, after
   the warm-up), and per channel the contacts offered (every kind but retrials: the rule adds those
   itself) and the mean handle time (per session for a chat).
3. **Accept** a team's rota when the achieved level is at least ``target − tolerance`` and at most what
   the rule, corrected as below, promised for it ``+ tolerance`` (the rule sizes every hour to at least
   the target, so a whole rota beats the target by its rounding; the rule's own rota is accepted when
   the simulation confirms the rule, as on an Erlang C scenario).
4. **Re-forecast** otherwise: the offered contacts are the rule's forecast per hour × the ratio of the
   simulated contacts to the forecast ones over the run (one ratio per channel: the realised failure
   demand; the hourly shape is the forecast's, since 12 weeks give each hour of the week too few
   contacts for its own estimate), the handle time is the simulated one, and the rule's remaining
   error is measured as ``m`` = the service level Erlang promises the simulated rota with these
   inputs − the level achieved (non-stationarity, erosion, abandonment the queue formula does not see).
   The requirement is the rule's at ``target + m`` with the re-forecast inputs, rostered as before.
5. Stop when every team is accepted, when no rota changes (the next round would repeat this one), or
   after ``rounds`` rounds; the last rota simulated is kept (its achieved level is reported with it).

Only the teams whose target says ``method: simulation`` change; the others keep the rule's rota (and
are simulated with it). Occupancy targets are met by the rule.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from ..codes import ABANDONED, CALLBACK, HANDLED, RETRIAL, SELF_SERVICE
from ..compiled import Params
from ..layouts import E_ARRIVED, E_CHANNEL, E_HANDLE, E_KIND, E_OUTCOME, E_WAIT
from ..minutes import HOUR
from ..scenario.staffing import StaffingTarget
from .plan import TeamPlan
from .requirement import HOURS, channel_promise, channel_requirement, offered_contacts
from .rota import roster

#: Planning runs use replications from here on: independent of the replications a run reports.
PLAN_REPLICATION = 1_000_000
#: The rule is never asked for more than this service level (the level must stay below 1).
MOST = 0.99
LEAST = 0.01


@dataclasses.dataclass(frozen=True)
class Measured:
    """What the planning runs of one round show, per replication × channel."""
    judged: np.ndarray     # contacts judged for the service level
    on_time: np.ndarray    # ... of which answered within the channel's target
    offered: np.ndarray    # contacts offered that arrived after the warm-up, retrials left out
    handled: np.ndarray    # contacts handled
    handle: np.ndarray     # their handle time, per session (minutes)

    def level(self, channels: tuple[int, ...]) -> np.ndarray:
        """Service level per replication over the given channels."""
        judged = self.judged[:, list(channels)].sum(axis=1)
        return np.where(judged > 0, self.on_time[:, list(channels)].sum(axis=1) / np.maximum(judged, 1), 1.0)


def measure(p: Params, seed: int, replications: int) -> Measured:
    """Simulate ``p`` (teams rostered) on the planning replications with the fast engine and count."""
    from ..engines import get_engine, refusals

    engine = "fast" if not refusals("fast", p) else "simpy"
    simulate = get_engine(engine)
    n = len(p.channels)
    shape = (replications, n)
    judged, on_time, offered, handled, handle = (np.zeros(shape) for _ in range(5))
    targets = np.array([c.target for c in p.channels])
    per_session = np.array([1.0 + c.slowdown * (c.sessions - 1) for c in p.channels])
    for k in range(replications):
        rows = np.asarray(simulate(p, seed, PLAN_REPLICATION + k).encounters, dtype=float)
        kind, channel = rows[:, E_KIND].astype(np.int64), rows[:, E_CHANNEL].astype(np.int64)
        outcome, arrived, wait = rows[:, E_OUTCOME].astype(np.int64), rows[:, E_ARRIVED], rows[:, E_WAIT]
        # Judged as the service_level metric judges a contact (cxsim/tallies.py: add_encounter).
        done = ~np.isnan(wait)
        left = np.where(done, arrived + np.where(done, wait, 0.0), -np.inf)
        queued = (outcome != SELF_SERVICE) & (kind != CALLBACK) & done & (left >= p.warmup)
        timely = queued & (outcome != ABANDONED) & (np.where(done, wait, np.inf) <= targets[channel] + 1e-12)
        after = arrived >= p.warmup
        answered = after & (outcome == HANDLED)
        judged[k] = np.bincount(channel[queued], minlength=n)
        on_time[k] = np.bincount(channel[timely], minlength=n)
        offered[k] = np.bincount(channel[after & (kind != RETRIAL) & (outcome != SELF_SERVICE)], minlength=n)
        handled[k] = np.bincount(channel[answered], minlength=n)
        handle[k] = np.bincount(channel[answered], weights=rows[answered, E_HANDLE] / per_session[channel[answered]],
                                minlength=n)
    return Measured(judged, on_time, offered, handled, handle)


def window_minutes(p: Params) -> np.ndarray:
    """Minutes of each hour of the week inside the measured window (warm-up to horizon)."""
    minutes = np.zeros(HOURS)
    start = p.warmup
    while start < p.horizon:
        hour = math.floor(start / HOUR + 1e-9)
        end = min((hour + 1) * HOUR, p.horizon)
        minutes[hour % HOURS] += end - start
        start = end
    return minutes


def _channels_of(plan: TeamPlan, s, p: Params) -> tuple[int, ...]:
    ci = {c.name: i for i, c in enumerate(p.channels)}
    return tuple(ci[c] for c in s.teams[plan.team].channels)


def _open_hours(plan: TeamPlan) -> np.ndarray:
    return np.array([pat.coverage() for pat in plan.patterns]).max(axis=0) > 0


def promise(p: Params, plan: TeamPlan, channels: tuple[int, ...], rates: np.ndarray, service: float,
            agents: np.ndarray) -> float:
    """The service level Erlang promises a team with ``agents`` per hour, ``rates`` [channel, hour] and
    ``service``; a team with several channels shares its agents by each channel's requirement."""
    target = plan.target
    need = [channel_requirement(p, c, rates[c], service, target, _open_hours(plan)).astype(float) for c in channels]
    total = np.sum(need, axis=0)
    levels, weights = [], []
    for c, own in zip(channels, need):
        share = np.where(total > 0, own / np.where(total > 0, total, 1.0), 1.0 / len(channels))
        level, weight = channel_promise(p, c, rates[c], service, np.floor(agents * share + 1e-9), target,
                                        _open_hours(plan))
        levels.append(level)
        weights.append(weight)
    return float(np.average(levels, weights=weights)) if sum(weights) > 0 else 1.0


def replan(p: Params, plan: TeamPlan, channels: tuple[int, ...], rates: np.ndarray, service: float,
           level: float) -> TeamPlan:
    """The team's requirement and rota from re-forecast ``rates`` and ``service``, sized to ``level``."""
    asked = StaffingTarget(service_level=level, within=plan.target.within)
    need = np.zeros(HOURS, dtype=np.int64)
    for c in channels:
        need = need + channel_requirement(p, c, rates[c], service, asked, _open_hours(plan))
    return dataclasses.replace(plan, handle_time=service, offered=rates[list(channels)].sum(axis=0),
                               requirement=need, rota=roster(need, list(plan.patterns)), planned_at=level)


def refine(s, p: Params, plans: dict[str, TeamPlan]) -> dict[str, TeamPlan]:
    """The plans of the teams with ``method: simulation`` refined by simulation (module docstring)."""
    from ..compiled import staff_by_rule

    refined = {name: plan for name, plan in plans.items() if plan.target.method == "simulation"}
    if not refined:
        return plans
    settings = next(iter(refined.values())).target
    forecast = offered_contacts(p, p.levers)                       # [channel, hour]: contacts a minute
    expected_offered = forecast @ window_minutes(p)                # per channel over the measured window
    channels = {name: _channels_of(plan, s, p) for name, plan in refined.items()}
    # What the rule promises its own rota: the level the first round is judged against.
    expected = {name: promise(p, plan, channels[name], forecast, plan.handle_time, plan.rota.covered)
                for name, plan in refined.items()}
    current = dict(plans)
    for round_no in range(1, settings.rounds + 1):
        seen = measure(staff_by_rule(s, p, current), s.seed, settings.replications)
        achieved = {name: seen.level(channels[name]) for name in refined}
        accepted = {}
        for name in refined:
            goal, tol = float(current[name].target.service_level), current[name].target.tolerance
            level = float(achieved[name].mean())
            accepted[name] = goal - tol <= level <= max(goal, expected[name]) + tol
            plan = current[name]
            asked = plan.planned_at or goal
            current[name] = dataclasses.replace(plan, rounds=round_no, achieved=tuple(achieved[name]),
                                                met=goal - tol <= level, planned_at=asked,
                                                history=plan.history + ((int(plan.rota.heads.sum()), asked, level),))
        if all(accepted.values()) or round_no == settings.rounds:
            break
        ratio = np.where(expected_offered > 0, seen.offered.mean(axis=0) / np.where(expected_offered > 0,
                                                                                      expected_offered, 1.0), 1.0)
        rates = forecast * ratio[:, None]
        changed = False
        for name in refined:
            if accepted[name]:
                continue
            plan, own = current[name], list(channels[name])
            handled = seen.handled[:, own].sum()
            service = float(seen.handle[:, own].sum() / handled) if handled else plan.handle_time
            # The rule's error on this rota with the re-forecast inputs, and the level that makes up for it.
            error = promise(p, plan, channels[name], rates, service, plan.rota.covered) - float(achieved[name].mean())
            goal = float(plan.target.service_level)
            level = float(np.clip(goal + error, LEAST, MOST))
            new = replan(p, plan, channels[name], rates, service, level)
            expected[name] = promise(p, new, channels[name], rates, service, new.rota.covered) - error
            if not np.array_equal(new.rota.heads, plan.rota.heads):
                changed = True
            current[name] = dataclasses.replace(new, rounds=plan.rounds, achieved=plan.achieved, met=plan.met,
                                                history=plan.history)
        if not changed:
            break   # the next round would simulate the same rotas: what was measured stands
    return current

"""Warnings for scenarios that are valid but probably not what the author meant.

A flat 24-hour demand profile with office-hours shifts is a perfectly valid scenario in which most
calls abandon overnight; nothing is *wrong* with it, so the loader accepts it, but a newcomer
deserves a sentence before waiting minutes for a run that answers a different question. Each rule
here is a cheap estimate from the scenario alone (no simulation), with a field path so the warning
points at the line to look at. Estimates count first contacts only: repeats add load, so a queue
these rules call overloaded is at least that overloaded.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np

from ..compiled import compile_scenario
from .mechanisms import resolve_policy
from .schema import Problem, Scenario

HOUR, WEEK = 60.0, 7 * 1440.0
#: Warn when more than this share of a channel's callers arrive with nobody on duty to answer.
OFF_DUTY_SHARE = 0.10
#: Warn when the Erlang A estimate of abandonment during staffed hours is above this ("mostly").
ABANDON_SHARE = 0.5
#: Which mechanism a lever acts through: with that mechanism off, the lever changes nothing.
LEVER_MECHANISM = {"handle_time_target": "handling", "overrun": "handling", "ownership": "handling",
                   "empathy_time": "handling", "transfer_overhead": "handling", "standard": "erosion",
                   "case_notes_share": "progress",
                   "wellbeing_support": "wellbeing", "staffing": None}


def lint(s: Scenario) -> list[Problem]:
    """Every warning for a valid scenario, each with the field path it concerns."""
    return _coverage(s) + _policies(s)


def _on_duty(shifts, hour: int) -> float:
    """Share of hour-of-week ``hour`` covered by a team's weekly shifts (1 for a team always on duty)."""
    if shifts is None:
        return 1.0
    start, end = hour * HOUR, (hour + 1) * HOUR
    covered = 0.0
    for on, off in shifts:
        for shift in (0.0, -WEEK):  # a Sunday night shift runs on into Monday
            covered += max(0.0, min(end, off + shift) - max(start, on + shift))
    return min(1.0, covered / HOUR)


def _coverage(s: Scenario) -> list[Problem]:
    """Demand that arrives while no one who takes the channel is on duty, and queues that mostly abandon."""
    from ..staffing.plan import rule_only

    with rule_only():   # which hours are covered: the rule's rota says it, without planning runs
        p = compile_scenario(s)
    rate = s.demand.open.rate if s.demand.open else s.demand.population.customers * s.demand.population.need_rate
    weights = p.week_profile / p.week_profile.sum()
    mix = np.diff(np.concatenate([[0.0], p.channel_cdf]))
    share = np.diff(np.concatenate([[0.0], p.need_cdf]))
    mean_work = float(sum(w * d.mean for w, d in zip(share, p.need_work)))
    profile_path = ("demand", "hourly_profile") if s.demand.hourly_profile is not None else ("demand",)
    problems: list[Problem] = []
    for c, ch in enumerate(p.channels):
        if ch.patience is None or mix[c] <= 0:
            continue  # nobody abandons (email): a backlog overnight is the normal case
        teams = [t for t in p.teams if c in t.channels and t.base_agents > 0]
        covered = np.array([max((_on_duty(t.shifts, h) for t in teams), default=0.0) for h in range(168)])
        off = float((weights * (1.0 - covered)).sum())
        if off > OFF_DUTY_SHARE:
            problems.append((profile_path, f"{off:.0%} of {ch.name} contacts arrive when nobody who takes "
                             f"{ch.name} is on duty ({_hours(teams)}): shape demand.hourly_profile and "
                             "weekly_profile to the opening hours, or cover the demand with shifts"))
        abandon = _staffed_abandonment(rate * mix[c], weights, teams, ch, mean_work)
        if abandon is not None and abandon > ABANDON_SHARE:
            problems.append((("channels", ch.name), f"about {abandon:.0%} of {ch.name} callers would abandon even "
                             "while staffed (Erlang A from first contacts and the scenario's head count): "
                             "add agents, or check the demand rate and work times"))
    return problems


def _staffed_abandonment(rate: float, weights: np.ndarray, teams, ch, mean_work: float) -> float | None:
    """Share of callers who abandon over the hours someone is on duty, hour by hour (Erlang A)."""
    from ..queueing import erlang_a

    @lru_cache(maxsize=None)
    def p_abandon(hourly_rate: float, servers: int) -> float:
        service = mean_work * (1.0 + ch.slowdown * (ch.sessions - 1))
        return erlang_a(hourly_rate, service, servers, ch.patience.mean).p_abandon

    offered = abandoned = 0.0
    for h in range(168):
        on = [t for t in teams if _on_duty(t.shifts, h) >= 0.5]
        if not on or weights[h] <= 0:
            continue
        arrivals = rate * weights[h] * 168  # per minute in this hour (weights average 1/168)
        proficiency = sum(t.proficiency * t.base_agents for t in on) / sum(t.base_agents for t in on)
        servers = max(1, int(sum(t.base_agents for t in on) * ch.sessions * proficiency))
        offered += weights[h]
        abandoned += weights[h] * p_abandon(round(arrivals, 9), servers)
    return abandoned / offered if offered else None


def _hours(teams) -> str:
    if not teams:
        return "no team takes it"
    if any(t.shifts is None for t in teams):
        return "always staffed"
    spans = sorted({(on % 1440, off - on) for t in teams for on, off in t.shifts})
    return "shifts " + ", ".join(f"{_clock(start)}–{_clock(start + length)}" for start, length in spans)


def _clock(minute: float) -> str:
    minute %= 1440
    return f"{int(minute // 60):02d}:{int(minute % 60):02d}"


def _policies(s: Scenario) -> list[Problem]:
    """A policy whose effective levers are those of another listed policy changes nothing."""
    mechanisms = s.mechanisms.model_dump()
    seen: dict[tuple, tuple[str, dict]] = {}
    problems: list[Problem] = []
    for name, spec in s.policies.items():
        try:
            levers = resolve_policy(name, s.policies)
        except ValueError:
            continue  # reported by the validator
        effective = tuple(sorted((k, str(v)) for k, v in levers.items()
                                 if LEVER_MECHANISM.get(k) is None or mechanisms[LEVER_MECHANISM[k]]))
        key = (effective, tuple(i.model_dump_json() for i in spec.interventions),
               spec.management.model_dump_json() if spec.management else "")
        if key in seen:
            twin, twin_levers = seen[key]
            # the mechanisms (off) that the levers these two policies set differently act through
            off = [m for m in dict.fromkeys(LEVER_MECHANISM.get(k) for k in levers
                                            if levers.get(k) != twin_levers.get(k)) if m and not mechanisms[m]]
            why = f" with mechanisms {', '.join(off)} off" if off else ""
            problems.append((("policies", name), f"policy {name!r} runs exactly like {twin!r}{why}: "
                             "the comparison will show no difference"))
        else:
            seen[key] = (name, levers)
    return problems


def warnings_for(path: str | Path, s: Scenario, allow_outside: bool = False) -> list[str]:
    """The warnings of a loaded scenario file as ``FILE:LINE:COL: warning: field: message`` lines."""
    from .loading import Where, _locate, format_path, read_positions

    data, where = read_positions(path, allow_outside)
    top = Where(str(path), 1, 1)
    lines = []
    for field, message in lint(s):
        at = _locate(field, data, where, top)[1]
        location = f"{at.file}:{at.line}:{at.col}" if at.line else at.file
        lines.append(f"{location}: warning: {format_path(field)}: {message}")
    return lines


__all__ = ["ABANDON_SHARE", "OFF_DUTY_SHARE", "lint", "warnings_for"]

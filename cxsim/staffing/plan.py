"""One team staffed by rule under one policy: requirement, shrinkage, rota, and the groups the engines run.

Shrinkage is a paid share ``s`` of time that never answers contacts. The engines simulate only the
agents *available* for contacts (the rota covers the requirement in available agents); each available
agent-hour is paid ``1 / (1 − s)`` hours, so a compiled group's cost per on-duty minute is the team's
rate ÷ (1 − s) and the paid head count is the rota's ÷ (1 − s): grossed up exactly, no engine change.
Each pattern with agents becomes one team group (``TEAM@07:00+8h mon-fri``) with that pattern's shift.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Iterator

import numpy as np

from ..compiled import Levers, Params, TeamParams
from ..minutes import HOUR
from ..scenario.staffing import StaffingTarget, target_of
from .requirement import channel_requirement, handle_time, offered_contacts
from .rota import Pattern, Rota, patterns, roster


@dataclass(frozen=True)
class TeamPlan:
    team: str
    target: StaffingTarget
    shrinkage: float
    handle_time: float              # the policy's mean agent time per contact (minutes)
    offered: np.ndarray             # contacts a minute per hour of the week, the team's channels together
    requirement: np.ndarray         # agents available for contacts needed per hour of the week
    patterns: tuple[Pattern, ...]
    rota: Rota
    # Staffing by simulation (cxsim/staffing/simulate.py); the rule's plan keeps the defaults.
    rounds: int = 0                       # rounds simulated (0: the rule alone)
    achieved: tuple[float, ...] = ()      # service level achieved per planning replication by this rota
    planned_at: float | None = None       # the service level the rule was asked for to get there
    met: bool | None = None               # whether the achieved level is within the tolerance
    history: tuple[tuple[int, float, float], ...] = ()  # per round: agents rostered, level asked, level achieved

    @property
    def paid(self) -> np.ndarray:
        """Paid agents per hour: the requirement grossed up for shrinkage."""
        return self.requirement / (1.0 - self.shrinkage)

    @property
    def paid_hours(self) -> float:
        """Paid hours a week of the rota (shrinkage included)."""
        return float(sum(h * p.hours_per_week for h, p in zip(self.rota.heads, self.patterns))) / (1.0 - self.shrinkage)


def policy_target(levers: dict, team_target: StaffingTarget) -> StaffingTarget:
    """The target a team is rostered to under a policy: the policy's, when it gives one, else the team's."""
    return target_of(levers.get("staffing")) or team_target


def plan_team(p: Params, name: str, team, channels: tuple[int, ...], levers: Levers, target: StaffingTarget) -> TeamPlan:
    """Requirement and least-cost rota of one team staffed by rule (``team``: the scenario's Team)."""
    rule = team.staffing
    offered = offered_contacts(p, levers)
    service = handle_time(p, levers, team.proficiency)
    pats = tuple(patterns(rule.patterns.starts, rule.patterns.lengths, rule.patterns.days_on, rule.patterns.days_off))
    open_hours = np.array([pat.coverage() for pat in pats]).max(axis=0) > 0
    need = np.zeros(len(offered[0]), dtype=np.int64)
    for c in channels:
        need = need + channel_requirement(p, c, offered[c], service, target, open_hours)
    total = offered[list(channels)].sum(axis=0)
    return TeamPlan(name, target, rule.shrinkage, service, total, need, pats, roster(need, list(pats)))


def team_groups(plan: TeamPlan, team, channels: tuple[int, ...], needs: tuple[int, ...],
                multiplier: float) -> list[TeamParams]:
    """The rota as team groups with one shift pattern each (a policy's multiplier scales each group), each
    with the patterns' breaks."""
    cost = team.cost_per_hour / HOUR / (1.0 - plan.shrinkage)
    # Breaks are part of the shrinkage (paid, not answering): neither the cost nor the requirement changes.
    breaks = tuple((b.after, b.length) for b in sorted(team.staffing.patterns.breaks, key=lambda b: b.after))
    return [TeamParams(name=f"{plan.team}@{pattern.label()}", agents=int(round(int(heads) * multiplier)),
                       base_agents=int(heads), channels=channels, needs=needs, proficiency=team.proficiency,
                       cost_per_minute=cost, shifts=pattern.intervals(), skill_use=float(team.skill_use),
                       breaks=breaks, break_stagger=float(team.staffing.patterns.stagger))
            for pattern, heads in zip(plan.patterns, plan.rota.heads) if heads > 0]


_CACHE: dict[tuple[str, str, bool], dict[str, TeamPlan]] = {}
_RULE_ONLY: ContextVar[bool] = ContextVar("rule_only", default=False)


@contextmanager
def rule_only() -> Iterator[None]:
    """Plans made inside are the rule's, even for a target with ``method: simulation`` (for checks that
    only need to know which hours are covered, e.g. ``cxsim validate``: no planning runs)."""
    token = _RULE_ONLY.set(True)
    try:
        yield
    finally:
        _RULE_ONLY.reset(token)


def plan_teams(s, p: Params, levers: dict) -> dict[str, TeamPlan]:
    """Plans of every team staffed by rule in scenario ``s`` (compiled as ``p``) under a policy's levers.

    Kept per scenario and policy within a process: every replication compiles the same plan."""
    key = (s.model_dump_json(), p.policy, _RULE_ONLY.get())
    plans = _CACHE.get(key)
    if plans is None:  # a local, not _CACHE[key] again: another thread may clear the cache in between
        plans = _plan_teams(s, p, levers)
        if len(_CACHE) > 64:
            _CACHE.clear()
        _CACHE[key] = plans
    return plans


def _plan_teams(s, p: Params, levers: dict) -> dict[str, TeamPlan]:
    ci = {c.name: i for i, c in enumerate(p.channels)}
    out = {}
    for name, team in s.teams.items():
        if team.staffing is None:
            continue
        out[name] = plan_team(p, name, team, tuple(ci[c] for c in team.channels), p.levers,
                              policy_target(levers, team.staffing.target))
    if not _RULE_ONLY.get() and any(plan.target.method == "simulation" for plan in out.values()):
        from .simulate import refine
        out = refine(s, p, out)
    return out

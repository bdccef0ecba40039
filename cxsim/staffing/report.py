"""``cxsim staff FILE``: the requirement per hour of the week and the rota of each team staffed by rule."""

from __future__ import annotations

import numpy as np
from rich.table import Table

from ..compiled import compile_scenario
from ..scenario.mechanisms import resolve_policy
from .plan import TeamPlan, plan_teams
from .rota import DAY_NAMES


def plans(scenario, policies: list[str]) -> dict[str, dict[str, TeamPlan]]:
    """Per policy, the plan of every team staffed by rule."""
    out = {}
    for policy in policies:
        p = compile_scenario(scenario, policy)
        out[policy] = plan_teams(scenario, p, resolve_policy(policy, scenario.policies))
    return out


def _seconds(minutes: float) -> str:
    return f"{minutes * 60:g} s" if minutes < 1 else f"{minutes:g} min" if minutes < 60 else f"{minutes / 60:g} h"


def _target(plan: TeamPlan, scenario) -> str:
    t = plan.target
    if t.occupancy is not None:
        return f"occupancy {t.occupancy:g}"
    channels = scenario.teams[plan.team].channels
    within = _seconds(t.within) if t.within is not None else \
        ", ".join(f"{_seconds(scenario.channels[c].target)} ({c})" for c in channels)
    if plan.rounds:
        return (f"service level {t.service_level:g} within {within}, by simulation: "
                f"{np.mean(plan.achieved):.3f} achieved after {plan.rounds} round{'s' if plan.rounds > 1 else ''}")
    return f"service level {t.service_level:g} within {within}"


def requirement_table(policy: str, plan: TeamPlan, scenario) -> Table:
    """Hours of the day × weekdays: agents needed for contacts / agents rostered (hours with neither left out)."""
    table = Table(title=f"{policy} · {plan.team}: agents needed/rostered", title_justify="left",
                  caption=f"{_target(plan, scenario)}; mean handle {plan.handle_time:.2f} min", caption_justify="left")
    table.add_column("hour")
    for day in DAY_NAMES:
        table.add_column(day, justify="right")
    need = plan.requirement.reshape(7, 24)
    have = plan.rota.covered.reshape(7, 24)
    for hour in range(24):
        if not need[:, hour].any() and not have[:, hour].any():
            continue
        cells = []
        for day in range(7):
            n, h = int(need[day, hour]), int(have[day, hour])
            cell = f"{n}/{h}"
            cells.append(f"[red]{cell}[/red]" if h < n else cell)
        table.add_row(f"{hour:02d}", *cells)
    return table


def rota_table(policy: str, plan: TeamPlan, cost_per_hour: float) -> Table:
    shrink = plan.shrinkage
    table = Table(title=f"{policy} · {plan.team}: rota", title_justify="left")
    for column in ("shift", "rostered", "paid heads", "paid h/week"):
        table.add_column(column, justify="left" if column == "shift" else "right")
    for pattern, heads in zip(plan.patterns, plan.rota.heads):
        if heads > 0:
            table.add_row(pattern.label(), str(int(heads)), f"{heads / (1 - shrink):.1f}",
                          f"{heads * pattern.hours_per_week / (1 - shrink):,.0f}")
    rostered = int(plan.rota.heads.sum())
    table.add_row("total", str(rostered), f"{rostered / (1 - shrink):.1f}", f"{plan.paid_hours:,.0f}")
    short = plan.rota.uncovered_hours
    table.caption = (f"shrinkage {shrink:.0%}: paid = rostered ÷ {1 - shrink:g}; "
                     f"paid cost {plan.paid_hours * cost_per_hour:,.0f} a week"
                     + (f"; {short} hours of the week no pattern covers" if short else ""))
    table.caption_justify = "left"
    return table


def achieved_table(found: dict[str, dict[str, TeamPlan]], scenario) -> Table | None:
    """Teams staffed by simulation: the service level their final rota achieved beside the target."""
    rows = [(policy, plan) for policy, teams in found.items() for plan in teams.values() if plan.rounds]
    if not rows:
        return None
    runs, tolerance = rows[0][1].target.replications, rows[0][1].target.tolerance
    table = Table(title=f"{scenario.name}: staffed by simulation", title_justify="left",
                  caption=f"rule: the rule's rota (round 1), final: the rota kept; each as the service level achieved, "
                          f"mean of {runs} planning run{'s' if runs > 1 else ''}, and (agents rostered); met from the "
                          f"target − {tolerance:g} (red: not met); asked: the level the rule was sized to, its forecast "
                          "corrected by the simulation",
                  caption_justify="left")
    for column in ("policy", "team", "target", "rule", "final", "rounds", "asked"):
        table.add_column(column, justify="left" if column in ("policy", "team") else "right")
    for policy, plan in rows:
        heads, _, level = plan.history[0]
        final = f"{np.mean(plan.achieved):.3f} ({int(plan.rota.heads.sum())})"
        table.add_row(policy, plan.team, f"{plan.target.service_level:g}", f"{level:.3f} ({heads})",
                      final if plan.met else f"[red]{final}[/red]", f"{plan.rounds}/{plan.target.rounds}",
                      f"{plan.planned_at:.3f}")
    return table


def print_plans(out, scenario, policies: list[str]) -> None:
    found = plans(scenario, policies)
    for policy, teams in found.items():
        for name, plan in teams.items():
            out.print(requirement_table(policy, plan, scenario))
            out.print(rota_table(policy, plan, scenario.teams[name].cost_per_hour))
    summary = achieved_table(found, scenario)
    if summary is not None:
        out.print(summary)


def total_paid_hours(plans_of_policy: dict[str, TeamPlan]) -> float:
    return float(np.sum([p.paid_hours for p in plans_of_policy.values()]))

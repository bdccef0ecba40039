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
    runs = rows[0][1].target.replications
    table = Table(title=f"{scenario.name}: staffed by simulation (README \"Staffing by simulation\")",
                  title_justify="left",
                  caption=f"achieved: the service level of the final rota, mean (lowest-highest) over {runs} planning "
                          f"run{'s' if runs > 1 else ''} (replications of their own, the same for every policy); "
                          f"; met from the target − {rows[0][1].target.tolerance:g} (red: not met); asked: the level "
                          "the rule was sized to, after correcting its forecast",
                  caption_justify="left")
    for column in ("policy", "team", "target", "achieved", "rounds", "asked", "rostered", "paid h/week"):
        table.add_column(column, justify="left" if column in ("policy", "team", "target") else "right")
    for policy, plan in rows:
        level = np.asarray(plan.achieved)
        goal = f"{plan.target.service_level:g}"
        cell = f"{level.mean():.3f}" + (f" ({level.min():.3f}-{level.max():.3f})" if len(level) > 1 else "")
        table.add_row(policy, plan.team, goal, cell if plan.met else f"[red]{cell}[/red]",
                      f"{plan.rounds}/{plan.target.rounds}", f"{plan.planned_at:.3f}", str(int(plan.rota.heads.sum())),
                      f"{plan.paid_hours:,.0f}")
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

"""Results as a rich table on the terminal: each metric's mean and 95 % interval, by view."""

from __future__ import annotations

from rich.table import Table

from .metrics import VIEWS

_TIMES = {"mean_wait", "aht", "time_to_resolution"}
_COUNTS = {"contacts_handled", "customers_lost"}
_MONEY = {"cost_per_contact", "staff_cost", "revenue", "cost_per_solved_need", "net_value"}


def fmt(metric: str, value: float | None) -> str:
    """A value as a person reads it: times with a unit, shares as numbers in [0, 1]."""
    if value is None:
        return "–"
    base = metric.split(".")[0]
    if base in _TIMES:
        return f"{value * 60:.1f} s" if abs(value) < 2 else (f"{value:.2f} min" if abs(value) < 120 else f"{value / 60:.1f} h")
    if base in _COUNTS:
        return f"{value:,.0f}"
    if base in _MONEY:
        return f"{value:,.2f}"
    return f"{value:.4f}" if abs(value) < 10 else f"{value:,.2f}"


def _view(metric: str) -> str:
    base = metric.split(".")[0]
    return next((v for v, names in VIEWS.items() if base in names), "other")


def results_table(results) -> Table:
    """Headline metrics by view, one column per policy and per paired difference."""
    return _table(results, [m for m in results.metric_names() if "." not in m], "")


def channel_table(results) -> Table | None:
    """The provider view per channel (``service_level.phone`` ...), when there is more than one."""
    names = [m for m in results.metric_names() if "." in m]
    return _table(results, names, " per channel") if names else None


def _table(results, names: list[str], suffix: str) -> Table:
    summary = results.summary()
    policies = list(summary["policies"])
    table = Table(title=f"{summary['scenario']}{suffix}: {summary['replications']} replications, seed {summary['seed']}, "
                        f"engine {summary['engine']}; mean [95 % CI]", title_justify="left")
    table.add_column("view", style="dim")
    table.add_column("metric")
    for policy in policies:
        table.add_column(policy, justify="right")
    for diff in summary["differences"]:
        table.add_column(diff, justify="right")
    last_view = None
    for metric in names:
        view = _view(metric)
        cells = []
        for block in [summary["policies"][p]["metrics"] for p in policies] + list(summary["differences"].values()):
            s = block.get(metric)
            if s is None:
                cells.append("")
            elif s["ci_low"] is None:
                cells.append(fmt(metric, s["mean"]))
            else:
                cells.append(f"{fmt(metric, s['mean'])} [{fmt(metric, s['ci_low'])}, {fmt(metric, s['ci_high'])}]")
        table.add_row(view if view != last_view else "", metric, *cells, end_section=False)
        last_view = view
    return table

"""Results as a rich table on the terminal: each metric's mean and 95 % interval, by view."""

from __future__ import annotations

from rich.table import Table

from .metrics import VIEWS

_TIMES = {"mean_wait", "aht", "time_to_resolution"}
_COUNTS = {"contacts_handled", "customers_lost"}
_MONEY = {"cost_per_contact", "staff_cost", "revenue", "cost_per_solved_need", "net_value"}


def _unit(metric: str, value: float) -> tuple[float, str, str]:
    """Scale, suffix and number format that suit ``value`` of ``metric``."""
    base = metric.split(".")[0]
    v = abs(value)
    if base in _TIMES:
        if v < 2:
            return 60.0, " s", ".1f"
        return (1.0, " min", ".2f") if v < 120 else (1 / 60, " h", ".1f")
    if base in _COUNTS:
        return 1.0, "", ",.0f"
    if base in _MONEY:
        if v >= 1e6:
            return 1e-6, " M", ",.2f"
        return (1e-3, " k", ",.1f") if v >= 1e4 else (1.0, "", ",.2f")
    if base.startswith("nps"):
        return 1.0, "", ".1f"
    return (1.0, "", ".4f") if v < 10 else (1.0, "", ",.2f")


def fmt(metric: str, value: float | None, like: float | None = None) -> str:
    """A value as a person reads it, in the unit that suits ``like`` (default: the value itself)."""
    if value is None:
        return "–"
    scale, suffix, spec = _unit(metric, value if like is None else like)
    return f"{value * scale:{spec}}{suffix}"


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
                        f"engine {summary['engine']}; mean ± 95 % CI half-width", title_justify="left")
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
            else:  # t-intervals are symmetric: mean ± half-width is the same information, shorter
                half = (s["ci_high"] - s["ci_low"]) / 2
                cells.append(f"{fmt(metric, s['mean'])} ± {fmt(metric, half, like=s['mean'])}")
        table.add_row(view if view != last_view else "", metric, *cells, end_section=False)
        last_view = view
    return table

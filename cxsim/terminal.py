"""Results as a rich table on the terminal: each metric's mean and 95 % interval, by view."""

from __future__ import annotations

from rich.table import Table

from .metric_registry import BINARY, COUNT, MONEY, TIME, VIEWS, of_kind

#: Seconds between progress lines when stderr is not a terminal (a log file, CI); 0 turns them off.
PROGRESS_SECONDS_VARIABLE = "CXSIM_PROGRESS_SECONDS"
PROGRESS_SECONDS = 30.0


class PlainProgress:
    """Progress as a line every so often, for output that is not a terminal (no bar can be drawn
    there, and without it a long run says nothing for minutes)."""

    def __init__(self, name: str, echo, clock=None):
        import os
        import time

        self.name, self.echo, self.clock = name, echo, clock or time.monotonic
        self.every = float(os.environ.get(PROGRESS_SECONDS_VARIABLE, PROGRESS_SECONDS))
        self.start = self.last = self.clock()

    def __call__(self, done: int, total: int) -> None:
        now = self.clock()
        if self.every > 0 and now - self.last >= self.every and done < total:
            self.last = now
            self.echo(f"{self.name}: {done}/{total} runs done after {now - self.start:.0f} s")


_TIMES = of_kind(TIME)      # the kinds of value of the metric registry decide how a number is written
_COUNTS = of_kind(COUNT)
_MONEY = of_kind(MONEY)


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


#: Under a table with a split cell: what the cell says, and the rule behind it (cxsim.stats.split).
SPLIT_NOTE = ("split: the replications fall into two groups (gap test, cxsim.stats.split), so no mean is shown: "
              "each group's mean in k/n replications, with a 95 % Wilson interval on the first group's share")


def split_text(metric: str, s: dict | None) -> str | None:
    """A metric whose replications split into two groups, as the share in each (None if they do not)."""
    groups = (s or {}).get("split")
    if not groups:
        return None
    low, high, n = groups["low"], groups["high"], groups["n"]
    return (f"split: {fmt(metric, low['mean'])} in {low['k']}/{n} ({low['ci_low']:.0%}–{low['ci_high']:.0%}) · "
            f"{fmt(metric, high['mean'], like=low['mean'])} in {high['k']}/{n}")


def _note_splits(table: Table, summary: dict) -> None:
    """Say under the table what a split cell means, if the table has one."""
    blocks = [b["metrics"] for b in summary.get("policies", {}).values()]
    if any("split" in s for b in blocks for s in b.values()):
        table.caption, table.caption_justify = SPLIT_NOTE, "left"


def _replications(n: int) -> str:
    return "1 replication" if n == 1 else f"{n} replications"


def _what(n: int) -> str:
    """What the cells hold: an interval needs at least two replications."""
    return "mean ± 95 % CI half-width" if n > 1 else "one run, so no interval (use -r 2 or more)"


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
    table = Table(title=f"{summary['scenario']}{suffix}: {_replications(summary['replications'])}, seed "
                        f"{summary['seed']}, engine {summary['engine']}; {_what(summary['replications'])}",
                  title_justify="left")
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
            elif split_text(metric, s):
                cells.append(split_text(metric, s))
            elif s["ci_low"] is None:
                cells.append(fmt(metric, s["mean"]))
            elif metric in BINARY:  # a probability's Wilson interval is not symmetric: its bounds
                cells.append(_interval(metric, s))
            else:  # t-intervals are symmetric: mean ± half-width is the same information, shorter
                half = (s["ci_high"] - s["ci_low"]) / 2
                cells.append(f"{fmt(metric, s['mean'])} ± {fmt(metric, half, like=s['mean'])}")
        table.add_row(view if view != last_view else "", metric, *cells, end_section=False)
        last_view = view
    _note_splits(table, summary)
    return table


#: The decision view: what each side of the understanding gap looks at (MODEL.md §1, §10).
DECISION = {
    "provider": ("aht", "occupancy", "service_level", "cost_per_contact"),
    "customer": ("contacts_per_need", "time_to_resolution", "fcr", "nps_true", "churn_rate"),
    "business": ("cost_per_solved_need", "net_value"),
}
LABELS = {
    "aht": "average handle time", "occupancy": "occupancy", "service_level": "service level",
    "cost_per_contact": "cost per contact", "contacts_per_need": "contacts per need",
    "time_to_resolution": "time to resolution", "fcr": "first-contact resolution", "nps_true": "NPS",
    "churn_rate": "monthly churn", "cost_per_solved_need": "cost per solved need", "net_value": "net value",
}


def _cell(metric: str, s: dict | None) -> str:
    if s is None:
        return ""
    if split_text(metric, s):
        return split_text(metric, s)
    if s["ci_low"] is None:
        return fmt(metric, s["mean"])
    return f"{fmt(metric, s['mean'])} ± {fmt(metric, (s['ci_high'] - s['ci_low']) / 2, like=s['mean'])}"


def _interval(metric: str, s: dict) -> str:
    like = s["mean"]
    return f"{fmt(metric, s['mean'])} [{fmt(metric, s['ci_low'], like)}, {fmt(metric, s['ci_high'], like)}]"


def decision_table(results) -> Table:
    """Each policy's provider and customer view side by side, and the paired difference with its interval."""
    summary = results.summary()
    policies = list(summary["policies"])
    n = summary["replications"]
    table = Table(title=f"{summary['scenario']}: {_replications(n)} on common random numbers"
                        + ("" if n > 1 else f"; {_what(n)}"), title_justify="left")
    table.add_column("view", style="dim")
    table.add_column("metric")
    for p in policies:
        table.add_column(p, justify="right")
    for d in summary["differences"]:
        table.add_column(f"{d} [95 % CI]" if n > 1 else d, justify="right")
    for view, names in DECISION.items():
        first = True
        for metric in names:
            blocks = [summary["policies"][p]["metrics"].get(metric) for p in policies]
            if all(b is None for b in blocks):
                continue
            diffs = [summary["differences"][d].get(metric) for d in summary["differences"]]
            table.add_row(view if first else "", LABELS[metric], *(_cell(metric, b) for b in blocks),
                          *(_interval(metric, d) if d and d["ci_low"] is not None else
                            fmt(metric, d["mean"]) if d else "" for d in diffs))
            first = False
    _note_splits(table, summary)
    return table


def findings(results) -> list[str]:
    """One plain sentence per headline metric and comparison, saying only what the interval says."""
    summary = results.summary()
    sentences = []
    for policy, block in summary["policies"].items():  # a split outcome first: its mean describes no replication
        for names in DECISION.values():
            for metric in names:
                text = split_text(metric, block["metrics"].get(metric))
                if text:
                    sentences.append(f"under {policy}, {LABELS[metric]} splits the replications into two groups: "
                                     f"{text.removeprefix('split: ')}; its mean and any difference in it describe "
                                     "no replication")
    for name, block in summary["differences"].items():
        other, base = name.split("-", 1)
        for names in DECISION.values():
            for metric in names:
                d = block.get(metric)
                if d is None or d["ci_low"] is None:
                    continue
                label = LABELS[metric]
                if d["ci_low"] > 0 or d["ci_high"] < 0:
                    verb = "raises" if d["mean"] > 0 else "lowers"
                    size = {k: abs(d[k]) for k in ("mean", "ci_low", "ci_high")}
                    low, high = sorted((size["ci_low"], size["ci_high"]))
                    sentences.append(f"{other} {verb} {label} by {fmt(metric, size['mean'])} "
                                     f"[{fmt(metric, low, size['mean'])}, {fmt(metric, high, size['mean'])}] "
                                     f"compared with {base}")
                else:
                    sentences.append(f"no clear difference in {label} between {other} and {base} "
                                     f"({_interval(metric, d)})")
    return sentences


SWEEP_METRICS = ("service_level", "p_abandon", "aht", "contacts_per_need", "nps_true", "cost_per_solved_need")


def sweep_table(results) -> Table:
    """One row per grid point and policy: the lever values and the headline metrics."""
    summary = results.summary()
    present = [m for m in SWEEP_METRICS if m in results.metrics.columns]
    table = Table(title=f"{summary['scenario']} sweep: {len(summary['points'])} points × "
                        f"{len(results.policies)} policies × {_replications(summary['replications'])}; "
                        f"{_what(summary['replications'])}", title_justify="left")
    for axis in results.axes:
        # The lever's own name wraps rather than being cut to "teams.agents.a…".
        last = axis.rpartition(".")[2]
        table.add_column(axis.replace(".", ".\n"), justify="right", overflow="fold", min_width=min(12, len(last)))
    table.add_column("policy")
    for m in present:
        table.add_column(m, justify="right")
    for point in summary["points"]:
        for policy, block in point["policies"].items():
            table.add_row(*(str(v) for v in point["values"].values()), policy,
                          *(_cell(m, block["metrics"].get(m)) for m in present))
    return table

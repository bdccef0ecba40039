"""Charts over simulated time, from the per-day table: the follow-up view and the erosion chart."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ..stats import interval
from . import words
from .figures import _headline_difference, _need_summary, caption
from .load import LoadedResults
from .style import GREY, LIGHT_GREY, direct_label, figure, fit, message_title, policy_colours, spread_labels, \
    talk_style

WEEK = 7 * 24 * 60.0
SMOOTH = 7  # days


def _daily(r: LoadedResults, chart: str) -> pd.DataFrame:
    d = r.table("daily", chart).copy()
    d["week"] = d["end"] / WEEK  # plotted at the end of each day
    return d.sort_values(["policy", "replication", "day"])


def _series(d: pd.DataFrame, policy: str, column: str, smooth: int = 1,
            bounds: tuple[float | None, float | None] = (None, None)) -> tuple[np.ndarray, ...]:
    """Per day: x (weeks), mean across replications, 95 % interval low and high.

    With ``smooth`` > 1 each replication's series is first a trailing ``smooth``-day mean; the band
    is clipped to ``bounds`` (what the quantity can be: NPS within ±100, counts not below 0).
    """
    wide = d[d["policy"] == policy].pivot_table(index="week", columns="replication", values=column)
    if smooth > 1:
        wide = wide.rolling(smooth, min_periods=1).mean()
    x = wide.index.to_numpy(dtype=float)
    stats = [interval(row) for row in wide.to_numpy(dtype=float)]
    mean = np.array([s["mean"] if s["mean"] is not None else np.nan for s in stats], dtype=float)
    low = np.array([s["ci_low"] if s["ci_low"] is not None else m for s, m in zip(stats, mean)], dtype=float)
    high = np.array([s["ci_high"] if s["ci_high"] is not None else m for s, m in zip(stats, mean)], dtype=float)
    lo, hi = bounds
    if lo is not None or hi is not None:
        low, high = np.clip(low, lo, hi), np.clip(high, lo, hi)
    return x, mean, low, high


def _with_nps(d: pd.DataFrame) -> pd.DataFrame:
    """Daily NPS of the journeys that ended, over a trailing 7-day window, per replication."""
    g = d.groupby(["policy", "replication"], sort=False)
    net = g["promoters"].transform(lambda s: s.rolling(SMOOTH, min_periods=1).sum()) \
        - g["detractors"].transform(lambda s: s.rolling(SMOOTH, min_periods=1).sum())
    ended = g["journeys_ended"].transform(lambda s: s.rolling(SMOOTH, min_periods=1).sum())
    d["nps"] = np.where(ended > 0, net / ended.where(ended > 0) * 100, np.nan)
    return d


def _band(ax, x, mean, low, high, colour: str, gid: str) -> None:
    ax.fill_between(x, low, high, color=colour, alpha=0.2, linewidth=0)
    ax.plot(x, mean, color=colour, linewidth=2.5, gid=gid)


def _interventions_text(r: LoadedResults) -> str:
    items = []
    for policy, at, what in r.interventions():
        change = ", ".join(f"{k} {v:g}" if isinstance(v, (int, float)) else f"{k} {v}"
                           for k, v in what.items() if v is not None)
        items.append(f"{policy} from week {words.number(at / WEEK)}: {change}")
    return "; ".join(items)


def _mark(ax, r: LoadedResults, label: bool) -> None:
    """Shade the warm-up and draw a dashed line at each intervention (labelled in the first panel)."""
    warmup = r.warmup_minutes() / WEEK
    if warmup > 0:
        ax.axvspan(0, warmup, color=LIGHT_GREY, alpha=0.35, linewidth=0)
        if label:
            ax.text(0.005, 1.0, "warm-up", transform=ax.transAxes, ha="left", va="top", fontsize=12, color=GREY)
    for x in sorted({at / WEEK for _, at, _ in r.interventions()}):
        ax.axvline(x, color="#222222", linestyle="--", linewidth=1.5)
        if label:
            ax.text(x, 1.0, " intervention", transform=ax.get_xaxis_transform(), ha="left", va="top",
                    fontsize=12, color="#222222")


def _label_ends(ax, ends: list[tuple[str, float, float]], colours: dict[str, str], fontsize: float = 14) -> None:
    """Direct labels at the lines' right ends, nudged apart by at least a line of text."""
    if len(ends) < 2:
        return
    fig = ax.figure
    fig.canvas.draw()  # the axes' size after layout, to turn a text height into data units
    lo, hi = ax.get_ylim()
    gap = (hi - lo) * fontsize * 1.2 * fig.dpi / 72 / max(ax.bbox.height, 1.0)
    placed = spread_labels([e[2] for e in ends], gap)
    for (policy, x, _), y in zip(ends, placed):
        direct_label(ax, x, y, policy, colours[policy], fontsize=fontsize)


def _weeks(ax) -> None:
    from matplotlib.ticker import MaxNLocator
    ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=8))


#: column, panel title, days to average over, bounds of the band
PANELS = (("nps", "NPS of journeys ended (7-day) ↑", 1, (-100, 100)),
          ("open_needs", "backlog (open needs) ↓", 1, (0, None)),
          ("wellbeing", "staff wellbeing (7-day mean) ↑", SMOOTH, (0, None)),
          ("time_per_case", "time per case (min, 7-day mean)", SMOOTH, (0, None)))


def over_time(r: LoadedResults) -> tuple[Figure, dict]:
    """NPS, backlog, wellbeing and time per case per policy with 95 % bands; warm-up and interventions marked."""
    _need_summary(r, "over_time")
    d = _with_nps(_daily(r, "over_time"))
    panels = [p for p in PANELS if p[0] in d.columns and d[p[0]].notna().any() and d[p[0]].nunique() > 1]
    colours = policy_colours(r.policies)
    values: dict = {"series": {}}
    with talk_style():
        fig, axes = figure(2, 2, squeeze=False)
        for k, ax in enumerate(axes.flat):
            if k >= len(panels):
                ax.set_visible(False)
                continue
            column, title, smooth, bounds = panels[k]
            ends = []
            for policy in r.policies:
                x, mean, low, high = _series(d, policy, column, smooth, bounds)
                _band(ax, x, mean, low, high, colours[policy], f"{column}:{policy}")
                values["series"].setdefault(column, {})[policy] = {"week": x, "mean": mean, "low": low, "high": high}
                finite = np.isfinite(mean)
                if finite.any():
                    ends.append((policy, x[finite][-1], mean[finite][-1]))
            ax.set_title(title, fontsize=17, fontweight="bold")
            _mark(ax, r, label=k == 0)
            ax.set_xlim(0, float(d["week"].max()))
            _weeks(ax)
            _label_ends(ax, ends, colours)
        for col in range(axes.shape[1]):
            shown = [ax for ax in axes[:, col] if ax.get_visible()]
            if shown:
                shown[-1].set_xlabel("week")
        first = _headline_difference(r)
        metric = next((m for m in ("nps_true", "wellbeing", "time_to_resolution") if first and first[3].get(m)), None)
        if first and metric:
            title = words.finding(metric, first[1], first[2], first[3][metric])
            values["difference"] = first[3][metric]
        else:
            title = f"{r.policies[0]} over {d['week'].max():.0f} weeks"
        if r.interventions():
            weeks = sorted({at / WEEK for _, at, _ in r.interventions()})
            title += " (intervention at week " + ", ".join(words.number(w) for w in weeks) + ")"
        values["title"], values["metric"] = title, metric
        note = f"line: mean over replications; band: 95 % CI; grey: warm-up; {words.BETTER_KEY}"
        if r.interventions():
            note += "; dashed: " + _interventions_text(r)
        message_title(fig, title, caption(r, note))
        fit(fig)
    return fig, values


def _windows(r: LoadedResults, d: pd.DataFrame) -> tuple[tuple[float, float], tuple[float, float], list[dict]]:
    """The windows compared (minutes): before = warm-up to the first spike, after = the last 4 weeks after the
    spikes (or the last quarter of the run when a spike lasts to the end), and the spikes within the run."""
    warmup = r.warmup_minutes()
    end = float(d["end"].max())
    spikes = [s for s in ((r.scenario.get("demand") or {}).get("spikes") or [])
              if isinstance(s, dict) and s.get("start", end) < end]
    start = float(min(s.get("start", end) for s in spikes)) if spikes else warmup + (end - warmup) / 4
    start = max(start, warmup + 1)
    spike_end = max((s.get("start", 0) + s.get("length", 0) for s in spikes), default=0.0)
    after_start = max(spike_end, end - 4 * WEEK)
    if after_start >= end - 1:
        after_start = max(start, end - (end - start) / 4)
    return (warmup, start), (after_start, end), spikes


def erosion(r: LoadedResults) -> tuple[Figure, dict]:
    """Demand per day and time per case per policy: the spike, and the time per case that does not come back."""
    _need_summary(r, "erosion")
    d = _daily(r, "erosion")
    before, after, spikes = _windows(r, d)
    colours = policy_colours(r.policies)
    values: dict = {"series": {}, "change": {}}
    with talk_style():
        fig, axes = figure(2, 1, squeeze=False, sharex=True, height_ratios=[1, 1.6])
        for ax, column, title in ((axes[0][0], "offered", "demand: contacts offered per day (7-day mean)"),
                                  (axes[1][0], "time_per_case", "time given per case (min, 7-day mean)")):
            ends = []
            for policy in r.policies:
                x, mean, low, high = _series(d, policy, column, SMOOTH, (0, None))
                _band(ax, x, mean, low, high, colours[policy], f"{column}:{policy}")
                values["series"].setdefault(column, {})[policy] = {"week": x, "mean": mean, "low": low, "high": high}
                finite = np.isfinite(mean)
                if finite.any():
                    ends.append((policy, x[finite][-1], mean[finite][-1]))
            last = float(d["week"].max())
            for s in spikes:
                ax.axvspan(s["start"] / WEEK, min(s["start"] + s.get("length", 0), after[1]) / WEEK,
                           color="#E69F00", alpha=0.12, linewidth=0)
            ax.set_xlim(0, last * 1.08)
            ax.set_title(title, fontsize=17, fontweight="bold")
            _mark(ax, r, label=column == "offered")
            _weeks(ax)
            if column == "time_per_case":
                _label_ends(ax, ends, colours)
                for lo, hi, name in ((*before, "before"), (*after, "after")):
                    ax.axvspan(lo / WEEK, hi / WEEK, ymin=0.97, ymax=1.0, color="#222222", alpha=0.6, linewidth=0)
                    ax.text((lo + hi) / 2 / WEEK, 0.95, name, transform=ax.get_xaxis_transform(), ha="center",
                            va="top", fontsize=13, color="#222222",
                            bbox={"facecolor": "white", "alpha": 0.75, "edgecolor": "none", "pad": 1.5})
        for s in spikes[:1]:
            axes[0][0].text((s["start"] + min(s.get("length", 0), after[1] - s["start"]) / 2) / WEEK, 0.04,
                            f"demand ×{s.get('factor', 1):g}", transform=axes[0][0].get_xaxis_transform(),
                            ha="center", va="bottom", fontsize=14, color="#9a6a00", fontweight="bold")
        axes[1][0].set_xlabel("week")
        # Per replication: time per case in the last weeks relative to before the spike.
        parts = []
        for policy in r.policies:
            rows = d[d["policy"] == policy]
            ratios = []
            for _, rep in rows.groupby("replication"):
                b = rep.loc[(rep["start"] >= before[0]) & (rep["end"] <= before[1]), "time_per_case"].mean()
                a = rep.loc[(rep["start"] >= after[0]) & (rep["end"] <= after[1]), "time_per_case"].mean()
                ratios.append(a / b - 1 if b else np.nan)
            ci = interval(ratios)
            values["change"][policy] = ci
            if ci["mean"] is None:
                continue
            reference = "before the spike" if spikes else "after the warm-up"
            if words.clear(ci):
                where = "below" if ci["mean"] < 0 else "above"
                parts.append(f"{policy}: time per case ends {words.number(abs(ci['mean']) * 100)} % {where} "
                             f"its level {reference}")
            elif spikes:
                parts.append(f"{policy}: back to its level before (no clear difference)")
            else:
                parts.append(f"{policy}: no clear change in time per case")
        title = "; ".join(parts) if parts else "time per case over the run"
        values["title"] = title
        shading = "orange: demand spike; " if spikes else ""
        shading += "grey: warm-up; " if r.warmup_minutes() > 0 else ""
        message_title(fig, title, caption(r, f"band: 95 % CI; {shading}before/after: the windows compared in "
                                          "the title"))
        fit(fig)
    return fig, values

"""What you measure is what you get: management's KPIs as measured beside the truth, and its levers.

Drawn from ``reviews.parquet`` (one row per management review, MODEL.md §9): for each policy with
management, NPS as the survey measured it (dashed) beside the true NPS of every journey (solid),
AHT as measured beside the handle-time target, and the trajectories of the levers its reviews moved, each review that changed a
lever marked with a dot. Means over replications.

When a policy's rules watch first-contact resolution as measured (``kpi: fcr_tickbox`` or ``kpi:
fcr_repeat``), a fifth panel puts the FCR it watches beside the true FCR (solid) of every policy, and
the title states how far each measure read from the truth; otherwise the chart is the four panels above.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from .figures import _need_summary, caption
from .load import ChartUnavailable, LoadedResults
from .style import figure, fit, message_title, policy_colours, talk_style
from . import words

WEEK = 7 * 1440.0
#: Panels: (columns drawn solid and dashed, title).
PANELS = ((("nps_true", "nps"), "NPS: true (solid) and as measured (dashed) ↑"),
          (("aht", "handle_time_target"), "AHT as measured (solid), handle-time target (dashed), min"),
          (("staffing", None), "staffing (× head count), as decided"),
          (("wellbeing_support", "empathy_time"), "wellbeing support (solid), empathy min (dashed)"))
#: FCR as measured, in the order drawn: (reviews column, line style and its name, what the panel and the
#: title call the measure; {days}: the policy's fcr_window).
FCR_MEASURES = (("fcr_tickbox", "--", "dashed", "tick-box"),
                ("fcr_repeat", ":", "dotted", "'no repeat in {days} days'"))
#: With the FCR panel: the customer's KPIs measured beside true on top, AHT and the levers below.
MOSAIC = [["nps"] * 3 + ["fcr"] * 3, ["aht"] * 2 + ["staffing"] * 2 + ["support"] * 2]


def _reviews(r: LoadedResults) -> pd.DataFrame:
    reviews = r.table("reviews", "measurement")
    if reviews.empty:
        raise ChartUnavailable(f"the 'measurement' chart needs management reviews; no policy in {r.folder} "
                               "has a management: block")
    reviews = reviews.copy()
    reviews["week"] = reviews["at"] / WEEK
    reviews["policy"] = reviews["policy"].astype(str)
    reviews = reviews.replace([np.inf, -np.inf], np.nan)  # no handle-time target: nothing to draw
    return reviews


def measurement(r: LoadedResults) -> tuple[Figure, dict]:
    """Measured beside true KPIs and the levers management moved, per policy, reviews marked."""
    _need_summary(r, "measurement")
    reviews = _reviews(r)
    policies = [p for p in r.policies if p in set(reviews["policy"])]
    colours = policy_colours(r.policies)
    values: dict = {"series": {}}
    watched = _fcr_watched(r, reviews, policies)
    if watched:
        return _with_fcr(r, reviews, policies, colours, values, watched)
    with talk_style():
        fig, axes = figure(2, 2, squeeze=False)
        for ax, ((solid, dashed), title) in zip(axes.flat, PANELS):
            _draw_panel(ax, reviews, policies, colours, values, solid, dashed)
            ax.set_title(title, fontsize=15, fontweight="bold")
            ax.set_xlabel("week")
        axes.flat[0].legend(fontsize=12, frameon=False, loc="best")
        gaps = {p: float(np.nanmean(reviews.loc[reviews["policy"] == p, "nps"]
                                    - reviews.loc[reviews["policy"] == p, "nps_true"])) for p in policies}
        values["nps_gap"] = gaps
        worst = max(gaps, key=lambda p: abs(gaps[p])) if gaps else None
        title = (f"What you measure is what you get: {worst}'s survey reads NPS {gaps[worst]:+.0f} points "
                 "off the truth" if worst else "What you measure is what you get")
        values["title"] = title
        message_title(fig, title, caption(r, "lines: mean over replications at each review; dots: a review "
                                             "that changed a lever"))
        fit(fig)
    return fig, values



def _fcr_watched(r: LoadedResults, reviews: pd.DataFrame, policies: list[str]) -> dict[str, list[str]]:
    """Per policy, the FCR measures its management rules watch (scenario as run) that the reviews carry."""
    from ..scenario.mechanisms import MANAGEMENT_PRESETS

    if "fcr_true" not in reviews.columns:
        return {}
    out = {}
    for policy in policies:
        block = ((r.scenario.get("policies") or {}).get(policy) or {}).get("management")
        if isinstance(block, str):
            block = MANAGEMENT_PRESETS.get(block)
        kpis = {rule.get("kpi") for rule in (block or {}).get("rules") or [] if isinstance(rule, dict)}
        mine = reviews[reviews["policy"] == policy]
        measures = [c for c, _, _, _ in FCR_MEASURES
                    if c in kpis and c in mine.columns and np.isfinite(mine[c].to_numpy(dtype=float)).any()]
        if measures:
            out[policy] = measures
    return out


def _fcr_name(r: LoadedResults, policy: str, column: str) -> str:
    """What the panel and the title call ``column`` for ``policy`` (its own FCR window)."""
    block = ((r.scenario.get("policies") or {}).get(policy) or {}).get("management")
    window = block.get("fcr_window", WEEK) if isinstance(block, dict) else WEEK
    days = f"{float(window) / 1440.0:g}"
    return next(name for c, _, _, name in FCR_MEASURES if c == column).format(days=days)


def _with_fcr(r: LoadedResults, reviews: pd.DataFrame, policies: list[str], colours: dict, values: dict,
              watched: dict[str, list[str]]) -> tuple[Figure, dict]:
    """The chart with its FCR panel: NPS and FCR (measured beside true) on top, AHT and the levers below."""
    import textwrap

    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.ticker import MaxNLocator

    panels = dict(zip(("nps", "aht", "staffing", "support"), PANELS))
    factor, _ = words.scale("fcr")
    with talk_style():
        fig = Figure(layout="constrained")
        FigureCanvasAgg(fig)
        axes = fig.subplot_mosaic(MOSAIC)
        for key, ((solid, dashed), title) in panels.items():
            ax = axes[key]
            _draw_panel(ax, reviews, policies, colours, values, solid, dashed)
            # The lower row is a third of the width: its titles take two lines.
            ax.set_title(title if key == "nps" else textwrap.fill(title, 34, break_on_hyphens=False), fontsize=15,
                         fontweight="bold")
            ax.set_xlabel("week")
        ax = axes["fcr"]
        drawn_styles: dict[str, str] = {}   # measure's name -> its line style's name
        for policy in policies:
            mine = reviews[reviews["policy"] == policy]
            columns = ["fcr_true"] + watched.get(policy, [])
            mean = mine.groupby("week")[columns + ["changed"]].mean()
            x = mean.index.to_numpy(dtype=float)
            true = mean["fcr_true"].to_numpy()
            ax.plot(x, true * factor, color=colours[policy], linewidth=2.5, gid=f"fcr_true:{policy}")
            values["series"].setdefault("fcr_true", {})[policy] = true
            for column, style, style_name, _ in FCR_MEASURES:
                if column in watched.get(policy, []):
                    measured = mean[column].to_numpy()
                    ax.plot(x, measured * factor, color=colours[policy], linewidth=2.5, linestyle=style,
                            gid=f"{column}:{policy}")
                    values["series"].setdefault(column, {})[policy] = measured
                    drawn_styles.setdefault(_fcr_name(r, policy, column), style_name)
            changed = mean["changed"].to_numpy() > 0
            ax.plot(x[changed], true[changed] * factor, "o", color=colours[policy], markersize=3)
        styles = ", ".join(f"{name} ({style})" for name, style in drawn_styles.items())
        ax.set_title(textwrap.fill(f"FCR, %: true (solid), {styles} ↑", 52), fontsize=15, fontweight="bold")
        ax.set_xlabel("week")
        axes["nps"].legend(fontsize=12, frameon=False, loc="best")
        for ax in axes.values():
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))   # reviews fall on whole weeks
        values["nps_gap"] = {p: float(np.nanmean(reviews.loc[reviews["policy"] == p, "nps"]
                                                 - reviews.loc[reviews["policy"] == p, "nps_true"]))
                             for p in policies}
        gaps: dict[str, dict[str, float]] = {}
        for policy, columns in watched.items():
            mine = reviews[reviews["policy"] == policy]
            for column in columns:
                gaps.setdefault(policy, {})[column] = float(np.nanmean(mine[column] - mine["fcr_true"]))
        values["fcr_gap"] = gaps
        # The title: for each measure watched, the policy it misled most; the largest gap first.
        parts = []
        for column, _, _, _ in FCR_MEASURES:
            seen = [(abs(by[column]), p, by[column]) for p, by in gaps.items() if np.isfinite(by.get(column, np.nan))]
            if seen:
                _, policy, gap = max(seen)
                parts.append((policy, column, gap))
        parts.sort(key=lambda part: -abs(part[2]))
        said = [f"{p}'s {_fcr_name(r, p, c)} " + (f"reads FCR {words.amount('fcr', abs(g))} " if i == 0 else
                                                   f"{words.number(abs(g) * factor)} ")
                + ("above" if g > 0 else "below") + (" the truth" if i == 0 else "")
                for i, (p, c, g) in enumerate(parts)]
        title = "What you measure is what you get" + (": " + ", ".join(said) if said else "")
        values["title"] = title
        message_title(fig, title, caption(r, "lines: mean over replications at each review; dots: a review "
                                             "that changed a lever; FCR as measured at the review that read it"))
        fit(fig)
    return fig, values


def _draw_panel(ax, reviews, policies, colours, values: dict, solid: str, dashed: str | None) -> None:
    """One panel: each policy's weekly mean of ``solid`` (and ``dashed``: the other reading of the same KPI),
    dots where a review changed a lever; the plotted series are kept in ``values`` for the caller and tests."""
    for policy in policies:
        mine = reviews[reviews["policy"] == policy]
        mean = mine.groupby("week")[[c for c in (solid, dashed, "changed") if c]].mean()
        x = mean.index.to_numpy(dtype=float)
        ax.plot(x, mean[solid].to_numpy(), color=colours[policy], linewidth=2.5, label=policy)
        values["series"].setdefault(solid, {})[policy] = mean[solid].to_numpy()
        if dashed:
            ax.plot(x, mean[dashed].to_numpy(), color=colours[policy], linewidth=2, linestyle="--")
            values["series"].setdefault(dashed, {})[policy] = mean[dashed].to_numpy()
        changed = mean["changed"].to_numpy() > 0
        ax.plot(x[changed], mean[solid].to_numpy()[changed], "o", color=colours[policy], markersize=3)

"""What you measure is what you get: management's KPIs as measured beside the truth, and its levers.

Drawn from ``reviews.parquet`` (one row per management review, MODEL.md §9): for each policy with
management, NPS as the survey measured it (dashed) beside the true NPS of every journey (solid),
AHT as measured beside the handle-time target, and the trajectories of the levers its reviews moved, each review that changed a
lever marked with a dot. Means over replications.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from .figures import _need_summary, caption
from .load import ChartUnavailable, LoadedResults
from .style import figure, fit, message_title, policy_colours, talk_style

WEEK = 7 * 1440.0
#: Panels: (columns drawn solid and dashed, title).
PANELS = ((("nps_true", "nps"), "NPS: true (solid) and as measured (dashed) ↑"),
          (("aht", "handle_time_target"), "AHT as measured (solid), handle-time target (dashed), min"),
          (("staffing", None), "staffing (× head count), as decided"),
          (("wellbeing_support", "empathy_time"), "wellbeing support (solid), empathy min (dashed)"))


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
    with talk_style():
        fig, axes = figure(2, 2, squeeze=False)
        for ax, ((solid, dashed), title) in zip(axes.flat, PANELS):
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


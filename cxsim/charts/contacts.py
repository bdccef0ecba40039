"""Charts drawn from the per-contact and per-need tables: value vs failure demand, journeys."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ..stats import paired_difference
from . import words
from .figures import _first_difference, _need_summary, caption
from .load import LoadedResults
from .style import GREY, OKABE_ITO, figure, fit, message_title, policy_colours, talk_style

#: Contact kinds bottom to top: value demand first, then the failure demand it causes.
KINDS = ("first", "repeat", "retrial", "switch", "transfer", "callback")
KIND_LABELS = {"first": "first (value demand)", "repeat": "repeat", "retrial": "retrial", "switch": "channel switch",
               "transfer": "transfer", "callback": "callback"}
KIND_COLOURS = {"first": OKABE_ITO["bluish_green"], "repeat": OKABE_ITO["vermillion"],
                "retrial": OKABE_ITO["orange"], "switch": OKABE_ITO["reddish_purple"],
                "transfer": OKABE_ITO["sky_blue"], "callback": OKABE_ITO["yellow"]}


def _replications(frame: pd.DataFrame, policy: str) -> int:
    return max(1, frame.loc[frame["policy"] == policy, "replication"].nunique())


def failure_demand(r: LoadedResults) -> tuple[Figure, dict]:
    """Stacked bars per policy: contacts per replication by kind (first = value demand, the rest failure demand)."""
    _need_summary(r, "failure_demand")
    enc = r.table("encounters", "failure_demand")
    warmup = r.warmup_minutes()
    # As the failure_demand_share metric counts them: contacts that arrived after the warm-up and finished.
    e = enc[(enc["arrived"] >= warmup) & (enc["outcome"].astype(str) != "open")]
    kinds = [k for k in KINDS if (e["kind"].astype(str) == k).any()]
    kinds += sorted(set(e["kind"].astype(str)) - set(kinds))
    counts: dict[str, dict[str, float]] = {}
    for policy in r.policies:
        rows = e[e["policy"] == policy]
        n = _replications(enc, policy)
        counts[policy] = {k: float((rows["kind"].astype(str) == k).sum()) / n for k in kinds}
    # The share printed beside each bar is the metric itself (the mean over replications of each
    # replication's share), so that the title's paired difference is the difference of the two
    # printed shares; pooled counts would differ from it by the ratio-of-means error.
    pooled = {p: 1 - c.get("first", 0.0) / (sum(c.values()) or np.nan) for p, c in counts.items()}
    metric = {p: r.summary.get("policies", {}).get(p, {}).get("metrics", {}).get("failure_demand_share", {})
              for p in r.policies}
    shares = {p: metric[p]["mean"] if metric[p].get("mean") is not None else pooled[p] for p in r.policies}
    colours = policy_colours(r.policies)
    with talk_style():
        fig, ax = figure()
        ax.grid(axis="x", visible=True)
        ax.grid(axis="y", visible=False)
        y = np.arange(len(r.policies))[::-1]
        left = np.zeros(len(r.policies))
        totals = np.array([sum(counts[p].values()) for p in r.policies])
        for k in kinds:
            widths = np.array([counts[p][k] for p in r.policies])
            ax.barh(y, widths, left=left, height=0.6, color=KIND_COLOURS.get(k, GREY), edgecolor="white",
                    linewidth=1.5, gid=f"kind:{k}", label=KIND_LABELS.get(k, k))
            for yi, l, w, t in zip(y, left, widths, totals):
                if t and w / totals.max() > 0.07:
                    ax.text(l + w / 2, yi, f"{k}\n{w:,.0f}", ha="center", va="center", fontsize=14,
                            color="black" if k in ("first", "transfer", "callback", "retrial") else "white")
            left += widths
        for yi, p, t in zip(y, r.policies, totals):
            ax.annotate(f"{shares[p] * 100:.0f} % failure demand", (t, yi), xytext=(10, 0),
                        textcoords="offset points", va="center", fontsize=16, fontweight="bold", color="#222222")
        ax.set_yticks(y, r.policies)
        for tick, p in zip(ax.get_yticklabels(), r.policies):
            tick.set_color(colours[p])
            tick.set_fontweight("bold")
        ax.set_xlim(0, totals.max() * 1.32 if totals.max() else 1)
        ax.set_xlabel("contacts per replication (after the warm-up)")
        ax.spines["left"].set_visible(False)
        ax.tick_params(axis="y", length=0)
        # A key in one row above the bars: the small segments carry no label of their own.
        ax.legend(loc="lower left", bbox_to_anchor=(0, 1.0), ncols=len(kinds), fontsize=14,
                  handlelength=1.0, columnspacing=1.2, borderaxespad=0.2)
        ax.xaxis.set_major_formatter(lambda v, _: f"{v:,.0f}")
        note = ""
        first = _first_difference(r)
        d = first[3].get("failure_demand_share") if first else None
        if first and d:
            title = words.finding("failure_demand_share", first[1], first[2], d)
        else:
            title = " · ".join(f"{p}: {shares[p] * 100:.0f} % of contacts are failure demand" for p in r.policies)
        message_title(fig, title, caption(r, "contacts by kind: first = value demand, the rest = failure demand"
                                          + note))
        fit(fig)
    values = {"counts": counts, "shares": shares, "title": title,
              "difference": d if first else None}
    return fig, values


def journeys(r: LoadedResults) -> tuple[Figure, dict]:
    """Distribution of contacts per need and of journey scores, per policy (journeys ended after the warm-up)."""
    _need_summary(r, "journeys")
    jour = r.table("journeys", "journeys")
    warmup = r.warmup_minutes()
    ended = jour[(jour["status"].astype(str) != "open") & (jour["ended"] >= warmup)]
    colours = policy_colours(r.policies)
    top = 6
    values: dict = {"contacts": {}, "scores": {}}
    has_scores = ended["score"].notna().any()
    with talk_style():
        fig, axes = figure(1, 2 if has_scores else 1, squeeze=False)
        ax = axes[0][0]
        n = len(r.policies)
        width = 0.8 / n
        for i, policy in enumerate(r.policies):
            c = ended.loc[ended["policy"] == policy, "contacts"].clip(upper=top)
            share = c.value_counts(normalize=True).reindex(range(1, top + 1), fill_value=0.0)
            values["contacts"][policy] = {int(k): float(v) for k, v in share.items()}
            xs = np.arange(1, top + 1) + (i - (n - 1) / 2) * width
            ax.bar(xs, share.values * 100, width=width * 0.95, color=colours[policy], gid=f"contacts:{policy}")
            per_rep = ended.loc[ended["policy"] == policy].groupby("replication")["contacts"].mean()
            values["contacts"][policy]["mean"] = float(per_rep.mean())
            values.setdefault("per_replication", {})[policy] = per_rep
        ax.set_ylim(0, max(max(v for k, v in c.items() if k != "mean") for c in values["contacts"].values())
                    * 100 * (1.1 + 0.13 * n))
        ax.set_xticks(range(1, top + 1), [str(k) for k in range(1, top)] + [f"{top}+"])
        ax.set_xlabel("contacts the need took")
        ax.set_ylabel("share of needs (%)")
        ax.set_title("Contacts per need", fontweight="bold")
        for i, policy in enumerate(r.policies):
            ax.text(0.98, 0.95 - 0.09 * i, f"{policy}: mean {values['contacts'][policy]['mean']:.2f}",
                    transform=ax.transAxes, ha="right", va="top", color=colours[policy], fontsize=16,
                    fontweight="bold")
        if has_scores:
            ax = axes[0][1]
            bins = np.linspace(0, 10, 21)
            for policy in r.policies:
                s = ended.loc[ended["policy"] == policy, "score"].dropna()
                hist, _ = np.histogram(s, bins=bins)
                density = hist / max(1, len(s)) * 100
                values["scores"][policy] = {"bins": bins.tolist(), "share": density.tolist(), "mean": float(s.mean())}
                ax.stairs(density, bins, color=colours[policy], linewidth=3, gid=f"score:{policy}")
                ax.stairs(density, bins, color=colours[policy], alpha=0.15, fill=True)
            ax.set_ylim(0, max(max(v["share"]) for v in values["scores"].values()) * (1.1 + 0.13 * n))
            ax.set_xlabel("journey score (0–10)")
            ax.set_ylabel("share of journeys (%)")
            ax.set_title("Journey scores", fontweight="bold")
            for i, policy in enumerate(r.policies):
                ax.text(0.02, 0.95 - 0.09 * i, f"{policy}: mean {values['scores'][policy]['mean']:.1f}",
                        transform=ax.transAxes, ha="left", va="top", color=colours[policy], fontsize=16,
                        fontweight="bold")
        # The title says what the left panel shows: mean contacts of the journeys that ended, per
        # replication, and their paired difference (not the summary's flow ratio, a different measure).
        first = _first_difference(r)
        d = None
        if first:
            _, other, base, _ = first
            a, b = values["per_replication"][other], values["per_replication"][base]
            common = a.index.intersection(b.index)
            d = paired_difference(a[common], b[common])
            title = (words.finding("contacts_per_need", other, base, d) + " ("
                     f"{values['contacts'][base]['mean']:.2f} → {values['contacts'][other]['mean']:.2f} "
                     "contacts per ended journey)")
        else:
            title = " · ".join(f"{p}: {values['contacts'][p]['mean']:.2f} contacts per need" for p in r.policies)
        values["title"], values["difference"] = title, d
        values.pop("per_replication", None)
        message_title(fig, title, caption(r, "journeys that ended after the warm-up; mean: over replications of "
                                              "each replication's mean"))
        fit(fig)
    return fig, values

"""Charts of an explanation (``explain.json``): waterfall, tornado, sensitivity indices, flip map.

Each takes the explanation dict and a metric and returns the figure and the values it plotted;
the title is the message, computed from the numbers, in the talk style.
"""

from __future__ import annotations

import math

import numpy as np
from matplotlib.figure import Figure

from .. import __version__
from ..explain.verdict import short
from . import words
from .style import GREY, LIGHT_GREY, OKABE_ITO, figure, fit, message_title, talk_style

UP, DOWN = OKABE_ITO["blue"], OKABE_ITO["vermillion"]


def _caption(e: dict, what: str) -> str:
    return (f"{e['scenario']} · {e['other']} − {e['reference']} · {what} · seed {e['seed']}, engine {e['engine']} · "
            f"cxsim {__version__}")


def _scaled(metric: str, value: float | None) -> float:
    return np.nan if value is None else value * words.scale(metric)[0]


def waterfall(e: dict, metric: str) -> tuple[Figure, dict]:
    """From the reference policy's value, lever by lever (Shapley contributions), to the other policy's."""
    d = e["decomposition"]
    block = d["metrics"][metric]
    parts = sorted(block["contributions"].items(), key=lambda kv: -abs(kv[1]["mean"] or 0))
    start = _scaled(metric, block["reference"]["mean"])
    values = {"start": block["reference"]["mean"], "end": block["other"]["mean"],
              "contributions": {k: v["mean"] for k, v in parts}}
    with talk_style():
        fig, ax = figure()
        level = start
        ax.bar(0, start, color=LIGHT_GREY, width=0.6)
        ax.annotate(words.number(start), (0, max(start, 0)), xytext=(0, 4), textcoords="offset points",
                    ha="center", va="bottom", fontsize=14)
        for i, (lever, c) in enumerate(parts, start=1):
            step = _scaled(metric, c["mean"])
            colour = UP if step >= 0 else DOWN
            ax.bar(i, step, bottom=level, color=colour, width=0.6)
            top = level + max(step, 0)
            if c.get("ci_low") is not None:
                low, high = _scaled(metric, c["ci_low"]), _scaled(metric, c["ci_high"])
                ax.errorbar(i, level + step, yerr=[[step - low], [high - step]], color="#222222", elinewidth=2,
                            capsize=6)
                top = max(top, level + high)
            ax.annotate(f"{step:+.3g}", (i, top), xytext=(0, 6), textcoords="offset points",
                        ha="center", va="bottom", fontsize=14, color=colour, fontweight="bold")
            if i < len(parts):
                ax.plot([i + 0.3, i + 0.7], [level + step] * 2, color=GREY, linewidth=1)
            level += step
        end = len(parts) + 1
        ax.bar(end, _scaled(metric, block["other"]["mean"]), color=LIGHT_GREY, width=0.6)
        ax.annotate(words.number(level), (end, max(level, 0)), xytext=(0, 4), textcoords="offset points",
                    ha="center", va="bottom", fontsize=14)
        labels = [e["reference"]] + [lever.replace("_", " ") for lever, _ in parts] + [e["other"]]
        ax.set_xticks(range(end + 1), labels)
        ax.axhline(0, color="#333333", linewidth=1)
        ax.set_ylabel(words.axis_label(metric))
        # Levers with exactly the same contribution act only together (a pure interaction): name them together.
        top = parts[0][1]["mean"]
        leading = [lever for lever, v in parts if math.isclose(v["mean"], top, rel_tol=1e-9, abs_tol=1e-12)]
        together = top * len(leading)
        total = block["total"]["mean"]
        names = " and ".join(lever.replace("_", " ") for lever in leading)
        title = (f"{names} {'together make' if len(leading) > 1 else 'makes'} {_signed(metric, together)} of the "
                 f"{_signed(metric, total)} {words.label(metric)} difference")
        how = "every coalition" if d["method"] == "exact" else f"{d['permutations']} sampled lever orders"
        message_title(fig, title, _caption(e, f"Shapley contributions ({how}), bars: 95 % CI over "
                                              f"{d['replications']} replications"))
        fit(fig)
    values["title"] = title
    return fig, values


def _signed(metric: str, value: float) -> str:
    return ("+" if value > 0 else "−") + words.amount(metric, abs(value))


def tornado(e: dict, metric: str, top: int = 10) -> tuple[Figure, dict]:
    """The difference with each parameter at the ends of its range (one at a time), widest swing on top."""
    s = e["sensitivity"]["oat"]
    block = s["metrics"][metric]
    rows = [r for r in block["parameters"] if r["low"]["mean"] is not None and r["high"]["mean"] is not None][:top]
    centre = _scaled(metric, block["centre"]["mean"])
    values = {"centre": block["centre"]["mean"],
              "rows": {r["path"]: (r["low"]["mean"], r["high"]["mean"], r["flips"]) for r in rows}}
    with talk_style():
        fig, ax = figure()
        for k, r in enumerate(reversed(rows)):
            low, high = _scaled(metric, r["low"]["mean"]), _scaled(metric, r["high"]["mean"])
            ax.barh(k, low - centre, left=centre, color=DOWN, height=0.6)
            ax.barh(k, high - centre, left=centre, color=UP, height=0.6)
            for x, text in _end_labels(low, high, centre):
                ax.annotate(text, (x, k), xytext=(6 if x >= centre else -6, 0), textcoords="offset points",
                            ha="left" if x >= centre else "right", va="center", fontsize=12, color=GREY)
        ax.set_yticks(range(len(rows)), [short(r["path"]) for r in reversed(rows)])
        ax.axvline(centre, color="#222222", linewidth=1.5)
        ax.axvline(0, color="#222222", linewidth=1.5, linestyle="--")
        ax.annotate("no difference", (0, 1.0), xycoords=("data", "axes fraction"), xytext=(4, 0),
                    textcoords="offset points", color="#222222", fontsize=13, va="top")
        ax.grid(axis="x", color="#dddddd")
        ax.grid(axis="y", visible=False)
        ax.set_xlabel(f"{words.axis_label(metric)}: {e['other']} − {e['reference']}")
        ax.margins(x=0.2)
        flipping = [r for r in block["parameters"] if r["flips"]]
        if flipping:
            names = ", ".join(short(r["path"]) for r in flipping[:3])
            title = f"The {words.label(metric)} difference flips sign within the range of {names}"
        else:
            title = (f"No single parameter flips the {words.label(metric)} difference "
                     f"({words.amount(metric, block['centre']['mean'])}) within its range")
        message_title(fig, title, _caption(e, f"one at a time, {s['size']} levels per range, "
                                              f"{s['replications']} replications; blue: high end, red: low end"))
        fit(fig)
    values["title"] = title
    return fig, values


def _end_labels(low: float, high: float, centre: float) -> list[tuple[float, str]]:
    """Where to write the values at the two ends of a tornado bar, without the two labels colliding."""
    if low == centre and high == centre:
        return [(centre, "no effect")]
    if (low - centre) * (high - centre) > 0:  # both ends on one side: one label at the farther end
        far = low if abs(low - centre) > abs(high - centre) else high
        return [(far, f"low {words.number(low)}, high {words.number(high)}")]
    return [(low, f"low {words.number(low)}"), (high, f"high {words.number(high)}")]


def indices(e: dict, metric: str, method: str) -> tuple[Figure, dict]:
    """Morris μ* or Sobol first-order and total indices, each with its 95 % bootstrap interval."""
    s = e["sensitivity"][method]
    ix = s["metrics"][metric]["indices"]
    names = [p["path"] for p in s["parameters"]]
    key, conf = ("mu_star", "mu_star_conf") if method == "morris" else ("ST", "ST_conf")
    order = sorted(range(len(names)), key=lambda i: ix[key][i])
    values = {names[i]: (ix[key][i], ix[conf][i]) for i in order}
    factor = words.scale(metric)[0] if method == "morris" else 1.0
    with talk_style():
        fig, ax = figure()
        y = np.arange(len(order))
        ax.errorbar([ix[key][i] * factor for i in order], y, xerr=[ix[conf][i] * factor for i in order], fmt="o",
                    color=UP, markersize=11, elinewidth=3, capsize=6)
        if method == "sobol":
            ax.errorbar([ix["S1"][i] for i in order], y - 0.2, xerr=[ix["S1_conf"][i] for i in order], fmt="s",
                        color=GREY, markersize=8, elinewidth=2, capsize=4)
            ax.annotate("total", (ix["ST"][order[-1]], y[-1]), xytext=(10, 8), textcoords="offset points",
                        color=UP, fontsize=14, fontweight="bold")
            ax.annotate("first order", (ix["S1"][order[-1]], y[-1] - 0.2), xytext=(10, -14),
                        textcoords="offset points", color=GREY, fontsize=14)
        ax.set_yticks(y, [short(names[i]) for i in order])
        ax.axvline(0, color="#333333", linewidth=1)
        ax.grid(axis="x", color="#dddddd")
        ax.grid(axis="y", visible=False)
        unit = words.scale(metric)[1]
        ax.set_xlabel(("μ*: mean absolute effect of a parameter's whole range" + (f" ({unit})" if unit else ""))
                      if method == "morris" else "share of the variance of the difference")
        top = names[order[-1]]
        zero = [short(names[i]) for i in order if ix[key][i] - ix[conf][i] <= 0]
        title = f"The {words.label(metric)} difference moves most with {short(top)}"
        if zero:
            title += f"; {len(zero)} of {len(names)} parameters indistinguishable from no effect"
        what = (f"Morris, {s['size']} trajectories" if method == "morris" else f"Sobol, base sample {s['size']}")
        message_title(fig, title, _caption(e, f"{what} × {s['replications']} replications; bars: 95 % bootstrap "
                                              "interval"))
        fit(fig)
    values["title"] = title
    return fig, values


def flip_map(e: dict, metric: str, method: str) -> tuple[Figure, dict]:
    """The sampled points over the two most influential parameters, coloured by the sign of the difference."""
    s = e["sensitivity"][method]
    block = s["metrics"][metric]
    X, Y = np.asarray(block["sample"]["X"], dtype=float), np.asarray(block["sample"]["Y"], dtype=float)
    names = [p["path"] for p in s["parameters"]]
    ix = block["indices"]
    key = "mu_star" if method == "morris" else "ST"
    ranked = sorted(range(len(names)), key=lambda i: -ix[key][i]) if ix else list(range(len(names)))
    i, j = (ranked + ranked)[:2] if len(ranked) == 1 else ranked[:2]
    reference = block["centre"]["mean"] or 0.0
    flipped = np.array([(y > 0) != (reference > 0) and y != 0 for y in Y])
    values = {"x": names[i], "y": names[j], "flipped": int(flipped.sum()), "points": len(Y)}
    with talk_style():
        fig, ax = figure()
        ax.scatter(X[~flipped, i], X[~flipped, j], color=UP, s=60, alpha=0.8)
        ax.scatter(X[flipped, i], X[flipped, j], color=DOWN, s=80, marker="X")
        ax.set_xlabel(short(names[i]))
        ax.set_ylabel(short(names[j]))
        ax.grid(axis="both", color="#eeeeee")
        sign_word = "positive" if reference > 0 else "negative"
        ax.annotate(f"same sign as written ({sign_word}): {int((~flipped).sum())}", (0.01, 1.0),
                    xycoords="axes fraction", color=UP, fontsize=14, fontweight="bold", va="bottom")
        ax.annotate(f"sign flipped: {int(flipped.sum())}", (0.99, 1.0), xycoords="axes fraction", color=DOWN,
                    fontsize=14, fontweight="bold", va="bottom", ha="right")
        title = f"{words.label(metric)} difference {block['rule']['text']}"
        message_title(fig, title, _caption(e, f"{len(Y)} {method} sample points, each the mean of "
                                              f"{s['replications']} paired replications"))
        fit(fig)
    values["title"] = title
    return fig, values


def draw_all(e: dict) -> dict[str, tuple[Figure, dict]]:
    """Every chart the explanation has the results for, by file name."""
    drawn: dict[str, tuple[Figure, dict]] = {}
    for metric in e["metrics"]:
        if "decomposition" in e and metric in e["decomposition"]["metrics"]:
            if e["decomposition"]["metrics"][metric]["total"]["mean"] is not None:
                drawn[f"waterfall_{metric}"] = waterfall(e, metric)
        sens = e.get("sensitivity", {})
        if "oat" in sens and metric in sens["oat"]["metrics"]:
            drawn[f"tornado_{metric}"] = tornado(e, metric)
        for method in ("morris", "sobol"):
            if method in sens and sens[method]["metrics"].get(metric, {}).get("indices"):
                drawn[f"{method}_{metric}"] = indices(e, metric, method)
                drawn[f"flip_map_{method}_{metric}"] = flip_map(e, metric, method)
    return drawn

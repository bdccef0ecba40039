"""Charts drawn from a results folder's summary: the understanding gap, the policy comparison, a sweep.

Each chart function takes a :class:`~cxsim.charts.load.LoadedResults` and returns the matplotlib
figure and a dict of the values it plotted (in the summary's units), so a test can check them
against ``summary.json``. Titles are sentences computed from the numbers.
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from .. import __version__
from . import words
from .load import ChartUnavailable, LoadedResults
from .style import GREY, direct_label, figure, fit, message_title, policy_colours, spread_labels, \
    talk_style

PROVIDER = ("aht", "occupancy", "cost_per_contact")
CUSTOMER = ("contacts_per_need", "time_to_resolution", "nps_true")
COMPARISON = ("service_level", "aht", "contacts_per_need", "time_to_resolution", "nps_true", "cost_per_solved_need")
SWEEP = ("service_level", "p_abandon", "aht", "contacts_per_need", "nps_true", "cost_per_solved_need",
         "occupancy", "mean_wait")


def caption(r: LoadedResults, what: str = "mean and 95 % confidence interval") -> str:
    s = r.summary
    return (f"{r.name} · {s.get('replications', '?')} replications on common random numbers, seed "
            f"{s.get('seed', '?')} · {what} · cxsim {__version__}")


def _need_summary(r: LoadedResults, chart: str) -> None:
    if r.is_sweep:
        raise ChartUnavailable(f"the {chart!r} chart compares policies of one run; {r.folder} holds a sweep "
                               f"(summary.json has points, not policies): use the 'sweep' chart")


def _first_difference(r: LoadedResults) -> tuple[str, str, str, dict] | None:
    """(name, other, base, block) of the first paired difference, if there is more than one policy."""
    for name, block in r.summary.get("differences", {}).items():
        base = r.policies[0]
        other = name[: -len(base) - 1] if name.endswith("-" + base) else name.split("-", 1)[0]
        return name, other, base, block
    return None


def _headline_difference(r: LoadedResults) -> tuple[str, str, str, dict] | None:
    """The difference a chart over time is about: that of the first policy with an intervention
    (a third policy may carry it), else the first difference."""
    carriers = [policy for policy, _, _ in r.interventions() if policy != r.policies[0]]
    base = r.policies[0]
    for policy in carriers:
        block = r.summary.get("differences", {}).get(f"{policy}-{base}")
        if block is not None:
            return f"{policy}-{base}", policy, base, block
    return _first_difference(r)


def _stat(block: dict, metric: str) -> dict | None:
    s = block.get("metrics", block).get(metric)
    return s if s and s.get("mean") is not None else None


def _dots(ax, r: LoadedResults, metric: str, colours: dict[str, str]) -> dict:
    """One dot and its 95 % interval per policy for ``metric``; returns the plotted summary values."""
    factor, _ = words.scale(metric)
    plotted = {}
    for i, policy in enumerate(r.policies):
        s = _stat(r.summary["policies"][policy], metric)
        if s is None:
            continue
        low = s["ci_low"] if s["ci_low"] is not None else s["mean"]
        high = s["ci_high"] if s["ci_high"] is not None else s["mean"]
        y = s["mean"] * factor
        ax.errorbar([i], [y], yerr=[[y - low * factor], [high * factor - y]], fmt="o", color=colours[policy],
                    markersize=13, elinewidth=3, capsize=8, gid=f"{metric}:{policy}")
        ax.annotate(words.value_text(metric, s["mean"]), (i, y), xytext=(12 if len(r.policies) > 2 else 14, 0),
                    textcoords="offset points", va="center", ha="left",
                    fontsize=13 if len(r.policies) > 2 else 15, color=colours[policy])
        plotted[policy] = {"mean": s["mean"], "ci_low": s["ci_low"], "ci_high": s["ci_high"], "scale": factor}
    ax.set_xticks(range(len(r.policies)), r.policies)
    ax.set_xlim(-0.5, len(r.policies) - 0.5 + 0.45)
    ax.margins(y=0.3 + 0.15 * max(0, len(r.policies) - 2))
    for tick, policy in zip(ax.get_xticklabels(), r.policies):
        tick.set_color(colours[policy])
        tick.set_fontweight("bold")
    better = words.better(metric)
    ax.set_title(words.axis_label(metric) + (f" {better}" if better else ""), fontsize=17)
    # From zero, two close values sit at the very top: keep room there for the value written beside the dot.
    _from_zero(ax, plotted, headroom=0.12)
    return plotted


def _from_zero(ax, plotted: dict, headroom: float = 0.0) -> None:
    """Start the value axis at zero (or end it there, for negative values), so that a small gap looks
    small, and keep the top ``headroom`` share of the panel free of dots for the text written there."""
    low, high = ax.get_ylim()
    low, high = min(low, 0.0), max(high, 0.0)
    tops = [(v["ci_high"] if v["ci_high"] is not None else v["mean"]) * v["scale"] for v in plotted.values()]
    if tops and headroom > 0:
        high = max(high, low + (max(tops) - low) / (1.0 - headroom))
    ax.set_ylim(low, high)


def understanding_gap(r: LoadedResults) -> tuple[Figure, dict]:
    """The provider's view (AHT, occupancy, cost per contact) against the customer's view, per policy."""
    _need_summary(r, "understanding_gap")
    provider = [m for m in PROVIDER if any(_stat(r.summary["policies"][p], m) for p in r.policies)]
    customer = [m for m in CUSTOMER if any(_stat(r.summary["policies"][p], m) for p in r.policies)]
    if not provider or not customer:
        raise ChartUnavailable(f"the 'understanding_gap' chart needs provider metrics {PROVIDER} and customer "
                               f"metrics {CUSTOMER}; {r.folder}/summary.json has neither one or the other")
    colours = policy_colours(r.policies)
    ncols = max(len(provider), len(customer))
    values: dict = {"policies": {}, "differences": {}}
    with talk_style():
        fig, axes = figure(2, ncols, squeeze=False)
        for row, (view, metrics) in enumerate((("The provider's view", provider), ("The customer's view", customer))):
            for col in range(ncols):
                ax = axes[row][col]
                if col >= len(metrics):
                    ax.set_visible(False)
                    continue
                plotted = _dots(ax, r, metrics[col], colours)
                for policy, v in plotted.items():
                    values["policies"].setdefault(policy, {})[metrics[col]] = v
            axes[row][0].set_ylabel(view, fontsize=17, fontweight="bold", color=GREY, labelpad=12)
        first = _first_difference(r)
        if first is None:
            policy = r.policies[0]
            parts = [f"{words.label(m)} {words.value_text(m, _stat(r.summary['policies'][policy], m)['mean'])}"
                     for m in (provider[0], customer[-1]) if _stat(r.summary["policies"][policy], m)]
            title = f"{policy}: " + ", ".join(parts)
        else:
            name, other, base, block = first
            p_metric = provider[0]
            c_metric = "nps_true" if "nps_true" in customer else customer[0]
            values["differences"] = {m: block.get(m) for m in (p_metric, c_metric)}
            values["title_metrics"] = [p_metric, c_metric]
            title = words.findings([p_metric, c_metric], other, base, block)
        values["title"] = title
        message_title(fig, title, caption(r, f"mean and 95 % confidence interval; {words.BETTER_KEY}"))
        fit(fig)
    return fig, values


def policy_comparison(r: LoadedResults, metrics: tuple[str, ...] | list[str] | None = None) -> tuple[Figure, dict]:
    """Dot and 95 % interval per policy and metric, the paired difference written in each panel."""
    _need_summary(r, "policy_comparison")
    wanted = list(metrics or COMPARISON)
    present = [m for m in wanted if any(_stat(r.summary["policies"][p], m) for p in r.policies)]
    if not present:
        raise ChartUnavailable(f"the 'policy_comparison' chart found none of {wanted} in {r.folder}/summary.json")
    colours = policy_colours(r.policies)
    ncols = min(3, len(present))
    nrows = int(np.ceil(len(present) / ncols))
    first = _first_difference(r)
    values: dict = {"policies": {}, "differences": {}}
    with talk_style():
        fig, axes = figure(nrows, ncols, squeeze=False)
        for k, ax in enumerate(axes.flat):
            if k >= len(present):
                ax.set_visible(False)
                continue
            metric = present[k]
            plotted = _dots(ax, r, metric, colours)
            for policy, v in plotted.items():
                values["policies"].setdefault(policy, {})[metric] = v
            # The paired differences are written at the top of the panel: keep the dots below them.
            _from_zero(ax, plotted, headroom=0.14 + 0.1 * len(r.summary.get("differences", {})))
            if first is not None:
                values["differences"][metric] = first[3].get(metric)
            # Every paired difference against the first policy, one line each (named when there are several).
            diffs = list(r.summary.get("differences", {}).items())
            for j, (dname, block) in enumerate(diffs):
                d = block.get(metric)
                if not d or d.get("mean") is None:
                    continue
                text = words.interval_text(metric, d)
                if len(diffs) > 1:
                    text = f"{dname.split('-', 1)[0]}: {text}"
                note = ax.text(0.02, 0.98 - 0.1 * j, text, transform=ax.transAxes, ha="left", va="top",
                               fontsize=14 if len(diffs) == 1 else 12,
                               color="#222222" if words.clear(d) else GREY,
                               fontweight="bold" if words.clear(d) else "normal")
                note.set_in_layout(False)
        if first is None:
            policy = r.policies[0]
            title = f"{policy}: " + ", ".join(
                f"{words.label(m)} {words.value_text(m, values['policies'][policy][m]['mean'])}"
                for m in present[:3] if m in values["policies"].get(policy, {}))
        else:
            name, other, base, block = first
            # The message: NPS when it is there, else the first metric shown.
            metric = "nps_true" if "nps_true" in present else present[0]
            values["title_metric"] = metric
            title = words.finding(metric, other, base, block.get(metric))
            n_clear = sum(words.clear(block.get(m)) for m in present)
            title += f" ({n_clear} of {len(present)} measures differ clearly)"
        values["title"] = title
        message_title(fig, title, caption(r, "dot: mean; bar: 95 % CI; Δ: paired difference from "
                                              f"{r.policies[0]} [95 % CI], bold when clear; {words.BETTER_KEY}"))
        fit(fig)
    return fig, values


def _sweep_metric(r: LoadedResults, metric: str | None) -> str:
    points = r.summary.get("points") or []
    present = {m for p in points for block in p["policies"].values() for m in block["metrics"]}
    if metric:
        if metric not in present:
            raise ChartUnavailable(f"the 'sweep' chart: {r.folder}/summary.json has no metric {metric!r}")
        return metric
    for m in SWEEP:
        if m in present:
            return m
    if not present:
        raise ChartUnavailable(f"the 'sweep' chart: {r.folder}/summary.json has no metrics")
    return sorted(present)[0]


def _v(value) -> str:
    """A lever value as written: numbers compactly, anything else (e.g. "6 /min") as it is."""
    return f"{value:g}" if isinstance(value, (int, float)) and not isinstance(value, bool) else str(value)


def _numeric(values) -> bool:
    return all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values)


def _axis_name(path: str) -> str:
    from .handout import LEVER_LABELS

    parts = path.split(".")
    name = LEVER_LABELS.get(parts[-1], parts[-1])
    if len(parts) > 2 and parts[-2] != parts[-1]:
        return f"{name} ({parts[-2]})"
    return name


def lever_positions(levels: list) -> tuple[list[float] | None, str]:
    """Where each swept value sits on a numeric axis, and the axis unit: numbers as they are,
    durations ("3 min", "8 min") in minutes and rates in per minute, so 3, 5 and 8 minutes are spaced
    as 3, 5 and 8; ``None`` for values with no order (names)."""
    from ..scenario.units import parse_duration, parse_rate

    if _numeric(levels):
        return [float(v) for v in levels], ""
    for parse, unit in ((parse_duration, "min"), (parse_rate, "per min")):
        try:
            return [float(parse(v)) for v in levels], unit
        except (TypeError, ValueError):
            continue
    return None, ""


def sweep(r: LoadedResults, metric: str | None = None) -> tuple[Figure, dict]:
    """A metric against the swept lever (line with 95 % band per policy), or a heat map for two levers."""
    if not r.is_sweep:
        raise ChartUnavailable(f"the 'sweep' chart needs a sweep's summary.json (with axes and points); "
                               f"{r.folder} holds a single run (run with --set path=v1,v2,... to sweep)")
    metric = _sweep_metric(r, metric)
    axes_names = list(r.axes)
    factor, _ = words.scale(metric)
    colours = policy_colours(r.policies)
    points = r.summary["points"]
    values: dict = {"metric": metric, "axes": axes_names, "points": []}
    for p in points:
        row = {"values": p["values"], "policies": {}}
        for policy in r.policies:
            s = _stat(p["policies"].get(policy, {"metrics": {}}), metric)
            if s is not None:
                row["policies"][policy] = {"mean": s["mean"], "ci_low": s["ci_low"], "ci_high": s["ci_high"]}
        values["points"].append(row)
    with talk_style():
        if len(axes_names) == 1:
            axis = axes_names[0]
            levels = list(r.axes[axis])
            numbers, unit = lever_positions(levels)
            numeric = numbers is not None
            where = dict(zip(map(str, levels), numbers)) if numeric else {}
            position = (lambda v: where[str(v)]) if numeric else (lambda v: float(levels.index(v)))
            values["positions"] = [position(v) for v in levels]
            fig, ax = figure()
            ends = []
            for policy in r.policies:
                rows = [(pt["values"][axis], pt["policies"][policy]) for pt in values["points"]
                        if policy in pt["policies"]]
                rows.sort(key=lambda t: position(t[0]))
                x = np.array([position(t[0]) for t in rows], dtype=float)
                mean = np.array([t[1]["mean"] for t in rows]) * factor
                low = np.array([t[1]["ci_low"] if t[1]["ci_low"] is not None else t[1]["mean"] for t in rows]) * factor
                high = np.array([t[1]["ci_high"] if t[1]["ci_high"] is not None else t[1]["mean"]
                                 for t in rows]) * factor
                ax.fill_between(x, low, high, color=colours[policy], alpha=0.2, linewidth=0)
                ax.plot(x, mean, "-o", color=colours[policy], gid=f"{metric}:{policy}")
                if len(x):
                    ends.append((policy, x[-1], mean[-1]))
            low, high = ax.get_ylim()  # the value axis includes zero: a small change looks small
            ax.set_ylim(min(low, 0.0), max(high, 0.0))
            if len(r.policies) > 1:
                span = np.diff(ax.get_ylim())[0]
                ys = spread_labels([e[2] for e in ends], span * 0.06)
                for (policy, x_end, _), y in zip(ends, ys):
                    direct_label(ax, x_end, y, policy, colours[policy])
            ax.set_xlabel(_axis_name(axis))
            ax.set_ylabel(words.axis_label(metric))
            better = words.better(metric)
            if better:
                ax.set_ylabel(f"{words.axis_label(metric)} {better}")
            if numeric:
                ax.set_xticks([position(v) for v in levels], [_v(v) for v in levels])
            else:
                ax.set_xticks(range(len(levels)), [_v(v) for v in levels])
            policy = r.policies[0]
            rows = sorted(((pt["values"][axis], pt["policies"][policy]) for pt in values["points"]
                           if policy in pt["policies"]), key=lambda t: position(t[0]))
            (x0, s0), (x1, s1) = rows[0], rows[-1]
            verb = "rises" if s1["mean"] > s0["mean"] else "falls"
            title = (f"{words.label(metric)} {verb} from {words.value_text(metric, s0['mean'])} to "
                     f"{words.value_text(metric, s1['mean'])} as {_axis_name(axis)} goes from {_v(x0)} to {_v(x1)}")
            if len(r.policies) > 1 and f"({policy})" not in _axis_name(axis):
                title += f" ({policy})"
        else:
            ax_y, ax_x = axes_names[0], axes_names[1]
            xs, ys = list(r.axes[ax_x]), list(r.axes[ax_y])
            fig, axs = figure(1, len(r.policies), squeeze=False)
            best = None
            for k, policy in enumerate(r.policies):
                grid = np.full((len(ys), len(xs)), np.nan)
                for pt in values["points"]:
                    s = pt["policies"].get(policy)
                    if s:
                        grid[ys.index(pt["values"][ax_y]), xs.index(pt["values"][ax_x])] = s["mean"] * factor
                ax = axs[0][k]
                ax.grid(False)
                image = ax.imshow(grid, origin="lower", aspect="auto", cmap="cividis")
                for i in range(len(ys)):
                    for j in range(len(xs)):
                        if np.isfinite(grid[i, j]):
                            dark = image.norm(grid[i, j]) < 0.5
                            ax.text(j, i, words.number(grid[i, j]), ha="center", va="center", fontsize=18,
                                    color="white" if dark else "black")
                ax.set_xticks(range(len(xs)), [_v(v) for v in xs])
                ax.set_yticks(range(len(ys)), [_v(v) for v in ys])
                ax.set_xlabel(_axis_name(ax_x))
                if k == 0:
                    ax.set_ylabel(_axis_name(ax_y))
                ax.set_title(policy, color=colours[policy], fontweight="bold")
                fig.colorbar(image, ax=ax, label=words.axis_label(metric), shrink=0.9)
                if k == 0 and np.isfinite(grid).any():
                    i, j = np.unravel_index(np.nanargmax(grid), grid.shape)
                    lo = np.unravel_index(np.nanargmin(grid), grid.shape)
                    best = (grid[lo], xs[lo[1]], ys[lo[0]], grid[i, j], xs[j], ys[i])
            unit = words.scale(metric)[1]
            unit = f" {unit}" if unit and unit != "points" else ""
            title = (f"{words.label(metric)} ranges from {words.number(best[0])}{unit} ({_axis_name(ax_x)} {_v(best[1])}, "
                     f"{_axis_name(ax_y)} {_v(best[2])}) to {words.number(best[3])}{unit} "
                     f"({_v(best[4])}, {_v(best[5])})"
                     if best else f"{words.label(metric)} across {_axis_name(ax_x)} and {_axis_name(ax_y)}")
            if best and words.number(best[0]) == words.number(best[3]):
                title = (f"{words.label(metric)} is {words.number(best[0])}{unit} at every combination of "
                         f"{_axis_name(ax_x)} and {_axis_name(ax_y)} tried")
        values["title"] = title
        message_title(fig, title, caption(r, f"line: mean; band: 95 % confidence interval; {words.BETTER_KEY}" if len(axes_names) == 1
                                          else f"cells: mean over replications ({r.policies[0] if r.policies else ''})"))
        fit(fig)
    return fig, values

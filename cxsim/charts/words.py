"""Units, labels and the sentences chart titles are made of — computed from the numbers, never canned."""

from __future__ import annotations

import math

from ..metric_registry import METRICS, SHARE, TIME, better_when, of_kind
from ..metric_registry import MONEY as MONEY_KIND

#: Units, labels and better directions come from the metric registry (one definition of each metric).
#: Shares (0–1) are plotted as %, differences in percentage points.
SHARES = of_kind(SHARE)
HOURS = frozenset(m.name for m in METRICS.values() if m.kind == TIME and m.hours)
MINUTES = of_kind(TIME) - HOURS
MONEY = of_kind(MONEY_KIND)
#: Labels of the registry's metrics, and of the daily series some charts also plot.
LABELS = {**{m.name: m.label for m in METRICS.values()}, "time_per_case": "time per case",
          "offered": "contacts offered"}
#: Which way is better, per metric (from the customer's and the business's side; for the provider's
#: own efficiency measures, lower AHT and cost are what it aims for). Others: no direction.
HIGHER_IS_BETTER = better_when("higher")
LOWER_IS_BETTER = better_when("lower")


#: The caption's key to the arrows that :func:`better` puts in panel titles.
BETTER_KEY = "↑ higher is better, ↓ lower is better"


def better(metric: str) -> str:
    """"↑" (higher is better) or "↓" for a panel title, or "" when the metric has no good direction."""
    base = metric.split(".")[0]
    if base in HIGHER_IS_BETTER:
        return "↑"
    if base in LOWER_IS_BETTER:
        return "↓"
    return ""


def label(metric: str) -> str:
    base, _, channel = metric.partition(".")
    text = LABELS.get(base, base.replace("_", " "))
    return f"{text} ({channel})" if channel else text


def scale(metric: str) -> tuple[float, str]:
    """Factor from the summary's unit to the plotted one, and the plotted unit."""
    base = metric.split(".")[0]
    if base in SHARES:
        return 100.0, "%"
    if base in MINUTES:
        return 1.0, "min"
    if base in HOURS:
        return 1 / 60, "h"
    if base.startswith("nps"):
        return 1.0, "points"
    return 1.0, ""


def axis_label(metric: str) -> str:
    factor, unit = scale(metric)
    return f"{label(metric)} ({unit})" if unit else label(metric)


def number(value: float) -> str:
    """Two or three significant figures, as a person says it."""
    v = abs(value)
    if v == 0 or not math.isfinite(v):
        return "0" if v == 0 else str(value)
    if v >= 100:
        return f"{value:,.0f}"
    if v >= 10:
        return f"{value:.0f}" if v >= 20 else f"{value:.1f}"
    if v >= 1:
        return f"{value:.1f}"
    digits = max(2, -int(math.floor(math.log10(v))) + 1)
    return f"{value:.{digits}f}"


def amount(metric: str, value: float) -> str:
    """A difference of ``metric`` in words: "41 points", "4.0 min", "22 percentage points"."""
    factor, unit = scale(metric)
    text = number(value * factor)
    base = metric.split(".")[0]
    if base in SHARES:
        return f"{text} percentage points"
    if base.startswith("nps"):
        return f"{text} points"
    return f"{text} {unit}".strip()


def value_text(metric: str, value: float) -> str:
    """A level of ``metric`` for a label: "75 %", "8.4 min", "-24"."""
    factor, unit = scale(metric)
    text = number(value * factor)
    if unit == "%":
        return f"{text} %"
    if unit in ("min", "h"):
        return f"{text} {unit}"
    return text


def clear(d: dict | None) -> bool:
    """True when the 95 % interval of a difference excludes zero (a zero-width interval at 0 does not)."""
    if not d or d.get("ci_low") is None or d.get("ci_high") is None:
        return False
    return d["ci_low"] > 0 or d["ci_high"] < 0


def finding(metric: str, other: str, base: str, d: dict | None) -> str:
    """The sentence a difference supports: its size with direction, or that there is no clear difference."""
    if not clear(d):
        return f"No clear difference in {label(metric)} between {other} and {base}"
    verb = "raises" if d["mean"] > 0 else "lowers"
    return f"{other} {verb} {label(metric)} by {amount(metric, abs(d['mean']))} compared with {base}"


def findings(metrics: list[str], other: str, base: str, block: dict) -> str:
    """Several differences in one sentence: "encounter raises AHT by 4.0 min and NPS by 41 points compared
    with efficiency", the unclear ones named as such."""
    said, unclear = [], []
    for metric in metrics:
        d = block.get(metric)
        if clear(d):
            verb = "raises" if d["mean"] > 0 else "lowers"
            said.append((verb, f"{label(metric)} by {amount(metric, abs(d['mean']))}"))
        else:
            unclear.append(label(metric))
    text = ""
    if said:
        parts = [said[0][0] + " " + said[0][1]]
        for k, (verb, what) in enumerate(said[1:]):
            parts.append(what if verb == said[k][0] else f"{verb} {what}")
        text = f"{other} " + " and ".join(parts) + f" compared with {base}"
    if unclear:
        gap = f"no clear difference in {' or '.join(unclear)}"
        text = f"{text}; {gap}" if text else f"No clear difference in {' or '.join(unclear)} between {other} and {base}"
    return text


def _g(value: float) -> str:
    return f"{value:.2g}" if abs(value) < 100 else f"{value:,.0f}"


def interval_text(metric: str, d: dict) -> str:
    """"Δ +41 [41, 42]" in the plotted unit."""
    factor, unit = scale(metric)
    sign = "+" if d["mean"] > 0 else ("−" if d["mean"] < 0 else "±")
    text = f"Δ {sign}{_g(abs(d['mean'] * factor))}"
    if d.get("ci_low") is not None:
        text += f" [{_g(d['ci_low'] * factor)}, {_g(d['ci_high'] * factor)}]"
    return text + (f" {unit}" if unit and unit != "points" else "")

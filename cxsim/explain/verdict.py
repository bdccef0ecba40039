"""What an explanation says in words: which lever, how sure, robust or not — computed from the numbers."""

from __future__ import annotations

from typing import Any

from ..charts import words


def short(path: str) -> str:
    """A parameter or lever as a person reads it: ``needs.billing.resolution`` stays, ``policies.x.y`` → ``x y``."""
    parts = path.split(".")
    if parts[0] == "policies" and len(parts) == 3:
        return f"{parts[1]} {parts[2].replace('_', ' ')}"
    return path


def centre(explanation: dict[str, Any], metric: str) -> dict | None:
    """The difference in the scenario as written: from the decomposition, else from a sensitivity centre."""
    d = explanation.get("decomposition")
    if d and metric in d["metrics"]:
        return d["metrics"][metric]["total"]
    for method in ("oat", "morris", "sobol"):
        s = explanation.get("sensitivity", {}).get(method)
        if s and metric in s["metrics"]:
            return s["metrics"][metric]["centre"]
    return None


def main_levers(decomposition: dict, metric: str, share: float = 0.8) -> list[tuple[str, dict]]:
    """The levers that together make at least ``share`` of the summed absolute contributions, largest first."""
    parts = decomposition["metrics"][metric]["contributions"]
    ranked = sorted(parts.items(), key=lambda kv: -abs(kv[1]["mean"] or 0))
    total = sum(abs(v["mean"] or 0) for _, v in ranked) or 1.0
    out, acc = [], 0.0
    for lever, value in ranked:
        out.append((lever, value))
        acc += abs(value["mean"] or 0)
        if acc >= share * total:
            break
    return out


def conclusions(explanation: dict[str, Any]) -> list[str]:
    """One or two sentences per explained metric: what makes the difference, and whether it holds."""
    other, reference = explanation["other"], explanation["reference"]
    sentences = []
    for metric in explanation["metrics"]:
        d = centre(explanation, metric)
        if d is None or d.get("mean") is None:
            continue
        label = words.label(metric)
        head = f"{label}: {other} − {reference} = {words.interval_text(metric, d)}"
        parts = []
        dec = explanation.get("decomposition")
        if dec and metric in dec["metrics"]:
            levers = main_levers(dec, metric)
            said = ", ".join(f"{lever} {words.amount(metric, v['mean']) if v['mean'] < 0 else '+' + words.amount(metric, v['mean'])}"
                             for lever, v in levers)
            parts.append(f"mostly {said}")
        holds = _robustness(explanation, metric, d)
        sentences.append(f"{head}; " + "; ".join(parts + [holds]))
    return sentences


def _robustness(explanation: dict, metric: str, d: dict) -> str:
    sens = explanation.get("sensitivity", {})
    if not sens:
        return "robustness not examined (no sensitivity run)"
    said = [] if words.clear(d) else ["not a clear difference as written (its interval includes zero)"]
    oat = sens.get("oat")
    if oat and metric in oat["metrics"]:
        rows = oat["metrics"][metric]["parameters"]
        flipping = [r for r in rows if r["flips"]]
        if not words.clear(d):
            pass  # a flip of a difference that may be zero says nothing
        elif not flipping:
            said.append(f"robust one at a time: no change within the {len(rows)} declared ranges flips its sign")
        else:
            where = ", ".join(f"{short(r['path'])} {'<' if _flips_below(r, d['mean']) else '>'} {_g(r['flips'][0])}"
                              + ("" if r["clear_flip"] else " (within noise)") for r in flipping)
            said.append(f"not robust one at a time: flips at {where}")
    for method in ("morris", "sobol"):
        s = sens.get(method)
        if s and metric in s["metrics"]:
            said.append(f"over the {method.capitalize()} sample it {s['metrics'][metric]['rule']['text']}")
    return "; ".join(said) if said else "robustness not examined for this metric"


def _flips_below(row: dict, centre_mean: float) -> bool:
    """Whether the other sign lies below the (first) flip point, rather than above it."""
    low = row["levels"][0].get("mean")
    return low is not None and (low > 0) != (centre_mean > 0)


def _g(value: float) -> str:
    return f"{value:.3g}"

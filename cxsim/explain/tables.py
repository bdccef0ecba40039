"""The terminal tables of ``cxsim explain``: decomposition, one-at-a-time, Morris and Sobol indices."""

from __future__ import annotations

from rich.table import Table

from ..charts import words
from .verdict import short


def _num(metric: str, value: float | None, signed: bool = True) -> str:
    if value is None:
        return ""
    factor, _ = words.scale(metric)
    v = value * factor
    text = f"{v:+.3g}" if signed else f"{v:.3g}"
    return text if abs(v) < 1e4 else f"{v:+,.0f}"


def _ci(metric: str, s: dict) -> str:
    text = _num(metric, s.get("mean"))
    if s.get("ci_low") is not None:
        text += f" [{_num(metric, s['ci_low'], False)}, {_num(metric, s['ci_high'], False)}]"
    return text


def decomposition_table(d: dict) -> tuple[str, Table]:
    metrics = list(d["metrics"])
    how = ("every coalition" if d["method"] == "exact" else
           f"{d['permutations']} sampled orders; ± is the sampling error")
    head = (f"{d['other']} − {d['reference']}, lever by lever (Shapley: {how}; {d['coalitions']} coalitions × "
            f"{d['replications']} replications on common random numbers; mean [95 % CI])")
    table = Table()
    table.add_column("lever")
    table.add_column(f"{d['reference']} → {d['other']}")
    for m in metrics:
        table.add_column(words.axis_label(m), justify="right")
    for lever, (a, b) in d["levers"].items():
        cells = []
        for m in metrics:
            c = d["metrics"][m]["contributions"][lever]
            cell = _ci(m, c)
            if d["method"] != "exact":
                cell += f" ±{_num(m, c['sampling_error'], False)}"
            cells.append(cell)
        table.add_row(lever, f"{_value(a)} → {_value(b)}", *cells)
    table.add_section()
    table.add_row("total", "", *[_ci(m, d["metrics"][m]["total"]) for m in metrics])
    return head, table


def _value(v) -> str:
    return "none" if v is None else (f"{v:g}" if isinstance(v, float) else str(v).lower())


def oat_table(s: dict, metric: str, top: int = 10) -> tuple[str, Table]:
    block = s["metrics"][metric]
    head = (f"{words.label(metric)}: {s['other']} − {s['reference']} one at a time ({s['size']} levels per range, "
            f"{s['replications']} replications each; as written {_ci(metric, block['centre'])})")
    table = Table()
    for column in ("parameter", "range", "at low", "at high", "flips at"):
        table.add_column(column, justify="left" if column == "parameter" else "right")
    for row in block["parameters"][:top]:
        flips = ", ".join(f"{x:.3g}" for x in row["flips"]) or "—"
        if row["flips"] and not row["clear_flip"]:
            flips += " (noise)"
        p = next(q for q in s["parameters"] if q["path"] == row["path"])
        table.add_row(short(row["path"]), f"{p['low']:.3g} – {p['high']:.3g}", _ci(metric, row["low"]),
                      _ci(metric, row["high"]), flips)
    return head, table


def indices_table(s: dict, metric: str) -> tuple[str, Table]:
    block = s["metrics"][metric]
    ix = block["indices"]
    names = [p["path"] for p in s["parameters"]]
    if s["method"] == "morris":
        columns = [("μ*", "mu_star", "mu_star_conf"), ("σ", "sigma", None), ("μ", "mu", None)]
        order = sorted(range(len(names)), key=lambda i: -ix["mu_star"][i]) if ix else []
        what = f"Morris screening, {s['size']} trajectories"
    else:
        columns = [("first order S1", "S1", "S1_conf"), ("total ST", "ST", "ST_conf")]
        order = sorted(range(len(names)), key=lambda i: -ix["ST"][i]) if ix else []
        what = f"Sobol indices, base sample {s['size']}"
    head = (f"{words.label(metric)}: {s['other']} − {s['reference']}, {what} × {s['replications']} replications "
            "(± 95 % bootstrap half-width)")
    table = Table()
    table.add_column("parameter")
    for title, _, _ in columns:
        table.add_column(title, justify="right")
    for i in order:
        cells = []
        for _, key, conf in columns:
            value = ix[key][i]
            cells.append(f"{value:.3g}" + (f" ± {ix[conf][i]:.2g}" if conf else ""))
        table.add_row(short(names[i]), *cells)
    return head, table

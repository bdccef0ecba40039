"""``cxsim plot`` and ``cxsim report``: chart files, and one self-contained HTML page for a speaker."""

from __future__ import annotations

import base64
import html
import io
import json
from pathlib import Path
from typing import Callable, Iterable

from matplotlib.figure import Figure

from .. import __version__
from . import words
from .contacts import failure_demand, journeys
from .figures import policy_comparison, sweep, understanding_gap
from .load import ChartUnavailable, LoadedResults, load_results
from .style import save, talk_style
from .timeline import erosion, over_time

#: Every chart, by the name ``cxsim plot --chart`` takes.
CHARTS: dict[str, Callable[[LoadedResults], tuple[Figure, dict]]] = {
    "understanding_gap": understanding_gap,
    "policy_comparison": policy_comparison,
    "failure_demand": failure_demand,
    "over_time": over_time,
    "erosion": erosion,
    "journeys": journeys,
    "sweep": sweep,
}
FORMATS = ("svg", "png", "pdf")


def _names(charts: Iterable[str] | str) -> tuple[list[str], bool]:
    if isinstance(charts, str):
        charts = [c.strip() for c in charts.split(",") if c.strip()]
    charts = list(charts)
    if not charts or "all" in charts:
        return list(CHARTS), True
    unknown = [c for c in charts if c not in CHARTS]
    if unknown:
        raise ValueError(f"unknown chart {', '.join(map(repr, unknown))}; charts: {', '.join(CHARTS)}, all")
    return charts, False


def plot(folder: str | Path, charts: Iterable[str] | str = ("all",), formats: Iterable[str] | str = FORMATS,
         out: str | Path | None = None) -> list[Path]:
    """Write the named charts of a results folder as ``<out>/<chart>.<format>``; returns the files written.

    ``"all"`` draws every chart the folder has the tables for and skips the others; a chart asked
    for by name that the folder cannot give raises :class:`ChartUnavailable`.
    """
    results = load_results(folder)
    names, everything = _names(charts)
    if isinstance(formats, str):
        formats = [f.strip() for f in formats.split(",") if f.strip()]
    formats = [f.lower().lstrip(".") for f in formats]
    bad = [f for f in formats if f not in FORMATS]
    if bad:
        raise ValueError(f"unknown format {', '.join(map(repr, bad))}; formats: {', '.join(FORMATS)}")
    out = Path(out) if out is not None else Path(folder) / "charts"
    written: list[Path] = []
    for name in names:
        try:
            fig, _ = CHARTS[name](results)
        except ChartUnavailable:
            if everything:
                continue
            raise
        for fmt in formats:
            written.append(save(fig, out / f"{name}.{fmt}"))
    return written


def available(results: LoadedResults) -> dict[str, tuple[Figure, dict] | str]:
    """Each chart drawn, or the reason it is not available for these results."""
    drawn: dict[str, tuple[Figure, dict] | str] = {}
    for name, chart in CHARTS.items():
        try:
            drawn[name] = chart(results)
        except ChartUnavailable as e:
            drawn[name] = str(e)
    return drawn


def _svg(fig: Figure) -> str:
    buffer = io.BytesIO()
    with talk_style():
        fig.savefig(buffer, format="svg", metadata={"Date": None})
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _cell(metric: str, s: dict | None, signed: bool = False) -> str:
    if not s or s.get("mean") is None:
        return ""
    factor, unit = words.scale(metric)
    spec = "+.4g" if signed else ".4g"
    text = f"{s['mean'] * factor:{spec}}"
    if s.get("ci_low") is not None:
        text += f" <span class=ci>[{s['ci_low'] * factor:.4g}, {s['ci_high'] * factor:.4g}]</span>"
    return text


def _summary_table(results: LoadedResults) -> str:
    s = results.summary
    if results.is_sweep:
        axes = list(results.axes)
        metrics = [m for m in ("service_level", "p_abandon", "aht", "occupancy", "contacts_per_need", "nps_true",
                               "cost_per_solved_need")
                   if any(m in b["metrics"] for p in s["points"] for b in p["policies"].values())]
        head = "".join(f"<th>{html.escape(a)}</th>" for a in axes) + "<th>policy</th>" + "".join(
            f"<th>{html.escape(words.axis_label(m))}</th>" for m in metrics)
        rows = []
        for p in s["points"]:
            for policy, block in p["policies"].items():
                rows.append("<tr>" + "".join(f"<td>{p['values'][a]}</td>" for a in axes)
                            + f"<td>{html.escape(policy)}</td>"
                            + "".join(f"<td>{_cell(m, block['metrics'].get(m))}</td>" for m in metrics) + "</tr>")
        return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    policies = list(s["policies"])
    diffs = list(s.get("differences", {}))
    metrics = list(dict.fromkeys(m for p in policies for m in s["policies"][p]["metrics"]))
    head = "<th>metric</th>" + "".join(f"<th>{html.escape(p)}</th>" for p in policies) + "".join(
        f"<th>{html.escape(d)}<br><span class=ci>paired difference</span></th>" for d in diffs)
    rows = []
    for m in metrics:
        cells = [f"<td>{_cell(m, s['policies'][p]['metrics'].get(m))}</td>" for p in policies]
        cells += [f"<td class='{'clear' if words.clear(s['differences'][d].get(m)) else 'unclear'}'>"
                  f"{_cell(m, s['differences'][d].get(m), signed=True)}</td>" for d in diffs]
        rows.append(f"<tr><th scope=row>{html.escape(words.axis_label(m))}</th>{''.join(cells)}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


CSS = """
body { font-family: "DejaVu Sans", Arial, Helvetica, sans-serif; color: #222; margin: 2rem auto; max-width: 1200px;
       padding: 0 1rem; line-height: 1.4; }
h1 { font-size: 1.8rem; margin-bottom: .2rem; } h2 { margin-top: 2.5rem; border-bottom: 1px solid #ddd; }
.meta { color: #555; } .ci { color: #777; font-size: .85em; }
figure { margin: 1.5rem 0; page-break-inside: avoid; break-inside: avoid; }
figure img { width: 100%; height: auto; display: block; border: 1px solid #eee; }
figcaption { color: #555; font-size: .9rem; }
table { border-collapse: collapse; font-size: .85rem; width: 100%; }
th, td { border-bottom: 1px solid #e5e5e5; padding: .25rem .5rem; text-align: right; vertical-align: top; }
th[scope=row], thead th:first-child { text-align: left; } td.unclear { color: #999; }
pre { background: #f7f7f7; padding: 1rem; font-size: .75rem; overflow-x: auto; white-space: pre-wrap; }
.missing { color: #777; font-size: .9rem; }
@media print { body { margin: 0; max-width: none; } h2 { page-break-after: avoid; }
               pre { white-space: pre-wrap; } table { page-break-inside: auto; } tr { page-break-inside: avoid; } }
"""

# Marks each chart visible or not once the page has loaded (and says so on the console when one is not).
SCRIPT = """
window.addEventListener("load", function () {
  var charts = document.querySelectorAll("img.chart"), ok = 0;
  charts.forEach(function (img) {
    var box = img.getBoundingClientRect();
    var visible = img.complete && img.naturalWidth > 0 && box.width > 0 && box.height > 0;
    img.setAttribute("data-visible", visible ? "yes" : "no");
    if (visible) { ok += 1; } else { console.error("chart not visible: " + img.alt); }
  });
  document.body.setAttribute("data-charts-visible", ok + "/" + charts.length);
});
"""


def report_html(results: LoadedResults, explanation: dict | None = None) -> str:
    """The report page as a string: charts inline (SVG as data URIs), summary table, scenario, version and seed;
    with an explanation (``cxsim explain``), its "Why, and how sure" section."""
    from .explain_section import explain_section
    s = results.summary
    figures, missing = [], []
    for name, drawn in available(results).items():
        if isinstance(drawn, str):
            missing.append(f"<li><b>{html.escape(name)}</b>: {html.escape(drawn)}</li>")
            continue
        fig, values = drawn
        width, height = (int(round(v)) for v in fig.get_size_inches() * 72)
        data = _svg(fig)
        title = html.escape(values.get("title", name))
        figures.append(f'<figure id="{name}"><img class="chart" alt="{title}" width="{width}" height="{height}" '
                       f'src="data:image/svg+xml;base64,{data}"><figcaption>{html.escape(name)} — '
                       f"<code>cxsim plot {html.escape(str(results.folder))} --chart {name}</code></figcaption>"
                       f"</figure>")
    kind = "sweep" if results.is_sweep else "run"
    policies = ", ".join(results.policies)
    missing_html = (f"<p class=missing>Not drawn for this folder:</p><ul class=missing>{''.join(missing)}</ul>"
                    if missing else "")
    scenario = json.dumps(results.scenario, indent=2, ensure_ascii=False)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="cxsim {html.escape(__version__)}">
<title>{html.escape(results.name)} — cxsim report</title>
<style>{CSS}</style>
</head>
<body>
<h1>{html.escape(results.name)}</h1>
<p class=meta>cxsim {html.escape(__version__)} · seed {html.escape(str(s.get('seed')))} ·
{html.escape(str(s.get('replications')))} replications on common random numbers · engine
{html.escape(str(s.get('engine')))} · {kind} · policies: {html.escape(policies)}</p>
<h2>Charts</h2>
{''.join(figures)}
{missing_html}
{explain_section(explanation) if explanation else ""}
<h2>Summary</h2>
<p class=meta>Mean and 95 % confidence interval over replications; differences are paired
(common random numbers) and shown grey when their interval includes zero.</p>
{_summary_table(results)}
<h2>Scenario as run</h2>
<pre>{html.escape(scenario)}</pre>
<script>{SCRIPT}</script>
</body>
</html>
"""


def report(folder: str | Path, out: str | Path | None = None) -> Path:
    """Write one self-contained HTML report of a results folder (default ``<folder>/report.html``), with the
    explanation of ``<folder>-explain`` (``cxsim explain``'s default folder) when there is one."""
    results = load_results(folder)
    out = Path(out) if out is not None else Path(folder) / "report.html"
    if out.suffix.lower() not in (".html", ".htm"):
        out = out / "report.html"
    out.parent.mkdir(parents=True, exist_ok=True)
    from ..explain.output import load as load_explanation
    out.write_text(report_html(results, load_explanation(folder)), encoding="utf-8")
    return out

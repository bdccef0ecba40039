"""``cxsim plot`` and ``cxsim report``: chart files, and one self-contained HTML page for a speaker."""

from __future__ import annotations

import base64
import io
from pathlib import Path
from typing import Callable, Iterable

from matplotlib.figure import Figure

from .. import __version__
from . import words
from .contacts import failure_demand, journeys
from .figures import policy_comparison, sweep, understanding_gap
from .lag import lag
from .load import ChartUnavailable, LoadedResults, load_results
from .measurement import measurement
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
    "measurement": measurement,
    "lag": lag,
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
         out: str | Path | None = None, metric: str | None = None,
         skipped: list[tuple[str, str]] | None = None) -> list[Path]:
    """Write the named charts of a results folder as ``<out>/<chart>.<format>``; returns the files written.

    ``"all"`` draws every chart the folder has the tables for and skips the others, adding
    (chart, reason) to ``skipped`` so the caller can say so; a chart asked for by name that the
    folder cannot give raises :class:`ChartUnavailable`. ``metric`` is the sweep chart's metric.
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
    # Draw every chart first, write none until all are drawn: a chart that cannot be drawn (or a
    # bad argument) leaves no half set of files behind.
    drawn: list[tuple[str, Figure]] = []
    for name in names:
        try:
            fig, _ = CHARTS[name](results, metric) if name == "sweep" and metric else CHARTS[name](results)
        except ChartUnavailable as exc:
            if everything:
                if skipped is not None:
                    skipped.append((name, str(exc)))
                continue
            raise
        drawn.append((name, fig))
    return [save(fig, out / f"{name}.{fmt}") for name, fig in drawn for fmt in formats]


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


def _summary_rows(results: LoadedResults) -> dict:
    """The summary table as text cells, numbers formatted as the terminal prints them."""
    from ..terminal import SPLIT_NOTE, SWEEP_METRICS, fmt, split_text

    def cell(metric: str, s: dict | None, difference: bool = False) -> dict:
        if not s or s.get("mean") is None:
            return {"text": "", "unclear": False}
        if split_text(metric, s):  # two groups of replications: the share in each, not a mean
            return {"text": split_text(metric, s), "unclear": False}
        if s.get("ci_low") is None:
            return {"text": fmt(metric, s["mean"]), "unclear": difference}
        like = s["mean"]
        if difference:
            text = f"{fmt(metric, s['mean'])} [{fmt(metric, s['ci_low'], like)}, {fmt(metric, s['ci_high'], like)}]"
            return {"text": text, "unclear": not words.clear(s)}
        half = (s["ci_high"] - s["ci_low"]) / 2
        return {"text": f"{fmt(metric, s['mean'])} ± {fmt(metric, half, like)}", "unclear": False}

    s = results.summary
    if results.is_sweep:
        axes = list(results.axes)
        metrics = [m for m in SWEEP_METRICS
                   if any(m in b["metrics"] for p in s["points"] for b in p["policies"].values())]
        rows = [[{"text": str(p["values"][a]), "unclear": False} for a in axes] + [{"text": policy, "unclear": False}]
                + [cell(m, block["metrics"].get(m)) for m in metrics]
                for p in s["points"] for policy, block in p["policies"].items()]
        return {"sweep": True, "head": axes + ["policy"] + [words.label(m) for m in metrics], "rows": rows}
    policies = list(s["policies"])
    diffs = list(s.get("differences", {}))
    metrics = list(dict.fromkeys(m for p in policies for m in s["policies"][p]["metrics"]))
    rows = []
    for m in metrics:
        rows.append([{"text": words.label(m), "unclear": False}]
                    + [cell(m, s["policies"][p]["metrics"].get(m)) for p in policies]
                    + [cell(m, s["differences"][d].get(m), difference=True) for d in diffs])
    note = SPLIT_NOTE if any(c["text"].startswith("split: ") for row in rows for c in row) else ""
    return {"sweep": False, "head": ["metric", *policies, *(f"{d} (paired difference)" for d in diffs)], "rows": rows,
            "note": note}


CSS = """
body { font-family: "DejaVu Sans", Arial, Helvetica, sans-serif; color: #222; margin: 2rem auto; max-width: 1200px;
       padding: 0 1rem; line-height: 1.4; }
h1 { font-size: 1.8rem; margin-bottom: .2rem; } h2 { margin-top: 2.5rem; border-bottom: 1px solid #ddd; }
.meta { color: #555; } .ci { color: #777; font-size: .85em; } .description { font-size: 1.15rem; }
tr.same td { color: #777; } ul.interventions { font-size: .9rem; }
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


def _template():
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

    env = Environment(loader=PackageLoader("cxsim", "charts"), autoescape=select_autoescape(["j2", "html"]),
                      undefined=StrictUndefined, trim_blocks=False)
    return env.get_template("report.html.j2")


def report_html(results: LoadedResults, explanation: dict | None = None) -> str:
    """The report page as a string: charts inline (SVG as data URIs), the policies' levers, the summary
    table, the scenario as run in YAML, version and seed; with an explanation (``cxsim explain``), its
    "Why, and how sure" section.

    Built from a Jinja2 template with autoescaping: every value from the results folder (names,
    descriptions, swept values) is escaped; only the page's own CSS and script are marked safe.
    """
    from markupsafe import Markup

    from .explain_section import explain_section
    from .handout import lever_table, scenario_yaml

    s = results.summary
    figures, missing = [], []
    for name, drawn in available(results).items():
        if isinstance(drawn, str):
            missing.append((name, drawn))
            continue
        fig, values = drawn
        width, height = (int(round(v)) for v in fig.get_size_inches() * 72)
        figures.append({"name": name, "title": values.get("title", name), "width": width, "height": height,
                        "data": _svg(fig)})
    levers = None
    text = ""
    if results.scenario:
        try:
            names, rows, steps = lever_table(results.scenario, results.policies)
            levers = {"policies": names, "rows": rows, "interventions": steps}
        except (ValueError, KeyError, TypeError):
            levers = None  # a scenario.json cxsim cannot read back: the YAML below still shows it
        text = scenario_yaml(results.scenario)
    return _template().render(
        version=__version__, name=results.name, description=(results.scenario or {}).get("description", ""),
        seed=s.get("seed"), replications=s.get("replications"), engine=s.get("engine"),
        kind="sweep" if results.is_sweep else "run", policies=results.policies, levers=levers,
        figures=figures, missing=missing, folder=str(results.folder), table=_summary_rows(results),
        scenario_yaml=text, css=Markup(CSS), script=Markup(SCRIPT),
        explanation=Markup(explain_section(explanation)) if explanation else "")


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

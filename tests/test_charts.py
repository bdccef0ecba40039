"""The seminar charts are right, not just drawn: plotted values, titles, text inside the figure, files."""

from __future__ import annotations

import json
import re
import struct
import xml.etree.ElementTree as ET

import matplotlib
import numpy as np
import pandas as pd
import pytest

import cxsim
from cxsim import Scenario
from cxsim.charts import CHARTS, ChartUnavailable, load_results, plot, report
from cxsim.charts import words
from cxsim.charts.style import OKABE_ITO, STYLE, overflowing, talk_style

from helpers import SCENARIOS

pytestmark = pytest.mark.slow  # draws every chart from real runs of several scenarios

WEEK = 7 * 24 * 60.0


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    """Small real runs: the demand spike (with every table), two identical policies, a compare-like
    folder (no tables) and a one-lever sweep."""
    root = tmp_path_factory.mktemp("charts")
    spike = cxsim.load_scenario(SCENARIOS / "demand_spike.yaml")
    short = spike.model_copy(update={"horizon": 5 * WEEK, "warmup": 1 * WEEK})
    out = {}
    out["run"] = cxsim.run(short, replications=2).write(root / "run")
    data = spike.model_dump()
    data["policies"] = {"a": {}, "b": {}}
    same = Scenario.model_validate(data).model_copy(update={"horizon": 2 * WEEK, "warmup": 1 * WEEK})
    out["same"] = cxsim.run(same, replications=2).write(root / "same")
    out["compare"] = cxsim.run(short.model_copy(update={"horizon": 2 * WEEK}), replications=2,
                               keep_tables=False).write(root / "compare")
    out["sweep"] = cxsim.run(short.model_copy(update={"horizon": 2 * WEEK}), replications=2, policies=["pinned"],
                             sets=["teams.agents.agents=9,11"]).write(root / "sweep")
    # Three policies, the third carrying an intervention (more agents from day 10).
    data = spike.model_dump()
    data["policies"] = {"eroding": {"standard": "eroding"}, "pinned": {"standard": "pinned"},
                        "late": {"interventions": [{"at": 10 * 1440.0, "set": {"staffing": 1.3}}]}}
    three = Scenario.model_validate(data).model_copy(update={"horizon": 2 * WEEK, "warmup": 1 * WEEK})
    out["three"] = cxsim.run(three, replications=2).write(root / "three")
    return out


def _summary(folder):
    return json.loads((folder / "summary.json").read_text())


def _title(fig) -> str:
    return fig._suptitle.get_text().replace("\n", " ")


def _numbers(text: str) -> list[float]:
    return [float(x.replace(",", "")) for x in re.findall(r"\d[\d,]*\.?\d*", text)]


# --- plotted values equal the summary's ------------------------------------------------------------------

@pytest.mark.parametrize("chart", ["understanding_gap", "policy_comparison"])
def test_plotted_values_equal_the_summary(folders, chart):
    r = load_results(folders["run"])
    summary = _summary(folders["run"])
    fig, values = CHARTS[chart](r)
    assert values["policies"], "nothing plotted"
    for policy, metrics in values["policies"].items():
        for metric, v in metrics.items():
            s = summary["policies"][policy]["metrics"][metric]
            assert v["mean"] == s["mean"] and v["ci_low"] == s["ci_low"] and v["ci_high"] == s["ci_high"]
            # ... and the artist on the axes sits there: the dot at mean × the unit's scale, bars at the CI.
            container = next(c for ax in fig.axes for c in ax.containers
                             if getattr(c, "get_gid", lambda: None)() == f"{metric}:{policy}"
                             or (c.lines[0] is not None and c.lines[0].get_gid() == f"{metric}:{policy}"))
            y = container.lines[0].get_ydata()[0]
            assert y == pytest.approx(s["mean"] * v["scale"])
            segments = container.lines[2][0].get_segments()[0]
            assert sorted(segments[:, 1]) == pytest.approx(sorted([s["ci_low"] * v["scale"], s["ci_high"] * v["scale"]]))


def test_sweep_plots_each_points_mean_and_interval(folders):
    r = load_results(folders["sweep"])
    summary = _summary(folders["sweep"])
    fig, values = CHARTS["sweep"](r)
    metric = values["metric"]
    assert metric == "service_level"
    factor, _ = words.scale(metric)
    line = next(l for ax in fig.axes for l in ax.lines if l.get_gid() == f"{metric}:pinned")
    expected = sorted((p["values"]["teams.agents.agents"], p["policies"]["pinned"]["metrics"][metric]["mean"])
                      for p in summary["points"])
    assert list(line.get_xdata()) == [x for x, _ in expected]
    assert list(line.get_ydata()) == pytest.approx([m * factor for _, m in expected])


def test_failure_demand_counts_come_from_the_encounters(folders):
    r = load_results(folders["run"])
    fig, values = CHARTS["failure_demand"](r)
    enc = pd.read_parquet(folders["run"] / "encounters.parquet")
    warmup = r.warmup_minutes()
    e = enc[(enc["arrived"] >= warmup) & (enc["outcome"].astype(str) != "open")]
    for policy, counts in values["counts"].items():
        rows = e[e["policy"] == policy]
        for kind, count in counts.items():
            assert count == pytest.approx((rows["kind"].astype(str) == kind).sum() / 2)
        share = 1 - counts["first"] / sum(counts.values())
        assert share == pytest.approx((rows["kind"].astype(str) != "first").mean())


def test_over_time_nps_is_promoters_minus_detractors_over_journeys(folders):
    r = load_results(folders["run"])
    fig, values = CHARTS["over_time"](r)
    daily = pd.read_parquet(folders["run"] / "daily.parquet")
    policy = r.policies[0]
    series = values["series"]["nps"][policy]
    per_rep = []
    for _, d in daily[daily["policy"] == policy].sort_values("day").groupby("replication"):
        net = (d["promoters"] - d["detractors"]).rolling(7, min_periods=1).sum()
        ended = d["journeys_ended"].rolling(7, min_periods=1).sum()
        per_rep.append((net / ended * 100).to_numpy())
    assert series["mean"] == pytest.approx(np.mean(per_rep, axis=0), nan_ok=True)
    # warm-up shaded from 0 to its end; the title is the summary's NPS finding
    assert values["metric"] == "nps_true"


# --- titles state the finding -----------------------------------------------------------------------------

def test_title_number_is_the_paired_difference(folders):
    r = load_results(folders["run"])
    summary = _summary(folders["run"])
    fig, values = CHARTS["policy_comparison"](r)
    (name, block), = summary["differences"].items()
    metric = values["title_metric"]
    d = block[metric]
    title = _title(fig)
    if words.clear(d):
        factor, _ = words.scale(metric)
        shown = _numbers(title.split(" by ", 1)[1])[0]
        assert shown == pytest.approx(abs(d["mean"]) * factor, rel=0.05, abs=0.05)
        assert ("raises" if d["mean"] > 0 else "lowers") in title
        assert "no clear difference" not in title.lower()
    else:
        assert "no clear difference" in title.lower()


def test_words_follow_the_interval():
    assert words.finding("nps_true", "encounter", "efficiency", {"mean": 41.3, "ci_low": 40.7, "ci_high": 42.3}) \
        == "encounter raises NPS by 41 points compared with efficiency"
    assert words.finding("aht", "b", "a", {"mean": -0.5, "ci_low": -0.9, "ci_high": -0.1}) \
        == "b lowers average handle time by 0.50 min compared with a"
    crossing = {"mean": 3.0, "ci_low": -1.0, "ci_high": 7.0}
    assert words.finding("nps_true", "b", "a", crossing).startswith("No clear difference in NPS")
    assert not words.clear({"mean": 0.0, "ci_low": 0.0, "ci_high": 0.0})
    assert not words.clear({"mean": 1.0, "ci_low": None, "ci_high": None})


@pytest.mark.parametrize("chart", ["understanding_gap", "policy_comparison", "failure_demand", "journeys",
                                   "over_time"])
def test_identical_policies_give_no_clear_difference(folders, chart):
    summary = _summary(folders["same"])
    d = summary["differences"]["b-a"]["nps_true"]
    assert d["mean"] == 0 and d["ci_low"] == 0 and d["ci_high"] == 0
    fig, values = CHARTS[chart](load_results(folders["same"]))
    title = _title(fig)
    assert "no clear difference" in title.lower(), title
    assert "raises" not in title and "lowers" not in title


def test_erosion_title_matches_its_computed_change(folders):
    fig, values = CHARTS["erosion"](load_results(folders["run"]))
    title = _title(fig)
    for policy, ci in values["change"].items():
        assert f"{policy}:" in title.lower() or f"{policy}:" in title
        if words.clear(ci):
            assert f"{words.number(abs(ci['mean']) * 100)} %" in title


# --- the figure itself ------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def drawn(folders):
    """Every chart that each folder supports, drawn once."""
    out = []
    for kind in ("run", "sweep", "same", "three"):
        r = load_results(folders[kind])
        for name, chart in CHARTS.items():
            try:
                fig, values = chart(r)
            except ChartUnavailable:
                continue
            out.append((kind, name, fig))
    return out
    

def test_every_chart_renders_from_a_run_and_a_sweep(drawn):
    names = {name for kind, name, _ in drawn if kind == "run"}
    assert names == set(CHARTS) - {"sweep", "measurement", "lag"}  # no management; wellbeing off: no lag
    assert ("sweep", "sweep") in {(k, n) for k, n, _ in drawn}


def test_no_text_overflows_the_figure(drawn):
    for kind, name, fig in drawn:
        fig.canvas.draw()
        out = overflowing(fig)
        assert not out, f"{kind}/{name}: text outside the figure: {[t.get_text() for t in out]}"


def test_titles_are_left_aligned_and_16_9(drawn):
    for _, name, fig in drawn:
        assert fig._suptitle.get_ha() == "left" and fig._suptitle.get_position()[0] < 0.02
        w, h = fig.get_size_inches()
        assert w / h == pytest.approx(16 / 9, rel=0.01)


def test_style_file_ships_and_uses_okabe_ito():
    text = STYLE.read_text()
    assert "svg.fonttype: none" in text and "pdf.fonttype: 42" in text
    with talk_style():
        cycle = [c.upper() for c in matplotlib.rcParams["axes.prop_cycle"].by_key()["color"]]
        assert not matplotlib.rcParams["axes.spines.top"] and not matplotlib.rcParams["axes.spines.right"]
    assert {"#" + c.lstrip("#") for c in cycle} == {c.upper() for c in OKABE_ITO.values()}


def test_files_svg_text_pdf_fonts_png_16_9(folders, tmp_path):
    files = plot(folders["run"], ["policy_comparison"], out=tmp_path)
    assert sorted(p.name for p in files) == ["policy_comparison.pdf", "policy_comparison.png",
                                             "policy_comparison.svg"]
    svg = (tmp_path / "policy_comparison.svg").read_text()
    root = ET.fromstring(svg)
    texts = [e for e in root.iter() if e.tag.endswith("}text") or e.tag == "text"]
    assert texts, "SVG has no <text>: text was converted to paths"
    assert any("NPS" in "".join(t.itertext()) for t in texts)
    pdf = (tmp_path / "policy_comparison.pdf").read_bytes()
    assert b"/FontFile2" in pdf, "PDF fonts are not embedded as TrueType"
    png = (tmp_path / "policy_comparison.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    assert width / height == pytest.approx(16 / 9, rel=0.01) and width >= 1900


def test_plot_all_skips_what_a_compare_folder_cannot_give(folders, tmp_path):
    files = plot(folders["compare"], ["all"], formats=["png"], out=tmp_path)
    assert {p.stem for p in files} == {"understanding_gap", "policy_comparison"}
    with pytest.raises(ChartUnavailable, match="encounters.parquet"):
        plot(folders["compare"], ["failure_demand"], formats=["png"], out=tmp_path)
    with pytest.raises(ChartUnavailable, match="daily.parquet"):
        plot(folders["compare"], ["over_time"], formats=["png"], out=tmp_path)
    with pytest.raises(ValueError, match="unknown chart"):
        plot(folders["compare"], ["nope"], out=tmp_path)
    default = plot(folders["sweep"], "sweep", formats="svg")
    assert default == [folders["sweep"] / "charts" / "sweep.svg"] and default[0].exists()


def test_report_is_one_self_contained_page(folders, tmp_path):
    page = report(folders["run"], tmp_path / "report.html")
    html = page.read_text()
    assert list(tmp_path.iterdir()) == [page]
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html), "external reference"
    assert "http://" not in html.replace("http://www.w3.org", "") and "https://" not in html
    assert html.count('class="chart"') == len(CHARTS) - 3   # every chart but the sweep, management's and the lag
    assert f"cxsim {cxsim.__version__}" in html and f"seed {_summary(folders['run'])['seed']}" in html
    assert "Scenario as run" in html and "demand_spike" in html
    for metric in ("nps_true", "aht"):
        assert words.label(metric) in html
    sweep_page = report(folders["sweep"], tmp_path / "sweep.html").read_text()
    assert sweep_page.count('class="chart"') == 1


# --- titles agree with their panels; labels that do not collide; which way is better -----------------------

def test_journeys_title_is_computed_from_the_panel_means(folders):
    fig, values = CHARTS["journeys"](load_results(folders["run"]))
    title = _title(fig)
    base, other = "eroding", "pinned"
    a, b = values["contacts"][other]["mean"], values["contacts"][base]["mean"]
    assert f"{b:.2f} → {a:.2f} contacts per ended journey" in title
    panel = [t.get_text() for t in fig.axes[0].texts]
    assert f"{base}: mean {b:.2f}" in panel and f"{other}: mean {a:.2f}" in panel
    d = values["difference"]
    assert d["mean"] == pytest.approx(a - b)  # the paired difference of the same per-replication means
    if words.clear(d):
        assert words.amount("contacts_per_need", abs(a - b)) in title


def _text_boxes(ax):
    renderer = ax.figure.canvas.get_renderer()
    texts = [t for t in ax.texts + [c for c in ax.get_children() if c.__class__.__name__ == "Annotation"]
             if t.get_visible() and t.get_text().strip()]
    texts += [t for t in (ax.title, ax._left_title, ax._right_title) if t.get_text().strip()]
    unique = list({id(t): t for t in texts}.values())
    return [(t.get_text(), t.get_window_extent(renderer)) for t in unique]


def test_labels_inside_a_panel_do_not_overlap(drawn):
    collisions = []
    for kind, name, fig in drawn:
        fig.canvas.draw()
        for ax in fig.axes:
            if not ax.get_visible():
                continue
            boxes = _text_boxes(ax)
            for i, (ta, a) in enumerate(boxes):
                for tb, b in boxes[i + 1:]:
                    if a.width and b.width and a.x0 < b.x1 - 1 and b.x0 < a.x1 - 1 and a.y0 < b.y1 - 1 and b.y0 < a.y1 - 1:
                        collisions.append((kind, name, ta, tb))
    assert not collisions, collisions


@pytest.mark.parametrize("chart", ["understanding_gap", "policy_comparison"])
def test_each_panel_says_which_way_is_better_and_starts_at_zero(folders, chart):
    fig, values = CHARTS[chart](load_results(folders["run"]))
    for ax in fig.axes:
        if not ax.get_visible() or not ax.get_title():
            continue
        metric = next(m for m in words.LABELS if ax.get_title().startswith(words.axis_label(m)))
        assert ax.get_title().endswith("↑") == (metric in words.HIGHER_IS_BETTER)
        assert ax.get_title().endswith("↓") == (metric in words.LOWER_IS_BETTER)
        low, high = ax.get_ylim()
        assert low <= 0 <= high, (metric, low, high)
    assert words.BETTER_KEY in fig._supxlabel.get_text().replace("\n", " ")


def test_over_time_title_names_the_policy_that_carries_the_intervention(folders):
    fig, values = CHARTS["over_time"](load_results(folders["three"]))
    title = _title(fig)
    lowered = title.lower()  # the policy's name may begin the sentence
    assert "late" in lowered and "eroding" in lowered and "pinned" not in lowered


def test_sweep_chart_takes_any_metric_and_spaces_durations_by_value(folders, tmp_path):
    from cxsim.charts.figures import lever_positions

    assert lever_positions(["3 min", "5 min", "8 min"]) == ([3.0, 5.0, 8.0], "min")
    assert lever_positions([9, 11]) == ([9.0, 11.0], "")
    assert lever_positions(["weakest", "mean"]) == (None, "")
    r = load_results(folders["sweep"])
    fig, values = CHARTS["sweep"](r, "contacts_per_need")
    assert values["metric"] == "contacts_per_need" and _title(fig).startswith("Contacts per need")
    low, high = fig.axes[0].get_ylim()
    assert low <= 0.0 <= high  # the value axis includes zero: a small change is not drawn large
    files = plot(folders["sweep"], "sweep", formats="svg", out=tmp_path, metric="aht")
    assert files == [tmp_path / "sweep.svg"]
    with pytest.raises(ChartUnavailable, match="no metric 'nope'"):
        CHARTS["sweep"](r, "nope")


def test_plot_all_says_which_charts_it_skipped_and_why(folders, tmp_path):
    skipped = []
    plot(folders["compare"], "all", formats="png", out=tmp_path, skipped=skipped)
    reasons = dict(skipped)
    assert set(reasons) == {"failure_demand", "over_time", "erosion", "journeys", "sweep", "measurement", "lag"}
    assert "encounters.parquet" in reasons["failure_demand"] and "sweep" in reasons["sweep"]
    assert "daily.parquet" in reasons["lag"]


def test_failure_demand_title_is_the_difference_of_the_shares_printed_beside_the_bars(folders):
    """The title's paired difference and the two shares the panel prints are one set of numbers."""
    r = load_results(folders["run"])
    fig, values = CHARTS["failure_demand"](r)
    printed = [t.get_text() for t in fig.axes[0].texts if "failure demand" in t.get_text()]
    shares = values["shares"]
    assert sorted(printed) == sorted(f"{shares[p] * 100:.0f} % failure demand" for p in r.policies)
    d = values["difference"]
    other, base = [p for p in r.policies if p != r.policies[0]][0], r.policies[0]
    assert d["mean"] == pytest.approx(shares[other] - shares[base])

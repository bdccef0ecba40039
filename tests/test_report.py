"""The report is a handout: the scenario's description, the levers each policy ran with, the
scenario in YAML with units, numbers as the terminal prints them — and nothing from a results
folder can put markup or script into the page (Jinja2 with autoescape)."""

from __future__ import annotations

import json
import re

import pytest
from ruamel.yaml import YAML

import cxsim
from cxsim.charts import report
from cxsim.charts.handout import duration, rate
from cxsim.scenario.units import parse_duration, parse_rate
from cxsim.terminal import fmt
from helpers import SCENARIOS

SCRIPT = "<script>alert('x')</script>"


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    root = tmp_path_factory.mktemp("report")
    text = (SCENARIOS / "erlang_a.yaml").read_text(encoding="utf-8").replace("horizon: 8 h", "horizon: 90 min")
    text = text.replace("warmup: 1 h", "warmup: 10 min")
    path = root / "s.yaml"
    path.write_text(text + f'description: "Two policies <b>compared</b> {SCRIPT}"\n'
                    "policies: [efficiency, encounter]\n", encoding="utf-8")
    scenario = cxsim.load_scenario(path)
    run = cxsim.run(scenario, replications=2).write(root / "run")
    sweep = cxsim.run(scenario, replications=2, policies=["efficiency"],
                      sets=[f"description={SCRIPT},plain"]).write(root / "sweep")
    return {"run": run, "sweep": sweep, "pages": {}}


def page(folders, kind: str) -> str:
    """The report of a folder, written once per test module (drawing the charts takes seconds)."""
    if kind not in folders["pages"]:
        folders["pages"][kind] = report(folders[kind]).read_text(encoding="utf-8")
    return folders["pages"][kind]


@pytest.mark.parametrize("kind", ["run", "sweep"])
def test_no_markup_from_the_results_reaches_the_page(folders, kind):
    html = page(folders, kind)
    assert html.count("<script") == 1  # the page's own, which only marks charts visible
    assert "<script>alert" not in html and "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html
    assert "<b>compared</b>" not in html


def test_a_swept_description_is_escaped_in_the_summary_table(folders):
    html = page(folders, "sweep")
    table = html.split('<table class=summary>')[1].split("</table>")[0]
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in table


def test_the_description_is_shown(folders):
    assert '<p class=description>Two policies &lt;b&gt;compared&lt;/b&gt;' in page(folders, "run")


def test_the_policy_levers_show_the_built_in_defaults(folders):
    html = page(folders, "run")
    levers = html.split("<table class=levers>")[1].split("</table>")[0]
    cells = lambda label: re.search(rf"<th scope=row>{label}</th>(.*?)</tr>", levers).group(1)  # noqa: E731
    assert re.findall(r"<td>(.*?)</td>", cells("handle-time target")) == ["p80", "none"]
    assert re.findall(r"<td>(.*?)</td>", cells(r"staffing \(× head count\)")) == ["× 0.85", "× 1"]
    assert re.findall(r"<td>(.*?)</td>", cells("ownership")) == ["no", "yes"]
    # scenario.json says what ran too: no lever left null where a built-in default applies.
    policies = json.loads((folders["run"] / "scenario.json").read_text())["policies"]
    assert policies["efficiency"]["staffing"] == 0.85 and policies["encounter"]["ownership"] is True
    assert policies["efficiency"]["handle_time_target"] == "p80"


def test_the_scenario_is_yaml_with_units_that_reads_back_to_the_same_numbers(folders):
    html = page(folders, "run")
    text = html.split("<pre>")[1].split("</pre>")[0]
    import html as html_module

    data = YAML(typ="safe").load(html_module.unescape(text))
    as_run = json.loads((folders["run"] / "scenario.json").read_text())
    assert data["horizon"] == "90 min" and parse_duration(data["horizon"]) == as_run["horizon"]
    assert parse_rate(data["demand"]["open"]["rate"]) == pytest.approx(as_run["demand"]["open"]["rate"], rel=1e-3)
    assert "e-0" not in text  # no scientific notation


@pytest.mark.parametrize("minutes,text", [(131040.0, "13 w"), (10080.0, "1 w"), (1440.0, "1 d"), (90.0, "90 min"),
                                          (1 / 3, "20 s"), (0.0, "0"), (7.5, "7.5 min")])
def test_durations_take_the_largest_round_unit(minutes, text):
    assert duration(minutes) == text and (minutes == 0 or parse_duration(text) == pytest.approx(minutes))


@pytest.mark.parametrize("per_minute,text", [(1 / 43200, "1 /30d"), (200 / 60, "3.333 /min"), (0.5 / 60, "12 /d")])
def test_rates_take_the_shortest_period_with_one_arrival(per_minute, text):
    assert rate(per_minute) == text and parse_rate(text) == pytest.approx(per_minute, rel=1e-3)


def test_summary_numbers_are_formatted_as_the_terminal_prints_them(folders):
    html = page(folders, "run")
    summary = json.loads((folders["run"] / "summary.json").read_text())
    for metric in ("contacts_handled", "mean_wait", "aht"):
        s = summary["policies"]["efficiency"]["metrics"][metric]
        half = (s["ci_high"] - s["ci_low"]) / 2
        assert f"{fmt(metric, s['mean'])} ± {fmt(metric, half, s['mean'])}" in html
    assert not re.search(r"\d\.\d+e[-+]\d", html.split("<table class=summary>")[1].split("</table>")[0])

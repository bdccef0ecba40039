"""The measurement chart draws FCR as measured beside the true FCR when a policy watches it (issue 13).

Oracles: the plotted values are the reviews table's (``reviews.parquet``, read here on its own), read back
from the figure's lines, not its pixels; which lines appear follows the rules of the scenario as run; a
run whose management watches no FCR gets the four panels it had before; the title's gaps are the mean
differences measured − true of the same table, and the tick-box (which ticks every solved contact)
reads above the truth.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import cxsim
from cxsim.charts import CHARTS, load_results
from cxsim.charts import words
from cxsim.charts.measurement import PANELS
from cxsim.charts.style import overflowing

from helpers import small_phone_centre

WEEK = 7 * 1440.0

SCENARIO = """
name: fcr_chart
seed: 11
replications: 2
horizon: 5 w
warmup: 1 w
mechanisms: {{handling: on, erosion: off, wellbeing: off, experience: on, loyalty: off}}
policies:
{policies}
{centre}"""


def _policy(name: str, rules: list[str]) -> str:
    lines = [f"  {name}:", "    extends: baseline", "    handle_time_target: 6 min", "    overrun: close",
             "    management:", "      rules:"]
    lines += [f"        - {{{rule}}}" for rule in rules]
    return "\n".join(lines)


TICKBOX = "kpi: fcr_tickbox, target: 0.9, lever: handle_time_target, step: 5.0"
REPEAT = "kpi: fcr_repeat, target: 0.9, lever: handle_time_target, step: 5.0"
AHT = "kpi: aht, target: 4.0, lever: handle_time_target, step: -0.8"
NPS = "kpi: nps, target: 40, lever: empathy_time, step: 0.01"


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    """Two small real runs: one where policies watch FCR (by tick-box, by repeat, both, and one AHT only),
    one where management watches AHT and NPS only."""
    root = tmp_path_factory.mktemp("fcr_chart")
    out = {}
    for kind, policies in {
        "fcr": [_policy("by_tickbox", [TICKBOX]), _policy("by_repeat", [REPEAT]),
                _policy("by_both", [TICKBOX, REPEAT]), _policy("by_aht", [AHT])],
        "plain": [_policy("by_aht", [AHT]), _policy("by_nps", [NPS])],
    }.items():
        path = root / f"{kind}.yaml"
        path.write_text(SCENARIO.format(policies="\n".join(policies), centre=small_phone_centre()))
        out[kind] = cxsim.run(cxsim.load_scenario(path)).write(root / kind)
    return out


@pytest.fixture(scope="module")
def drawn(folders):
    """The measurement chart of the FCR run, drawn once: (figure, values, reviews table)."""
    fig, values = CHARTS["measurement"](load_results(folders["fcr"]))
    reviews = pd.read_parquet(folders["fcr"] / "reviews.parquet")
    reviews["policy"] = reviews["policy"].astype(str)
    return fig, values, reviews


def _lines(fig) -> dict[str, object]:
    return {line.get_gid(): line for ax in fig.axes for line in ax.get_lines() if line.get_gid()}


def _fcr_axes(fig):
    return [ax for ax in fig.axes if ax.get_title("left").startswith("FCR")]


def test_the_fcr_panel_draws_what_each_policy_watches_beside_the_truth(drawn):
    fig, values, reviews = drawn
    assert len(fig.axes) == 5
    (ax,) = _fcr_axes(fig)
    title = ax.get_title("left").replace("\n", " ")
    assert "true (solid)" in title and "tick-box (dashed)" in title and "'no repeat in 7 days' (dotted)" in title
    assert title.startswith("FCR, %") and title.endswith("↑")
    gids = {line.get_gid() for line in ax.get_lines() if line.get_gid()}
    policies = ("by_tickbox", "by_repeat", "by_both", "by_aht")
    assert gids == {f"fcr_true:{p}" for p in policies} | {"fcr_tickbox:by_tickbox", "fcr_repeat:by_repeat",
                                                           "fcr_tickbox:by_both", "fcr_repeat:by_both"}
    lines = _lines(fig)
    assert lines["fcr_tickbox:by_both"].get_linestyle() == "--" and lines["fcr_repeat:by_both"].get_linestyle() == ":"
    assert lines["fcr_true:by_both"].get_linestyle() == "-"
    # one colour per policy, the same as in the other panels
    for p in policies:
        assert lines[f"fcr_true:{p}"].get_color() == next(
            line.get_color() for line in fig.axes[0].get_lines() if line.get_label() == p)


def test_plotted_fcr_equals_the_reviews_table(drawn):
    fig, values, reviews = drawn
    factor, unit = words.scale("fcr")
    assert (factor, unit) == (100.0, "%")
    lines = _lines(fig)
    checked = 0
    for gid, line in lines.items():
        column, _, policy = gid.partition(":")
        if not column.startswith("fcr"):
            continue
        mine = reviews[reviews["policy"] == policy]
        assert mine["replication"].nunique() == 2
        expected = mine.groupby("at")[column].mean()   # mean over replications at each review
        np.testing.assert_array_equal(line.get_xdata(), expected.index.to_numpy() / WEEK)
        np.testing.assert_allclose(line.get_ydata(), expected.to_numpy() * factor, rtol=1e-12)
        np.testing.assert_allclose(values["series"][column][policy], expected.to_numpy(), rtol=1e-12)
        checked += 1
    assert checked == 8
    # the first review of "no repeat within 7 days" is not known yet: a gap, not a zero
    assert np.isnan(lines["fcr_repeat:by_repeat"].get_ydata()[0])
    assert np.isfinite(lines["fcr_repeat:by_repeat"].get_ydata()[1:]).all()


def test_reviews_that_changed_a_lever_are_marked_on_the_true_fcr(drawn):
    fig, values, reviews = drawn
    (ax,) = _fcr_axes(fig)
    lines = _lines(fig)
    dots = [line for line in ax.get_lines() if line.get_marker() == "o"]
    for policy in ("by_tickbox", "by_repeat", "by_both", "by_aht"):
        mine = reviews[reviews["policy"] == policy].groupby("at")
        changed = mine["changed"].mean().to_numpy() > 0
        assert changed.any()
        true = mine["fcr_true"].mean().to_numpy() * 100
        colour = lines[f"fcr_true:{policy}"].get_color()
        (marked,) = [d for d in dots if d.get_color() == colour]
        np.testing.assert_allclose(marked.get_ydata(), true[changed], rtol=1e-12)


def test_title_states_the_gaps_of_the_measures_watched(drawn):
    fig, values, reviews = drawn
    gaps = values["fcr_gap"]
    assert {p: set(g) for p, g in gaps.items()} == {"by_tickbox": {"fcr_tickbox"}, "by_repeat": {"fcr_repeat"},
                                                    "by_both": {"fcr_tickbox", "fcr_repeat"}}
    for policy, by in gaps.items():
        mine = reviews[reviews["policy"] == policy]
        for column, gap in by.items():
            assert gap == pytest.approx((mine[column] - mine["fcr_true"]).mean(), rel=1e-12)   # NaN skipped
    # the tick-box ticks every solved contact: it can only read above the truth
    assert gaps["by_tickbox"]["fcr_tickbox"] > 0 and gaps["by_both"]["fcr_tickbox"] > 0
    title = values["title"]
    assert fig._suptitle.get_text().replace("\n", " ") == title
    # for each measure, the policy it misled most; the largest gap of all first, with its unit
    worst = {c: max(((abs(by[c]), p, by[c]) for p, by in gaps.items() if c in by)) for c in ("fcr_tickbox", "fcr_repeat")}
    (size, policy, gap), (_, other, other_gap) = sorted(worst.values(), reverse=True)
    first, second = title.split(": ", 1)[1].split(", ")
    assert first.startswith(f"{policy}'s ") and first.endswith(
        f" reads FCR {words.amount('fcr', size)} {'above' if gap > 0 else 'below'} the truth")
    assert second.startswith(f"{other}'s ") and second.endswith(
        f" {words.number(abs(other_gap) * 100)} {'above' if other_gap > 0 else 'below'}")
    assert "by_aht" not in title
    fig.canvas.draw()
    assert not overflowing(fig), [t.get_text() for t in overflowing(fig)]
    w, h = fig.get_size_inches()
    assert w / h == pytest.approx(16 / 9, rel=0.01)


def test_no_fcr_panel_when_no_policy_watches_fcr(folders):
    reviews = pd.read_parquet(folders["plain"] / "reviews.parquet")
    assert reviews["fcr_tickbox"].notna().all()   # the table carries FCR under any management ...
    fig, values = CHARTS["measurement"](load_results(folders["plain"]))
    assert not _fcr_axes(fig)                      # ... but nobody watches it: the chart of before
    assert [ax.get_title("left") for ax in fig.axes] == [title for _, title in PANELS]
    assert not any(gid.startswith("fcr") for gid in _lines(fig))
    assert "fcr_gap" not in values and not any(k.startswith("fcr") for k in values["series"])
    assert "survey reads NPS" in values["title"]

"""Escalation to a second-line team (MODEL.md §5; issue 11 item 3, optional, off by default).

Oracles by construction: with ``escalation.after: k`` every contact of a need after its k-th failed
contact is answered by a second-line agent and none before (read from the encounters table's team
column); the rule is one kernel both engines call, so both engines give the same records bit for bit;
off (the default) the compiled queues are the ones of today; an unknown team is one FILE:LINE:COL line.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import cxsim
from cxsim.compiled import compile_scenario
from cxsim.kernels.journey import escalated
from cxsim.scenario.progress import Escalation
from cxsim.scenario.schema import Team

from helpers import SCENARIOS

REPO = Path(__file__).resolve().parent.parent


def two_lines(after: int) -> cxsim.Scenario:
    """geometric.yaml (email, resolution 0.6, nobody gives up) with a second-line team beside the first."""
    s = cxsim.load_scenario(SCENARIOS / "geometric.yaml")
    teams = {"first_line": s.teams["back_office"], "second_line": Team(agents=40, channels=["email"])}
    return s.model_copy(update={"teams": teams, "horizon": 8 * 60.0, "warmup": 60.0,
                                "escalation": Escalation(after=after, team="second_line")})


def test_the_kernel():
    assert not escalated(5, 0, True)            # off
    assert not escalated(0, 1, True)            # a first contact never
    assert escalated(1, 1, True) and escalated(3, 2, True) and not escalated(1, 2, True)
    assert not escalated(3, 1, False)           # the second line does not serve this (channel, need)


def test_off_by_default_the_queues_are_todays():
    s = cxsim.load_scenario(SCENARIOS / "contact_centre.yaml")
    p = compile_scenario(s, "encounter")
    assert p.escalation.after == 0 and p.queue_count == len(p.channels) * len(p.need_names)
    assert not p.escalation_serves().any()
    on = compile_scenario(two_lines(1), None)
    assert on.queue_count == 2 and on.team_queue_of(0, 0, 0) == 0 and on.team_queue_of(1, 0, 0) == 1


@pytest.mark.parametrize("after", [1, 2])
def test_contacts_after_the_failed_ones_go_to_second_line_and_none_before(after):
    enc = cxsim.run(two_lines(after), replications=1, seed=7, engine="fast").tables
    enc = next(iter(enc.values()))["encounters"]
    answered = enc[enc["agent"] >= 0]
    early, late = answered[answered["contact_no"] <= after], answered[answered["contact_no"] > after]
    assert len(early) > 500 and len(late) > 100, "a case too small to tell anything"
    first, second = 0, 1  # team codes in scenario order (the written parquet names them)
    assert (early["team"] == first).all()
    assert (late["team"] == second).all()


def test_both_engines_identical_with_escalation():
    s = two_lines(1)
    pair = {e: cxsim.run(s, replications=1, seed=11, engine=e) for e in ("simpy", "fast")}
    for key, tables in pair["simpy"].tables.items():
        assert len(tables["encounters"]) > 100
        for name in ("encounters", "journeys", "agents", "daily"):
            pd.testing.assert_frame_equal(tables[name], pair["fast"].tables[key][name], check_exact=True, obj=name)
    pd.testing.assert_frame_equal(pair["simpy"].metrics, pair["fast"].metrics, check_exact=True)


def test_an_unknown_team_is_one_line_naming_file_line_and_field(tmp_path):
    text = (SCENARIOS / "geometric.yaml").read_text() + "escalation:\n  after: 1\n  team: second_lne\n"
    path = tmp_path / "s.yaml"
    path.write_text(text)
    line = len(text.splitlines())
    proc = subprocess.run([sys.executable, "-m", "cxsim.cli", "validate", str(path)], cwd=tmp_path,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2
    out = (proc.stdout + proc.stderr).strip()
    assert "Traceback" not in out
    assert f"s.yaml:{line}:3: escalation.team: team 'second_lne' does not exist (teams: back_office)" in out, out


def test_the_second_line_does_not_count_as_first_line_cover():
    """With escalation on, the second-line team serves only escalated contacts: first contacts need another team."""
    from cxsim.scenario.schema import cross_check
    s = two_lines(1)
    alone = s.model_copy(update={"teams": {"second_line": s.teams["second_line"]}})
    assert (("channels", "email"), "no team handles question in channel 'email'") in cross_check(alone)
    assert cross_check(alone.model_copy(update={"escalation": Escalation()})) == []
    assert cross_check(s) == []

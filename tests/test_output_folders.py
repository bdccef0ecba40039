"""cxsim never touches what is not its own: the output folder, its marker, one folder per command,
the lock that keeps two commands out of one folder, and the cache that never mixes runs.
(Issue 15 items 1, 2, 8, 9; issue 17 item 2.)"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import cxsim
from cxsim.experiment.output import MARKER, OutputRefused
from cxsim.experiment.runner import cache_folder
from cxsim.experiment.store import hold
from cxsim.scenario import ScenarioError
from helpers import VALID
from test_cli_input import cxsim as cli, error_lines, variant_of

# Quick: 20 simulated minutes, abandoning callers, 10 agents; two policies so that `compare` works.
QUICK = variant_of(VALID, l2="horizon: 20 min", l3="warmup: 0", l15="    abandons: true", l19="    agents: 10") \
    + "policies: [baseline, encounter]\n"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "s.yaml").write_text(QUICK, encoding="utf-8")
    return tmp_path


def kind_of(results: Path) -> str:
    return json.loads((results / MARKER).read_text(encoding="utf-8"))["kind"]


# --- a folder that is not cxsim's is never replaced -------------------------------------------------------

def test_a_users_folder_is_refused_and_left_alone(folder: Path) -> None:
    (folder / "mine").mkdir()
    (folder / "mine" / "thesis.tex").write_text("two years of work")
    proc = cli("run", "s.yaml", "-r", "1", "--no-tables", "--out", "mine", cwd=folder)
    assert proc.returncode == 2
    [line] = error_lines(proc)
    assert line.startswith("mine: exists and is not a cxsim results folder")
    assert [p.name for p in (folder / "mine").iterdir()] == ["thesis.tex"]
    assert (folder / "mine" / "thesis.tex").read_text() == "two years of work"
    assert not cache_folder(folder / "mine").exists()  # refused before anything ran


def test_a_file_as_output_is_refused_and_left_alone(folder: Path) -> None:
    (folder / "notes.txt").write_text("keep me")
    proc = cli("run", "s.yaml", "-r", "1", "--no-tables", "--out", "notes.txt", cwd=folder)
    assert proc.returncode == 2
    assert error_lines(proc) == ["notes.txt: exists and is not a folder; cxsim will not replace it "
                                 "(choose another --out)"]
    assert (folder / "notes.txt").read_text() == "keep me"


@pytest.mark.parametrize("out", [".", ".."])
def test_the_current_folder_or_its_parent_is_refused(folder: Path, out: str) -> None:
    proc = cli("run", "s.yaml", "-r", "1", "--no-tables", "--out", out, cwd=folder)
    assert proc.returncode == 2
    assert len(error_lines(proc)) == 1 and "cannot be the current folder" in proc.stderr
    assert (folder / "s.yaml").exists()


def test_the_python_api_refuses_a_users_folder_too(tmp_path: Path) -> None:
    results = cxsim.run(cxsim.load_scenario(Path(__file__).parent / "data" / "tinypop.yaml"), replications=1,
                        keep_tables=False)
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "data.csv").write_text("1,2,3")
    with pytest.raises(OutputRefused, match="not a cxsim results folder"):
        results.write(tmp_path / "mine")
    assert (tmp_path / "mine" / "data.csv").read_text() == "1,2,3"


@pytest.mark.parametrize("name", ['"../../x"', '"/tmp/x"', '""', '"."', '".."', '"a/b"', '"a\\0b"', "x" * 65])
def test_a_scenario_name_is_one_safe_folder_name(tmp_path: Path, name: str) -> None:
    """`name: "../../x"` used to delete ../../x when the run wrote results/<name>."""
    (tmp_path / "s.yaml").write_text(variant_of(VALID, l1=f"name: {name}"), encoding="utf-8")
    proc = cli("validate", "s.yaml", cwd=tmp_path)
    assert proc.returncode == 2
    [line] = error_lines(proc)
    assert line.startswith("s.yaml:1:1: name: a scenario name is one folder name")


# --- each command its own folder; a different kind is not replaced without --force ------------------------

def test_run_compare_and_sweep_each_keep_their_own_folder(folder: Path) -> None:
    steps = [("run", "s.yaml", "-r", "1", "--no-tables"),
             ("compare", "s.yaml", "-r", "2"),
             ("run", "s.yaml", "-r", "1", "--set", "teams.agents.agents=9,10")]
    for args in steps:
        proc = cli(*args, cwd=folder)
        assert proc.returncode == 0, proc.stderr
    results = folder / "results"
    assert sorted(p.name for p in results.iterdir()) == ["tiny", "tiny-compare", "tiny-sweep"]
    assert [kind_of(results / n) for n in ("tiny", "tiny-compare", "tiny-sweep")] == ["run", "compare", "sweep"]
    assert (results / "tiny" / "metrics.parquet").exists() and (results / "tiny-sweep" / "runs.parquet").exists()
    assert json.loads((results / "tiny-compare" / "summary.json").read_text())["replications"] == 2


def test_another_kind_of_result_is_replaced_only_with_force(folder: Path) -> None:
    assert cli("run", "s.yaml", "-r", "1", "--no-tables", "--out", "out", cwd=folder).returncode == 0
    proc = cli("compare", "s.yaml", "-r", "1", "--out", "out", cwd=folder)
    assert proc.returncode == 2
    assert error_lines(proc) == ["out: holds the results of a run; writing a compare there would replace them "
                                 "(choose another --out, or pass --force)"]
    assert kind_of(folder / "out") == "run"
    proc = cli("compare", "s.yaml", "-r", "1", "--out", "out", "--force", cwd=folder)
    assert proc.returncode == 0, proc.stderr
    assert kind_of(folder / "out") == "compare"


def test_the_same_kind_replaces_its_own_folder_whole(tmp_path: Path) -> None:
    for reps in (1, 2):
        cxsim.run(small_scenario(), replications=reps, keep_tables=False).write(tmp_path / "out")
    assert json.loads((tmp_path / "out" / "summary.json").read_text())["replications"] == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # no partial or old folder left


# --- two commands, one folder -------------------------------------------------------------------------------

def test_a_second_command_on_a_busy_folder_stops_with_one_line(folder: Path) -> None:
    """Two runs writing one --out used to interleave their runs and both print "wrote"."""
    with hold(cache_folder(folder / "out")):  # as a first `cxsim run --out out` does while it runs
        proc = cli("run", "s.yaml", "-r", "1", "--no-tables", "--out", "out", cwd=folder)
    assert proc.returncode == 2
    assert error_lines(proc) == [f"out: another cxsim command (pid {os.getpid()}) is writing this folder; "
                                 "wait for it to finish or choose another --out"]
    assert not (folder / "out").exists() and not cache_folder(folder / "out").exists()


def test_the_lock_is_reentrant_in_one_process_and_released(tmp_path: Path) -> None:
    with hold(tmp_path / "c"):
        with hold(tmp_path / "c"):
            pass
        assert (tmp_path / "c.lock").exists()
    assert not (tmp_path / "c.lock").exists()


# --- the cache never mixes runs that store different things -------------------------------------------------

def small_scenario():
    return cxsim.load_scenario(Path(__file__).parent / "data" / "tinypop.yaml")


def interrupted(cache: Path, keep_tables: bool) -> None:
    def stop(finished, total):
        if finished == 1:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        cxsim.run(small_scenario(), replications=3, keep_tables=keep_tables, cache=cache, on_run=stop)


def test_runs_cached_without_tables_are_not_mixed_into_a_run_with_tables(tmp_path: Path) -> None:
    """Resuming a --no-tables run with tables used to write tables missing the cached runs, exit 0."""
    interrupted(tmp_path / "cache", keep_tables=False)
    with pytest.raises(ScenarioError, match="different experiment .*tables off"):
        cxsim.run(small_scenario(), replications=3, keep_tables=True, cache=tmp_path / "cache")
    whole = cxsim.run(small_scenario(), replications=3, keep_tables=True, cache=tmp_path / "cache", fresh=True)
    journeys = whole.table("journeys")
    assert sorted(set(zip(journeys["policy"], journeys["replication"]))) == \
        [(p, r) for p in whole.policies for r in range(3)]


def test_a_damaged_cache_manifest_is_one_line(folder: Path) -> None:
    runs = cache_folder(folder / "out")
    runs.mkdir()
    (runs / "manifest.json").write_text("{not json")
    proc = cli("run", "s.yaml", "-r", "1", "--no-tables", "--out", "out", cwd=folder)
    assert proc.returncode == 2
    assert error_lines(proc) == [f"{runs / 'manifest.json'}: unreadable (damaged cache of finished runs); "
                                 "pass --fresh to discard it".replace(str(folder) + os.sep, "")]


def test_a_damaged_run_file_is_run_again(tmp_path: Path) -> None:
    interrupted(tmp_path / "cache", keep_tables=False)
    [done] = [f for f in (tmp_path / "cache").glob("p*.json")]
    done.write_text('{"point": 0, "pol')  # a torn write from a full disk
    resumed = cxsim.run(small_scenario(), replications=3, keep_tables=False, cache=tmp_path / "cache")
    pd.testing.assert_frame_equal(resumed.metrics, cxsim.run(small_scenario(), replications=3,
                                                             keep_tables=False).metrics)


# --- leftovers of a killed write --------------------------------------------------------------------------

def dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_partial_folders_of_dead_processes_are_cleaned_and_live_ones_kept(tmp_path: Path) -> None:
    stale = tmp_path / f".out.partial-{dead_pid()}"
    live = tmp_path / f".out.partial-{os.getppid()}"
    other = tmp_path / f".other.partial-{dead_pid()}"
    for p in (stale, live, other):
        p.mkdir()
        (p / "summary.json").write_text("{}")
    cxsim.run(small_scenario(), replications=1, keep_tables=False).write(tmp_path / "out")
    assert not stale.exists() and live.exists() and other.exists()


def test_a_previous_folder_moved_aside_by_a_killed_write_comes_back(tmp_path: Path) -> None:
    results = cxsim.run(small_scenario(), replications=1, keep_tables=False)
    results.write(tmp_path / "out")
    aside = tmp_path / f".out.old-{dead_pid()}"
    (tmp_path / "out").rename(aside)  # killed between "out -> old" and "partial -> out"
    results.write(tmp_path / "elsewhere")
    assert not (tmp_path / "out").exists()
    results.write(tmp_path / "out")
    assert not aside.exists() and kind_of(tmp_path / "out") == "run"


# --- file-system errors are one line --------------------------------------------------------------------------

def test_schema_into_a_missing_folder_is_one_line(tmp_path: Path) -> None:
    proc = cli("schema", "--out", "no/such/folder/schema.json", cwd=tmp_path)
    assert proc.returncode == 2
    assert error_lines(proc) == ["no/such/folder/schema.json: No such file or directory"]


def test_an_output_folder_that_cannot_be_created_is_one_line(folder: Path) -> None:
    (folder / "afile").write_text("x")
    proc = cli("run", "s.yaml", "-r", "1", "--no-tables", "--out", "afile/out", cwd=folder)
    assert proc.returncode == 2
    [line] = error_lines(proc)
    assert line == "afile/out: afile is not a folder"
    assert (folder / "afile").read_text() == "x"


@pytest.mark.parametrize("streamed", [True, False])
@pytest.mark.parametrize("replications", ["1", "3"])
def test_a_full_disk_during_the_write_is_one_line_and_leaves_no_folder(folder: Path, monkeypatch, streamed: bool,
                                                                       replications: str) -> None:
    """Whether the tables are written as the runs finish (streamed: the error comes from the writer
    thread, during the runs or at the end) or after all runs."""
    from typer.testing import CliRunner

    from cxsim.cli import app
    from cxsim.experiment import runner
    from cxsim.tables import TableFile

    def full(self, policy, replication, table):
        raise OSError(28, "No space left on device", "out/encounters.parquet")

    monkeypatch.setattr(TableFile, "write", full)
    if not streamed:
        monkeypatch.setattr(runner, "_stream", lambda *args: None)
    monkeypatch.chdir(folder)
    result = CliRunner().invoke(app, ["run", "s.yaml", "-r", replications, "--out", "out"])
    assert result.exit_code == 2
    assert result.output.strip().splitlines()[-1] == "out/encounters.parquet: No space left on device"
    assert sorted(p.name for p in folder.iterdir()) == [".out.runs", "s.yaml"]  # finished runs kept for a retry


def test_a_worker_whose_command_was_killed_stores_nothing(tmp_path: Path) -> None:
    """Workers used to outlive a killed parent and keep writing into the cache."""
    from cxsim.experiment.execute import execute
    from cxsim.experiment.plan import make_plan

    plan = make_plan(small_scenario())
    task = plan.tasks(range(1))[0]
    for owner, store in ((dead_pid(), "orphan"), (None, "kept")):
        row = execute(task, plan.seed, plan.engine, str(tmp_path / store), "f", False, False, owner)
        assert row["replication"] == 0
    assert not list((tmp_path / "orphan").glob("p*.json")) and len(list((tmp_path / "kept").glob("p*.json"))) == 1


def test_plot_writes_no_chart_when_one_asked_for_cannot_be_drawn(folder: Path) -> None:
    """Issue 15 item 9: `plot` used to write the charts before the failing one, then fail."""
    from cxsim.charts.commands import plot
    from cxsim.charts.load import ChartUnavailable

    cxsim.run(folder / "s.yaml", replications=2, engine="fast").write(folder / "out")
    with pytest.raises(ChartUnavailable):
        # A run folder has no sweep: the third chart cannot be drawn after two that can.
        plot(folder / "out", "understanding_gap,policy_comparison,sweep", "png", out=folder / "charts")
    assert not (folder / "charts").exists()
    written = plot(folder / "out", "understanding_gap,policy_comparison", "png", out=folder / "charts")
    assert sorted(p.name for p in written) == ["policy_comparison.png", "understanding_gap.png"]


def test_explain_never_replaces_a_users_folder(folder: Path) -> None:
    """`cxsim explain --out` obeys the same rule as run and compare: a folder cxsim did not write is refused,
    before anything runs, and left as it was."""
    (folder / "mine").mkdir()
    (folder / "mine" / "notes.txt").write_text("keep me")
    proc = cli("explain", "s.yaml", "--out", "mine", cwd=folder)
    assert proc.returncode == 2
    [line] = error_lines(proc)
    assert line.startswith("mine: exists and is not a cxsim results folder")
    assert (folder / "mine" / "notes.txt").read_text() == "keep me" and len(list((folder / "mine").iterdir())) == 1

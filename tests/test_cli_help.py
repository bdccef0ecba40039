"""The first hour's small things: help that says what to type, commands in comments that work,
one run that does not pretend to have an interval, and a target that cannot be met said plainly."""

from __future__ import annotations

import re
import shlex

import pytest
from typer.testing import CliRunner

from cxsim.cli import app
from helpers import SCENARIOS

COMMANDS = ["run", "compare", "staff", "plot", "report", "erlang", "validate", "schema"]


@pytest.mark.parametrize("command", COMMANDS)
def test_help_shows_no_python_types(command):
    done = CliRunner().invoke(app, [command, "--help"], env={"COLUMNS": "160"})
    assert done.exit_code == 0
    noise = re.findall(r"<(?:bool|int|float|str|path|list\[[^\]]*\]|[a-z]+ range)>|\{[a-z]+\}", done.stdout)
    assert noise == [], noise


@pytest.mark.parametrize("command", ["compare", "staff"])
def test_every_option_has_help(command):
    done = CliRunner().invoke(app, [command, "--help"], env={"COLUMNS": "160"})
    rows = [line for line in done.stdout.splitlines() if re.match(r"│ +--", line)]
    undocumented = [row for row in rows if len(re.split(r"\s{2,}", row.strip("│ ").strip())) < 2]
    assert rows and undocumented == [], undocumented


def test_commands_suggested_in_scenario_comments_run():
    for path in sorted(SCENARIOS.glob("*.yaml")):
        for command in re.findall(r"`(cxsim erlang [^`]+)`", path.read_text(encoding="utf-8")):
            done = CliRunner().invoke(app, shlex.split(command)[1:])
            assert done.exit_code == 0, (path.name, command, done.output)


def test_an_unstable_erlang_c_queue_names_a_real_option():
    done = CliRunner().invoke(app, ["erlang", "--rate", "60 /min", "--aht", "1 min", "--agents", "50"])
    assert done.exit_code == 2 and "--patience" in done.stderr and "erlang_a" not in done.stderr


def test_one_replication_shows_no_interval(tmp_path):
    text = (SCENARIOS / "erlang_a.yaml").read_text(encoding="utf-8").replace("horizon: 8 h", "horizon: 1 h")
    (tmp_path / "s.yaml").write_text(text.replace("warmup: 1 h", "warmup: 10 min"), encoding="utf-8")
    done = CliRunner().invoke(app, ["run", str(tmp_path / "s.yaml"), "-r", "1", "--out", str(tmp_path / "out")],
                              env={"COLUMNS": "200"})
    assert done.exit_code == 0, done.output
    assert "1 replication," in done.stdout and "no interval" in done.stdout
    assert "±" not in done.stdout and "1 replications" not in done.stdout


def test_a_target_that_cannot_be_met_says_how_close_it_got(tmp_path, monkeypatch):
    # The console is made when cxsim.cli is imported, so COLUMNS alone comes too late in a shared process.
    from rich.console import Console

    monkeypatch.setattr("cxsim.cli.out", Console(width=200))
    text = (SCENARIOS / "erlang_a.yaml").read_text(encoding="utf-8").replace("horizon: 8 h", "horizon: 2 h")
    (tmp_path / "s.yaml").write_text(text.replace("warmup: 1 h", "warmup: 10 min"), encoding="utf-8")
    done = CliRunner().invoke(app, ["staff", str(tmp_path / "s.yaml"), "--team", "agents", "--target",
                                    "service_level>=0.999", "-r", "2", "--min", "30", "--max", "33"],
                              env={"COLUMNS": "200"})
    assert done.exit_code == 0, done.output
    row = next(line for line in done.stdout.splitlines() if "baseline" in line)
    assert "not met" in row and "with 33 (raise --max)" in row and "> " not in row


def test_an_unreachable_scheduler_is_one_line(tmp_path):
    pytest.importorskip("distributed")
    done = CliRunner().invoke(app, ["run", str(SCENARIOS / "erlang_a.yaml"), "-r", "1", "--scheduler",
                                    "tcp://127.0.0.1:9", "--out", str(tmp_path / "out")])
    assert done.exit_code == 2
    assert done.stderr.startswith("--scheduler: cannot reach a Dask scheduler at tcp://127.0.0.1:9")
    assert len(done.stderr.strip().splitlines()) == 1 and not (tmp_path / "out").exists()


def test_progress_lines_when_not_on_a_terminal():
    from cxsim.terminal import PlainProgress

    lines, now = [], [0.0]
    progress = PlainProgress("demo", lines.append, clock=lambda: now[0])
    progress.every = 30.0
    for done, t in ((1, 10.0), (2, 31.0), (3, 45.0), (4, 62.0), (10, 200.0)):
        now[0] = t
        progress(done, 10)
    assert lines == ["demo: 2/10 runs done after 31 s", "demo: 4/10 runs done after 62 s"]


def test_a_run_writing_to_a_file_reports_progress(tmp_path, monkeypatch):
    monkeypatch.setenv("CXSIM_PROGRESS_SECONDS", "0.000001")
    text = (SCENARIOS / "erlang_a.yaml").read_text(encoding="utf-8").replace("horizon: 8 h", "horizon: 45 min")
    (tmp_path / "s.yaml").write_text(text.replace("warmup: 1 h", "warmup: 5 min"), encoding="utf-8")
    done = CliRunner().invoke(app, ["run", str(tmp_path / "s.yaml"), "-r", "3", "--out", str(tmp_path / "out")])
    assert done.exit_code == 0, done.output
    assert re.search(r"^erlang_a: [12]/3 runs done after \d+ s$", done.stderr, re.M), done.stderr


def test_explain_without_its_extra_says_how_to_install_it():
    """SALib and scikit-learn are the `explain` extra: without them, one line saying so, not a traceback."""
    import subprocess
    import sys

    from helpers import ROOT

    code = ("import sys; sys.modules['SALib'] = None; sys.modules['sklearn'] = None; "
            "from cxsim.cli import app; sys.argv = ['cxsim', 'explain', 'docs/examples/explain_small.yaml']; app()")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.strip().splitlines() == [done.stderr.strip()] and "pip install -e '.[explain]'" in done.stderr


def test_a_scheduler_without_dask_installed_is_one_line(tmp_path):
    """dask.distributed is an extra: `--scheduler` without it says how to install it, exit 2, nothing written."""
    import subprocess
    import sys

    code = ("import sys; sys.modules['distributed'] = None; from cxsim.cli import app; "
            f"sys.argv = ['cxsim', 'run', {str(SCENARIOS / 'erlang_a.yaml')!r}, '-r', '1', '--scheduler', "
            f"'tcp://127.0.0.1:9', '--out', {str(tmp_path / 'out')!r}]; app()")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
    assert done.stderr.strip().splitlines()[-1].startswith("--scheduler: needs dask.distributed")
    assert not (tmp_path / "out").exists()

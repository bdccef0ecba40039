"""Every command and Python example in the README runs, and prints what the README shows.

Like SimPy's docs ``conftest.py``: documentation that is executed cannot rot. ``console`` blocks
hold ``$ command`` lines followed by their output; an HTML comment ``<!-- exit: N -->`` before a
block says the commands in it exit with status N. ``python`` blocks are executed as they are.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
BLOCK = re.compile(r"(?:<!-- exit: (\d+) -->\n)?```(\w+)\n(.*?)```", re.S)


def blocks(kind: str) -> list[tuple[int, str]]:
    return [(int(code or 0), body) for code, k, body in BLOCK.findall(README) if k == kind]


def console_commands() -> list[tuple[str, str, int]]:
    out = []
    for exit_code, body in blocks("console"):
        for chunk in re.split(r"^\$ ", body, flags=re.M)[1:]:
            command, _, shown = chunk.partition("\n")
            out.append((command, shown, exit_code))
    return out


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    """One folder for the whole README, as a user's checkout would be: commands run in order, so a
    later command (``cxsim plot results/...``) finds what an earlier one wrote. ``docs`` is a copy,
    so that commands writing into it never touch the repository."""
    folder = tmp_path_factory.mktemp("readme")
    (folder / "scenarios").symlink_to(ROOT / "scenarios")
    shutil.copytree(ROOT / "docs", folder / "docs")
    return folder


def _environment() -> dict[str, str]:
    # CXSIM_PROGRESS_SECONDS=0: no progress lines, which depend on how fast the machine is.
    env = dict(os.environ, COLUMNS="120", NO_COLOR="1", TERM="dumb", CXSIM_PROGRESS_SECONDS="0")
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return env


@pytest.mark.parametrize("command,shown,exit_code", console_commands(), ids=lambda v: v if isinstance(v, str) and v.startswith("cxsim") else "")
def test_console_command(command, shown, exit_code, workdir):
    assert command.startswith("cxsim "), command
    done = subprocess.run(command, shell=True, cwd=workdir, env=_environment(), capture_output=True, text=True,
                          timeout=600)
    printed = (done.stdout + done.stderr).rstrip().splitlines()
    assert "Traceback" not in done.stderr
    assert done.returncode == exit_code, done.stderr
    assert [line.rstrip() for line in printed] == [line.rstrip() for line in shown.rstrip().splitlines()]


def test_quick_start_has_exactly_two_commands_and_ci_runs_the_second():
    section = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"```bash\n(.*?)\n```", section, re.S)
    assert len(commands) == 2 and all("\n" not in c for c in commands)
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert commands[1] in ci
    # The first command's job is the default scenario, run (with its output) by test_console_command.
    job = commands[0].split(" && ")[-1]
    assert job in [c for c, _, _ in console_commands()]


@pytest.mark.parametrize("index", range(len(blocks("python"))))
def test_python_block(index, tmp_path, monkeypatch):
    workdir = tmp_path
    (workdir / "scenarios").symlink_to(ROOT / "scenarios")
    monkeypatch.chdir(workdir)
    exec(compile(blocks("python")[index][1], f"README.md python block {index}", "exec"), {})

"""Every command and Python example in the README runs, exits as shown and prints output of the shape shown.

Like SimPy's docs ``conftest.py``: documentation that is executed cannot rot. ``console`` blocks
hold ``$ command`` lines followed by their output; an HTML comment ``<!-- exit: N -->`` before a
block says the commands in it exit with status N. ``python`` blocks are executed as they are, and
every complete scenario in a ``yaml`` block is validated.

The output is compared by *shape* — every line, label and word, with the numbers masked — never
digit by digit: the README's numbers come from real runs, and whether they are right is for the
oracles and the paired-interval tests to say, not for a copy of an earlier run.
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

pytestmark = pytest.mark.slow  # runs every README command, the default scenario included

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
    so that commands writing into it never touch the repository. The fast engine is compiled first:
    whether a command has to say "compiling…" depends on the machine's numba cache, not on the README."""
    folder = tmp_path_factory.mktemp("readme")
    (folder / "scenarios").symlink_to(ROOT / "scenarios")
    shutil.copytree(ROOT / "docs", folder / "docs")
    subprocess.run([sys.executable, "-m", "cxsim.cli", "compile"], cwd=folder, env=_environment(), check=True,
                   capture_output=True, timeout=600)
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
    assert [shape(line) for line in printed] == [shape(line) for line in shown.rstrip().splitlines()]


NUMBER = re.compile(r"[-+]?(?:\d[\d,]*\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
RULES = re.compile(r"([━─═┄]+)")


def shape(line: str) -> str:
    """A line with every number masked and table rules and padding folded (column widths follow the digits)."""
    return " ".join(RULES.sub("─", NUMBER.sub("#", line)).split())


def test_shape_masks_numbers_only():
    assert shape("│ fcr │  0.5289 ± 0.0079 │") == shape("│ fcr │ 0.61 ± 0.01 │")
    assert shape("mean wait 3.1 min") != shape("mean wait 3.1 h")


@pytest.mark.parametrize("index", range(len(blocks("yaml"))))
def test_yaml_block_is_a_valid_scenario(index, tmp_path):
    """A complete scenario in the README (one with a name, or extending another) loads without a problem."""
    text = blocks("yaml")[index][1]
    first = text.lstrip().splitlines()[0] if text.strip() else ""
    if not re.search(r"^(name|extends):", text, re.M):
        pytest.skip("a fragment of a scenario, not a whole file")
    path = tmp_path / "readme.yaml"
    if first.startswith("# ") and first[2:].strip().endswith(".yaml"):
        path = ROOT / first[2:].strip()  # a block that shows a shipped file: validate the file itself
        shipped = path.read_text(encoding="utf-8").splitlines()
        shown = [line for line in text.splitlines()[1:] if line.strip() and not line.lstrip().startswith("#")]
        assert all(line in shipped for line in shown), f"{path} differs from the README"
    else:
        (tmp_path / "scenarios").symlink_to(ROOT / "scenarios")
        path.write_text(text, encoding="utf-8")
    import cxsim
    cxsim.load_scenario(path)


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

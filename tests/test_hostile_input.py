"""Small bad files never take the machine, never print foreign content, and values no run can
finish or that would run something else than written are refused (issue 15 items 4 to 7)."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

import cxsim
from cxsim.experiment import size
from cxsim.experiment.plan import make_plan
from cxsim.scenario import ScenarioError, load_scenario
from cxsim.scenario.loading import MAX_BYTES, MAX_DEPTH
from helpers import VALID
from test_cli_input import cxsim as cli, error_lines

HOSTILE = Path(__file__).parent / "data" / "hostile"


def problems(path: Path, **options) -> list[str]:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path, **options)
    return [str(p) for p in caught.value.problems]


# --- files that used to take the machine -------------------------------------------------------------------

def test_a_yaml_alias_bomb_is_refused_at_once() -> None:
    """11 lines that made `validate` use 2 GB in a minute."""
    start = time.perf_counter()
    assert problems(HOSTILE / "alias_bomb.yaml") == [
        f"{HOSTILE / 'alias_bomb.yaml'}:3:8: YAML aliases (*name) are not allowed in scenario files: write the "
        "value out, or put shared values in a base file (extends:)"]
    assert time.perf_counter() - start < 2


def test_a_base_named_twice_at_every_level_is_read_once() -> None:
    """14 levels that each extend the level below twice: 16,384 reads when not memoised (> a minute)."""
    start = time.perf_counter()
    scenario = load_scenario(HOSTILE / "chain" / "level14.yaml")
    assert scenario.name == "chain" and scenario.teams["agents"].agents == 55
    assert time.perf_counter() - start < 5


def test_deep_nesting_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "deep.yaml").write_text("name: deep\nx: " + "[" * 100_000 + "]" * 100_000 + "\n")
    [line] = problems(tmp_path / "deep.yaml")
    assert line.endswith(f"nested more than {MAX_DEPTH} levels deep")


def test_a_fifo_does_not_hang_and_a_device_is_not_read(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.yaml")
    assert problems(tmp_path / "pipe.yaml") == [f"{tmp_path / 'pipe.yaml'}: cannot read: not a regular file"]
    (tmp_path / "s.yaml").write_text("extends: zero.yaml\nname: z\n")
    (tmp_path / "zero.yaml").symlink_to("/dev/zero")
    assert problems(tmp_path / "s.yaml", allow_outside=True) == [
        f"{tmp_path / 'zero.yaml'}: cannot read: not a regular file"]


def test_extends_dev_zero_is_refused_without_reading(tmp_path: Path) -> None:
    (tmp_path / "s.yaml").write_text("extends: /dev/zero\nname: z\n")
    assert problems(tmp_path / "s.yaml", allow_outside=True) == [
        f"{tmp_path / 's.yaml'}:1:1: extends: a base scenario is a .yaml or .yml file"]


def test_a_huge_file_is_not_read(tmp_path: Path) -> None:
    (tmp_path / "big.yaml").write_text("name: big\n" + "# padding\n" * (MAX_BYTES // 10 + 1))
    assert problems(tmp_path / "big.yaml") == [
        f"{tmp_path / 'big.yaml'}: cannot read: larger than 1 MB, too big for a scenario file"]


# --- bases outside the scenario's tree; foreign content never echoed ---------------------------------------------

@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """work/ holds the scenario (and is the current folder); the secret sits one level up."""
    (tmp_path / "work").mkdir()
    shutil.copy(HOSTILE / "names_extends_outside.yaml", tmp_path / "work" / "s.yaml")
    (tmp_path / "secret.yaml").write_text("root: $6$hunter2$secrethash\ndaemon: '*'\n")
    return tmp_path / "work"


def test_a_base_outside_the_scenarios_tree_is_refused_and_not_echoed(outside: Path) -> None:
    proc = cli("validate", "s.yaml", cwd=outside)
    assert proc.returncode == 2
    assert error_lines(proc) == ["s.yaml:2:1: extends: base scenario '../secret.yaml' is outside the scenario's "
                                 "folder and the current folder (pass --allow-outside to read it)"]
    assert "hunter2" not in proc.stdout + proc.stderr


def test_allow_outside_reads_it(outside: Path) -> None:
    proc = cli("validate", "--allow-outside", "s.yaml", cwd=outside)
    assert proc.returncode == 2  # read now, and not a scenario
    assert "unknown key" in proc.stderr and "base scenario" not in proc.stderr


def test_extends_etc_shadow_is_refused_without_reading(tmp_path: Path) -> None:
    (tmp_path / "s.yaml").write_text("extends: /etc/shadow\nname: z\n")
    proc = cli("validate", "--allow-outside", "s.yaml", cwd=tmp_path)
    assert error_lines(proc) == ["s.yaml:1:1: extends: a base scenario is a .yaml or .yml file"]
    (tmp_path / "t.yaml").write_text("extends: ../../../../../../../etc/passwd.yaml\nname: z\n")
    proc = cli("validate", "t.yaml", cwd=tmp_path)
    assert error_lines(proc) == ["t.yaml:1:1: extends: base scenario '../../../../../../../etc/passwd.yaml' is "
                                 "outside the scenario's folder and the current folder (pass --allow-outside to "
                                 "read it)"]


def test_the_shipped_variant_of_a_base_elsewhere_in_the_project_still_loads() -> None:
    # docs/examples/faster_answer.yaml extends ../../scenarios/erlang_c.yaml: inside the current folder.
    root = Path(__file__).resolve().parent.parent
    cwd = os.getcwd()
    try:
        os.chdir(root)
        assert load_scenario("docs/examples/faster_answer.yaml").teams["agents"].agents == 57
    finally:
        os.chdir(cwd)


# --- runs that would run something other than what is written --------------------------------------------------

@pytest.mark.parametrize(("file", "expected"), [
    ("misspelt_policy.yaml", "3:1: policies.efficency: unknown policy 'efficency' (built in: baseline, "
                             "efficiency, encounter)"),
    ("policy_leaves_no_agents.yaml", "14:3: channels.phone: no team handles call in channel 'phone' (under "
                                     "policy 'lean', staffing 0.4)"),
    ("policy_unstable.yaml", "13:3: channels.phone: offered load 48 Erlangs is at or above the 47 agents serving "
                             "it and nobody abandons: the queue would grow without bound (add agents or allow "
                             "abandonment) (under policy 'efficiency', staffing 0.85)"),
    ("unstable_24_7_shift.yaml", "12:3: channels.phone: offered load 48 Erlangs is at or above the 48 agents "
                                 "serving it and nobody abandons: the queue would grow without bound (add agents "
                                 "or allow abandonment)"),
    ("zero_patience_retrial.yaml", "14:5: channels.phone.retrial: patience is zero and every caller retries at "
                                   "once: simulated time would never advance (give patience or a retrial delay)"),
], ids=lambda v: v if v.endswith(".yaml") else "")
def test_silently_wrong_or_endless_scenarios_are_refused(file: str, expected: str) -> None:
    assert problems(HOSTILE / file) == [f"{HOSTILE / file}:{expected}"]


# --- the pre-run estimate ---------------------------------------------------------------------------------------

@pytest.mark.parametrize(("file", "says"), [
    # 12 calls a minute for 8 h, 3 contacts a need, a billion replications: 1.7e13 contacts.
    ("absurd_replications.yaml", "too big to run: about 1.7e+13 contacts, "),
    ("absurd_spike.yaml", "too big to run: about 1.8e+302 contacts, "),
    ("million_agents.yaml", "too big to run: about 1.9e+07 contacts, "),
    ("absurd_customers.yaml", "too big to run: it needs about 200 GB of memory"),
])
def test_absurd_runs_are_refused_before_anything_runs(tmp_path: Path, file: str, says: str) -> None:
    if file == "absurd_customers.yaml" and size.physical_memory() > 200e9:
        pytest.skip("this machine has the memory")
    proc = cli("run", str(HOSTILE / file), cwd=tmp_path)  # the default folder: not even results/ is made
    assert proc.returncode == 2
    [line] = error_lines(proc)
    assert line.startswith(f"{HOSTILE / file}: {says}") and line.endswith("--insist")
    assert "memory" in says or "of computing on one core (limit 1 days)" in line
    assert list(tmp_path.iterdir()) == []


def test_the_estimate_is_right_within_its_order_of_magnitude() -> None:
    """erlang_c: 12 calls a minute for 24 h, 10 replications: 172,800 needs, at most 3 contacts each."""
    plan = make_plan(load_scenario(Path(__file__).parent.parent / "scenarios" / "erlang_c.yaml"))
    contacts, seconds, _, _ = size.estimate(plan, 10, keep_tables=True)
    assert contacts == pytest.approx(12 * 1440 * 10 * size.CONTACTS_PER_NEED)
    assert seconds < size.MAX_SECONDS


def test_insist_runs_what_the_estimate_refuses(monkeypatch: pytest.MonkeyPatch) -> None:
    scenario = load_scenario(Path(__file__).parent / "data" / "tinypop.yaml")
    monkeypatch.setattr(size, "MAX_SECONDS", 0.0)
    with pytest.raises(size.TooBig):
        cxsim.run(scenario, replications=1, keep_tables=False)
    assert len(cxsim.run(scenario, replications=1, keep_tables=False, insist=True).metrics) == 1


def test_validate_accepts_the_minimal_scenario(tmp_path: Path) -> None:
    # The control: none of the refusals above catches an ordinary scenario.
    (tmp_path / "s.yaml").write_text(VALID)
    assert load_scenario(tmp_path / "s.yaml").name == "tiny"


# --- what validate accepts, run accepts; wrong shapes are one line -------------------------------------------------

def test_validate_refuses_the_sweep_values_run_would_refuse() -> None:
    file = HOSTILE / "bad_sweep_value.yaml"
    assert problems(file) == [
        f"{file}:20:28: teams.agents.agents: Input should be greater than or equal to 0 (with teams.agents.agents=-3)",
        f"{file}:21:32: channels.phone.kind: Input should be 'phone', 'chat', 'email' or 'self_service' "
        "(with channels.phone.kind=fax)"]


def test_an_overflowing_distribution_is_refused_at_its_line() -> None:
    file = HOSTILE / "lognormal_overflow.yaml"
    assert problems(file) == [f"{file}:10:47: needs.call.work_time.cv: Input should be less than or equal to 1000"]


@pytest.mark.parametrize("command", ["plot", "report"])
def test_a_results_folder_of_the_wrong_shape_is_one_line_naming_it(tmp_path: Path, command: str) -> None:
    shutil.copytree(HOSTILE / "wrong_shape_results", tmp_path / "r")
    proc = cli(command, "r", cwd=tmp_path)
    assert proc.returncode == 2
    [line] = error_lines(proc)
    assert line.startswith(f"cxsim {command}: r: not a results folder cxsim can read (not written by cxsim: "
                           "no .cxsim-results.json): ")

"""Bad input at the command line: every problem at once, ``FILE:LINE:COL: path: message``, exit 2,
no traceback, and nothing written. Runs the real command in a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

from helpers import VALID  # noqa: E402  (the minimal valid scenario both files vary)

UNKNOWN_KEY = "unknown key (check the spelling; `cxsim schema` lists the valid keys)"


def variant_of(text: str, **lines: str) -> str:
    """``text`` with whole lines replaced: keys are 1-based line numbers written as ``l6=...``."""
    out = text.splitlines()
    for key, line in lines.items():
        out[int(key[1:]) - 1] = line
    return "\n".join(out) + "\n"


def cxsim(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run ``python -m cxsim.cli ARGS`` in ``cwd``, as a pipe with no terminal width set.

    Without COLUMNS, rich would wrap at 80 columns; problem lines must stay whole regardless.
    """
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES", "FORCE_COLOR", "TERM")}
    proc = subprocess.run([sys.executable, "-m", "cxsim.cli", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)
    assert "Traceback" not in proc.stdout + proc.stderr, proc.stdout + proc.stderr
    return proc


def error_lines(proc: subprocess.CompletedProcess[str]) -> list[str]:
    return [line for line in proc.stderr.splitlines() if line.strip()]


# --- cxsim validate: one bad input at a time ------------------------------------------------------

BAD = {
    "unknown key": ({"l15": "    abandon: false"},
                    f"s.yaml:15:5: channels.phone.abandon: {UNKNOWN_KEY}"),
    "negative rate": ({"l6": "    rate: -360 /30min"},
                      "s.yaml:6:5: demand.open.rate: Input should be greater than or equal to 0"),
    "probability above 1": ({"l11": "    resolution: 1.5"},
                            "s.yaml:11:5: needs.call.resolution: Input should be less than or equal to 1"),
    "bad unit": ({"l2": "horizon: 8 hrs"},
                 "s.yaml:2:1: horizon: unknown time unit 'hrs' (use one of s, min, h, d, w, y)"),
    "channel does not exist": ({"l20": "    channels: [phone, chat]"},
                               "s.yaml:20:23: teams.agents.channels[1]: channel 'chat' does not exist (channels: phone)"),
    "warm-up equals horizon": ({"l3": "warmup: 8 h"},
                               "s.yaml:3:1: warmup: warm-up (480 min) must be shorter than the horizon (480 min)"),
    "warm-up beyond horizon": ({"l3": "warmup: 1 d"},
                               "s.yaml:3:1: warmup: warm-up (1440 min) must be shorter than the horizon (480 min)"),
    "unstable queue": ({"l19": "    agents: 48"},
                       "s.yaml:13:3: channels.phone: offered load 48 Erlangs is at or above the 48 agents serving it and nobody "
                       "abandons: the queue would grow without bound (add agents or allow abandonment)"),
    "yaml syntax": ({"l14": "    kind: phone: chat"},
                    "s.yaml:14:16: YAML syntax error: mapping values are not allowed here"),
    "yaml tab": ({"l2": "\thorizon: 8 h"},
                 "s.yaml:2:1: YAML syntax error: found character '\\t' that cannot start any token"),
    "rate over zero time": ({"l6": "    rate: 1 /0h"},
                            "s.yaml:6:5: demand.open.rate: '1 /0h': the time span of a rate must be positive and finite"),
}


@pytest.mark.parametrize(("lines", "expected"), list(BAD.values()), ids=list(BAD))
def test_validate_reports_the_problem_at_its_position(tmp_path: Path, lines: dict[str, str], expected: str) -> None:
    (tmp_path / "s.yaml").write_text(variant_of(VALID, **lines), encoding="utf-8")
    proc = cxsim("validate", "s.yaml", cwd=tmp_path)
    assert proc.returncode == 2
    assert error_lines(proc) == [expected]
    assert "s.yaml: ok" not in proc.stdout


def test_the_minimal_scenario_itself_is_valid(tmp_path: Path) -> None:
    # The control for every test above: only the replaced line makes those files bad.
    (tmp_path / "s.yaml").write_text(VALID, encoding="utf-8")
    proc = cxsim("validate", "s.yaml", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "s.yaml: ok"
    assert proc.stderr == ""


def test_validate_missing_file(tmp_path: Path) -> None:
    proc = cxsim("validate", "nope.yaml", cwd=tmp_path)
    assert proc.returncode == 2
    assert error_lines(proc) == ["nope.yaml: no such file"]


def test_validate_a_directory(tmp_path: Path) -> None:
    (tmp_path / "folder").mkdir()
    proc = cxsim("validate", "folder", cwd=tmp_path)
    assert proc.returncode == 2
    assert error_lines(proc) == ["folder: cannot read: IsADirectoryError"]


def test_validate_reports_every_problem_at_once(tmp_path: Path) -> None:
    text = variant_of(VALID, l6="    rate: -5 /h", l11="    resolution: 1.5", l15="    abandon: false")
    (tmp_path / "s.yaml").write_text(text, encoding="utf-8")
    proc = cxsim("validate", "s.yaml", cwd=tmp_path)
    assert proc.returncode == 2
    assert error_lines(proc) == [
        "s.yaml:6:5: demand.open.rate: Input should be greater than or equal to 0",
        "s.yaml:11:5: needs.call.resolution: Input should be less than or equal to 1",
        f"s.yaml:15:5: channels.phone.abandon: {UNKNOWN_KEY}",
    ]


def test_validate_reports_every_whole_scenario_problem_at_once(tmp_path: Path) -> None:
    text = variant_of(VALID, l3="warmup: 9 h", l19="    agents: 40", l20="    channels: [phone, chat]")
    (tmp_path / "s.yaml").write_text(text, encoding="utf-8")
    proc = cxsim("validate", "s.yaml", cwd=tmp_path)
    assert proc.returncode == 2
    assert sorted(error_lines(proc)) == sorted([
        "s.yaml:3:1: warmup: warm-up (540 min) must be shorter than the horizon (480 min)",
        "s.yaml:20:23: teams.agents.channels[1]: channel 'chat' does not exist (channels: phone)",
        "s.yaml:13:3: channels.phone: offered load 48 Erlangs is at or above the 40 agents serving it and nobody abandons: "
        "the queue would grow without bound (add agents or allow abandonment)",
    ])


def test_validate_checks_every_file_and_fails_if_any_is_bad(tmp_path: Path) -> None:
    (tmp_path / "good.yaml").write_text(VALID, encoding="utf-8")
    (tmp_path / "bad.yaml").write_text(variant_of(VALID, l11="    resolution: 1.5"), encoding="utf-8")
    proc = cxsim("validate", "bad.yaml", "good.yaml", "missing.yaml", cwd=tmp_path)
    assert proc.returncode == 2
    assert "good.yaml: ok" in proc.stdout
    assert error_lines(proc) == [
        "bad.yaml:11:5: needs.call.resolution: Input should be less than or equal to 1",
        "missing.yaml: no such file",
    ]


def test_long_problem_lines_are_not_wrapped(tmp_path: Path) -> None:
    # Editors jump to FILE:LINE:COL only if each problem is one line, however long.
    (tmp_path / "s.yaml").write_text(variant_of(VALID, l19="    agents: 48"), encoding="utf-8")
    proc = cxsim("validate", "s.yaml", cwd=tmp_path)
    assert proc.returncode == 2
    assert len(BAD["unstable queue"][1]) > 160
    assert proc.stderr == BAD["unstable queue"][1] + "\n"


# --- extends ----------------------------------------------------------------------------------------


def test_validate_extends_points_into_the_file_where_the_key_was_written(tmp_path: Path) -> None:
    (tmp_path / "base.yaml").write_text(variant_of(VALID, l11="    resolution: 1.5"), encoding="utf-8")
    (tmp_path / "variant.yaml").write_text(
        "extends: base.yaml\nname: v\nchannels:\n  phone:\n    abandons: true\n    patiense: 3 min\n",
        encoding="utf-8")
    proc = cxsim("validate", "variant.yaml", cwd=tmp_path)
    assert proc.returncode == 2
    assert error_lines(proc) == [
        "base.yaml:11:5: needs.call.resolution: Input should be less than or equal to 1",
        f"variant.yaml:6:5: channels.phone.patiense: {UNKNOWN_KEY}",
    ]


def test_validate_good_variant(tmp_path: Path) -> None:
    (tmp_path / "base.yaml").write_text(VALID, encoding="utf-8")
    (tmp_path / "variant.yaml").write_text("extends: base.yaml\nname: v\nneeds:\n  call:\n    resolution: 0.7\n",
                                           encoding="utf-8")
    proc = cxsim("validate", "variant.yaml", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "variant.yaml: ok"


def test_validate_missing_base_and_circular_extends(tmp_path: Path) -> None:
    (tmp_path / "orphan.yaml").write_text("extends: nope.yaml\nname: o\n", encoding="utf-8")
    (tmp_path / "a.yaml").write_text("extends: b.yaml\n", encoding="utf-8")
    (tmp_path / "b.yaml").write_text("name: b\nextends: a.yaml\n", encoding="utf-8")
    proc = cxsim("validate", "orphan.yaml", "a.yaml", cwd=tmp_path)
    assert proc.returncode == 2
    lines = error_lines(proc)
    assert lines[0] == "orphan.yaml:1:1: extends: base scenario 'nope.yaml' not found (looked in nope.yaml)"
    assert lines[1].startswith("b.yaml:2:1: extends: circular extends: ")
    assert lines[1].endswith(f"a.yaml -> {(tmp_path / 'b.yaml').resolve()} -> {(tmp_path / 'a.yaml').resolve()}")
    assert len(lines) == 2


# --- cxsim run writes nothing on bad input ------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (variant_of(VALID, l11="    resolution: 1.5"),
         "s.yaml:11:5: needs.call.resolution: Input should be less than or equal to 1"),
        (variant_of(VALID, l3="warmup: 8 h"),
         "s.yaml:3:1: warmup: warm-up (480 min) must be shorter than the horizon (480 min)"),
        (variant_of(VALID, l19="    agents: 48"), BAD["unstable queue"][1]),
        (variant_of(VALID, l14="    kind: phone: chat"), BAD["yaml syntax"][1]),
        (None, "s.yaml: no such file"),
    ],
    ids=["probability", "warm-up", "unstable", "syntax", "missing"],
)
def test_run_on_bad_input_writes_nothing(tmp_path: Path, text: str | None, expected: str) -> None:
    if text is not None:
        (tmp_path / "s.yaml").write_text(text, encoding="utf-8")
    before = sorted(p.name for p in tmp_path.iterdir())
    proc = cxsim("run", "s.yaml", "--out", "out", "--replications", "1", cwd=tmp_path)
    assert proc.returncode == 2
    assert error_lines(proc) == [expected]
    assert not (tmp_path / "out").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # nor results/ or anything else


def test_run_on_bad_input_without_out_writes_no_default_folder(tmp_path: Path) -> None:
    (tmp_path / "s.yaml").write_text(variant_of(VALID, l15="    abandon: false"), encoding="utf-8")
    proc = cxsim("run", "s.yaml", cwd=tmp_path)
    assert proc.returncode == 2
    assert error_lines(proc) == [f"s.yaml:15:5: channels.phone.abandon: {UNKNOWN_KEY}"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.yaml"]


def test_run_on_good_input_does_write_the_folder(tmp_path: Path) -> None:
    # The control for the tests above: the same command line with a valid (and quick) scenario writes.
    text = variant_of(VALID, l2="horizon: 20 min", l3="warmup: 0", l19="    agents: 10", l15="    abandons: true")
    (tmp_path / "s.yaml").write_text(text, encoding="utf-8")
    proc = cxsim("run", "s.yaml", "--out", "out", "--replications", "1", "--no-tables", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "out").is_dir() and any((tmp_path / "out").iterdir())


# --- cxsim schema ---------------------------------------------------------------------------------------


def test_schema_to_stdout(tmp_path: Path) -> None:
    proc = cxsim("schema", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    schema = json.loads(proc.stdout)
    assert {"demand", "needs", "channels", "teams", "horizon", "warmup"} <= set(schema["properties"])
    # Required unless the file extends a base (a variant inherits its keys).
    assert schema["if"] == {"type": "object", "required": ["extends"]}
    whole = schema["$defs"][schema["else"]["$ref"].rsplit("/", 1)[1]]
    assert set(whole["required"]) >= {"name", "horizon", "demand", "needs", "channels", "teams"}
    assert schema["additionalProperties"] is False  # unknown keys are forbidden
    assert all(d.get("additionalProperties") is False for d in schema["$defs"].values() if "properties" in d)
    # Durations accept a number or a string with a unit.
    assert {"type": "number"} in schema["properties"]["horizon"]["anyOf"]
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_schema_to_file(tmp_path: Path) -> None:
    proc = cxsim("schema", "--out", "schema.json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    written = json.loads((tmp_path / "schema.json").read_text(encoding="utf-8"))
    assert "demand" in written["properties"]
    assert proc.stdout == ""
    assert written == json.loads(cxsim("schema", cwd=tmp_path).stdout)


# --- the shipped scenarios ------------------------------------------------------------------------------


def test_all_shipped_scenarios_validate() -> None:
    files = sorted(str(p.relative_to(REPO)) for folder in ("scenarios", "benchmarks")
                   for p in (REPO / folder).glob("*.yaml"))
    assert len(files) >= 4
    proc = cxsim("validate", *files, cwd=REPO)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == [f"{f}: ok" for f in files]
    assert proc.stderr == ""

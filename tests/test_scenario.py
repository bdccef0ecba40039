"""Scenario files: units, validation with positions, and ``extends`` inheritance (in process).

The command line that prints these problems is tested in ``test_cli_input.py``.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from cxsim.scenario import ScenarioError, load_scenario, parse_duration, parse_rate
from cxsim.scenario.loading import Located, Where

# A minimal valid scenario (scenarios/erlang_c.yaml without comments). Line numbers matter: the
from helpers import VALID  # noqa: E402  (the minimal valid scenario both files vary)


def variant_of(text: str, **lines: str) -> str:
    """``text`` with whole lines replaced: keys are 1-based line numbers written as ``l6=...``."""
    out = text.splitlines()
    for key, line in lines.items():
        out[int(key[1:]) - 1] = line
    return "\n".join(out) + "\n"


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def problems_of(path: Path) -> list[str]:
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    return [str(p) for p in info.value.problems]


# --- units -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "minutes"),
    [
        (5, 5.0),
        (2.5, 2.5),
        ("45", 45.0),
        ("90 s", 1.5),
        ("90s", 1.5),
        ("6 min", 6.0),
        ("1.5 h", 90.0),
        ("8 h", 480.0),
        ("  8 H  ", 480.0),
        ("2 hours", 120.0),
        ("30 d", 30 * 1440.0),
        ("1 w", 10080.0),
        ("1e3 s", 1000 / 60),
        (".5 min", 0.5),
        ("-5 min", -5.0),  # the sign is the schema's business (it rejects negative durations)
    ],
)
def test_parse_duration(value: object, minutes: float) -> None:
    assert parse_duration(value) == pytest.approx(minutes)


@pytest.mark.parametrize(
    ("value", "per_minute"),
    [
        (12, 12.0),
        (0.25, 0.25),
        ("3", 3.0),
        ("200 /h", 200 / 60),
        ("200/h", 200 / 60),
        ("12 /min", 12.0),
        ("0.5 /d", 0.5 / 1440),
        ("360 /30min", 12.0),
        ("360 / 30 min", 12.0),
        ("2 /30d", 2 / (30 * 1440)),
        ("200 per hour", 200 / 60),
        ("60 /s", 3600.0),
    ],
)
def test_parse_rate(value: object, per_minute: float) -> None:
    assert parse_rate(value) == pytest.approx(per_minute)


JUNK = ["", "   ", "abc", "h", "min 5", "1 h 30 min", "5 parsecs", "8 hrs", "nan", "inf", "-inf", "1e400 s",
        None, True, False, [1], {"value": 1}, float("nan"), float("inf"), 10**400]


def short(value: object) -> str:
    return repr(value)[:24]


@pytest.mark.parametrize("value", JUNK, ids=short)
def test_parse_duration_rejects_junk_with_value_error(value: object) -> None:
    # ValueError (not TypeError, ZeroDivisionError, OverflowError) is what pydantic turns into a
    # located validation problem; anything else would escape as a traceback.
    with pytest.raises(ValueError):
        parse_duration(value)


@pytest.mark.parametrize("value", JUNK + ["200 h", "/h", "200 /", "200 /hrs", "1 /0h", "0 /0 min", "1 /-2h"],
                         ids=short)
def test_parse_rate_rejects_junk_with_value_error(value: object) -> None:
    with pytest.raises(ValueError):
        parse_rate(value)


def test_unit_errors_name_the_bad_unit_and_the_accepted_forms() -> None:
    with pytest.raises(ValueError, match=r"unknown time unit 'hrs'.*\bs, min, h, d\b"):
        parse_duration("8 hrs")
    with pytest.raises(ValueError, match=r"'soon' is not a duration.*'90 s'"):
        parse_duration("soon")
    with pytest.raises(ValueError, match=r"'200 h' is not a rate.*'200 /h'"):
        parse_rate("200 h")


# --- validation with positions -----------------------------------------------------------------


def test_minimal_scenario_loads_with_units_converted(tmp_path: Path) -> None:
    s = load_scenario(write(tmp_path, "s.yaml", VALID))
    assert s.name == "tiny"
    assert s.horizon == pytest.approx(480.0)
    assert s.warmup == pytest.approx(30.0)
    assert s.demand.open is not None and s.demand.open.rate == pytest.approx(12.0)
    assert s.needs["call"].work_time.mean == pytest.approx(4.0)
    assert s.channels["phone"].service_level_target == pytest.approx(1 / 3)
    assert s.teams["agents"].agents == 55


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        ({"l15": "    abandon: false"},
         "s.yaml:15:5: channels.phone.abandon: unknown key (check the spelling; `cxsim schema` lists the valid keys)"),
        ({"l6": "    rate: -360 /30min"},
         "s.yaml:6:5: demand.open.rate: Input should be greater than or equal to 0"),
        ({"l11": "    resolution: 1.5"},
         "s.yaml:11:5: needs.call.resolution: Input should be less than or equal to 1"),
        ({"l10": "    work_time: {dist: exponential, mean: -4}"},
         "s.yaml:10:36: needs.call.work_time.mean: Input should be greater than 0"),  # the key in the flow map
        ({"l2": "horizon: 8 hrs"},
         "s.yaml:2:1: horizon: unknown time unit 'hrs' (use one of s, min, h, d, w, y)"),
        ({"l2": "horizon: .inf"},
         "s.yaml:2:1: horizon: a duration must be a finite number, not inf"),
        ({"l6": "    rate: 1 /0h"},
         "s.yaml:6:5: demand.open.rate: '1 /0h': the time span of a rate must be positive and finite"),
        ({"l20": "    channels: [phone, chat]"},
         "s.yaml:20:23: teams.agents.channels[1]: channel 'chat' does not exist (channels: phone)"),
        ({"l3": "warmup: 8 h"},
         "s.yaml:3:1: warmup: warm-up (480 min) must be shorter than the horizon (480 min)"),
        ({"l19": "    agents: 48"},
         "s.yaml:13:3: channels.phone: offered load 48 Erlangs is at or above the 48 agents serving it and nobody abandons: "
         "the queue would grow without bound (add agents or allow abandonment)"),
    ],
)
def test_one_problem_is_reported_at_its_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                             lines: dict[str, str], expected: str) -> None:
    monkeypatch.chdir(tmp_path)
    assert problems_of(write(tmp_path, "s.yaml", variant_of(VALID, **lines)).relative_to(tmp_path)) == [expected]


def test_missing_required_key_points_at_the_enclosing_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    text = VALID.replace("    work_time: {dist: exponential, mean: 240 s}\n", "")
    assert problems_of(write(tmp_path, "s.yaml", text).relative_to(tmp_path)) == [
        "s.yaml:8:3: needs.call.work_time: required key is missing"]


def test_stability_boundary(tmp_path: Path) -> None:
    # 48 Erlangs offered: 49 agents is a stable M/M/c queue, 48 is not; with abandonment 48 is fine.
    load_scenario(write(tmp_path, "ok.yaml", variant_of(VALID, l19="    agents: 49")))
    with pytest.raises(ScenarioError):
        load_scenario(write(tmp_path, "bad.yaml", variant_of(VALID, l19="    agents: 48")))
    load_scenario(write(tmp_path, "abandon.yaml", variant_of(VALID, l19="    agents: 48", l15="    abandons: true")))


def test_several_schema_problems_are_all_reported_in_file_order(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    text = variant_of(VALID, l6="    rate: -5 /h", l11="    resolution: 1.5", l15="    abandon: false")
    problems = problems_of(write(tmp_path, "s.yaml", text).relative_to(tmp_path))
    assert [p.split(": ")[0:2] for p in problems] == [
        ["s.yaml:6:5", "demand.open.rate"],
        ["s.yaml:11:5", "needs.call.resolution"],
        ["s.yaml:15:5", "channels.phone.abandon"],
    ]


def test_several_whole_scenario_problems_are_all_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    text = variant_of(VALID, l3="warmup: 9 h", l19="    agents: 40", l20="    channels: [phone, chat]")
    problems = problems_of(write(tmp_path, "s.yaml", text).relative_to(tmp_path))
    assert sorted(p.split(": ")[0] + ": " + p.split(": ")[1] for p in problems) == sorted([
        "s.yaml:20:23: teams.agents.channels[1]",
        "s.yaml:3:1: warmup",
        "s.yaml:13:3: channels.phone",
    ])


def test_located_without_a_position_prints_just_the_file() -> None:
    assert str(Located(Where("x.yaml", 0, 0), "", "no such file")) == "x.yaml: no such file"
    assert str(Located(Where("x.yaml", 3, 7), "a.b", "bad")) == "x.yaml:3:7: a.b: bad"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("name: tiny\n\thorizon: 8 h\n", "s.yaml:2:1: YAML syntax error: found character '\\t' that cannot start any token"),
        ("name: a\nname: b\n", 's.yaml:2:1: YAML syntax error: found duplicate key "name" with value "b" (original value: "a")'),
        ("- a\n- b\n", "s.yaml:1:1: a scenario file must be a mapping of keys to values"),
        ("seed: " + "9" * 5000 + "\n", None),  # too many digits for Python's int(): still a clean error
    ],
)
def test_unreadable_yaml_is_a_scenario_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                              text: str, expected: str | None) -> None:
    monkeypatch.chdir(tmp_path)
    problems = problems_of(write(tmp_path, "s.yaml", text).relative_to(tmp_path))
    assert len(problems) == 1
    if expected is None:
        assert problems[0].startswith("s.yaml: YAML error: ")
    else:
        assert problems == [expected]


def test_absurd_counts_are_validation_errors_not_crashes(tmp_path: Path) -> None:
    # A 400-digit agent count used to overflow float() in the stability check (a traceback).
    big = "1" + "0" * 400
    path = write(tmp_path, "s.yaml", variant_of(VALID, l19=f"    agents: {big}", l2=f"horizon: {big}"))
    problems = problems_of(path)
    assert [p.split(": ")[1] for p in problems] == ["horizon", "teams.agents.agents"]


def test_missing_file(tmp_path: Path) -> None:
    assert problems_of(tmp_path / "nope.yaml") == [f"{tmp_path / 'nope.yaml'}: no such file"]


# --- extends -----------------------------------------------------------------------------------

VARIANT = """\
extends: base.yaml
name: variant
needs:
  call:
    resolution: 0.8
channels:
  phone:
    abandons: true
"""


def test_extends_merges_deep(tmp_path: Path) -> None:
    write(tmp_path, "base.yaml", VALID)
    s = load_scenario(write(tmp_path, "variant.yaml", VARIANT))
    assert s.name == "variant"
    call = s.needs["call"]
    assert call.resolution == pytest.approx(0.8)          # overridden
    assert call.share == pytest.approx(1.0)               # inherited sibling of the overridden key
    assert call.work_time.mean == pytest.approx(4.0)      # inherited sibling, units converted
    phone = s.channels["phone"]
    assert phone.abandons is True and phone.kind == "phone"
    assert phone.service_level_target == pytest.approx(1 / 3)
    assert s.horizon == pytest.approx(480.0) and s.warmup == pytest.approx(30.0)
    assert s.teams["agents"].agents == 55 and s.teams["agents"].channels == ["phone"]
    # The base itself is untouched by reading the variant.
    base = load_scenario(tmp_path / "base.yaml")
    assert base.name == "tiny" and base.needs["call"].resolution == 1.0 and base.channels["phone"].abandons is False


def test_extends_replaces_lists_and_later_bases_win(tmp_path: Path) -> None:
    write(tmp_path, "base.yaml", VALID)
    write(tmp_path, "more.yaml", "channels:\n  chat:\n    kind: chat\n    abandons: false\nwarmup: 1 h\n")
    write(tmp_path, "v.yaml", "extends: [base.yaml, more.yaml]\nteams:\n  agents:\n    channels: [chat, phone]\n")
    s = load_scenario(tmp_path / "v.yaml")
    assert set(s.channels) == {"phone", "chat"}
    assert s.teams["agents"].channels == ["chat", "phone"]   # a list is replaced, not appended to
    assert s.warmup == pytest.approx(60.0)          # the later base overrides the earlier one
    assert s.name == "tiny"


def test_extends_is_relative_to_the_variant_not_the_working_directory(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "sub"
    folder.mkdir()
    write(folder, "base.yaml", VALID)
    write(folder, "variant.yaml", VARIANT)
    monkeypatch.chdir(tmp_path)
    assert load_scenario(Path("sub/variant.yaml")).needs["call"].resolution == pytest.approx(0.8)


def test_errors_point_into_the_file_where_the_key_was_written(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    # The base has a bad probability and a typo inside a mapping that the variant also touches.
    write(tmp_path, "base.yaml", variant_of(VALID, l11="    resolution: 1.5", l16="    service_levl_target: 20 s"))
    write(tmp_path, "variant.yaml", "extends: base.yaml\nname: v\nchannels:\n  phone:\n    abandons: true\n"
                                    "teams:\n  agents:\n    agents: -1\n")
    assert problems_of(Path("variant.yaml")) == [
        "base.yaml:11:5: needs.call.resolution: Input should be less than or equal to 1",
        "base.yaml:16:5: channels.phone.service_levl_target: unknown key (check the spelling; "
        "`cxsim schema` lists the valid keys)",
        "variant.yaml:8:5: teams.agents.agents: Input should be greater than or equal to 0",
    ]


def test_overriding_a_bad_inherited_value_fixes_it(tmp_path: Path) -> None:
    write(tmp_path, "base.yaml", variant_of(VALID, l11="    resolution: 1.5"))
    with pytest.raises(ScenarioError):
        load_scenario(tmp_path / "base.yaml")
    assert load_scenario(write(tmp_path, "variant.yaml", VARIANT)).needs["call"].resolution == pytest.approx(0.8)


def test_whole_scenario_problem_in_an_inherited_key_points_into_the_base(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "base.yaml", variant_of(VALID, l20="    channels: [phone, chat]"))
    write(tmp_path, "variant.yaml", VARIANT)
    assert problems_of(Path("variant.yaml")) == [
        "base.yaml:20:23: teams.agents.channels[1]: channel 'chat' does not exist (channels: phone)"]


def test_missing_base(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "variant.yaml", "name: v\nextends: nope.yaml\n")
    assert problems_of(Path("variant.yaml")) == [
        "variant.yaml:2:1: extends: base scenario 'nope.yaml' not found (looked in nope.yaml)"]


def test_circular_extends(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "a.yaml", "extends: b.yaml\nname: a\n")
    write(tmp_path, "b.yaml", "name: b\nextends: [a.yaml]\n")
    problems = problems_of(Path("a.yaml"))
    assert len(problems) == 1
    # Located at the entry that closes the loop, and naming the whole loop.
    assert problems[0].startswith("b.yaml:2:11: extends: circular extends: ")
    assert problems[0].endswith(f"{tmp_path / 'a.yaml'} -> {tmp_path / 'b.yaml'} -> {tmp_path / 'a.yaml'}")


def test_a_file_extending_itself(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "a.yaml", "extends: a.yaml\n")
    assert problems_of(Path("a.yaml")) == [
        f"a.yaml:1:1: extends: circular extends: {tmp_path / 'a.yaml'} -> {tmp_path / 'a.yaml'}"]


def test_diamond_extends_is_not_circular(tmp_path: Path) -> None:
    write(tmp_path, "root.yaml", VALID)
    write(tmp_path, "left.yaml", "extends: root.yaml\nwarmup: 1 h\n")
    write(tmp_path, "right.yaml", "extends: root.yaml\nseed: 7\n")
    s = load_scenario(write(tmp_path, "both.yaml", "extends: [left.yaml, right.yaml]\n"))
    assert s.seed == 7 and s.name == "tiny"


def test_extends_must_name_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "v.yaml", "name: v\nextends: 5\n")
    assert problems_of(Path("v.yaml")) == ["v.yaml:2:1: extends: give a file name or a list of file names"]


def test_shipped_variant_inherits_from_its_base() -> None:
    root = Path(__file__).resolve().parent.parent / "scenarios"
    base, variant = load_scenario(root / "erlang_a.yaml"), load_scenario(root / "erlang_a_repeats.yaml")
    assert variant.name == "erlang_a_repeats"
    assert variant.needs["call"].resolution == pytest.approx(0.8)
    assert variant.needs["call"].work_time == base.needs["call"].work_time
    assert variant.channels == base.channels and variant.teams == base.teams
    assert variant.demand.open is not None and variant.demand.open.rate == pytest.approx(38.4)
    assert math.isclose(variant.horizon, base.horizon)

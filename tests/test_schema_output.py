"""`cxsim schema` describes the files cxsim accepts: an editor set up with it marks no shipped
scenario and no README example red, and still catches a typo."""

from __future__ import annotations

import json
import re

import jsonschema
import pytest
from ruamel.yaml import YAML
from typer.testing import CliRunner

from cxsim.cli import app
from helpers import ROOT, SCENARIOS

FILES = sorted(SCENARIOS.glob("*.yaml")) + sorted((ROOT / "docs" / "examples").glob("*.yaml")) + \
    sorted((ROOT / "benchmarks").glob("*.yaml"))


@pytest.fixture(scope="module")
def validator():
    done = CliRunner().invoke(app, ["schema"])
    assert done.exit_code == 0, done.output
    schema = json.loads(done.stdout)
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def load(text: str):
    return YAML(typ="safe").load(text)


def problems(validator, data) -> list[str]:
    return [f"{'.'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(data)]


def readme_yaml_blocks() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```yaml\n(.*?)```", readme, re.S)


@pytest.mark.parametrize("path", [p for p in FILES if "broken" not in p.name], ids=lambda p: p.name)
def test_every_shipped_scenario_passes_the_editor_schema(validator, path):
    assert problems(validator, load(path.read_text(encoding="utf-8"))) == []


@pytest.mark.parametrize("index", range(len(readme_yaml_blocks())))
def test_every_readme_yaml_block_passes_the_editor_schema(validator, index):
    data = load(readme_yaml_blocks()[index])
    if "name" not in data and "extends" not in data:
        data["extends"] = "a base scenario"  # a fragment of a scenario: checked as a variant file would be
    assert problems(validator, data) == []


def test_the_schema_still_catches_mistakes(validator):
    base = load((SCENARIOS / "erlang_c.yaml").read_text(encoding="utf-8"))
    typo = {**base, "teams": {"agents": {**base["teams"]["agents"], "agnets": 3}}}
    assert any("agnets" in p for p in problems(validator, typo))
    missing = {k: v for k, v in base.items() if k != "horizon"}
    assert any("horizon" in p for p in problems(validator, missing))
    assert problems(validator, {**base, "mechanisms": "sometimes"})
    assert problems(validator, {**base, "policies": [1, 2]})
    # A variant inherits its keys but may not invent new ones.
    assert problems(validator, {"extends": "base.yaml", "teams": {"agents": {"agents": 57}}}) == []
    assert any("agnets" in p for p in problems(validator, {"extends": "base.yaml", "teams": {"a": {"agnets": 1}}}))


def test_the_schema_agrees_with_the_loader_on_the_shipped_files(validator):
    """Whatever the loader accepts as a whole file (extends resolved) the schema accepts too."""
    from cxsim.scenario.loading import read_positions

    for path in FILES:
        if "broken" in path.name:
            continue
        merged, _ = read_positions(path)
        assert problems(validator, merged) == [], path.name

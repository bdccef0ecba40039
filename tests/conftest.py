"""Shared fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import SCENARIOS


@pytest.fixture(scope="session")
def scenarios_dir() -> Path:
    return SCENARIOS

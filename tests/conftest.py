"""Shared fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import SCENARIOS


@pytest.fixture(scope="session")
def scenarios_dir() -> Path:
    return SCENARIOS


def pytest_configure(config) -> None:
    """Compile the fast engine once, before any test (and before xdist starts its workers).

    The fast engine is the default, and many tests run it in a subprocess with a timeout: without
    this, the first of them on a fresh machine would pay numba's compilation (about a minute, more
    when both workers compile at once) inside its timeout. Workers then load it from numba's cache.
    """
    if hasattr(config, "workerinput"):  # an xdist worker: the controller has compiled already
        return
    import subprocess
    import sys

    subprocess.run([sys.executable, "-m", "cxsim.cli", "compile"], check=True, capture_output=True, timeout=1800)

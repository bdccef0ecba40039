"""Speed benchmarks: customers/second per benchmark, and cxsim's speed as a ratio to the yardstick.

Both benchmarks hand their result to the ``record_speed`` fixture, which stores customers/second
(and, once both have run, the ratio) in each benchmark's ``extra_info`` so ``--benchmark-json``
captures them. The ratio is printed in the terminal summary rather than by a third test, because
``--benchmark-only`` skips every test that does not use the ``benchmark`` fixture.
"""

from __future__ import annotations

from typing import Any, Callable

import pytest
from pytest_benchmark.fixture import BenchmarkFixture

YARDSTICK, CXSIM = "yardstick", "cxsim"
RATIO = "ratio_cxsim_to_yardstick"

RecordSpeed = Callable[[str, BenchmarkFixture, int], None]
_SPEEDS = pytest.StashKey[dict[str, dict[str, Any]]]()  # name → that benchmark's extra_info


@pytest.fixture(scope="session")
def record_speed(pytestconfig: pytest.Config) -> RecordSpeed:
    """``record_speed(name, benchmark, contacts)``: note customers/second of a finished benchmark."""
    speeds = pytestconfig.stash.setdefault(_SPEEDS, {})

    def record(name: str, benchmark: BenchmarkFixture, contacts: int) -> None:
        if benchmark.stats is None:  # --benchmark-disable: ran once, untimed
            return
        info = benchmark.extra_info
        info.update(contacts=contacts, customers_per_second=contacts / benchmark.stats.stats.mean)
        speeds[name] = info
        if YARDSTICK in speeds and CXSIM in speeds:
            ratio = speeds[CXSIM]["customers_per_second"] / speeds[YARDSTICK]["customers_per_second"]
            for other in speeds.values():
                other[RATIO] = ratio

    return record


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    """Print customers/second of each benchmark and the cxsim/yardstick ratio."""
    speeds = config.stash.get(_SPEEDS, {})
    if not speeds:
        return
    terminalreporter.section("cxsim SimPy engine vs bare SimPy yardstick")
    for name, info in speeds.items():
        terminalreporter.write_line(f"{name:>10}: {info['customers_per_second']:>10,.0f} customers/s "
                                    f"({info['contacts']} contacts)")
    ratio = next(iter(speeds.values())).get(RATIO)
    if ratio is not None:
        terminalreporter.write_line(f"ratio cxsim/yardstick: {ratio:.3f}")

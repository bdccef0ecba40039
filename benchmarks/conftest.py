"""Speed benchmarks: customers/second per benchmark, and cxsim's speed as a ratio to the yardstick.

Both benchmarks hand their result to the ``record_speed`` fixture, which stores customers/second
(and, once both have run, the ratio) in each benchmark's ``extra_info`` so ``--benchmark-json``
captures them. The headline uses the mean time; the median is kept too, because cxsim's times are
bimodal (an occasional full garbage collection roughly doubles a round). The ratio is printed in
the terminal summary rather than by a third test, because ``--benchmark-only`` skips every test
that does not use the ``benchmark`` fixture.
"""

from __future__ import annotations

from typing import Any, Callable

import pytest
from pytest_benchmark.fixture import BenchmarkFixture

YARDSTICK, CXSIM = "yardstick", "cxsim"  # the names the two benchmarks record under

RecordSpeed = Callable[[str, BenchmarkFixture, int], None]
_SPEEDS = pytest.StashKey[dict[str, dict[str, Any]]]()  # name → that benchmark's extra_info


@pytest.fixture(scope="session")
def record_speed(pytestconfig: pytest.Config) -> RecordSpeed:
    """``record_speed(name, benchmark, contacts)``: note customers/second of a finished benchmark."""
    speeds = pytestconfig.stash.setdefault(_SPEEDS, {})

    def record(name: str, benchmark: BenchmarkFixture, contacts: int) -> None:
        if benchmark.stats is None:  # --benchmark-disable: ran once, untimed
            return
        stats, info = benchmark.stats.stats, benchmark.extra_info
        info.update(contacts=contacts, customers_per_second=contacts / stats.mean,
                    customers_per_second_median=contacts / stats.median)
        speeds[name] = info
        if YARDSTICK in speeds and CXSIM in speeds:
            cx, ys = speeds[CXSIM], speeds[YARDSTICK]
            ratio = cx["customers_per_second"] / ys["customers_per_second"]
            ratio_median = cx["customers_per_second_median"] / ys["customers_per_second_median"]
            for other in speeds.values():
                other.update(ratio_cxsim_to_yardstick=ratio, ratio_cxsim_to_yardstick_median=ratio_median)

    return record


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    """Print customers/second of each benchmark and the cxsim/yardstick ratio."""
    speeds = config.stash.get(_SPEEDS, {})
    if not speeds:
        return
    terminalreporter.section("cxsim SimPy engine vs bare SimPy yardstick")
    for name, info in speeds.items():
        terminalreporter.write_line(
            f"{name:>10}: {info['customers_per_second']:>8,.0f} customers/s from the mean time "
            f"({info['customers_per_second_median']:,.0f} from the median; {info['contacts']} contacts)")
    info = next(iter(speeds.values()))
    if "ratio_cxsim_to_yardstick" in info:
        terminalreporter.write_line(f"ratio cxsim/yardstick: {info['ratio_cxsim_to_yardstick']:.3f} "
                                    f"(medians: {info['ratio_cxsim_to_yardstick_median']:.3f})")

"""Speed benchmarks: contacts/second per benchmark, and the ratios between them, in one run.

Each benchmark hands its result to ``record_speed(group, name, benchmark, contacts)``, which stores
contacts/second in the benchmark's ``extra_info`` (so ``--benchmark-json`` and saved baselines keep
it). Ratios are computed within a group, where every benchmark simulates the same scenario, and
printed in the terminal summary (``--benchmark-only`` skips tests that do not benchmark, so no
test can print them). Times are means; medians are kept too, because SimPy rounds are bimodal (an
occasional full garbage collection roughly doubles one).
"""

from __future__ import annotations

from typing import Any, Callable

import pytest
from pytest_benchmark.fixture import BenchmarkFixture

RecordSpeed = Callable[[str, str, BenchmarkFixture, int], None]
_SPEEDS = pytest.StashKey[dict[str, dict[str, dict[str, Any]]]]()  # group → name → extra_info
_NOTES = pytest.StashKey[list[str]]()
#: The ratios worth reading: (numerator, denominator), by benchmark name.
RATIOS = (("fast", "simpy"), ("fast_summary", "simpy"), ("simpy", "yardstick"), ("fast", "yardstick"),
          ("fast", "yardstick_numba"), ("fast_summary", "yardstick_numba"),
          # the command line, end to end (test_cli.py)
          ("cli_fast", "cli_simpy"), ("cli_fast_no_tables", "cli_simpy"), ("cli_fast_no_tables", "cli_fast"))


@pytest.fixture(scope="session")
def record_speed(pytestconfig: pytest.Config) -> RecordSpeed:
    """``record_speed(group, name, benchmark, contacts)``: note contacts/second of a finished benchmark."""
    speeds = pytestconfig.stash.setdefault(_SPEEDS, {})

    def record(group: str, name: str, benchmark: BenchmarkFixture, contacts: int) -> None:
        if benchmark.stats is None:  # --benchmark-disable: ran once, untimed
            return
        stats, info = benchmark.stats.stats, benchmark.extra_info
        info.update(contacts=contacts, contacts_per_second=contacts / stats.mean,
                    contacts_per_second_median=contacts / stats.median)
        members = speeds.setdefault(group, {})
        members[name] = info
        for top, bottom in RATIOS:
            if top in members and bottom in members:
                ratio = members[top]["contacts_per_second"] / members[bottom]["contacts_per_second"]
                for other in members.values():
                    other[f"ratio_{top}_to_{bottom}"] = ratio

    return record


@pytest.fixture(scope="session")
def note(pytestconfig: pytest.Config) -> Callable[[str], None]:
    """A line for the terminal summary (compile times, memory)."""
    return pytestconfig.stash.setdefault(_NOTES, []).append


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    speeds, notes = config.stash.get(_SPEEDS, {}), config.stash.get(_NOTES, [])
    if not speeds and not notes:
        return
    terminalreporter.section("cxsim engine speeds (contacts/second from the mean time) and ratios")
    for group, members in speeds.items():
        terminalreporter.write_line(f"{group}:")
        for name, info in members.items():
            terminalreporter.write_line(f"  {name:>18}: {info['contacts_per_second']:>12,.0f} contacts/s "
                                        f"(median {info['contacts_per_second_median']:,.0f}; {info['contacts']:,} contacts)")
        info = next(iter(members.values()))
        for top, bottom in RATIOS:
            if f"ratio_{top}_to_{bottom}" in info:
                terminalreporter.write_line(f"  ratio {top}/{bottom}: {info[f'ratio_{top}_to_{bottom}']:.2f}")
    user_view = _user_view(speeds)
    if user_view:
        terminalreporter.write_line(user_view)
    for line in notes:
        terminalreporter.write_line(line)


def _user_view(speeds: dict[str, dict[str, dict[str, Any]]]) -> str | None:
    """The command line's fast/SimPy ratio (tables on, as a user runs it) beside the engines' own, when
    both ran in this session: how much of the engine's speed-up reaches the user."""
    cli = next(iter(speeds.get("cli_erlang_a", {}).values()), {}).get("ratio_cli_fast_to_cli_simpy")
    engine = next(iter(speeds.get("erlang_a_repeats", {}).values()), {}).get("ratio_fast_to_simpy")
    if cli is None or engine is None:
        return None
    return (f"the user's view: `cxsim run` with tables, fast/SimPy {cli:.2f}x (erlang_a, whole commands) beside "
            f"the engines alone {engine:.2f}x (erlang_a_repeats, in process): the user gets {cli / engine:.0%} of "
            f"the engine's speed-up (goal: the command >= 20x)")

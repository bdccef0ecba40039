"""Engines: each turns compiled parameters and a seed into one replication's records."""

from __future__ import annotations

from typing import Callable

from ..compiled import Params
from ..records import Recorder

Engine = Callable[[Params, int, int], Recorder]


#: Engine names, the reference first.
ENGINES = ("simpy", "fast")


def get_engine(name: str) -> Engine:
    """The ``simulate(params, seed, replication)`` function of engine ``name``."""
    if name == "simpy":
        from .simpy import simulate
        return simulate
    if name == "fast":
        from .fast import simulate as fast
        return fast
    raise ValueError(f"unknown engine {name!r} (available: {', '.join(ENGINES)})")


def get_summary(name: str) -> Callable[[Params, int, int], tuple] | None:
    """Engine ``name``'s summary-only run (metric tallies and the daily table, no per-contact
    records), or None if it has none: the SimPy engine always keeps its records."""
    if name == "fast":
        from .fast import simulate_summary
        return simulate_summary
    get_engine(name)  # an unknown name fails here
    return None


def refusals(name: str, params: Params) -> list[str]:
    """Why engine ``name`` cannot run these parameters (empty: it can). The SimPy engine is the
    reference and runs everything; the fast engine names any parameter it does not know."""
    if name == "fast":
        from .fast.params import unsupported
        return [f"the fast engine does not support {field} yet: use --engine simpy" for field in unsupported(params)]
    get_engine(name)
    return []

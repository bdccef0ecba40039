"""Engines: each turns compiled parameters and a seed into one replication's records."""

from __future__ import annotations

from typing import Callable

from ..compiled import Params
from ..records import Recorder

Engine = Callable[[Params, int, int], Recorder]


def get_engine(name: str) -> Engine:
    if name == "simpy":
        from .simpy import simulate
        return simulate
    raise ValueError(f"unknown engine {name!r} (available: simpy)")

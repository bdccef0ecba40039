"""The SimPy engine's one scheduling rule for absolute times (see ``docs/event-order.md``)."""

from __future__ import annotations

import simpy


def at(env: simpy.Environment, time: float) -> simpy.Timeout:
    """An event at the absolute ``time``.

    SimPy only knows delays: it schedules ``now + (time - now)``, which in floating point may differ
    from ``time`` in the last bit. The fast engine reproduces exactly that sum
    (``engines.fast.heap.push_at``); every absolute time in this engine goes through here.
    """
    return env.timeout(time - env.now)

"""Random streams: one SeedSequence per run, one stream per purpose inside a replication.

Replication ``r`` of a run seeded ``seed`` uses ``SeedSequence(seed, spawn_key=(r, k))`` for the
``k``-th purpose. The key depends only on the seed, the replication and the purpose — never on
the policy, the worker or the order runs finish in — so two policies compared on replication ``r``
see the same arrivals, needs, patience and work (common random numbers), and results do not
depend on how many processes computed them.

Both engines name a stream by the index constants below (the SimPy engine through
:func:`streams`, the fast engine through :func:`generators`); the index is part of the seed key,
so the order of ``PURPOSES`` must never change.
"""

from __future__ import annotations

import numpy as np

#: The purposes that get their own stream, in a fixed order (the order is part of the seed key).
PURPOSES = ("arrivals", "needs", "patience", "work", "resolution", "returns", "experience", "workforce",
            "customers", "loyalty", "background", "segments", "management", "fcr", "sickness")
(ARRIVALS, NEEDS, PATIENCE, WORK, RESOLUTION, RETURNS, EXPERIENCE, WORKFORCE,
 CUSTOMERS, LOYALTY, BACKGROUND) = range(11)
SEGMENTS = PURPOSES.index("segments")  # a new customer's segment (appended: earlier keys unchanged)
MANAGEMENT = PURPOSES.index("management")  # a review's survey sampling noise (appended)
FCR = PURPOSES.index("fcr")  # the agents' FCR tick-box (kernels.fcr; appended, drawn only under management)
SICKNESS = PURPOSES.index("sickness")  # baseline sickness spells (kernels.sickness; appended, drawn only when on)

BLOCK = 4096


class Stream:
    """Uniforms in [0, 1) drawn from a numpy Generator in blocks (one Python call per uniform)."""

    __slots__ = ("_rng", "_buffer", "_next")

    def __init__(self, seed_sequence: np.random.SeedSequence):
        self._rng = np.random.Generator(np.random.PCG64(seed_sequence))
        self._buffer: list[float] = []
        self._next = 0

    def uniform(self) -> float:
        i = self._next
        if i == len(self._buffer):
            self._buffer = self._rng.random(BLOCK).tolist()
            i = 0
        self._next = i + 1
        return self._buffer[i]


def _sequence(seed: int, replication: int, purpose: int) -> np.random.SeedSequence:
    return np.random.SeedSequence(seed, spawn_key=(replication, purpose))


def generators(seed: int, replication: int) -> tuple[np.random.Generator, ...]:
    """The streams as bare numpy Generators, indexed by purpose (for compiled engines)."""
    return tuple(np.random.Generator(np.random.PCG64(_sequence(seed, replication, k)))
                 for k in range(len(PURPOSES)))


def streams(seed: int, replication: int) -> tuple[Stream, ...]:
    """The same streams as buffered Python streams, indexed by purpose (for the SimPy engine)."""
    return tuple(Stream(_sequence(seed, replication, k)) for k in range(len(PURPOSES)))

"""Seeds and streams: one SeedSequence per run, one stream per purpose inside a replication.

Replication ``r`` of a run seeded ``seed`` uses ``SeedSequence(seed, spawn_key=(r, k))`` for the
``k``-th purpose. The key depends only on the seed, the replication and the purpose — never on
the policy, the worker or the order runs finish in — so two policies compared on replication ``r``
see the same arrivals, needs, patience and work (common random numbers), and results do not
depend on how many processes computed them.
"""

from __future__ import annotations

import numpy as np

#: The purposes that get their own stream, in a fixed order (the order is part of the seed key).
PURPOSES = ("arrivals", "needs", "patience", "work", "resolution", "returns", "experience", "workforce",
            "customers", "loyalty", "background")

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


def replication_seed(seed: int, replication: int) -> np.random.SeedSequence:
    return np.random.SeedSequence(seed, spawn_key=(replication,))


def generators(seed: int, replication: int) -> tuple[np.random.Generator, ...]:
    """The same streams as bare numpy Generators, in ``PURPOSES`` order (for compiled engines)."""
    return tuple(np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(replication, k))))
                 for k in range(len(PURPOSES)))


def streams(seed: int, replication: int) -> dict[str, Stream]:
    """The independent streams of one replication, by purpose."""
    return {name: Stream(np.random.SeedSequence(seed, spawn_key=(replication, k)))
            for k, name in enumerate(PURPOSES)}

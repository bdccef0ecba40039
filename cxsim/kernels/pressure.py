"""The organisation's pressure step and head-count changes, written once for both engines.

The team step itself (pressure, multiplier, standard) is ``kernels.workday.team_step``; this module
holds what both engines did around it: the work a team feels from the queues it serves (shared
queues split their work), the head-count weighted mean for the daily table, and how many agents a
team loses or gains when the staffing lever sets a new head count (and who goes first).
"""
from __future__ import annotations

import numpy as np
from numba import njit

from .workday import leaving_order


@njit(cache=True)
def shared_load(counts: np.ndarray, queues: np.ndarray, n: int, share: np.ndarray) -> float:
    """Σ counts[q] × share[q] over the first ``n`` queues a team serves, added in order."""
    total = 0.0
    for k in range(n):
        q = queues[k]
        total += counts[q] * share[q]
    return total


@njit(cache=True)
def team_load(capacity: float, offered: np.ndarray, queued: np.ndarray, queues: np.ndarray, n: int,
              share: np.ndarray) -> tuple[float, float]:
    """(offered, waiting) work a team feels this interval; none when nobody is on duty."""
    if capacity > 0.0:
        return shared_load(offered, queues, n, share), shared_load(queued, queues, n, share)
    return 0.0, 0.0


@njit(cache=True)
def headcount_mean(values: np.ndarray, sizes: np.ndarray) -> float:
    """Head-count weighted mean over teams (for the daily table); the first team's value if nobody is employed."""
    total, size = 0.0, 0
    for t in range(values.shape[0]):
        total += values[t] * sizes[t]
        size += sizes[t]
    return total / size if size else values[0]


@njit(cache=True)
def headcount_change(busy: np.ndarray, hired: np.ndarray, target: int) -> tuple[np.ndarray, int]:
    """A new head count for a team: (positions of the employed agents who leave, in order; hires to make).

    ``busy``/``hired`` describe the team's employed agents in the engine's order; idle agents go before
    busy ones, newest hires first (``leaving_order``). Never negative; afterwards the team has ``target``.
    """
    n = busy.shape[0]
    target = max(0, target)
    leave = max(0, n - target)
    return leaving_order(busy, hired)[:leave].copy(), max(0, target - n)

"""Durations from uniforms: every draw consumes exactly two uniforms, whatever the distribution.

A fixed two-uniform budget keeps common random numbers aligned: switching a need's work time
from exponential to lognormal in one policy does not shift every later draw of that stream.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

# Parameters by kind: exponential a = mean; lognormal a = mu, b = sigma of the underlying normal;
# deterministic a = value; empirical: values = the sample to resample.
from ..codes import DIST_DETERMINISTIC, DIST_EXPONENTIAL, DIST_LOGNORMAL


@njit(cache=True)
def standard_normal(u1: float, u2: float) -> float:
    """One standard normal from two uniforms (Box–Muller)."""
    return math.sqrt(-2.0 * math.log1p(-u1)) * math.cos(2.0 * math.pi * u2)


@njit(cache=True)
def sample_duration(kind: int, a: float, b: float, values: np.ndarray, u1: float, u2: float) -> float:
    """One duration (minutes) of the given distribution from two uniforms in [0, 1)."""
    if kind == DIST_EXPONENTIAL:
        return -a * math.log1p(-u1)
    if kind == DIST_LOGNORMAL:
        return math.exp(a + b * standard_normal(u1, u2))
    if kind == DIST_DETERMINISTIC:
        return a
    n = values.shape[0]
    i = int(u1 * n)
    return values[i if i < n else n - 1]


@njit(cache=True)
def bisect_right(cdf: np.ndarray, u: float) -> int:
    """Index drawn from a cumulative distribution: the first entry above ``u`` (as ``bisect.bisect_right``
    and ``np.searchsorted(cdf, u, 'right')``, which the SimPy engine uses for the same draw)."""
    lo, hi = 0, len(cdf)
    while lo < hi:
        mid = (lo + hi) // 2
        if u < cdf[mid]:
            hi = mid
        else:
            lo = mid + 1
    return lo


@njit(cache=True)
def exponential_wait(u: float, rate: float) -> float:
    """Time to the next event of a Poisson process of ``rate`` per minute, from one uniform (the
    background churn and acquisition clocks of both engines)."""
    return -math.log1p(-u) / rate


@njit(cache=True)
def uniform_index(u: float, n: int) -> int:
    """An index in ``0 .. n-1`` chosen uniformly with one uniform (clamped: ``u`` just below 1 stays in range)."""
    return min(int(u * n), n - 1)

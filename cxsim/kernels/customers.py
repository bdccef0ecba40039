"""Customers (MODEL.md §2): segments, who raises the next need, channel choice, learnt expectations.

Both engines call these rules; an engine only keeps the lists of active customers per segment
and the customers' expected waits. With one segment, a choice coefficient of 0 and a learning
rate of 0, every rule here returns exactly what the model did before segments existed (the same
uniforms, the same arithmetic), so existing scenarios keep their bytes.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from .sampling import bisect_right


@njit(cache=True)
def segment_of(u: float, share_cdf: np.ndarray) -> int:
    """A new customer's segment from one uniform (cumulative shares, as ``searchsorted(..., 'right')``,
    kept below the last index when rounding leaves the last share short of 1)."""
    return min(bisect_right(share_cdf, u), len(share_cdf) - 1)


@njit(cache=True)
def demand_scale(counts: np.ndarray, rate_factor: np.ndarray) -> float:
    """The need rate of the whole population in units of one customer at the base need rate:
    Σ active customers of a segment × its rate factor (with one segment: the active count)."""
    total = 0.0
    for s in range(len(counts)):
        total += counts[s] * rate_factor[s]
    return total


@njit(cache=True)
def who_raises(u: float, counts: np.ndarray, rate_factor: np.ndarray) -> tuple[int, int]:
    """(segment, index within its active list) of the customer who raises the next need.

    A customer is chosen with probability proportional to their need rate: the uniform is spread
    over the segments by Σ count × rate factor, then over the customers of one segment uniformly.
    With one segment this is ``min(int(u·n), n − 1)``, the uniform pick of before.
    """
    x = u * demand_scale(counts, rate_factor)
    last = -1
    for s in range(len(counts)):
        weight = counts[s] * rate_factor[s]
        if weight <= 0.0:
            continue
        last = s
        if x < weight:
            return s, min(int(x / rate_factor[s]), counts[s] - 1)
        x -= weight
    return last, counts[last] - 1


@njit(cache=True)
def choose_channel(u: float, cdf: np.ndarray, weight: np.ndarray, expected: np.ndarray, norm: np.ndarray,
                   sensitivity: float) -> int:
    """The channel of a first contact, from one uniform (multinomial logit, MODEL.md §2).

    Utility of channel c: ln(preference_c) − sensitivity · (expected_c / norm_c − 1), where
    expected_c is the wait this customer expects there and norm_c the channel's usual expected
    wait (which puts minutes of phone and hours of email on one scale). At the norm, or with
    sensitivity 0, the choice is the segment's fixed mix (``cdf``, exactly as before).
    """
    if sensitivity <= 0.0:
        return segment_of(u, cdf)  # the same pick from cumulative shares
    n = len(weight)
    odds = np.empty(n)
    total = 0.0
    for c in range(n):
        gap = expected[c] / norm[c] - 1.0 if norm[c] > 0.0 else 0.0
        odds[c] = weight[c] * math.exp(-sensitivity * gap) if weight[c] > 0.0 else 0.0
        total += odds[c]
    x = u * total
    last = 0
    for c in range(n):
        if odds[c] <= 0.0:
            continue
        last = c
        if x < odds[c]:
            return c
        x -= odds[c]
    return last


@njit(cache=True)
def learnt_wait(expected: float, experienced: float, rate: float) -> float:
    """The wait a customer expects next time: a share ``rate`` of the way toward the one just experienced."""
    if rate <= 0.0 or not math.isfinite(experienced):
        return expected
    return expected + rate * (experienced - expected)


@njit(cache=True)
def customer_patience(drawn: float, factor: float) -> float:
    """A customer's patience: the channel's draw times the segment's patience multiplier."""
    return drawn * factor


@njit(cache=True)
def new_customer_waits(out: np.ndarray, expected_wait: np.ndarray, wait_factor: float) -> None:
    """A new customer's expected wait per channel: the brand promise (or the channel's) × the segment's factor."""
    for c in range(len(expected_wait)):
        out[c] = expected_wait[c] * wait_factor

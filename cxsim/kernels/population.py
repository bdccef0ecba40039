"""The customer population's bookkeeping rules (MODEL.md §2, §8): who a new customer is, and when
word of mouth or the background brings one in.

Both engines keep the population in their own storage (lists in SimPy, arrays in the fast engine)
and used to decide themselves what a new customer looks like and whether a referral, a
detractor's warning or the background acquisition clock adds one. Written once here; an engine
draws the uniforms (in the order stated), stores the customer and counts.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .customers import new_customer_waits, segment_of
from .loyalty import WORD_DETERRENCE, WORD_REFERRAL, initial_expectation


@njit(cache=True)
def new_customer(u_segment: float, u1: float, u2: float, share_cdf: np.ndarray, expectation: np.ndarray,
                 spread: float, expected_wait: np.ndarray, wait_factor: np.ndarray,
                 waits: np.ndarray) -> tuple[int, float]:
    """(segment, expectation X) of a new customer; their expected wait per channel into ``waits``.

    One uniform of the segments stream picks the segment, two of the customers stream draw X ~
    Normal(the segment's expectation, ``spread``) clipped to 0–10 (``spread`` is 0 with the
    experience mechanism off).
    """
    seg = segment_of(u_segment, share_cdf)
    new_customer_waits(waits, expected_wait, wait_factor[seg])
    return seg, initial_expectation(expectation[seg], spread, u1, u2)


@njit(cache=True)
def word_of_mouth(word: int, owed: int) -> tuple[bool, int]:
    """(a referred customer joins now, acquisitions owed to detractors) after a journey's word of
    mouth (:func:`cxsim.kernels.loyalty.loyalty_after_journey`): a promoter's referral joins at
    once, a detractor's warning cancels the next background acquisition."""
    if word == WORD_REFERRAL:
        return True, owed
    if word == WORD_DETERRENCE:
        return False, owed + 1
    return False, owed


@njit(cache=True)
def background_joins(owed: int) -> tuple[bool, int]:
    """(the background acquisition clock's customer joins, acquisitions still owed): a customer a
    detractor deterred does not come (it is counted as deterred instead)."""
    if owed > 0:
        return False, owed - 1
    return True, owed


@njit(cache=True)
def background_rate(hazard: float, customers: int) -> float:
    """The rate of a background clock (churn over the active customers, or the acquisition that
    replaces it over the initial population): ``hazard`` × ``customers``; 0 stops the clock."""
    if customers <= 0 or hazard <= 0.0:
        return 0.0
    return hazard * customers

"""Whether an encounter solves the need: base probability × delivered quality × wellbeing effect.

The quality curve is Oliva & Sterman's (2001) delivered-quality table: giving less time than the
work needs lowers quality slowly at first and steeply past a 30 % shortfall (MODEL.md §5).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .. import quality_table

#: The default table, time gap (given − needed) / needed and the quality delivered at that gap; a
#: scenario may give its own (``resolution:``, ``scenario.mechanisms.Resolution``).
QUALITY_GAP = np.array(quality_table.QUALITY_GAP)
QUALITY_LEVEL = np.array(quality_table.QUALITY_LEVEL)


@njit(cache=True)
def delivered_quality(time_given: float, time_needed: float, gap: np.ndarray, level: np.ndarray) -> float:
    """Quality in [0, 1] of work given ``time_given`` when it needs ``time_needed``."""
    if time_needed <= 0.0 or time_given >= time_needed:
        return 1.0
    return np.interp((time_given - time_needed) / time_needed, gap, level)


@njit(cache=True)
def resolution_probability(base: float, time_given: float, time_needed: float, wellbeing_effect: float,
                           gap: np.ndarray, level: np.ndarray) -> float:
    """Probability that this encounter solves the need (MODEL.md §5).

    With the agent given all the time the work needs and a wellbeing effect of 1, this is the
    need type's base probability: the queueing core's geometric failure demand.
    """
    p = base * delivered_quality(time_given, time_needed, gap, level) * wellbeing_effect
    return min(max(p, 0.0), 1.0)

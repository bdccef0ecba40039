"""Work pressure and eroding standards (MODEL.md §5; Oliva & Sterman 2001, Struben et al. 2014).

The team's standard — the share of the needed time it considers normal to give — drifts toward
what is actually done: quickly down (≈ 19 weeks), and back up only if the policy lets it (by
default practically never). "A tolerated deviation soon becomes the new normal."
"""

from __future__ import annotations

import math

from numba import njit


@njit(cache=True)
def work_pressure(required: float, capacity: float) -> float:
    """(required capacity − capacity) / required capacity, in [−1, 1]; 0 when nothing is required."""
    if required <= 0.0:
        return -1.0 if capacity > 0.0 else 0.0
    return max(-1.0, min(1.0, (required - capacity) / required))


@njit(cache=True)
def smooth(value: float, target: float, dt: float, tau: float) -> float:
    """First-order exponential smoothing of ``value`` toward ``target`` over ``dt`` (time constant ``tau``)."""
    if tau <= 0.0:
        return target
    return target + (value - target) * math.exp(-dt / tau)


@njit(cache=True)
def erode_standard(standard: float, actual: float, dt: float, tau_down: float, tau_up: float) -> float:
    """The standard after ``dt`` minutes of doing ``actual`` (same units: share of needed time)."""
    tau = tau_down if actual < standard else tau_up
    if math.isinf(tau):
        return standard
    return min(1.0, smooth(standard, actual, dt, tau))


@njit(cache=True)
def required_capacity(offered: float, waiting: float, interval: float, clear_time: float, mean_work: float) -> float:
    """Capacity the work asks for: what was offered per minute plus the backlog to clear in ``clear_time``."""
    return (offered / interval + waiting / clear_time) * mean_work

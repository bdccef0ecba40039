"""How much time an encounter gets: the standard, work pressure and the handle-time budget (MODEL.md §5).

Oliva & Sterman (2001): under pressure people cut corners — time given = standard · exp(α·WP),
α ≈ −0.64 — while slack buys back very little time (people do not slow down much), which is why a
standard that has eroded stays eroded.
"""

from __future__ import annotations

import math

from numba import njit

from ..codes import OVERRUN_CONTINUE


@njit(cache=True)
def pressure_multiplier(pressure: float, alpha: float, alpha_slack: float) -> float:
    """Share of the standard actually given at work pressure ``pressure`` (exp(α·WP), asymmetric)."""
    if pressure >= 0.0:
        return math.exp(alpha * pressure)
    return math.exp(alpha_slack * pressure)


@njit(cache=True)
def time_given(needed: float, standard: float, multiplier: float, budget: float, overrun: int) -> tuple[float, bool]:
    """Minutes of work an encounter gets, and whether it ran into the handle-time budget.

    The agent means to give ``needed × standard × multiplier`` (never more than the work needs);
    a budget below that is enforced by ``close`` and ``transfer`` and ignored by ``continue``.
    A budget of ``inf`` means no target.
    """
    intended = needed * min(1.0, standard * multiplier)
    if intended > budget and overrun != OVERRUN_CONTINUE:
        return budget, True
    return intended, False


@njit(cache=True)
def handle_time(given: float, empathy: float, slowdown: float, sessions: int) -> float:
    """Minutes with the customer: the work given plus empathy time, slowed by concurrent sessions (chat)."""
    return (given + empathy) * (1.0 + slowdown * (sessions - 1))


@njit(cache=True)
def work_left(needed: float, given: float, work: float) -> float:
    """Work (proficiency-1 minutes) a hand-off passes on: the share of the needed time not given."""
    return (needed - given) / needed * work

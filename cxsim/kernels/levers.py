"""Policy levers over time: what an intervention or a management decision sets (MODEL.md §9).

A policy's timeline switches its levers at given minutes, and a management review's decision takes
effect after the implementation delay. Both engines used to work out themselves what a decision
means for each lever (the need budgets, the head count per team) and whether a switch changes the
head count; these kernels are that arithmetic, written once. An engine stores the values they
return (a lever set in SimPy, a timeline slot in the fast engine) and schedules the switch.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .management import L_BUDGET, L_EMPATHY, L_STAFFING, L_SUPPORT, head_count, need_budgets


@njit(cache=True)
def team_targets(base_agents: np.ndarray, staffing: float) -> np.ndarray:
    """Each team's head count under the staffing lever (the team's base head count × ``staffing``)."""
    out = np.empty(len(base_agents), dtype=np.int64)
    for t in range(len(base_agents)):
        out[t] = head_count(base_agents[t], staffing)
    return out


@njit(cache=True)
def decided_levers(decided: np.ndarray, policy_budget: float, policy_need_budget: np.ndarray,
                   base_agents: np.ndarray) -> tuple[float, float, float, float, np.ndarray, np.ndarray]:
    """(budget, staffing, support, empathy, budget per need type, head count per team) once a
    management decision (``decided``, by :mod:`cxsim.kernels.management` lever index) takes effect;
    the levers it does not move keep the policy's values (:func:`need_budgets`)."""
    budget, staffing = decided[L_BUDGET], decided[L_STAFFING]
    return (budget, staffing, decided[L_SUPPORT], decided[L_EMPATHY],
            need_budgets(budget, policy_budget, policy_need_budget), team_targets(base_agents, staffing))


@njit(cache=True)
def restaffs(staffing_now: float, staffing_next: float) -> bool:
    """Whether a lever switch changes head counts: only when the staffing lever moves. Every other
    lever takes effect by being read from the new lever set (the budget at the next encounter,
    support at the next wellbeing update, a pinned standard at the next pressure step)."""
    return staffing_next != staffing_now

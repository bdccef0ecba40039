"""An agent's effectiveness and a team's effective capacity (MODEL.md §4–§5).

The pressure a team feels is its work against the effective capacity of its agents on duty, and
the time an encounter needs is the work over the agent's effectiveness. Both engines used to walk
their agents and add up effectiveness themselves; here the rule and the sum are written once. The
engines pass per-agent arrays in id order (the SimPy engine builds them from its agents), and
the sums are added left to right, agent by agent, so both agree to the last bit.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .wellbeing import rookie_effectiveness


@njit(cache=True)
def agent_effectiveness(proficiency: float, hired: float, now: float, ramp_on: bool, rookie_start: float,
                        ramp_up: float) -> float:
    """The agent's proficiency now: the team's, times the rookie ramp-up since ``hired`` when the
    wellbeing mechanism is on (``ramp_on``; Oliva & Sterman 2001)."""
    if not ramp_on:
        return proficiency
    return proficiency * rookie_effectiveness(now - hired, rookie_start, ramp_up)


@njit(cache=True)
def team_capacities(out: np.ndarray, team: np.ndarray, on_duty: np.ndarray, gone: np.ndarray, hired: np.ndarray,
                    now: float, proficiency: np.ndarray, ramp_on: bool, rookie_start: float, ramp_up: float) -> None:
    """Each team's effective capacity into ``out``: Σ effectiveness of its employed agents on duty
    (one entry per agent in ``team``, ``on_duty``, ``gone``, ``hired``, in id order)."""
    out[:] = 0.0
    for a in range(len(team)):
        if on_duty[a] and not gone[a]:
            t = team[a]
            out[t] += agent_effectiveness(proficiency[t], hired[a], now, ramp_on, rookie_start, ramp_up)

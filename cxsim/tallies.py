"""Running tallies of the MODEL.md §10 metrics: what every contact and every journey adds to them.

Written once, compiled, and used two ways: :mod:`cxsim.metrics` feeds it the rows of a run's
tables, and the fast engine's summary-only mode feeds it each record as it happens and keeps no
records at all. Either way the same rules decide what counts — which is why a summary-only run
reports exactly the metrics a full run would.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from .records import ABANDONED, CALLBACK, FIRST, HANDLED, OPEN, SELF_SERVICE, SOLVED, UNFINISHED

# Queue tallies, one row for all queued contacts and one per channel (row 1 + channel).
Q_N, Q_WAITED, Q_WAIT, Q_ON_TIME, Q_ABANDONED, Q_HANDLED, Q_HANDLE, Q_ABANDONING = range(8)
Q_WIDTH = 8
# Contact and journey tallies.
C_HANDLED, C_FCR_NEEDS, C_FCR_SOLVED, C_FINISHED, C_FAILURE, C_COMPLETED, C_ENCOUNTERS, \
    J_ENDED, J_SOLVED, J_SOLVED_TIME, J_GIVEN_UP, J_SCORE, J_SCORED, J_PROMOTERS, J_DETRACTORS, J_RESPONDENTS, \
    J_RESP_PROMOTERS, J_RESP_DETRACTORS, J_JOURNEYS = range(19)
COUNT_WIDTH = 19


def empty(n_channels: int) -> tuple[np.ndarray, np.ndarray]:
    """Fresh (queue, count) tallies for a scenario with ``n_channels`` channels."""
    return np.zeros((1 + n_channels, Q_WIDTH)), np.zeros(COUNT_WIDTH)


@njit(cache=True)
def add_encounter(queues, counts, first_handled_seen, key: int, warmup: float, targets, abandoning, kind: int,
                  channel: int, arrived: float, wait: float, handle: float, outcome: int, resolved: bool) -> None:
    """Count one contact record. ``first_handled_seen[key]`` marks needs whose first-contact
    resolution is already counted (records of a need arrive in contact order)."""
    counts[C_ENCOUNTERS] += 1
    # Waits: contacts that *left the queue* in the window (answered or abandoned) are an unbiased
    # sample in steady state; callbacks are made by the agent, nobody holds in a queue for them.
    if outcome != SELF_SERVICE and kind != CALLBACK and not math.isnan(wait) and arrived + wait >= warmup:
        answered = outcome != ABANDONED
        for row in (0, 1 + channel):
            q = queues[row]
            q[Q_N] += 1
            q[Q_WAITED] += wait > 0
            q[Q_WAIT] += wait
            q[Q_ON_TIME] += answered and wait <= targets[channel] + 1e-12
            q[Q_ABANDONED] += not answered
            if outcome == HANDLED:
                q[Q_HANDLED] += 1
                q[Q_HANDLE] += handle
            q[Q_ABANDONING] += abandoning[channel]
    if outcome == OPEN:
        return
    if arrived >= warmup:
        counts[C_FINISHED] += 1
        counts[C_FAILURE] += kind != FIRST
        if outcome == HANDLED:
            counts[C_HANDLED] += 1
            if not first_handled_seen[key]:
                first_handled_seen[key] = True
                counts[C_FCR_NEEDS] += 1
                counts[C_FCR_SOLVED] += resolved
    # A flow of completions in the window (see metrics: contacts per need).
    if arrived + (0.0 if math.isnan(wait) else wait) + handle >= warmup:
        counts[C_COMPLETED] += 1


@njit(cache=True)
def add_journey(counts, warmup: float, status: int, created: float, ended: float, score: float, recommend: int,
                responded: bool) -> None:
    """Count one journey record: journeys that *ended* in the window are the steady-state sample."""
    counts[J_JOURNEYS] += 1
    if status == UNFINISHED or ended < warmup:
        return
    counts[J_ENDED] += 1
    if status == SOLVED:
        counts[J_SOLVED] += 1
        counts[J_SOLVED_TIME] += ended - created
    else:
        counts[J_GIVEN_UP] += 1
    if not math.isnan(score):
        counts[J_SCORE] += score
        counts[J_SCORED] += 1
    counts[J_PROMOTERS] += recommend >= 9
    counts[J_DETRACTORS] += recommend <= 6
    if responded:
        counts[J_RESPONDENTS] += 1
        counts[J_RESP_PROMOTERS] += recommend >= 9
        counts[J_RESP_DETRACTORS] += recommend <= 6


@njit(cache=True)
def add_tables(queues, counts, warmup: float, targets, abandoning, e_need, e_kind, e_channel, e_arrived, e_wait,
               e_handle, e_outcome, e_resolved, j_status, j_created, j_ended, j_score, j_recommend,
               j_responded) -> None:
    """Count every row of a run's encounter and journey tables, in record order."""
    seen = np.zeros(e_need.max() + 1 if len(e_need) else 0, dtype=np.bool_)
    for i in range(len(e_need)):
        add_encounter(queues, counts, seen, e_need[i], warmup, targets, abandoning, e_kind[i], e_channel[i],
                      e_arrived[i], e_wait[i], e_handle[i], e_outcome[i], e_resolved[i])
    for i in range(len(j_status)):
        add_journey(counts, warmup, j_status[i], j_created[i], j_ended[i], j_score[i], j_recommend[i],
                    j_responded[i])

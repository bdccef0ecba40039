"""A team's weekly shift pattern, walked one step at a time: when it comes on and goes off duty.

Both engines used to walk the pattern in their own idiom — the SimPy engine as a generator over the
shifts of each week, the fast engine as a resumable state machine — and had to agree on every edge
(a shift that starts as another ends, a shift already under way at time 0, one already over). The
walk is written here once, as the state machine; each engine keeps the state (week start, shift
index, phase) where it likes, acts on what the step says, and sleeps until the time it returns.
"""

from __future__ import annotations

from numba import njit

from ..minutes import WEEK

#: Phases of the walk: before shift ``k`` starts, at its start, at its end.
SHIFT_BEFORE, SHIFT_STARTING, SHIFT_ENDING = range(3)


@njit(cache=True)
def shift_walk(now: float, week: float, k: int, phase: int, on, off,
               n: int) -> tuple[bool, bool, float, float, int, int]:
    """(go off duty now, come on duty now, next wake-up, week start, shift index, phase).

    ``on[k]``/``off[k]`` are the ``n`` shifts' start and end in minutes from Monday 00:00, in order;
    ``phase`` says where the walk stands at ``now`` (``SHIFT_BEFORE`` at time 0). A shift that is
    already over is skipped; one under way starts now. Going off comes before coming on when one
    shift ends as the next begins, and the walk always returns a wake-up later than ``now``.
    """
    end_now = False
    while True:
        if k == n:
            k = 0
            week += WEEK
        if phase == SHIFT_BEFORE:
            phase = SHIFT_STARTING
            if week + on[k] > now:
                return end_now, False, week + on[k], week, k, SHIFT_STARTING
        if phase == SHIFT_STARTING:
            if week + off[k] > now:
                return end_now, True, week + off[k], week, k, SHIFT_ENDING
            phase, k = SHIFT_BEFORE, k + 1
            continue
        end_now = True  # SHIFT_ENDING: the shift is over
        phase, k = SHIFT_BEFORE, k + 1

"""The fast engine's same-time queue beside its heap: together they pop events in SimPy's order.

A NORMAL event for the current time (an answer, an abandonment) skips the heap (heap.push_now);
pop_next must still give (time, priority, scheduling order) exactly as one heap — checked here
against heapq, with the clock moving on as events are popped, as it does in the loop.
"""

from __future__ import annotations

import heapq
from typing import NamedTuple

import numpy as np
from hypothesis import given, settings, strategies as st

from cxsim.engines.fast.heap import NORMAL, next_time, pop_next, push, push_now
from cxsim.engines.fast.state import F_NOW, I_HEAP, I_NOW_HEAD, I_NOW_TAIL, N_FC, N_IC


class _Queues(NamedTuple):
    """The slice of the fast engine's state the heap and the same-time queue use."""
    h_time: np.ndarray
    h_order: np.ndarray
    h_kind: np.ndarray
    h_now_order: np.ndarray
    h_now_kind: np.ndarray
    h_now_a: np.ndarray
    h_now_b: np.ndarray
    ic: np.ndarray
    fc: np.ndarray


def _queues(n: int) -> _Queues:
    ints = [np.zeros(n, np.int64) for _ in range(6)]
    return _Queues(np.zeros(n), *ints, np.zeros(N_IC, np.int64), np.zeros(N_FC))


# One step: (what, delay, priority). what 0: push at now + delay (a delay of 0 is common: ties);
# 1: push_now; 2: pop the next event (the clock moves to its time).
step = st.tuples(st.integers(0, 2), st.sampled_from([0.0, 0.5, 1.0]) | st.floats(0, 10), st.integers(0, 1))


@settings(max_examples=200, deadline=None)  # the first example compiles
@given(st.lists(step, min_size=1, max_size=80))
def test_heap_and_same_time_queue_pop_in_simpy_order(steps):
    w, reference, serial = _queues(len(steps) + 1), [], 0
    for what, delay, priority in steps:
        now = w.fc[F_NOW]
        if what == 0:
            push(w, now + delay, 7, serial, 0, priority)
            heapq.heappush(reference, (now + delay, priority, serial, 7))
        elif what == 1:
            push_now(w, 8, serial, 0)
            heapq.heappush(reference, (now, NORMAL, serial, 8))
        elif reference:
            assert next_time(w) == reference[0][0]
            t, kind, a, _ = pop_next(w)
            expected = heapq.heappop(reference)
            assert (t, a, kind) == (expected[0], expected[2], expected[3])
            w.fc[F_NOW] = t
            continue
        serial += 1
    while reference:
        t, kind, a, _ = pop_next(w)
        expected = heapq.heappop(reference)
        assert (t, a, kind) == (expected[0], expected[2], expected[3])
        w.fc[F_NOW] = t
    assert next_time(w) == np.inf  # (which also removes a top pop_next handed out: heap.settle)
    assert w.ic[I_HEAP] == 0 and w.ic[I_NOW_HEAD] == w.ic[I_NOW_TAIL] == 0


def test_every_event_kind_fits_in_the_bits_below_its_packed_payload():
    """An event's kind, slot and serial travel packed in one integer (``heap._pack``): the kind in the
    low bits. A new kind past that width would be read back as another kind with another slot."""
    from cxsim.engines.fast import heap

    kinds = {name: value for name, value in vars(heap).items() if name.startswith("EV_")}
    assert len(set(kinds.values())) == len(kinds) > 15
    assert all(0 < kind < 1 << heap._A_SHIFT for kind in kinds.values()), kinds

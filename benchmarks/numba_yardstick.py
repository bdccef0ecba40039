"""The second yardstick: the yardstick's queue as a minimal hand-written numba event loop.

The same queue as :mod:`yardstick` (Erlang A with repeats: Poisson needs, 50 agents, exponential
handling and patience, an unsolved need returns after a delay), written the way one would write
it for speed alone: a binary heap of (time, event, contact) in arrays, a FIFO ring of waiting
contacts, patience timers left in the heap and ignored when the contact was answered first, no
records — only the count of contacts and the sum of waits. It is what "the fastest this queue
goes in numba" means for the fast engine's ratio (benchmarks/test_engines.py); it models nothing
else (no days, shifts, channels, policies, people), so the fast engine cannot reach it.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from yardstick import AGENTS, PATIENCE, RATE, RESOLUTION, RETURN_DELAY, SERVICE

ARRIVE, ABANDON, DONE, RETURN = range(4)


@njit(cache=True)
def _push(times, kinds, items, n, t, kind, item):
    """Push onto the heap of ``n`` events (arrays grown by the caller); returns the new size."""
    i = n
    while i > 0:  # sift up with a hole
        parent = (i - 1) >> 1
        if times[parent] <= t:
            break
        times[i], kinds[i], items[i] = times[parent], kinds[parent], items[parent]
        i = parent
    times[i], kinds[i], items[i] = t, kind, item
    return n + 1


@njit(cache=True)
def _pop(times, kinds, items, n):
    """Remove the earliest event (read it at index 0 first); returns the new size."""
    n -= 1
    t, kind, item = times[n], kinds[n], items[n]
    i = 0
    while True:  # sift the last event down from the root, with a hole
        child = 2 * i + 1
        if child >= n:
            break
        if child + 1 < n and times[child + 1] < times[child]:
            child += 1
        if times[child] >= t:
            break
        times[i], kinds[i], items[i] = times[child], kinds[child], items[child]
        i = child
    times[i], kinds[i], items[i] = t, kind, item
    return n


@njit(cache=True)
def run_numba_yardstick(horizon: float, seed: int) -> int:
    """Simulate ``horizon`` minutes; return the contacts (first and repeat) that reached the queue."""
    np.random.seed(seed)
    size = 1 << 12
    times, kinds, items = np.empty(size), np.empty(size, np.int64), np.empty(size, np.int64)
    arrived, waiting = np.empty(size), np.zeros(size, np.bool_)
    ring = np.empty(size, np.int64)  # waiting contacts in arrival order (abandoned ones skipped)
    head = tail = 0
    n = _push(times, kinds, items, 0, np.random.exponential(1.0 / RATE), ARRIVE, -1)
    free, contacts, wait_sum = AGENTS, 0, 0.0
    while n:
        t, kind, c = times[0], kinds[0], items[0]
        if t > horizon:
            break
        n = _pop(times, kinds, items, n)
        if n + 3 > times.shape[0]:  # room for what this event may push
            times, kinds, items = (np.concatenate((times, times)), np.concatenate((kinds, kinds)),
                                   np.concatenate((items, items)))
        if kind == ARRIVE or kind == RETURN:
            if kind == ARRIVE:
                n = _push(times, kinds, items, n, t + np.random.exponential(1.0 / RATE), ARRIVE, -1)
            c = contacts
            contacts += 1
            if c >= arrived.shape[0]:
                arrived = np.concatenate((arrived, np.empty(arrived.shape[0])))
                waiting = np.concatenate((waiting, np.zeros(waiting.shape[0], np.bool_)))
            arrived[c] = t
            if free:
                free -= 1
                n = _push(times, kinds, items, n, t + np.random.exponential(SERVICE), DONE, c)
            else:
                waiting[c] = True
                if tail - head == ring.shape[0]:  # full ring: unroll it into one twice as long
                    ring = np.concatenate((np.roll(ring, -(head % ring.shape[0])), np.empty(ring.shape[0], np.int64)))
                    tail, head = tail - head, 0
                ring[tail % ring.shape[0]] = c
                tail += 1
                n = _push(times, kinds, items, n, t + np.random.exponential(PATIENCE), ABANDON, c)
        elif kind == ABANDON:
            if waiting[c]:  # else answered already: the timer is simply ignored
                waiting[c] = False
                wait_sum += t - arrived[c]
        else:  # DONE: the agent takes the next waiting contact, if any
            answered = False
            while head < tail and not answered:
                nxt = ring[head % ring.shape[0]]
                head += 1
                if waiting[nxt]:
                    waiting[nxt] = False
                    wait_sum += t - arrived[nxt]
                    n = _push(times, kinds, items, n, t + np.random.exponential(SERVICE), DONE, nxt)
                    answered = True
            if not answered:
                free += 1
            if np.random.random() >= RESOLUTION:
                n = _push(times, kinds, items, n, t + np.random.exponential(RETURN_DELAY), RETURN, -1)
    return contacts

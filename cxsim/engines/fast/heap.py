"""The event heap: a 4-ary min-heap on (time, priority, insertion number), in SimPy's order.

SimPy orders events by time, then priority (process starts are *urgent* and go first), then by
the order they were scheduled. Keeping exactly that order is what makes the fast engine's
trajectory identical to the SimPy engine's when both draw the same random numbers.
"""

from __future__ import annotations

import math

from numba import njit

from .state import F_NOW, I_HEAP, I_HEAP_PENDING, I_NOW_HEAD, I_NOW_TAIL, I_SEQ

URGENT, NORMAL = 0, 1
_PRIORITY_SHIFT = 1 << 56  # priority and insertion number packed in one integer

# The heap is 4-ary (half the levels of a binary heap, and a node's four children share a cache
# line), and an event's kind and payload travel packed in one integer (``h_kind``): a sift moves
# three arrays, not five. (time, order) is a strict total order — every order is unique — so the
# events come out in exactly the order of any other correct heap.
_A_SHIFT, _B_SHIFT = 5, 32
_A_LIMIT, _B_LIMIT = 1 << (_B_SHIFT - _A_SHIFT), 1 << 31


@njit(cache=True, inline="always")
def _pack(kind: int, a: int, b: int) -> int:
    return kind | (a << _A_SHIFT) | (b << _B_SHIFT)


@njit(cache=True)
def push(w, time: float, kind: int, a: int, b: int, priority: int) -> None:
    """Schedule event ``kind`` (with payload ``a``, ``b``) at ``time``."""
    times, orders, packed = w.h_time, w.h_order, w.h_kind  # locals: kept in registers
    if not (0 <= a < _A_LIMIT and 0 <= b < _B_LIMIT):  # never expected (slots, agents, serials)
        raise RuntimeError("fast engine: event payload out of range")
    order = priority * _PRIORITY_SHIFT + w.ic[I_SEQ]
    w.ic[I_SEQ] += 1
    if w.ic[I_HEAP_PENDING]:  # the top is already handed out: the new event takes its place
        w.ic[I_HEAP_PENDING] = 0
        _sift_down(times, orders, packed, w.ic[I_HEAP], 0, time, order, _pack(kind, a, b))
        return
    i = w.ic[I_HEAP]
    if i >= len(times):  # never expected: the loop keeps room (numba does not check bounds)
        raise RuntimeError("fast engine: event heap overflow")
    w.ic[I_HEAP] = i + 1
    while i > 0:  # sift the hole up, then drop the event in
        parent = (i - 1) >> 2
        tp = times[parent]
        if time < tp or (time == tp and order < orders[parent]):
            times[i], orders[i], packed[i] = tp, orders[parent], packed[parent]
            i = parent
        else:
            break
    times[i], orders[i], packed[i] = time, order, _pack(kind, a, b)


@njit(cache=True)
def push_at(w, time: float, kind: int, a: int, b: int, priority: int) -> None:
    """Schedule an event for the absolute ``time`` the way SimPy would: at ``now + (time - now)``.

    SimPy only knows delays — ``env.timeout(time - now)`` — and adds the delay back to ``now``; in
    floating point ``now + (time - now)`` can differ from ``time`` in the last bit. Every absolute
    time is scheduled through here so that both engines put the event at the same float.
    """
    now = w.fc[F_NOW]
    push(w, now + (time - now), kind, a, b, priority)


@njit(cache=True, inline="always")
def _sift_down(times, orders, packed, n: int, i: int, time: float, order: int, payload: int) -> None:
    """Drop the event (time, order, payload) into the hole at ``i`` of a heap of ``n`` events."""
    while True:
        child = 4 * i + 1
        if child >= n:
            break
        # The least child, by selects, not branches (which one it is is a coin toss); with four
        # children as a tournament — two pairs, then their winners — two compares deep, not three.
        if child + 3 < n:
            t0, o0, t1, o1 = times[child], orders[child], times[child + 1], orders[child + 1]
            t2, o2, t3, o3 = times[child + 2], orders[child + 2], times[child + 3], orders[child + 3]
            first = (t1 < t0) | ((t1 == t0) & (o1 < o0))
            second = (t3 < t2) | ((t3 == t2) & (o3 < o2))
            a, ta, oa = (child + 1, t1, o1) if first else (child, t0, o0)
            b, tb, ob = (child + 3, t3, o3) if second else (child + 2, t2, o2)
            final = (tb < ta) | ((tb == ta) & (ob < oa))
            best, best_time, best_order = (b, tb, ob) if final else (a, ta, oa)
        else:
            best, best_time, best_order = child, times[child], orders[child]
            for j in range(child + 1, n):
                tj, oj = times[j], orders[j]
                less = (tj < best_time) | ((tj == best_time) & (oj < best_order))
                best = j if less else best
                best_time = tj if less else best_time
                best_order = oj if less else best_order
        if best_time < time or (best_time == time and best_order < order):
            times[i], orders[i], packed[i] = best_time, best_order, packed[best]
            i = best
        else:
            break
    times[i], orders[i], packed[i] = time, order, payload


@njit(cache=True, inline="always")
def _unpack(top: int) -> tuple[int, int, int]:
    return top & ((1 << _A_SHIFT) - 1), (top >> _A_SHIFT) & (_A_LIMIT - 1), top >> _B_SHIFT


@njit(cache=True)
def pop(w) -> tuple[float, int, int, int]:
    """Remove the next event; returns (time, kind, a, b). The heap must not be empty (nor its top
    handed out by :func:`pop_next`)."""
    time, top = w.h_time[0], w.h_kind[0]
    w.ic[I_HEAP_PENDING] = 1
    settle(w)  # the last event fills the hole at the root, sifted down
    kind, a, b = _unpack(top)
    return time, kind, a, b


@njit(cache=True)
def settle(w) -> None:
    """Remove the top that :func:`pop_next` handed out, if no push has taken its place since.

    Popping the top and then pushing an event (the next arrival, an agent's next completion) is
    one sift-down of the new event from the root — usually a short one, as new events tend to come
    soon — instead of the last event's sift-down to the bottom and the new one's sift-up.
    """
    if w.ic[I_HEAP_PENDING]:
        w.ic[I_HEAP_PENDING] = 0
        times, orders, packed = w.h_time, w.h_order, w.h_kind
        n = w.ic[I_HEAP] - 1
        w.ic[I_HEAP] = n
        if n > 0:
            _sift_down(times, orders, packed, n, 0, times[n], orders[n], packed[n])



# --- the same-time queue ------------------------------------------------------------------------------
# A NORMAL event for the current time (an answer, an abandonment: SimPy resuming a process) comes
# after everything already scheduled for now and before anything later, in the order such events
# are scheduled: a FIFO keeps it, without a trip through the heap. Its entries all have the time
# ``now`` (it is empty whenever the clock moves on), and ``pop_next`` takes the earlier of its first
# entry and the heap's top by (time, order) — the order the heap alone would give.
@njit(cache=True)
def push_now(w, kind: int, a: int, b: int) -> None:
    """Schedule event ``kind`` for now, NORMAL priority (``push(w, now, kind, a, b, NORMAL)``)."""
    k = w.ic[I_NOW_TAIL]
    if k >= len(w.h_now_order):  # never expected: the loop keeps room
        raise RuntimeError("fast engine: same-time queue overflow")
    w.h_now_order[k] = NORMAL * _PRIORITY_SHIFT + w.ic[I_SEQ]
    w.ic[I_SEQ] += 1
    w.h_now_kind[k], w.h_now_a[k], w.h_now_b[k] = kind, a, b
    w.ic[I_NOW_TAIL] = k + 1


@njit(cache=True)
def next_time(w) -> float:
    """The time of the next event (``inf`` if none)."""
    settle(w)
    if w.ic[I_NOW_TAIL] > w.ic[I_NOW_HEAD]:
        return w.fc[F_NOW]
    return w.h_time[0] if w.ic[I_HEAP] > 0 else math.inf


@njit(cache=True)
def pop_next(w) -> tuple[float, int, int, int]:
    """Remove the next event of the heap and the same-time queue together; one must hold one.

    The heap's top is handed out and removed later (:func:`settle`): by the next push, or before
    the heap is next read."""
    settle(w)
    k = w.ic[I_NOW_HEAD]
    if k < w.ic[I_NOW_TAIL]:
        now = w.fc[F_NOW]
        if w.ic[I_HEAP] == 0 or w.h_time[0] > now or (w.h_time[0] == now and w.h_order[0] > w.h_now_order[k]):
            if k + 1 == w.ic[I_NOW_TAIL]:
                w.ic[I_NOW_HEAD] = w.ic[I_NOW_TAIL] = 0
            else:
                w.ic[I_NOW_HEAD] = k + 1
            return now, w.h_now_kind[k], w.h_now_a[k], w.h_now_b[k]
    w.ic[I_HEAP_PENDING] = 1
    kind, a, b = _unpack(w.h_kind[0])
    return w.h_time[0], kind, a, b


# What an event does when it comes due (payload ``a``, ``b``).
EV_ARRIVAL = 1        # the arrival process wakes up
EV_PATIENCE = 2       # a = slot, b = ticket serial: the caller's patience runs out
EV_ANSWERED = 3       # a = slot: an agent took the waiting contact
EV_ABANDONED = 4      # a = slot: the journey learns the caller hung up
EV_HANDLED = 5        # a = slot: the agent finished the encounter
EV_RETURN = 6         # a = slot: the customer comes back (retrial, repeat or callback)
EV_SHIFT = 7          # a = team
EV_PERIOD = 8         # a row of the daily table closes
EV_EROSION = 9        # pressure and standards are updated
EV_DAILY = 10         # the workforce's daily step
EV_BACK = 11          # a = agent back from absence
EV_HIRE = 12          # a = team: a replacement joins
EV_CHURN = 13         # background churn
EV_ACQUIRE = 14       # background acquisition
EV_INTERVENTION = 15  # a = index in the policy timeline
EV_SWITCH = 16        # a = slot: a failed self-service contact goes on in another channel (urgent)
EV_BREAK = 17         # a = agent, b = 1: a break within the shift starts, 0: it ends

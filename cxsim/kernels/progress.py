"""Carried progress and ownership (MODEL.md §5): what a repeat still needs, and an owner's callback.

Work done on a need is not lost when a contact ends unsolved. The contact did ``given / needed`` of
the work it carried; what it did not do is still to do. The next contact needs that remainder plus
the part of the progress that did not reach its agent: an owner calling back has all of it, anyone
else gets ``case_notes_share`` of it through case notes, and needs ``re_explain`` minutes of work for
the customer to explain the need again. With the mechanism off the next contact needs the whole
work again (the queueing core's assumption), which :func:`carried_work` says with ``-1``.

An owned need comes back as the owner's callback at a promised time; the customer judges the wait
(from the unsolved contact to the call) against that promise. An owned need can still be given up,
with its own (lower) probability.

Engines call these and nothing else decides: the SimPy engine (``Model.journey``/``contact``) and the
fast engine (``journey.on_handled``/``on_return``) take the same steps.
"""

from __future__ import annotations

from numba import njit

from ..codes import NEXT_GIVE_UP, NEXT_RETURN
from .arrivals import customer_return_time


@njit(cache=True)
def contact_progress(needed: float, given: float, work: float) -> tuple[float, float]:
    """(work left, work done) after an unsolved contact that carried ``work`` and gave ``given`` of the
    ``needed`` minutes (proficiency-1 minutes, as ``work``)."""
    share = 1.0 if needed <= 0.0 else min(1.0, given / needed)
    done = work * share
    return work - done, done


@njit(cache=True)
def carried_work(on: bool, left: float, done: float, callback: bool, case_notes_share: float,
                 re_explain: float) -> float:
    """Work the next contact about an unsolved need carries; ``-1`` (the whole work) with the mechanism off.

    The owner's callback keeps all the progress and needs no re-explaining; a repeat with anyone
    else loses ``1 − case_notes_share`` of it and adds ``re_explain``.
    """
    if not on:
        return -1.0
    if callback:
        return left
    return left + (1.0 - case_notes_share) * done + re_explain


@njit(cache=True)
def after_unsolved_owned(u_give_up: float, give_up: float, owned_give_up: float, owned: bool) -> int:
    """An unsolved need comes back later (a repeat, or the owner's callback), or the customer gives up:
    an owned need with its own probability."""
    if u_give_up < (owned_give_up if owned else give_up):
        return NEXT_GIVE_UP
    return NEXT_RETURN


@njit(cache=True)
def comeback_time(now: float, delay: float, owned: bool, promise: float, week_profile, wall_clock: bool) -> float:
    """When an unsolved need comes back: at the owner's promised time (``now + promise``, the owner's
    working clock), else after the customer's own ``delay`` (kernels.arrivals). A promise of 0 keeps
    the owner to the customer's time."""
    if owned and promise > 0.0:
        return now + promise
    return customer_return_time(now, delay, week_profile, wall_clock)


@njit(cache=True)
def scored_wait(callback: bool, wait: float, promise: float, expected_wait: float) -> tuple[float, float]:
    """(wait, expected wait) an encounter is scored on: a callback's real wait — from the unsolved
    contact to the call, i.e. the promise plus any lateness ``wait`` — against the promise; any other
    contact's queue wait against its channel's expected wait."""
    if callback:
        # Without a promise the callback comes when the customer would have come back: no wait.
        return (promise + wait, promise) if promise > 0.0 else (0.0, expected_wait)
    return wait, expected_wait

"""Breaks within a shift (MODEL.md §4): when each agent takes them, and how W recovers on them.

A team's shift may list paid breaks (minutes after the shift starts, length). At each shift start
the engines schedule, for every employed agent of the team, each break from
:func:`break_window`: the team's agents start it spread evenly over the ``stagger`` window in
their team order (agent ``rank`` of ``n``), so the phones are never left empty at once. An agent
on a contact when the break comes finishes it first and takes what is left of the break; an
agent off sick or gone takes none (:func:`takes_break`). On a break the agent is off duty (no new
contact) and W recovers at the break rate instead of the off-shift rate (:func:`off_recovery`).
Breaks are paid: the team's cost per minute on duty is grossed up at compile time.
"""

from __future__ import annotations

from numba import njit


@njit(cache=True)
def break_window(shift_on: float, after: float, length: float, stagger: float, rank: int,
                 n: int) -> tuple[float, float]:
    """(start, end) of the break ``after`` minutes into the shift that starts at ``shift_on``, for agent ``rank`` of ``n``."""
    start = shift_on + after + (stagger * rank / n if n > 0 else 0.0)
    return start, start + length


@njit(cache=True)
def takes_break(absent: bool, gone: bool) -> bool:
    """An employed agent who is not off sick takes the break when it comes."""
    return not absent and not gone


@njit(cache=True)
def off_recovery(on_break: bool, recover_off: float, recover_break: float) -> float:
    """Share of W's gap to 1 closed per minute off duty: the break rate on a break, else the off-shift rate."""
    return recover_break if on_break else recover_off

"""First-contact resolution as it is really measured, beside the truth (MODEL.md §9, issue 13).

Two measurements of a handled contact, as centres take them:

* **no repeat within a window** (``fcr_repeat``, 7 days by default): from customer ids, a handled
  contact counts as resolved if the same customer does not contact again within the window after it
  ended — any later contact counts: a retry, a repeat, a hand-off, the owner's callback, another need.
  It is known only a window after the contact, the measurement's own delay;
* **the agent's tick-box** (``fcr_tickbox``): the agent marks "solved" always when the contact solved
  the need, and with probability ``bias`` when it did not.

The truth beside them is the share of handled contacts that solved their need.

The bookkeeping is arrays the engines store: a *tally* with one row per simulated day (the day the
handled contact ended) and the columns below, and per customer (per need without a customer
population) a few *pending* slots — the end times of its handled contacts that no contact has followed
yet (-1: empty). The customer's next contact settles every pending one: repeated if it came within the
window. More than ``SLOTS`` handled contacts of one customer pending at once (needs handled in parallel)
would settle the earliest as not repeated; with ``SLOTS`` = 4 this does not happen in practice.

The engines make one call when a contact starts (:func:`contact_starts`) and one when an agent has
handled it (:func:`contact_handled`); a management review reads the tally (:func:`window_fcr`).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from ..minutes import DAY

#: Tally columns: handled contacts, of them solved (the truth), ticked "solved", and followed by a repeat.
F_HANDLED, F_SOLVED, F_TICKED, F_REPEATED = range(4)
FCR_COLS = 4
#: Pending handled contacts remembered per customer.
SLOTS = 4
EMPTY = -1.0


@njit(cache=True)
def day_row(t: float, rows: int) -> int:
    """The tally row of time ``t``: its day, within the table."""
    d = int(t // DAY)
    return min(max(d, 0), rows - 1)


@njit(cache=True)
def contact_starts(tally: np.ndarray, pending: np.ndarray, now: float, window: float) -> None:
    """A customer contacts at ``now``: their pending handled contacts are settled (repeated if within
    ``window`` of their end)."""
    for i in range(len(pending)):
        ended = pending[i]
        if ended >= 0.0:
            if now - ended <= window:
                tally[day_row(ended, tally.shape[0]), F_REPEATED] += 1.0
            pending[i] = EMPTY


@njit(cache=True)
def tickbox(solved: bool, u: float, bias: float) -> bool:
    """The agent's tick-box: "solved" when it was, and with probability ``bias`` when it was not."""
    return solved or u < bias


@njit(cache=True)
def contact_handled(tally: np.ndarray, pending: np.ndarray, now: float, solved: bool, u: float,
                    bias: float) -> bool:
    """An agent has handled a contact at ``now``: tally it (true, ticked) and keep it pending for the
    repeat measure. Returns the tick-box."""
    ticked = tickbox(solved, u, bias)
    d = day_row(now, tally.shape[0])
    tally[d, F_HANDLED] += 1.0
    if solved:
        tally[d, F_SOLVED] += 1.0
    if ticked:
        tally[d, F_TICKED] += 1.0
    slot = 0
    for i in range(len(pending)):   # an empty slot, else the earliest (settled as not repeated)
        if pending[i] < 0.0:
            slot = i
            break
        if pending[i] < pending[slot]:
            slot = i
    pending[slot] = now
    return ticked


@njit(cache=True)
def window_fcr(tally: np.ndarray, low: float, high: float, column: int) -> float:
    """The share of the contacts handled in (``low``, ``high``] (whole days) that ``column`` counts
    (``F_SOLVED``, ``F_TICKED``), or that were *not* followed by a repeat (``F_REPEATED``); NaN if none."""
    handled = counted = 0.0
    for d in range(tally.shape[0]):
        end = (d + 1) * DAY
        if low < end <= high:
            handled += tally[d, F_HANDLED]
            counted += tally[d, column]
    if handled <= 0.0:
        return np.nan
    if column == F_REPEATED:
        return 1.0 - counted / handled
    return counted / handled

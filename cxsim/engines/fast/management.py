"""Management reviews in the fast engine: call the review kernel, store its decision, schedule it.

The levers a review decides go into the next slot of the policy timeline (``p.tl_*``, one slot per
review after the policy's own levers at 0) and take effect through ``EV_INTERVENTION`` after the
implementation delay — the same event the SimPy engine schedules, at the same moment.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from ...kernels.fcr import contact_handled, contact_starts
from ...kernels.levers import decided_levers
from ...kernels.needs import review_due
from ...kernels.management import L_BUDGET, L_EMPATHY, L_STAFFING, L_SUPPORT, N_LEVERS, review
from ...streams import FCR, MANAGEMENT
from .heap import EV_INTERVENTION, NORMAL, push
from .state import I_DAYS, I_REVIEWS


@njit(cache=True)
def review_step(p, w, rng, now: float) -> None:
    """If ``now`` is a review time: review, write the decision into its timeline slot, schedule it."""
    k = w.ic[I_REVIEWS]
    if not review_due(p.mg_reviews, k, now):
        return
    u1 = rng[MANAGEMENT].random()
    u2 = rng[MANAGEMENT].random()
    levers = np.empty(N_LEVERS)
    levers[L_BUDGET], levers[L_STAFFING] = p.tl_budget[k], p.tl_staffing[k]
    levers[L_SUPPORT], levers[L_EMPATHY] = p.tl_support[k], p.tl_empathy[k]
    review(w.days, w.ic[I_DAYS], now, k, p.mg_cycle, p.mg_delay, p.mg_implementation, p.mg_sample, p.mg_survey,
           p.mg_rule_kpi,
           p.mg_rule_target, p.mg_rule_lever, p.mg_rule_step, p.mg_low, p.mg_high, levers, u1, u2, w.mg_rows[k],
           w.fcr_days, p.mg_fcr_window)
    slot = k + 1
    p.tl_budget[slot], p.tl_staffing[slot], p.tl_support[slot], p.tl_empathy[slot], p.tl_need_budget[slot, :], \
        p.tl_targets[slot, :] = decided_levers(levers, p.tl_budget[0], p.tl_need_budget[0], p.mg_base_agents)
    w.ic[I_REVIEWS] = slot
    push(w, now + p.mg_implementation, EV_INTERVENTION, slot, 0, NORMAL)


@njit(cache=True)
def fcr_pending(p, w, s: int):
    """The pending handled contacts of slot ``s``'s customer (of the need itself without a population)."""
    return w.c_fcr[w.n_customer[s]] if p.population else w.n_fcr[s]


@njit(cache=True)
def fcr_start(p, w, s: int, now: float) -> None:
    """A contact starts: it settles its customer's pending handled contacts (kernels.fcr)."""
    if w.n_contacts[s] == 1 and not p.population:
        w.n_fcr[s, :] = -1.0  # a new need in a recycled slot: nothing of its own pending
    contact_starts(w.fcr_days, fcr_pending(p, w, s), now, p.mg_fcr_window)


@njit(cache=True)
def fcr_handled(p, w, rng, s: int, now: float, solved: bool) -> None:
    """An agent has handled a contact: tally it, tick the box, keep it pending (kernels.fcr)."""
    contact_handled(w.fcr_days, fcr_pending(p, w, s), now, solved, rng[FCR].random(), p.mg_tickbox_bias)

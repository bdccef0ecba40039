"""How many agents each hour of the week needs, from the demand profile, for a target.

The rule, stated once (README "Staffing by rule"):

* **Contacts offered** to a channel in hour ``h`` of the week = needs raised in ``h`` (the rate × the
  hourly × weekly profile, × customers with a population) × the channel's share of first contacts,
  plus a **failure-demand allowance**, forecast as a planner would from the policy's own record:
  each answered contact fails to solve the need with probability ``1 − r`` (r: the policy's
  resolution per contact, :func:`contact_resolution`) and the customer comes back (with probability
  ``1 − give_up``) in the channel ``returns.switch`` sends them to — or, with ownership, as the
  owner's callback in the same channel, never given up; a failed self-service attempt goes on at
  once to an assisted channel. The expected contacts per first contact solve ``x = f + x·M`` (a
  geometric series, exact for this routing). Repeats are placed in the hour of the first contact
  (the profile shapes returns too under the default ``clock: demand``); demand spikes are not in
  it. Callers who abandon and try again are: see :func:`agents_for` (``retry``).
* **Handle time**: :func:`handle_time` — the policy's mean agent time per contact.
* **Head count** for a service level within a time: the smallest ``n`` whose Erlang A service level
  (exponential patience with the channel's mean patience) meets the target, or Erlang C where nobody
  abandons; a chat agent is ``sessions`` servers, each slowed by the channel's ``slowdown`` per extra
  session (the full-load case). A deferred channel (nobody abandons, a target of an hour or more, e.g.
  email within 24 h) is sized on the load averaged over the target's window, since work can wait that
  long, and done in the hours of that window the team's patterns cover, at most at an occupancy of
  0.85 (``DEFERRED_OCCUPANCY``: Erlang C over a day barely exceeds the load, leaving no room for
  a forecast error). For an occupancy target: ``ceil(load / occupancy)``.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

from ..codes import DIST_DETERMINISTIC, DIST_EMPIRICAL, DIST_EXPONENTIAL, DIST_LOGNORMAL, OVERRUN_ACTIONS
from ..compiled import Dist, Levers, Params
from ..queueing import erlang_a, erlang_c
from ..scenario.staffing import StaffingTarget


def _norm():
    """scipy.stats' normal distribution, imported when a lognormal is sized (not by `cxsim validate`)."""
    from scipy.stats import norm
    return norm

HOURS = 168
#: Deferred work (email) is planned to at most this occupancy: the sustainable level of MODEL.md §4 *(calibrate)*.
DEFERRED_OCCUPANCY = 0.85
OVERRUN_CLOSE = OVERRUN_ACTIONS.index("close")
OVERRUN_TRANSFER = OVERRUN_ACTIONS.index("transfer")


def contact_resolution(p: Params, levers: Levers | None = None) -> float:
    """Probability that one answered contact solves its need under a policy, as the rule forecasts it.

    The base resolution × the delivered quality of the time given against the time needed
    (``kernels.resolution.delivered_quality``): under ``overrun: close`` a contact is given
    min(T, target) of the T it needs (a repeat is forecast like a first contact: the progress it carries
    is not in the forecast); otherwise all of it.
    Agent wellbeing, work pressure and eroding standards are not in it (the work as designed).
    """
    shares = np.diff(np.concatenate([[0.0], p.need_cdf]))
    if levers is None or not p.mechanisms.handling or levers.overrun != OVERRUN_CLOSE:
        return float(shares @ p.need_resolution)
    budgets = need_budgets(p, levers)
    if not any(math.isfinite(b) for b in budgets):
        return float(shares @ p.need_resolution)
    total = 0.0
    for share, base, d, budget in zip(shares, p.need_resolution, p.need_work, budgets):
        needed = _quantiles(d)
        given = np.minimum(needed, budget)
        gap = np.where(needed > 0, (given - needed) / np.where(needed > 0, needed, 1.0), 0.0)
        total += share * base * float(np.interp(gap, p.quality_gap, p.quality_level).mean())
    return total


def need_budgets(p: Params, levers: Levers) -> tuple[float, ...]:
    """Each need type's handle-time budget under a policy (a ``pNN`` target gives one per need type)."""
    if len(levers.need_budget) == len(p.need_work):
        return tuple(levers.need_budget)
    return (levers.budget,) * len(p.need_work)


def _quantiles(d: Dist, n: int = 4000) -> np.ndarray:
    """Work times at n equally spaced quantile midpoints (a deterministic quadrature of E[f(T)])."""
    u = (np.arange(n) + 0.5) / n
    if d.kind == DIST_EXPONENTIAL:
        return -d.a * np.log1p(-u)
    if d.kind == DIST_LOGNORMAL:
        return np.exp(d.a + d.b * _norm().ppf(u))
    if d.kind == DIST_DETERMINISTIC:
        return np.full(1, d.a)
    return np.asarray(d.values, dtype=float)


def offered_contacts(p: Params, levers: Levers | None = None) -> np.ndarray:
    """[channel, hour of week]: contacts offered per minute, failure-demand allowance included.

    With ``levers`` the allowance is the policy's own: its forecast resolution per contact
    (:func:`contact_resolution`), and with ownership an unsolved need comes back as the owner's
    callback in the same channel and is never given up. Without, the base resolution.
    """
    needs = p.week_rate * (p.population or 1)                       # needs per minute in each hour
    first = np.diff(np.concatenate([[0.0], p.channel_cdf]))         # share of first contacts per channel
    switch = np.diff(np.concatenate([np.zeros((len(p.channels), 1)), p.switch_cdf], axis=1), axis=1)
    unsolved = 1.0 - contact_resolution(p, levers)
    owned = levers is not None and p.mechanisms.handling and levers.ownership
    give_up = 0.0 if owned else p.give_up
    fail = np.array([(1.0 - ch.p_self) if ch.kind == "self_service" else unsolved * (1.0 - give_up)
                     for ch in p.channels])
    if owned:  # the owner calls back in the same channel
        assisted = np.array([ch.kind != "self_service" for ch in p.channels])
        switch = np.where(assisted[:, None], np.eye(len(p.channels)), switch)
    m = fail[:, None] * switch
    per_first = np.linalg.solve((np.eye(len(p.channels)) - m).T, first)  # x = f + x M
    return per_first[:, None] * needs[None, :]


def _mean_capped(d: Dist, cap: float) -> float:
    """E[min(T, cap)] of a work-time distribution."""
    if not math.isfinite(cap):
        return d.mean
    if d.kind == DIST_EXPONENTIAL:
        return d.a * -math.expm1(-cap / d.a)
    if d.kind == DIST_LOGNORMAL:
        mu, sigma = d.a, d.b
        z = (math.log(cap) - mu) / sigma
        return math.exp(mu + sigma * sigma / 2) * _norm().cdf(z - sigma) + cap * _norm().sf(z)
    if d.kind == DIST_DETERMINISTIC:
        return min(d.a, cap)
    assert d.kind == DIST_EMPIRICAL
    return float(np.minimum(d.values, cap).mean())


def handle_time(p: Params, levers: Levers, proficiency: float = 1.0) -> float:
    """The policy's mean agent time per contact (minutes), as the staffing rule reads it.

    The one place the rule reads a policy's handling: the need mix's mean work, capped at the
    handle-time target when the policy closes contacts there (``overrun: close``), plus the
    policy's empathy time, divided by the team's proficiency. A hand-off (``transfer``) passes the
    rest on, so its total is the work plus the re-explaining overhead for the share that overruns.
    Work pressure, eroding standards, wellbeing and rookies are not in it (the rule staffs for the
    work as designed). With the handling mechanism off the policy does not change handling.
    """
    shares = np.diff(np.concatenate([[0.0], p.need_cdf]))
    if not p.mechanisms.handling:
        return float(shares @ np.array([d.mean for d in p.need_work])) / proficiency
    budgets = need_budgets(p, levers)
    if levers.overrun == OVERRUN_CLOSE:
        work = sum(s * _mean_capped(d, b) for s, d, b in zip(shares, p.need_work, budgets))
    else:
        work = float(shares @ np.array([d.mean for d in p.need_work]))
        if levers.overrun == OVERRUN_TRANSFER:
            over = sum(s * (1.0 - _cdf(d, b)) for s, d, b in zip(shares, p.need_work, budgets) if math.isfinite(b))
            work += over * levers.transfer_overhead
    return (work + levers.empathy) / proficiency


def _cdf(d: Dist, x: float) -> float:
    if d.kind == DIST_EXPONENTIAL:
        return -math.expm1(-x / d.a)
    if d.kind == DIST_LOGNORMAL:
        return float(_norm().cdf((math.log(x) - d.a) / d.b)) if x > 0 else 0.0
    if d.kind == DIST_DETERMINISTIC:
        return 1.0 if d.a <= x else 0.0
    return float((d.values <= x).mean())


@lru_cache(maxsize=65536)
def _servers(rate: float, service: float, patience: float, within: float, level: float) -> int:
    """Smallest number of servers whose service level meets ``level`` (patience inf: Erlang C)."""
    if rate <= 0:
        return 0

    def met(n: int) -> bool:
        if math.isinf(patience):
            if rate * service >= n:
                return False
            sl = erlang_c(rate, service, n, within).service_level
        else:
            sl = erlang_a(rate, service, n, patience, within, tol=1e-10).service_level
        return sl is not None and sl >= level

    lo, hi = 1, max(1, math.ceil(rate * service))
    while not met(hi):   # the service level rises with n: double, then bisect
        lo, hi = hi + 1, hi * 2
    while lo < hi:
        mid = (lo + hi) // 2
        if met(mid):
            hi = mid
        else:
            lo = mid + 1
    return hi


def agents_for(rate: float, service: float, target: StaffingTarget, within: float, patience: float | None,
               sessions: int = 1, slowdown: float = 0.0, retry: float = 0.0) -> int:
    """Agents one interval needs: ``rate`` contacts a minute of mean ``service`` minutes, to ``target``.

    ``within`` is the service-level time (minutes), ``patience`` the mean patience (None: nobody abandons),
    ``retry`` the probability an abandoning caller tries again: the offered rate is then
    ``rate / (1 − p_abandon · retry)`` at the head count found (a fixed point, iterated to a stable count).
    """
    if rate <= 0:
        return 0
    # Rates come from a linear solve: round away the last bits so that the head count never depends on them.
    rate, service = float(f"{rate:.12g}"), float(f"{service:.12g}")
    n = _agents(rate, service, target, within, patience, sessions, slowdown)
    if patience is None or retry <= 0:
        return n
    per_session = service * (1.0 + slowdown * (sessions - 1))
    for _ in range(20):
        lost = erlang_a(rate, per_session, n * sessions, patience, tol=1e-10).p_abandon
        again = _agents(rate / (1.0 - lost * retry), service, target, within, patience, sessions, slowdown)
        if again <= n:
            return n
        n = again
    return n


def _agents(rate: float, service: float, target: StaffingTarget, within: float, patience: float | None,
            sessions: int, slowdown: float) -> int:
    per_session = service * (1.0 + slowdown * (sessions - 1))
    if target.occupancy is not None:
        return math.ceil(rate * per_session / (sessions * target.occupancy) - 1e-9)
    assert target.service_level is not None
    servers = _servers(float(rate), float(per_session), math.inf if patience is None else float(patience),
                       float(within), float(target.service_level))
    return math.ceil(servers / sessions)


def _deferred(p: Params, channel: int, target: StaffingTarget) -> bool:
    """Whether a channel's work can wait (nobody abandons, a target of an hour or more, e.g. email in 24 h)."""
    ch = p.channels[channel]
    within = target.within if target.within is not None else ch.target
    return ch.patience is None and within >= 60.0 and target.service_level is not None


def planning_rates(p: Params, channel: int, rates: np.ndarray, target: StaffingTarget,
                   open_hours: np.ndarray | None = None) -> np.ndarray:
    """The rates an hour is sized on: as offered, or for deferred work the window's mean done in open hours."""
    rates = np.asarray(rates, dtype=float)
    if not _deferred(p, channel, target):
        return rates
    ch = p.channels[channel]
    within = target.within if target.within is not None else ch.target
    window = min(HOURS, max(1, int(math.ceil(within / 60.0))))   # deferred work: average over the window
    mask = np.ones(HOURS, dtype=bool) if open_hours is None else np.asarray(open_hours, dtype=bool)
    rolled, open_rolled = np.concatenate([rates, rates]), np.concatenate([mask, mask]).astype(float)
    mean = np.array([rolled[h:h + window].mean() for h in range(HOURS)])
    share_open = np.array([open_rolled[h:h + window].mean() for h in range(HOURS)])
    return np.where(mask & (share_open > 0), mean / np.where(share_open > 0, share_open, 1.0),
                    np.where(share_open > 0, 0.0, mean))


def channel_requirement(p: Params, channel: int, rates: np.ndarray, service: float,
                        target: StaffingTarget, open_hours: np.ndarray | None = None) -> np.ndarray:
    """Agents needed in each hour of the week for one channel (``rates``: contacts a minute per hour).

    ``open_hours`` (168 booleans, default all) are the hours the team's patterns can cover: deferred
    work arriving in a target's window is done in the open hours of that window.
    """
    ch = p.channels[channel]
    within = target.within if target.within is not None else ch.target
    patience = ch.patience.mean if ch.patience is not None else None
    rates = planning_rates(p, channel, rates, target, open_hours)
    if _deferred(p, channel, target):
        # Erlang C over a day's window barely exceeds the load: no room for a forecast error, so
        # deferred work is also planned to at most DEFERRED_OCCUPANCY.
        cap = StaffingTarget(occupancy=DEFERRED_OCCUPANCY)
        return np.array([max(agents_for(r, service, target, within, None, ch.sessions, ch.slowdown),
                             agents_for(r, service, cap, within, None, ch.sessions, ch.slowdown)) for r in rates],
                        dtype=np.int64)
    retry = ch.retrial_probability if patience is not None else 0.0
    return np.array([agents_for(r, service, target, within, patience, ch.sessions, ch.slowdown, retry) for r in rates],
                    dtype=np.int64)


def hour_service_level(rate: float, service: float, agents: float, within: float, patience: float | None,
                       sessions: int = 1, slowdown: float = 0.0, retry: float = 0.0) -> float:
    """The service level the rule's queueing model promises an hour with ``agents`` on duty (the inverse of
    :func:`agents_for` for a service-level target: Erlang A, or Erlang C where nobody abandons; retrials
    as there)."""
    if rate <= 0:
        return 1.0
    servers = int(round(agents)) * sessions
    if servers <= 0:
        return 0.0
    per_session = service * (1.0 + slowdown * (sessions - 1))
    if patience is None:
        if rate * per_session >= servers:
            return 0.0
        return float(erlang_c(rate, per_session, servers, within).service_level)
    offered = rate
    for _ in range(20):
        result = erlang_a(offered, per_session, servers, patience, within, tol=1e-10)
        again = rate / (1.0 - result.p_abandon * retry) if retry > 0 else rate
        if abs(again - offered) <= 1e-9 * rate:
            break
        offered = again
    return float(result.service_level)


def channel_promise(p: Params, channel: int, rates: np.ndarray, service: float, agents: np.ndarray,
                    target: StaffingTarget, open_hours: np.ndarray | None = None) -> tuple[float, float]:
    """(service level, contacts a minute summed over the week's hours) the rule promises one channel when
    ``agents`` (168 hours) are on duty: each hour's service level weighted by the hour's planning rate."""
    ch = p.channels[channel]
    within = target.within if target.within is not None else ch.target
    patience = ch.patience.mean if ch.patience is not None else None
    rates = planning_rates(p, channel, rates, target, open_hours)
    retry = ch.retrial_probability if patience is not None else 0.0
    levels = np.array([hour_service_level(r, service, n, within, patience, ch.sessions, ch.slowdown, retry)
                       for r, n in zip(rates, agents)])
    weight = float(rates.sum())
    return (float(levels @ rates) / weight if weight > 0 else 1.0), weight

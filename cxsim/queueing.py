"""Analytic queueing oracles (Erlang B, Erlang C, Erlang A).

These closed-form / exact-chain results are the ground truth the simulation
engines are checked against, and a cheap first guess for staffing. They assume
Poisson arrivals and exponential service (and patience); the simulator exists
precisely because real processes are not like that, so treat these as oracles
for the Markovian special case, not as models of the service.

Time unit: anything, as long as it is used consistently (cxsim uses minutes).
Rates are per unit time, means are in units of time.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = [
    "ErlangA",
    "ErlangC",
    "erlang_a",
    "erlang_b",
    "erlang_c",
    "erlang_c_agents",
]


def _require_positive(name: str, value: float) -> None:
    if not (value > 0 and math.isfinite(value)):
        raise ValueError(f"{name} must be a positive finite number, got {value!r}")


def erlang_b(servers: int, load: float) -> float:
    """Blocking probability of M/M/c/c with ``load`` Erlangs offered.

    Uses the recursion B(0)=1, B(k) = a B(k-1) / (k + a B(k-1)) rather than the
    factorial formula, because the latter overflows beyond ~170 servers while
    the recursion stays in [0, 1] and is stable for any number of servers.
    """
    if isinstance(servers, bool) or int(servers) != servers or servers < 0:
        raise ValueError(f"servers must be a non-negative integer, got {servers!r}")
    if not (load >= 0 and math.isfinite(load)):
        raise ValueError(f"load must be a non-negative finite number, got {load!r}")
    b = 1.0
    for k in range(1, int(servers) + 1):
        ab = load * b
        b = ab / (k + ab)
    return b


@dataclass(frozen=True)
class ErlangC:
    """Steady-state M/M/c (infinite patience) performance.

    ``mean_wait`` is averaged over all arrivals (including those not waiting);
    ``service_level`` is P(wait <= target), ``None`` when no target was given.
    """

    p_wait: float
    mean_wait: float
    service_level: float | None
    occupancy: float
    load: float


def erlang_c(
    arrival_rate: float,
    mean_service: float,
    servers: int,
    target: float | None = None,
) -> ErlangC:
    """Erlang C (M/M/c) metrics.

    P(wait) is derived from Erlang B, C = B / (1 - rho (1 - B)), which inherits
    the recursion's stability for large ``servers``. The waiting time is zero
    with probability 1 - C and otherwise exponential with rate c*mu - lambda,
    which gives the mean wait and the service level in closed form.

    Raises ValueError for non-positive inputs or when load >= servers (no
    steady state: the queue grows without bound).
    """
    _require_positive("arrival_rate", arrival_rate)
    _require_positive("mean_service", mean_service)
    if isinstance(servers, bool) or int(servers) != servers or servers < 1:
        raise ValueError(f"servers must be a positive integer, got {servers!r}")
    servers = int(servers)
    if target is not None and not (target >= 0):
        raise ValueError(f"target must be non-negative, got {target!r}")

    mu = 1.0 / mean_service
    load = arrival_rate * mean_service
    if load >= servers:
        raise ValueError(
            f"unstable M/M/c queue: offered load {load:.6g} Erlangs >= "
            f"{servers} servers; Erlang C has no steady state (if callers "
            "abandon, Erlang A has one: give `cxsim erlang` a --patience)"
        )
    rho = load / servers
    b = erlang_b(servers, load)
    c = b / (1.0 - rho * (1.0 - b))
    drain = servers * mu - arrival_rate  # rate of the conditional exp. wait
    mean_wait = c / drain
    sl = None if target is None else 1.0 - c * math.exp(-drain * target)
    return ErlangC(p_wait=c, mean_wait=mean_wait, service_level=sl, occupancy=rho, load=load)


@dataclass(frozen=True)
class ErlangA:
    """Steady-state M/M/n+M (exponential patience) performance.

    * ``p_wait``: P(an arrival finds all agents busy) (PASTA).
    * ``p_abandon``: fraction of arrivals that abandon = theta * Lq / lambda.
    * ``mean_wait``: mean time in queue over ALL arrivals (served, abandoning
      and never-waiting alike) = Lq / lambda by Little's law.
    * ``service_level``: P(answered within target), abandoners counted as not
      answered; ``None`` when no target was given.
    * ``occupancy``: mean busy agents / n (carried, not offered, load).
    * ``load``: offered load lambda / mu in Erlangs (may exceed n).
    """

    p_wait: float
    p_abandon: float
    mean_wait: float
    service_level: float | None
    occupancy: float
    load: float


def _erlang_a_stationary(
    arrival_rate: float, mu: float, servers: int, theta: float, tol: float
) -> np.ndarray:
    """Stationary law of the M/M/n+M birth-death chain, truncated at tail < tol.

    Works with log weights (log pi_k - log pi_0) so large n and loads do not
    overflow. Beyond n the ratios pi_{k+1}/pi_k = lambda/(n mu + (k+1-n) theta)
    are non-increasing, so once a ratio r < 1 the untruncated tail mass is
    bounded by pi_K * r / (1 - r); we grow K until that bound is below tol.
    """
    log_lam = math.log(arrival_rate)
    logw = [0.0]
    log_total = 0.0
    k = 0
    while True:
        k_next = k + 1
        death = min(k_next, servers) * mu + max(k_next - servers, 0) * theta
        log_r = log_lam - math.log(death)
        if k >= servers and log_r < 0.0:
            r = math.exp(log_r)
            log_tail_bound = logw[-1] + log_r - math.log1p(-r)
            if log_tail_bound - log_total < math.log(tol):
                break
        logw.append(logw[-1] + log_r)
        log_total = np.logaddexp(log_total, logw[-1])
        k = k_next
        if k > 10_000_000:  # pragma: no cover - guards against a runaway loop
            raise RuntimeError("Erlang A truncation did not converge")
    lw = np.asarray(logw)
    p = np.exp(lw - lw.max())
    return p / p.sum()


def _erlang_a_service_level(
    pi: np.ndarray, mu: float, servers: int, theta: float, target: float
) -> float:
    """P(answered within ``target``) for an arrival seeing the stationary law.

    An arrival finding k >= n in system has i = k - n customers ahead in the
    queue (FCFS; those behind never matter). Its position drops from i to i-1
    at rate n mu + i theta (a service completion or an abandonment ahead),
    from 0 it enters service at rate n mu, and it abandons itself at rate
    theta from any position. That absorbing chain is pure-death with killing,
    so we push the whole initial distribution (pi_k, k >= n) through it at
    once with expm_multiply and read the mass absorbed in "served" at time
    target. Arrivals finding k < n are answered immediately.
    """
    # Imported only here: the other answers need no scipy (a run's lint imports this module).
    from scipy import sparse
    from scipy.sparse.linalg import expm_multiply

    immediate = float(pi[:servers].sum())
    p0 = pi[servers:]
    m = p0.size  # positions 0..m-1, plus absorbing "served" at index m
    if m == 0 or target == 0:
        return immediate
    pos = np.arange(m, dtype=float)
    advance = servers * mu + pos * theta  # rate out of position i forwards
    diag = np.append(-(advance + theta), 0.0)
    # Row-generator Q: i -> i-1 for i >= 1, 0 -> served (index m).
    rows = np.arange(m)
    cols = np.where(rows == 0, m, rows - 1)
    q = sparse.csr_matrix((advance, (rows, cols)), shape=(m + 1, m + 1))
    q = q + sparse.diags(diag)
    start = np.append(p0, 0.0)
    end = expm_multiply((q.T * target).tocsc(), start)
    return immediate + float(end[m])


def erlang_a(
    arrival_rate: float,
    mean_service: float,
    servers: int,
    mean_patience: float,
    target: float | None = None,
    tol: float = 1e-12,
) -> ErlangA:
    """Erlang A (M/M/n+M, Palm's model) from the exact birth-death chain.

    States k = 0..K count customers in system; birth rate lambda, death rate
    min(k, n) mu + max(k - n, 0) theta with theta = 1/mean_patience. Solving
    the chain (rather than the usual incomplete-gamma closed form) keeps the
    definitions explicit and is always stable: abandonment makes the queue
    positive-recurrent even when load > servers. ``mean_patience=math.inf``
    gives Erlang C (then load < servers is required). See :class:`ErlangA`
    for the metric definitions.
    """
    _require_positive("arrival_rate", arrival_rate)
    _require_positive("mean_service", mean_service)
    if isinstance(servers, bool) or int(servers) != servers or servers < 1:
        raise ValueError(f"servers must be a positive integer, got {servers!r}")
    servers = int(servers)
    if not (mean_patience > 0):
        raise ValueError(f"mean_patience must be positive, got {mean_patience!r}")
    if target is not None and not (target >= 0 and math.isfinite(target)):
        raise ValueError(f"target must be a non-negative finite number, got {target!r}")
    if not (0 < tol < 1):
        raise ValueError(f"tol must be in (0, 1), got {tol!r}")

    mu = 1.0 / mean_service
    theta = 0.0 if math.isinf(mean_patience) else 1.0 / mean_patience
    load = arrival_rate * mean_service
    if theta == 0.0 and load >= servers:
        raise ValueError(
            f"unstable queue: infinite patience with offered load {load:.6g} "
            f"Erlangs >= {servers} servers"
        )

    pi = _erlang_a_stationary(arrival_rate, mu, servers, theta, tol)
    k = np.arange(pi.size)
    queue = np.maximum(k - servers, 0)
    lq = float(queue @ pi)
    busy = float(np.minimum(k, servers) @ pi)
    p_wait = float(pi[servers:].sum())
    sl = None
    if target is not None:
        sl = _erlang_a_service_level(pi, mu, servers, theta, target)
    return ErlangA(
        p_wait=p_wait,
        p_abandon=theta * lq / arrival_rate,
        mean_wait=lq / arrival_rate,
        service_level=sl,
        occupancy=busy / servers,
        load=load,
    )


def erlang_c_agents(
    arrival_rate: float,
    mean_service: float,
    target_time: float,
    target_level: float,
) -> int:
    """Smallest number of agents whose Erlang C service level meets the target.

    The search starts at the first stable staffing (floor(load) + 1) and walks
    up; the service level is increasing in agents so the first hit is minimal.
    """
    _require_positive("arrival_rate", arrival_rate)
    _require_positive("mean_service", mean_service)
    if not (target_time >= 0 and math.isfinite(target_time)):
        raise ValueError(f"target_time must be non-negative, got {target_time!r}")
    if not (0 < target_level < 1):
        raise ValueError(f"target_level must be in (0, 1), got {target_level!r}")
    load = arrival_rate * mean_service
    n = math.floor(load) + 1
    while True:
        sl = erlang_c(arrival_rate, mean_service, n, target_time).service_level
        assert sl is not None
        if sl >= target_level:
            return n
        n += 1

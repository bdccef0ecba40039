"""Tests for the analytic queueing oracles against published values and identities."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.linalg import expm

from cxsim.queueing import (
    ErlangA,
    ErlangC,
    erlang_a,
    erlang_b,
    erlang_c,
    erlang_c_agents,
)

SEC = 1.0 / 60.0  # minutes per second


# --- Erlang B ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("servers", "load", "expected"),
    [
        (0, 3.0, 1.0),
        (1, 1.0, 0.5),
        (2, 1.0, 0.2),  # (1/2) / (1 + 1 + 1/2)
        (10, 5.0, 0.018385),
        (5, 3.0, 0.110054),
    ],
)
def test_erlang_b_known_values(servers: int, load: float, expected: float) -> None:
    assert erlang_b(servers, load) == pytest.approx(expected, abs=1e-6)


def test_erlang_b_matches_factorial_formula() -> None:
    a, c = 7.3, 12
    terms = [a**k / math.factorial(k) for k in range(c + 1)]
    assert erlang_b(c, a) == pytest.approx(terms[-1] / sum(terms), rel=1e-12)


def test_erlang_b_large_systems_are_finite() -> None:
    b = erlang_b(5000, 4900.0)
    assert 0.0 < b < 0.01
    assert erlang_b(2000, 0.0) == 0.0


def test_erlang_b_rejects_bad_input() -> None:
    with pytest.raises(ValueError):
        erlang_b(-1, 1.0)
    with pytest.raises(ValueError):
        erlang_b(3, -1.0)


# --- Erlang C ---------------------------------------------------------------


def test_erlang_c_published_example() -> None:
    # 360 calls / 30 min, AHT 240 s, 55 agents, 80/20-style target of 20 s.
    r = erlang_c(arrival_rate=12.0, mean_service=4.0, servers=55, target=20 * SEC)
    assert isinstance(r, ErlangC)
    assert r.load == pytest.approx(48.0)
    assert r.occupancy == pytest.approx(48 / 55)
    assert r.p_wait == pytest.approx(0.2387, abs=5e-4)
    assert r.mean_wait / SEC == pytest.approx(8.18, abs=0.01)
    assert r.service_level == pytest.approx(0.8668, abs=5e-4)


def test_erlang_c_without_target_and_target_zero() -> None:
    r = erlang_c(12.0, 4.0, 55)
    assert r.service_level is None
    r0 = erlang_c(12.0, 4.0, 55, target=0.0)
    assert r0.service_level == pytest.approx(1.0 - r0.p_wait)


def test_erlang_c_single_server_is_mm1() -> None:
    lam, mu = 0.6, 1.0
    r = erlang_c(lam, 1 / mu, 1, target=2.0)
    rho = lam / mu
    assert r.p_wait == pytest.approx(rho)
    assert r.mean_wait == pytest.approx(rho / (mu - lam))
    assert r.service_level == pytest.approx(1 - rho * math.exp(-(mu - lam) * 2.0))


@pytest.mark.parametrize(("lam", "servers"), [(12.0, 48), (12.0, 40), (13.0, 50)])
def test_erlang_c_unstable_raises(lam: float, servers: int) -> None:
    with pytest.raises(ValueError, match="unstable"):
        erlang_c(lam, 4.0, servers)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"arrival_rate": 0.0, "mean_service": 4.0, "servers": 55},
        {"arrival_rate": 12.0, "mean_service": -1.0, "servers": 55},
        {"arrival_rate": 12.0, "mean_service": 4.0, "servers": 0},
    ],
)
def test_erlang_c_rejects_non_positive(kwargs: dict) -> None:
    with pytest.raises(ValueError):
        erlang_c(**kwargs)


def test_erlang_c_large_system() -> None:
    r = erlang_c(arrival_rate=1900.0, mean_service=1.0, servers=2000, target=0.1)
    assert 0.0 < r.p_wait < 1.0
    assert math.isfinite(r.mean_wait)


# --- Erlang C staffing ------------------------------------------------------


def test_erlang_c_agents_is_minimal() -> None:
    n = erlang_c_agents(12.0, 4.0, target_time=20 * SEC, target_level=0.8)
    assert erlang_c(12.0, 4.0, n, 20 * SEC).service_level >= 0.8
    assert n - 1 <= 48 or erlang_c(12.0, 4.0, n - 1, 20 * SEC).service_level < 0.8  # 48 = load
    # 55 agents give 86.7 %, so 80/20 needs no more than 55.
    assert n <= 55
    assert erlang_c_agents(12.0, 4.0, 20 * SEC, 0.8667) == 55


# --- Erlang A ---------------------------------------------------------------


def test_erlang_a_published_example() -> None:
    # 48 calls/min, AHT 1 min, 50 agents, mean patience 2 min.
    r = erlang_a(48.0, 1.0, 50, mean_patience=2.0)
    assert isinstance(r, ErlangA)
    assert round(r.p_wait, 4) == 0.4678
    assert round(r.p_abandon, 4) == 0.0309
    # mean wait over ALL arrivals (served and abandoning), = Lq / lambda
    assert round(r.mean_wait / SEC, 2) == 3.71
    assert r.service_level is None
    # Not a published figure: regression value of the exact tagged-customer
    # chain, cross-checked by a 2e6-call FCFS simulation (0.9423).
    sl = erlang_a(48.0, 1.0, 50, mean_patience=2.0, target=20 * SEC).service_level
    assert sl == pytest.approx(0.943019, abs=1e-5)


def test_erlang_a_littles_law_and_conservation() -> None:
    lam, es, n, patience = 48.0, 1.0, 50, 2.0
    r = erlang_a(lam, es, n, patience)
    theta = 1 / patience
    lq = r.mean_wait * lam
    assert r.p_abandon * lam == pytest.approx(theta * lq, rel=1e-12)
    # carried load = served throughput * mean service
    busy = r.occupancy * n
    assert busy == pytest.approx(lam * (1 - r.p_abandon) * es, rel=1e-9)


def test_erlang_a_converges_to_erlang_c() -> None:
    target = 20 * SEC
    c = erlang_c(12.0, 4.0, 55, target=target)
    a = erlang_a(12.0, 4.0, 55, mean_patience=1e9, target=target)
    assert a.p_wait == pytest.approx(c.p_wait, rel=1e-6)
    assert a.mean_wait == pytest.approx(c.mean_wait, rel=1e-6)
    assert a.service_level == pytest.approx(c.service_level, rel=1e-6)
    assert a.p_abandon < 1e-8
    inf = erlang_a(12.0, 4.0, 55, mean_patience=math.inf, target=target)
    assert inf.p_abandon == 0.0
    assert inf.p_wait == pytest.approx(c.p_wait, rel=1e-9)
    assert inf.service_level == pytest.approx(c.service_level, rel=1e-8)


def test_erlang_a_infinite_patience_unstable_raises() -> None:
    with pytest.raises(ValueError, match="unstable"):
        erlang_a(12.0, 4.0, 48, mean_patience=math.inf)


@pytest.mark.parametrize("lam", [60.0, 100.0, 500.0])
def test_erlang_a_stable_when_overloaded(lam: float) -> None:
    n, patience = 50, 2.0
    r = erlang_a(lam, 1.0, n, patience, target=0.5)
    assert r.load > n
    for v in (r.p_wait, r.p_abandon, r.occupancy, r.service_level):
        assert 0.0 <= v <= 1.0
    # served throughput cannot exceed n * mu
    assert lam * (1 - r.p_abandon) <= n + 1e-9
    # in heavy overload nearly everyone waits and the excess abandons
    assert r.p_abandon == pytest.approx(1 - n / lam, abs=0.05)


def test_erlang_a_service_level_limits() -> None:
    r0 = erlang_a(48.0, 1.0, 50, 2.0, target=0.0)
    assert r0.service_level == pytest.approx(1 - r0.p_wait, abs=1e-12)
    # answered eventually = not abandoned: ties the tagged-customer chain to
    # the stationary chain, which are computed independently.
    big = erlang_a(48.0, 1.0, 50, 2.0, target=60.0)
    assert big.service_level == pytest.approx(1 - big.p_abandon, abs=1e-9)
    sls = [erlang_a(48.0, 1.0, 50, 2.0, target=t).service_level for t in (0.1, 0.3, 1.0, 3.0)]
    assert all(np.diff(sls) > 0)


def _brute_force_service_level(lam: float, mu: float, n: int, theta: float, t: float) -> float:
    """Dense truncated chain + one dense expm of the tagged customer's chain."""
    kmax = 120
    w = [1.0]
    for k in range(1, kmax + 1):
        w.append(w[-1] * lam / (min(k, n) * mu + max(k - n, 0) * theta))
    pi = np.array(w) / sum(w)
    m = kmax - n + 1  # positions 0..m-1 (customers ahead), then "served"
    q = np.zeros((m + 1, m + 1))
    for i in range(m):
        rate = n * mu + i * theta
        q[i, m if i == 0 else i - 1] = rate
        q[i, i] = -(rate + theta)
    p_served = expm(q * t)[:m, m]  # row i: started with i ahead
    return float(pi[:n].sum() + pi[n:] @ p_served)


@pytest.mark.parametrize(("lam", "n", "patience"), [(3.0, 4, 1.5), (6.0, 4, 0.7), (2.0, 1, 3.0)])
def test_erlang_a_service_level_matches_brute_force(lam: float, n: int, patience: float) -> None:
    t = 0.4
    r = erlang_a(lam, 1.0, n, patience, target=t)
    assert r.service_level == pytest.approx(
        _brute_force_service_level(lam, 1.0, n, 1 / patience, t), abs=1e-9
    )


def test_erlang_a_large_system_does_not_overflow() -> None:
    r = erlang_a(2100.0, 1.0, 2000, mean_patience=1.0, target=0.05)
    assert all(math.isfinite(v) for v in (r.p_wait, r.p_abandon, r.mean_wait, r.service_level))
    assert 0.0 < r.p_abandon < 1.0


@pytest.mark.parametrize(
    "kwargs",
    [
        {"arrival_rate": -1.0, "mean_service": 1.0, "servers": 5, "mean_patience": 1.0},
        {"arrival_rate": 1.0, "mean_service": 0.0, "servers": 5, "mean_patience": 1.0},
        {"arrival_rate": 1.0, "mean_service": 1.0, "servers": 0, "mean_patience": 1.0},
        {"arrival_rate": 1.0, "mean_service": 1.0, "servers": 5, "mean_patience": 0.0},
    ],
)
def test_erlang_a_rejects_non_positive(kwargs: dict) -> None:
    with pytest.raises(ValueError):
        erlang_a(**kwargs)

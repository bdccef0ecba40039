"""Which lever makes each difference: a Shapley attribution over the levers two policies differ in.

Policy B differs from policy A in a few levers. A *coalition* is A with some of those levers set
to B's values; the empty coalition is A, the full one is B. A lever's Shapley value is its marginal
contribution averaged over every order in which the levers could be switched, so the values add
up exactly to the whole difference B − A, and interactions are shared fairly (Shapley 1953).

Every coalition runs replication ``r`` on the same random streams (common random numbers), so the
attribution is computed replication by replication and its interval is the usual t-interval over
replications. With few levers every coalition runs (exact); with many, random orders are sampled
and the sampling error of each value is stated beside its interval.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..scenario.mechanisms import BUILT_IN, Levers, Policy, resolve_policy
from ..stats import interval

#: Up to this many differing levers every coalition is run (2**7 = 128 coalitions).
EXACT_UP_TO = 7
#: Random orders drawn when there are more levers (each needs at most one new coalition per lever).
DEFAULT_PERMUTATIONS = 24
#: Coalition policies are named ``PREFIX`` + a bit string over the differing levers.
PREFIX = "shapley-"


@dataclass(frozen=True)
class LeverSet:
    """The levers two policies differ in, with each policy's value."""
    reference: str
    other: str
    levers: dict[str, tuple[Any, Any]]   # lever -> (value in reference, value in other)
    shared: dict[str, Any]               # the levers both policies set alike

    @property
    def names(self) -> list[str]:
        return list(self.levers)

    def policy_name(self, mask: int) -> str:
        return PREFIX + format(mask, f"0{len(self.levers)}b")[::-1] if self.levers else PREFIX + "0"

    def coalition(self, mask: int) -> Policy:
        """Policy A with the levers in ``mask`` switched to B's values (a built-in base, every lever set)."""
        values = {lever: (b if mask >> i & 1 else a) for i, (lever, (a, b)) in enumerate(self.levers.items())}
        full = {**self.shared, **values}
        unset = {k for k, v in full.items() if v is None}
        if any(BUILT_IN["baseline"][k] is not None for k in unset):
            raise ValueError(f"cannot leave {', '.join(sorted(unset))} unset in a coalition")
        return Policy(extends="baseline", **{k: v for k, v in full.items() if v is not None})


def differing_levers(policies: dict[str, Policy], reference: str, other: str) -> LeverSet:
    """The levers where ``other`` differs from ``reference`` (resolved through ``extends``)."""
    for name in (reference, other):
        if policies.get(name) is not None and policies[name].interventions:
            raise ValueError(f"policy {name!r} has interventions: the decomposition covers levers only "
                             "(define a policy without them to decompose)")
        if policies.get(name) is not None and policies[name].management is not None:
            raise ValueError(f"policy {name!r} has management: the decomposition covers levers only "
                             "(define a policy without it to decompose)")
    a, b = resolve_policy(reference, policies), resolve_policy(other, policies)
    differing = {k: (a[k], b[k]) for k in Levers.model_fields if a.get(k) != b.get(k)}
    shared = {k: a.get(k) for k in Levers.model_fields if k not in differing}
    return LeverSet(reference, other, differing, shared)


def exact_masks(n: int) -> list[int]:
    return list(range(2 ** n))


def sampled_orders(n: int, count: int, seed: int) -> list[tuple[int, ...]]:
    """``count`` random orders of ``n`` levers, from their own seeded generator (reproducible)."""
    rng = np.random.default_rng([seed, n, count])
    return [tuple(int(i) for i in rng.permutation(n)) for _ in range(count)]


def order_masks(orders: list[tuple[int, ...]]) -> list[int]:
    """Every coalition the given orders pass through (the empty and the full one included)."""
    masks = {0}
    for order in orders:
        mask = 0
        for i in order:
            mask |= 1 << i
            masks.add(mask)
    return sorted(masks)


def exact(values: dict[int, np.ndarray], n: int) -> np.ndarray:
    """Shapley values, lever × replication, from every coalition's per-replication value."""
    phi = np.zeros((n, len(values[0])))
    for i in range(n):
        bit = 1 << i
        for mask in range(2 ** n):
            if mask & bit:
                continue
            size = bin(mask).count("1")
            weight = math.factorial(size) * math.factorial(n - size - 1) / math.factorial(n)
            phi[i] += weight * (values[mask | bit] - values[mask])
    return phi


def sampled(values: dict[int, np.ndarray], n: int, orders: list[tuple[int, ...]]) -> tuple[np.ndarray, np.ndarray]:
    """Shapley values (lever × replication) averaged over the orders, and each lever's sampling error.

    Each order's marginal contributions add up to the whole difference, so their mean does too.
    The sampling error is the standard error over orders of the replication-mean contribution.
    """
    marginal = np.zeros((len(orders), n, len(values[0])))
    for k, order in enumerate(orders):
        mask = 0
        for i in order:
            marginal[k, i] = values[mask | 1 << i] - values[mask]
            mask |= 1 << i
    per_order = marginal.mean(axis=2)
    error = per_order.std(axis=0, ddof=1) / math.sqrt(len(orders)) if len(orders) > 1 else np.full(n, np.inf)
    return marginal.mean(axis=0), error


def attribute(frame, lever_set: LeverSet, metrics: list[str], orders: list[tuple[int, ...]] | None) -> dict:
    """The decomposition of each metric's difference, from one metrics row per (coalition, replication)."""
    n = len(lever_set.levers)
    names = {lever_set.policy_name(m): m for m in (exact_masks(n) if orders is None else order_masks(orders))}
    frame = frame[frame["policy"].isin(names)]
    out: dict[str, Any] = {}
    for metric in metrics:
        table = frame.pivot(index="replication", columns="policy", values=metric)
        values = {mask: table[name].to_numpy(dtype=float) for name, mask in names.items()}
        if orders is None:
            phi, error = exact(values, n), np.zeros(n)
        else:
            phi, error = sampled(values, n, orders)
        total = values[2 ** n - 1] - values[0]
        out[metric] = {
            "reference": interval(values[0]), "other": interval(values[2 ** n - 1]), "total": interval(total),
            "contributions": {lever: {**interval(phi[i]), "sampling_error": float(error[i])}
                              for i, lever in enumerate(lever_set.names)},
            "per_replication": {"total": total.tolist(), **{lever: phi[i].tolist()
                                                           for i, lever in enumerate(lever_set.names)}},
        }
    return out


def all_orders(n: int) -> list[tuple[int, ...]]:
    """Every order of ``n`` levers (for tests: averaging over them is the exact Shapley value)."""
    return list(itertools.permutations(range(n)))

"""The simulation side of an explanation: the runs each question needs, through the experiment runner.

Every run goes through :func:`cxsim.experiment.runner.run_plan` in summary-only mode, so the
backends (``--jobs``, Dask), the random streams (common random numbers) and resuming after an
interruption are the runner's. A *difference* at a design point is policy B − policy A paired
replication by replication, averaged over the replications.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..experiment.plan import points_plan
from ..experiment.runner import run_plan
from ..scenario import Scenario
from ..scenario.mechanisms import resolve_policy
from ..scenario.uncertain import Uncertain, resolve
from ..stats import interval
from . import flip, sensitivity, shapley

#: The headline differences explained unless ``--metric`` says otherwise.
HEADLINE = ("nps_true", "cost_per_solved_need", "contacts_per_need")

Progress = Callable[[int, int], None] | None


def two_policies(scenario: Scenario, policies: list[str] | None) -> tuple[str, str]:
    """The reference and the other policy: the given two, or the scenario's first two."""
    names = policies or list(scenario.policies)[:2]
    if len(names) != 2:
        raise ValueError("an explanation compares two policies: give --policies A,B "
                         f"(the scenario has {', '.join(scenario.policies)})")
    unknown = [p for p in names if p not in scenario.policies]
    if unknown:
        raise ValueError(f"unknown policy {', '.join(map(repr, unknown))} (the scenario has "
                         f"{', '.join(scenario.policies)})")
    return names[0], names[1]


def uncertain_parameters(scenario: Scenario) -> list[Uncertain]:
    params, problems = resolve(scenario)
    if problems:  # the loader reports these with their lines; here only for scenarios built in code
        raise ValueError("; ".join(f"{'.'.join(map(str, p))}: {m}" for p, m in problems))
    if not params:
        raise ValueError(f"{scenario.name} declares no uncertain parameters: add an 'uncertain:' block "
                         "(dotted path -> {low, high})")
    return params


def decompose(scenario: Scenario, reference: str, other: str, metrics: list[str], replications: int,
              seed: int | None = None, engine: str = "fast", permutations: int | None = None, jobs: int = 1,
              scheduler: str | None = None, cache: str | Path | None = None, fresh: bool = False,
              on_run: Progress = None, threads: int | None = None) -> dict[str, Any]:
    """Shapley attribution of each metric's difference (other − reference) to the levers that differ."""
    levers = shapley.differing_levers(scenario.policies, reference, other)
    n = len(levers.levers)
    if n == 0:
        raise ValueError(f"policies {reference!r} and {other!r} set every lever alike: nothing to decompose")
    exact = permutations is None and n <= shapley.EXACT_UP_TO
    base_seed = scenario.seed if seed is None else seed
    orders = None if exact else shapley.sampled_orders(n, permutations or shapley.DEFAULT_PERMUTATIONS, base_seed)
    masks = shapley.exact_masks(n) if orders is None else shapley.order_masks(orders)
    coalitions = {levers.policy_name(m): levers.coalition(m) for m in masks}
    with_coalitions = scenario.model_copy(update={"policies": {**scenario.policies, **coalitions}})
    for name, mask in zip(coalitions, masks):  # each coalition is A with exactly its levers switched
        expected = {**levers.shared, **{k: (b if mask >> i & 1 else a)
                                        for i, (k, (a, b)) in enumerate(levers.levers.items())}}
        if resolve_policy(name, with_coalitions.policies) != expected:
            raise ValueError(f"coalition {name} does not resolve to the levers intended (a scenario policy "
                             "named 'baseline' changes its defaults?)")
    plan = points_plan(with_coalitions, [{}], list(coalitions), seed, engine)
    frame = run_plan(plan, replications, jobs, scheduler, cache, fresh, on_run, threads)
    return {"reference": reference, "other": other, "replications": replications, "seed": plan.seed,
            "engine": engine, "method": "exact" if exact else "sampled",
            "coalitions": len(masks), "permutations": None if exact else len(orders),
            "levers": {k: list(v) for k, v in levers.levers.items()},
            "metrics": shapley.attribute(frame, levers, metrics, orders)}


def differences(frame: pd.DataFrame, reference: str, other: str, metrics: list[str], points: int) -> dict:
    """Per design point and metric: the paired difference other − reference (mean and interval)."""
    out: dict[str, list[dict]] = {m: [] for m in metrics}
    grouped = {p: g for p, g in frame.groupby("point")}
    for point in range(points):
        g = grouped[point]
        a = g[g["policy"] == reference].set_index("replication")
        b = g[g["policy"] == other].set_index("replication")
        for m in metrics:
            out[m].append(interval((b[m] - a[m]).to_numpy(dtype=float)))
    return out


def _run_design(scenario, settings, reference, other, metrics, replications, seed, engine, jobs, scheduler,
                cache, fresh, on_run, threads=None) -> tuple[dict, int]:
    plan = points_plan(scenario, settings, [reference, other], seed, engine)
    frame = run_plan(plan, replications, jobs, scheduler, cache, fresh, on_run, threads)
    return differences(frame, reference, other, metrics, len(settings)), plan.seed


def sensitivity_study(scenario: Scenario, method: str, reference: str, other: str, metrics: list[str],
                      replications: int, size: int | None = None, seed: int | None = None, engine: str = "fast",
                      jobs: int = 1, scheduler: str | None = None, cache: str | Path | None = None,
                      fresh: bool = False, on_run: Progress = None, threads: int | None = None) -> dict[str, Any]:
    """One sensitivity method over the scenario's uncertain parameters, with the flip boundary.

    ``oat``: each parameter at ``size`` levels over its range (a tornado and flip points);
    ``morris``: ``size`` trajectories; ``sobol``: a base sample of ``size`` (a power of two).
    """
    params = uncertain_parameters(scenario)
    size = size or sensitivity.DEFAULT_SIZE[method]
    base_seed = scenario.seed if seed is None else seed
    head = {"method": method, "size": size, "reference": reference, "other": other,
            "replications": replications, "engine": engine,
            "parameters": [{"path": p.path, "low": p.low, "high": p.high, "nominal": p.nominal, "dist": p.dist}
                           for p in params]}
    if method == "oat":
        settings = sensitivity.one_at_a_time(params, size)
        diffs, used_seed = _run_design(scenario, settings, reference, other, metrics, replications, seed, engine,
                                       jobs, scheduler, cache, fresh, on_run, threads)
        return {**head, "seed": used_seed, "metrics": {m: _oat(params, settings, diffs[m]) for m in metrics}}
    spec = sensitivity.problem(params)
    X = sensitivity.design(method, spec, size, base_seed)
    settings = [{}] + sensitivity.settings_of(params, X)  # the scenario as written first: the sign to keep
    diffs, used_seed = _run_design(scenario, settings, reference, other, metrics, replications, seed, engine, jobs,
                                   scheduler, cache, fresh, on_run, threads)
    # The values the model was given (whole numbers where the field is one): what flip rules speak of.
    applied = np.array([[point[p.path] for p in params] for point in settings[1:]], dtype=float)
    out = {}
    for m in metrics:
        centre, rest = diffs[m][0], diffs[m][1:]
        Y = np.array([d["mean"] if d["mean"] is not None else np.nan for d in rest])
        finite = np.isfinite(Y)
        indices = sensitivity.analyse(method, spec, X, np.where(finite, Y, np.nanmean(Y)), base_seed) \
            if finite.any() else {}
        out[m] = {"centre": centre, "indices": indices, "missing": int((~finite).sum()),
                  "sample": {"X": applied.tolist(), "Y": Y.tolist()},
                  "rule": flip.rule(applied, Y, spec["names"], flip.sign(centre["mean"] or 0.0))}
    return {**head, "seed": used_seed, "metrics": out}


def _oat(params: list[Uncertain], settings: list[dict], diffs: list[dict]) -> dict:
    """Tornado rows and flip points from a one-at-a-time design's differences."""
    centre = diffs[0]
    rows = []
    for p in params:
        idx = [i for i, s in enumerate(settings) if p.path in s]
        xs = [settings[i][p.path] for i in idx]
        ys = [diffs[i]["mean"] for i in idx]
        points = [{"value": x, **diffs[i]} for x, i in zip(xs, idx)]
        if p.nominal is not None and not any(x == p.nominal for x in xs):
            xs, ys = xs + [p.nominal], ys + [centre["mean"]]
        known = [(x, y) for x, y in zip(xs, ys) if y is not None]
        flips = flip.crossings([x for x, _ in known], [y for _, y in known]) if known else []
        low, high = points[0], points[-1]
        clear_flip = any(flip.clearly_other_side(q, centre["mean"]) for q in points)
        rows.append({"path": p.path, "low": low, "high": high, "levels": points, "flips": flips,
                     "clear_flip": clear_flip,
                     "swing": None if low["mean"] is None or high["mean"] is None else abs(high["mean"] - low["mean"])})
    rows.sort(key=lambda r: -(r["swing"] or 0))
    return {"centre": centre, "parameters": rows}

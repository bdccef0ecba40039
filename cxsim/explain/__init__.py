"""Explain a result (MODEL.md §10b): which lever makes each difference, which assumption could flip it, and where.

- :mod:`.shapley` — Shapley attribution of a difference to the levers two policies differ in;
- :mod:`.sensitivity` — one at a time, Morris and Sobol over the scenario's ``uncertain:`` block (SALib);
- :mod:`.flip` — flip points and a short rule for where the sign of a difference changes;
- :mod:`.study` — the runs each needs, through the experiment runner (fast engine, summary-only);
- :mod:`.verdict`, :mod:`.tables`, :mod:`.output` — words, terminal tables, the ``explain.json`` folder.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from .. import __version__
from ..scenario import Scenario
from .study import (
    HEADLINE,
    decompose,
    sensitivity_study,
    two_policies,
    uncertain_parameters,
)

#: What ``cxsim explain`` does unless told otherwise.
DEFAULT_METHODS = ("decompose", "oat")
METHODS = ("decompose", "oat", "morris", "sobol")


def explain(scenario: Scenario, methods: list[str] | tuple[str, ...] = DEFAULT_METHODS,
            policies: list[str] | None = None, metrics: list[str] | None = None, replications: int | None = None,
            size: dict[str, int] | None = None, permutations: int | None = None, seed: int | None = None,
            engine: str = "fast", jobs: int = 1, scheduler: str | None = None,
            cache: Callable[[str], Path] | None = None, fresh: bool = False,
            on_run: Callable[[str, int, int], None] | None = None, threads: int | None = None) -> dict[str, Any]:
    """Run the asked-for explanations of a scenario's two policies; the ``explain.json`` structure."""
    unknown = [m for m in methods if m not in METHODS]
    if unknown:
        raise ValueError(f"unknown method {', '.join(map(repr, unknown))}: {', '.join(METHODS)}")
    reference, other = two_policies(scenario, policies)
    size = size or {}
    if any(m != "decompose" for m in methods):  # refuse what would fail later before anything runs
        uncertain_parameters(scenario)
    samples = size.get("sobol", 2)
    if "sobol" in methods and (samples < 2 or samples & (samples - 1)):
        raise ValueError(f"a Sobol base sample is a power of two (got {samples})")
    metrics = list(metrics or HEADLINE)
    n = replications or scenario.replications
    out: dict[str, Any] = {"scenario": scenario.name, "cxsim": __version__, "reference": reference, "other": other,
                           "metrics": metrics, "replications": n, "seed": scenario.seed if seed is None else seed,
                           "engine": engine}
    common = dict(replications=n, seed=seed, engine=engine, jobs=jobs, scheduler=scheduler, fresh=fresh,
                  threads=threads)
    for method in methods:
        progress = (lambda done, total, m=method: on_run(m, done, total)) if on_run else None
        where = cache(method) if cache else None
        if method == "decompose":
            out["decomposition"] = decompose(scenario, reference, other, metrics, permutations=permutations,
                                             cache=where, on_run=progress, **common)
        else:
            out.setdefault("sensitivity", {})[method] = sensitivity_study(
                scenario, method, reference, other, metrics, size=size.get(method), cache=where, on_run=progress,
                **common)
    return out

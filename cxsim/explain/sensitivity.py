"""Which uncertain parameter moves a difference: one at a time, Morris screening, Sobol indices.

The designs and the analyses are SALib's (Herman & Usher 2017): Morris elementary effects with
bootstrap intervals on μ* (Campolongo et al. 2007), and Sobol first-order and total indices from
Saltelli's sampling with bootstrap intervals (Saltelli et al. 2010). This module only turns the
scenario's ``uncertain:`` block into a SALib problem and hands designs and outputs back and forth,
so a test function with analytic indices (Ishigami) goes through exactly the same code as the
simulation.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from SALib.analyze import morris as morris_analysis
from SALib.analyze import sobol as sobol_analysis
from SALib.sample import morris as morris_design
from SALib.sample import sobol as sobol_design

from ..scenario.uncertain import SALIB_DISTRIBUTIONS, Uncertain

METHODS = ("oat", "morris", "sobol")
#: Morris grid levels (p = 4 is Morris's and SALib's usual choice).
MORRIS_LEVELS = 4
#: Bootstrap resamples for the intervals of μ* and of the Sobol indices.
RESAMPLES = 1000
CONFIDENCE = 0.95
#: Default design sizes: Morris trajectories r, Sobol base sample N (a power of two).
DEFAULT_SIZE = {"oat": 5, "morris": 10, "sobol": 64}


def problem(params: list[Uncertain]) -> dict:
    """The SALib problem of the uncertain parameters (names are their dotted paths)."""
    return {"num_vars": len(params), "names": [p.path for p in params],
            "bounds": [p.salib_bounds() for p in params],
            "dists": [SALIB_DISTRIBUTIONS[p.dist] for p in params]}


def design(method: str, spec: dict, size: int, seed: int) -> np.ndarray:
    """The sample points (rows) of a Morris (``size`` trajectories) or Sobol (base sample ``size``) design."""
    if method == "morris":
        return morris_design.sample(spec, N=size, num_levels=MORRIS_LEVELS, seed=seed)
    if method == "sobol":
        if size < 2 or size & (size - 1):
            raise ValueError(f"a Sobol base sample is a power of two (got {size}; try {1 << max(1, size.bit_length())})")
        return sobol_design.sample(spec, N=size, calc_second_order=False, seed=seed)
    raise ValueError(f"unknown method {method!r}: {', '.join(m for m in METHODS if m != 'oat')}")


def analyse(method: str, spec: dict, X: np.ndarray, Y: np.ndarray, seed: int) -> dict[str, list[float]]:
    """Indices with 95 % bootstrap intervals, one entry per parameter.

    Morris: ``mu``, ``mu_star``, ``mu_star_conf`` (half-width), ``sigma``. Sobol: ``S1``,
    ``S1_conf``, ``ST``, ``ST_conf`` (half-widths).
    """
    Y = np.asarray(Y, dtype=float)
    if method == "morris":
        result = morris_analysis.analyze(spec, X, Y, num_resamples=RESAMPLES, conf_level=CONFIDENCE,
                                         num_levels=MORRIS_LEVELS, seed=seed)
        keys = ("mu", "mu_star", "mu_star_conf", "sigma")
    elif method == "sobol":
        result = sobol_analysis.analyze(spec, Y, calc_second_order=False, num_resamples=RESAMPLES,
                                        conf_level=CONFIDENCE, seed=seed)
        keys = ("S1", "S1_conf", "ST", "ST_conf")
    else:
        raise ValueError(f"unknown method {method!r}")
    return {k: [float(v) for v in np.asarray(result[k], dtype=float)] for k in keys}


def run_design(method: str, params_or_spec, size: int, seed: int,
               model: Callable[[np.ndarray], np.ndarray]) -> tuple[np.ndarray, np.ndarray, dict]:
    """Design, evaluate ``model`` on every row, analyse: the whole path, for a test function or a scenario."""
    spec = params_or_spec if isinstance(params_or_spec, dict) else problem(params_or_spec)
    X = design(method, spec, size, seed)
    Y = np.asarray(model(X), dtype=float)
    return X, Y, analyse(method, spec, X, Y, seed)


def one_at_a_time(params: list[Uncertain], levels: int) -> list[dict[str, float | int]]:
    """The settings of a one-at-a-time design: each parameter at ``levels`` even steps over its range,
    the others as in the scenario. The scenario's own setting (no change) comes first."""
    if levels < 2:
        raise ValueError("one at a time needs at least 2 levels (the two ends of each range)")
    settings: list[dict[str, float | int]] = [{}]
    for p in params:
        values = list(dict.fromkeys(p.value(x) for x in np.linspace(p.low, p.high, levels)))
        settings.extend({p.path: v} for v in values)
    return settings


def settings_of(params: list[Uncertain], X: np.ndarray) -> list[dict[str, float | int]]:
    """Each design row as the settings applied to the scenario (whole numbers for integer fields)."""
    return [{p.path: p.value(x) for p, x in zip(params, row)} for row in X]

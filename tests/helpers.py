"""Helpers shared by the tests: paths, and the statistical assertion every oracle test uses."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
from scipy import stats

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"


def assert_matches_theory(values, theory: float, confidence: float = 0.99, max_rel_half_width: float = 0.1) -> None:
    """Theory must lie inside the t-interval of the replication values, and the interval must be tight.

    The interval is 99 % so that a correct engine fails a single check 1 % of the time at a random
    seed (the seeds here are fixed); the precision bound keeps a wide interval from passing anything.
    """
    x = np.asarray(values, dtype=float)
    n = x.size
    mean = float(x.mean())
    half = float(stats.t.ppf(0.5 + confidence / 2, n - 1) * x.std(ddof=1) / math.sqrt(n))
    assert half <= max_rel_half_width * abs(theory), f"interval too wide: ±{half:.4g} around {mean:.4g}"
    assert abs(mean - theory) <= half, f"theory {theory:.5g} outside {mean:.5g} ± {half:.4g} (n={n})"


# A minimal valid scenario (scenarios/erlang_c.yaml without comments); tests replace single lines.
VALID = """\
name: tiny
horizon: 8 h
warmup: 30 min
demand:
  open:
    rate: 360 /30min
needs:
  call:
    share: 1
    work_time: {dist: exponential, mean: 240 s}
    resolution: 1.0
channels:
  phone:
    kind: phone
    abandons: false
    service_level_target: 20 s
teams:
  agents:
    agents: 55
    channels: [phone]
"""

"""Helpers shared by the tests: paths, and the statistical assertion every oracle test uses."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
from scipy import stats

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"
EXAMPLES = ROOT / "docs" / "examples"
# one phone team on duty round the clock (no nights off): the wellbeing mechanisms without a rota
ROUND_THE_CLOCK = EXAMPLES / "wellbeing_round_the_clock.yaml"

# The demand … teams of a small phone centre (one need type, one queue, 4 agents, repeats): the part of
# the scenario the management and FCR tests share; each writes its own name, mechanisms and policies.
_SMALL_PHONE_CENTRE = """\
demand:
  population: {{customers: {customers}, need_rate: 1 /30d}}
needs:
  question: {{share: 1, work_time: {{dist: lognormal, mean: 6 min, cv: 1}}, resolution: 0.8}}
channels:
  phone: {{kind: phone, patience: {{dist: exponential, mean: 5 min}}, retrial: {{probability: 0.7, delay: {{dist: exponential, mean: 20 min}}}}}}
returns: {{delay: {{dist: exponential, mean: 2 d}}, give_up: 0.1}}
teams:
  agents: {{agents: 4, channels: [phone]}}
"""


def small_phone_centre(customers: int = 6000) -> str:
    """YAML for :data:`_SMALL_PHONE_CENTRE` with a population of ``customers``."""
    return _SMALL_PHONE_CENTRE.format(customers=customers)


def changed(path: Path, **changes):
    """The scenario at ``path`` with fields set in its dump: ``teams__agents__skill_use=0.5`` sets
    ``teams.agents.skill_use``; validated again, so a change is checked like a file."""
    import cxsim
    from cxsim.scenario.schema import Scenario

    d = cxsim.load_scenario(path).model_dump()
    for dotted, value in changes.items():
        node = d
        keys = dotted.split("__")
        for k in keys[:-1]:
            node = node[k]
        node[keys[-1]] = value
    return Scenario.model_validate(d)


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


def run_interrupted(scenario, cache: Path, after: int, **run_options) -> None:
    """``cxsim.run`` stopped as if by Ctrl-C once ``after`` runs have finished (the callback raises
    KeyboardInterrupt there); the finished runs stay in ``cache``."""
    import pytest

    import cxsim

    def stop(finished, total):
        if finished == after:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        cxsim.run(scenario, keep_tables=True, cache=cache, on_run=stop, **run_options)

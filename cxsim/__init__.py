"""cxsim: what happens to customers, staff and the business when a process is run for internal
efficiency instead of for the encounter.

The pipeline: scenario file → validated :class:`Scenario` → compiled parameters → engine →
records (Arrow tables; pandas when asked) → statistics across replications → tables, charts and reports.

``cxsim.run(scenario)`` runs the fast (numba) engine, like ``cxsim run``; ``engine="simpy"`` runs
the readable reference engine, with the same results.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .scenario import Scenario, ScenarioError, load_scenario

__version__ = "0.1.0"

__all__ = ["Results", "Scenario", "ScenarioError", "__version__", "load_scenario", "run"]

if TYPE_CHECKING:
    from .experiment.runner import Results, run


def __getattr__(name: str) -> Any:
    # The engine pulls in numba, SimPy and pandas: load them only when a run is asked for, so that
    # `cxsim validate` and `cxsim schema` answer at once.
    if name in ("run", "Results"):
        from .experiment import runner
        return getattr(runner, name)
    raise AttributeError(f"module 'cxsim' has no attribute {name!r}")

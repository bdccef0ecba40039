"""cxsim: what happens to customers, staff and the business when a process is run for internal
efficiency instead of for the encounter.

The pipeline: scenario file → validated :class:`Scenario` → compiled parameters → engine →
records (pandas) → statistics across replications → tables, charts and reports.
"""

from .experiment.runner import Results, run
from .scenario import Scenario, ScenarioError, load_scenario

__version__ = "0.1.0"

__all__ = ["Results", "Scenario", "ScenarioError", "__version__", "load_scenario", "run"]

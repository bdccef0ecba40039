"""Calibration from a contact log (MODEL.md §10c): read and check the log, estimate every parameter
it can give with an interval and a fit figure, write a commented scenario, and validate it.

log.py (columns, reading, refusal) → contacts.py (why each contact happened) → demand.py,
durations.py, journeys.py, staff.py (estimators; clock.py converts delays to demand time) → fit.py
(all of them) → scenario.py (the YAML) → check.py (simulate and compare); report.py prints them;
export.py writes a run's contacts as a log.
"""

from .fit import Calibration, calibrate
from .log import COLUMNS, LogError, read_log

__all__ = ["COLUMNS", "Calibration", "LogError", "calibrate", "read_log"]

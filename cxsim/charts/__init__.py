"""Seminar charts and a one-page report from a results folder (``cxsim plot``, ``cxsim report``).

Every chart is a function taking a loaded results folder and returning the matplotlib figure and
the values it plotted; titles state what the numbers say, computed from them.
"""

from __future__ import annotations

from .commands import CHARTS, FORMATS, plot, report, report_html
from .contacts import failure_demand, journeys
from .figures import policy_comparison, sweep, understanding_gap
from .load import ChartUnavailable, LoadedResults, load_results
from .style import OKABE_ITO, PALETTE, STYLE, talk_style
from .timeline import erosion, over_time

__all__ = ["CHARTS", "FORMATS", "OKABE_ITO", "PALETTE", "STYLE", "ChartUnavailable", "LoadedResults", "erosion",
           "failure_demand", "journeys", "load_results", "over_time", "plot", "policy_comparison", "report",
           "report_html", "sweep", "talk_style", "understanding_gap"]

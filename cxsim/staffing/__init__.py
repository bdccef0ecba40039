"""Staffing by rule (MODEL.md §4): requirement per hour of the week, shrinkage, a least-cost rota.

* :mod:`.requirement`: the contacts each channel is offered per hour of the week (first contacts plus a
  stated failure-demand allowance), the policy's mean handle time, and the head count an interval needs
  for a target (Erlang A / Erlang C from :mod:`cxsim.queueing`, or an occupancy);
* :mod:`.rota`: shift patterns and the integer programme (``scipy.optimize.milp``) that covers the
  requirement at least paid cost;
* :mod:`.plan`: both for one team under one policy, and the team groups the engines run.
"""

from .plan import TeamPlan, plan_team, plan_teams
from .requirement import agents_for, handle_time, offered_contacts
from .rota import Pattern, patterns, roster

__all__ = ["Pattern", "TeamPlan", "agents_for", "handle_time", "offered_contacts", "patterns", "plan_team",
           "plan_teams", "roster"]

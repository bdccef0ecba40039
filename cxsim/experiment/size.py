"""A pre-run estimate of how big an experiment is, to refuse one no machine could finish.

The schema's maxima bound each value on its own; their product can still ask for years of
computing or terabytes of memory (a billion customers, ``horizon: 1e9 d``, a spike × 1e300).
The estimate is deliberately rough — orders of magnitude, from the demand the scenario states —
and only refuses what is far out of reach; ``--insist`` runs anyway.
"""

from __future__ import annotations

import math
import os

from ..scenario import Located, Scenario, ScenarioError
from ..scenario.loading import Where

#: Contacts per need, a generous round figure (the default scenario makes 1.6 to 3).
CONTACTS_PER_NEED = 3.0
#: Contacts simulated per second on one core (measured on the development machine, rounded down).
SPEED = {"simpy": 40_000.0, "fast": 300_000.0}
#: Fixed cost of one run (start-up, metrics), seconds; and cost of one simulated day, in contacts.
RUN_SECONDS, DAY_CONTACTS = 0.05, 100.0
#: Memory of one contact kept for the per-contact tables, of one customer and of one agent, in bytes.
CONTACT_BYTES, CUSTOMER_BYTES, AGENT_BYTES = 1000.0, 200.0, 2500.0
#: Seconds per agent and simulated hour (a million agents for one hour: about a minute, SimPy engine).
AGENT_HOUR_SECONDS = 6e-5
#: The longest computation accepted without --insist.
MAX_SECONDS = 24 * 3600.0


def needs_per_run(s: Scenario) -> float:
    """Expected needs in one run: the stated rate over the horizon, spikes included."""
    d = s.demand
    rate = d.open.rate if d.open is not None else d.population.customers * d.population.need_rate
    extra = sum((spike.factor - 1.0) * max(0.0, min(spike.length, s.horizon - spike.start)) for spike in d.spikes)
    return rate * max(0.0, s.horizon + extra)


def physical_memory() -> float:
    try:
        return float(os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
    except (ValueError, OSError, AttributeError):
        return math.inf


class TooBig(ScenarioError):
    """The estimate refuses the run; ``reason`` is the sentence without a location."""

    def __init__(self, name: str, reason: str):
        self.reason = reason
        super().__init__([Located(Where(name, 0, 0), "", reason)])


def estimate(plan, replications: int, keep_tables: bool, at_once: int = 1) -> tuple[float, float, float, float]:
    """(contacts over all runs, seconds on one core, peak bytes, of which per-contact tables).

    Per-contact tables of every run are held until the output folder is written (measured: about
    800 bytes a contact, the default scenario on either engine), so they add up over the runs.
    ``at_once``: how many runs execute at the same time on this machine (threads × worker
    processes); each holds its own state (customers, agents), so that part counts once per run in
    flight — never more often than there are runs.
    """
    runs_per_point = replications * len(plan.policies)
    contacts = seconds = peak = 0.0
    for point in plan.points:
        s = point.scenario
        per_run = needs_per_run(s) * CONTACTS_PER_NEED
        contacts += per_run * runs_per_point
        work = per_run + s.horizon / 1440.0 * DAY_CONTACTS
        agents = sum(team.agents for team in s.teams.values() if team.agents is not None)
        if any(team.agents is None for team in s.teams.values()):  # staffed by rule: the rota's head count
            from ..compiled import compile_scenario
            agents += sum(t.base_agents for t in compile_scenario(s).teams if "@" in t.name)
        seconds += runs_per_point * (RUN_SECONDS + work / SPEED.get(plan.engine, SPEED["simpy"])
                                     + agents * s.horizon / 60.0 * AGENT_HOUR_SECONDS)
        customers = s.demand.population.customers if s.demand.population is not None else 0
        peak = max(peak, customers * CUSTOMER_BYTES + agents * AGENT_BYTES)
    tables = contacts * CONTACT_BYTES if keep_tables and not plan.axes else 0.0
    in_flight = max(1, min(int(at_once), runs_per_point * len(plan.points)))
    return contacts, seconds, peak * in_flight + tables, tables


def check_size(plan, replications: int, keep_tables: bool, at_once: int = 1) -> None:
    """Refuse, with one line, an experiment estimated to need more than a day or more memory than there is.

    ``at_once``: the runs executing at the same time on this machine (see :func:`estimate`)."""
    contacts, seconds, peak, tables = estimate(plan, replications, keep_tables, at_once)
    memory = physical_memory()
    name = plan.scenario.name
    if not math.isfinite(seconds) or seconds > MAX_SECONDS:
        raise TooBig(name, f"too big to run: about {_count(contacts)} contacts, {_duration(seconds)} of computing "
                           f"on one core (limit {_duration(MAX_SECONDS)}); lower the replications, horizon or "
                           "demand, or pass --insist")
    if not math.isfinite(peak) or peak > memory:
        hint = (" (--no-tables keeps no per-contact records)" if tables > peak / 2
                else f" ({at_once} runs at once; fewer --threads or --jobs hold fewer)" if at_once > 1 else "")
        raise TooBig(name, f"too big to run: it needs about {_bytes(peak)} of memory and this machine has "
                           f"{_bytes(memory)}{hint}; make it smaller, or pass --insist")


def _count(x: float) -> str:
    return f"{x:.2g}" if math.isfinite(x) else "infinitely many"


def _duration(seconds: float) -> str:
    if not math.isfinite(seconds):
        return "forever"
    for unit, size in (("years", 365 * 86400.0), ("days", 86400.0), ("h", 3600.0), ("min", 60.0)):
        if seconds >= size:
            return f"{seconds / size:.3g} {unit}"
    return f"{seconds:.0f} s"


def _bytes(x: float) -> str:
    if not math.isfinite(x):
        return "unbounded"
    for unit, size in (("TB", 1e12), ("GB", 1e9), ("MB", 1e6)):
        if x >= size:
            return f"{x / size:.3g} {unit}"
    return f"{x:.0f} B"

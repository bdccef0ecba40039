"""Flat records, one per event of interest, and their pandas tables.

Like Ciw's ``data_record``: an engine appends plain tuples while it runs (cheap), and the tables
are built once at the end. Codes are small integers while running and pandas categoricals after,
so a table is both compact on disk and readable in a notebook.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

# Contact kinds: why this contact happened. Everything but FIRST is failure demand.
FIRST, REPEAT, RETRIAL, SWITCH, TRANSFER = range(5)
KINDS = ("first", "repeat", "retrial", "switch", "transfer")

# Contact outcomes.
HANDLED, ABANDONED, SELF_SERVICE, OPEN = range(4)
OUTCOMES = ("handled", "abandoned", "self_service", "open")

# Need (journey) statuses.
SOLVED, GIVEN_UP, UNFINISHED = range(3)
STATUSES = ("solved", "given_up", "open")


class Encounter(NamedTuple):
    """One contact attempt: a customer reaching the organisation about one need."""
    need: int
    customer: int
    contact_no: int      # 1 for the need's first contact
    kind: int            # KINDS
    channel: int
    need_type: int
    arrived: float       # minutes
    wait: float          # time in queue (until answer or abandonment); NaN if still waiting at the horizon
    handle: float        # time with the agent; 0 when not answered
    time_needed: float   # work the need required from this agent (before any cut)
    outcome: int         # OUTCOMES
    resolved: bool
    agent: int           # -1 when no agent took it
    team: int


class Journey(NamedTuple):
    """One need, from its first contact until it is solved, given up or the run ends."""
    need: int
    customer: int
    need_type: int
    first_channel: int
    created: float
    ended: float         # NaN while open
    status: int          # STATUSES
    contacts: int
    abandons: int
    first_contact_resolved: bool


class AgentRecord(NamedTuple):
    agent: int
    team: int
    staffed: float       # on-duty minutes within the measurement window
    busy: float          # minutes with at least one contact, within the window
    handled: int


class Day(NamedTuple):
    """Totals of one simulated day (the last day may be partial)."""
    day: int
    start: float
    end: float
    offered: int         # contacts that reached a queue or self-service
    handled: int
    abandoned: int
    needs_created: int
    needs_solved: int
    needs_given_up: int
    open_needs: int      # backlog at the end of the day
    queue_area: float    # ∫ number waiting dt (minutes × contacts)
    busy_area: float     # ∫ agents with work dt
    staffed_area: float  # ∫ agents on duty dt
    staff_cost: float


def _frame(rows: list[tuple], record: type) -> pd.DataFrame:
    return pd.DataFrame.from_records(rows, columns=list(record._fields)) if rows else \
        pd.DataFrame({f: pd.Series(dtype=float) for f in record._fields})


def _categorical(codes: pd.Series, names: tuple[str, ...]) -> pd.Categorical:
    return pd.Categorical.from_codes(codes.astype(np.int8), categories=list(names))


class Recorder:
    """Collects records during one replication and turns them into tables."""

    def __init__(self) -> None:
        self.encounters: list[Encounter] = []
        self.journeys: list[Journey] = []
        self.agents: list[AgentRecord] = []
        self.days: list[Day] = []

    def tables(self, channel_names: tuple[str, ...], need_names: tuple[str, ...],
               team_names: tuple[str, ...]) -> dict[str, pd.DataFrame]:
        enc = _frame(self.encounters, Encounter)
        jour = _frame(self.journeys, Journey)
        if len(enc):
            enc["kind"] = _categorical(enc["kind"], KINDS)
            enc["outcome"] = _categorical(enc["outcome"], OUTCOMES)
            enc["channel"] = _categorical(enc["channel"], channel_names)
            enc["need_type"] = _categorical(enc["need_type"], need_names)
        if len(jour):
            jour["status"] = _categorical(jour["status"], STATUSES)
            jour["need_type"] = _categorical(jour["need_type"], need_names)
            jour["first_channel"] = _categorical(jour["first_channel"], channel_names)
        agents = _frame(self.agents, AgentRecord)
        if len(agents):
            agents["team"] = _categorical(agents["team"], team_names)
        return {"encounters": enc, "journeys": jour, "agents": agents, "daily": _frame(self.days, Day)}

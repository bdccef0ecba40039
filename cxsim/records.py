"""Flat records, one per event of interest, and their pandas tables.

Like Ciw's ``data_record``: an engine appends plain tuples while it runs (cheap), and the tables
are built once at the end. Codes are small integers while running and pandas categoricals after,
so a table is both compact on disk and readable in a notebook. (Runs write their tables through
:mod:`cxsim.tables`, Arrow from the arrays; pandas is imported here only when a pandas table is asked for.)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple, get_type_hints

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

from .codes import (  # noqa: F401  (re-exported: the tables' codes, defined in codes.py)
    ABANDONED, CALLBACK, FIRST, GIVEN_UP, HANDLED, KINDS, OPEN, OUTCOMES, REPEAT, RETRIAL, SELF_SERVICE, SOLVED,
    STATUSES, SWITCH, TRANSFER, UNFINISHED,
)


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
    time_given: float    # work the agent actually gave it (≤ needed when rushed)
    outcome: int         # OUTCOMES
    resolved: bool
    agent: int           # -1 when no agent took it
    team: int
    score: float         # encounter experience score 0–10 (NaN with the experience mechanism off)


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
    transfers: int
    first_contact_resolved: bool
    score: float         # journey score 0–10 by the scenario's rule (NaN: experience off, or open)
    recommend: int       # likelihood to recommend 0–10 (-1: not asked)
    responded: bool      # answered the survey
    churned: bool        # left right after this journey


class AgentRecord(NamedTuple):
    agent: int
    team: int
    staffed: float       # on-duty minutes within the measurement window
    busy: float          # minutes with at least one contact, within the window
    handled: int
    wellbeing: float     # W at the horizon (or when the agent left)
    absent_days: float
    boreout_days: int
    hired: float         # NaN for the original staff
    left: float          # NaN if still employed
    strain: float        # chronic strain S at the horizon (or when the agent left); 0 with strain off
    engagement: float    # engagement E at the horizon (or when the agent left); 1 with engagement off


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
    journeys_ended: int
    score_sum: float     # Σ journey scores of the journeys that ended
    promoters: int       # recommend 9–10, among journeys that ended
    detractors: int      # recommend 0–6
    respondents: int
    respondent_promoters: int
    respondent_detractors: int
    wellbeing: float     # mean W of employed agents at the end of the period
    standard: float      # the team's standard (share of needed time) at the end of the period
    pressure: float      # mean perceived work pressure over the period
    time_per_case: float # mean time given to the encounters handled in the period
    customers: int       # active customers at the end of the period
    churned: int
    acquired: int
    customer_area: float # ∫ active customers dt (revenue = value × this)
    absent: int          # agents absent at the end of the period
    leavers: int
    employed_area: float # ∫ agents on the payroll dt
    absent_area: float   # ∫ agents off sick dt
    boreout_days: int    # agent-days with occupancy below the boreout threshold ...
    staffed_days: int    # ... out of agent-days with time on duty
    value_area: float    # ∫ Σ monthly value of active customers dt (revenue with segments of different value)
    expected_leavers: float  # Σ over agent-days of the probability of resigning that day (the hazard)
    strain: float        # mean chronic strain S of employed agents at the end of the period
    hires: int           # agents hired (replacements and head-count increases)
    engagement: float    # mean engagement E of employed agents at the end of the period
    sick_area: float     # ∫ agents off with baseline sickness dt (wellbeing.sickness; not burnout: absent_area)


class Customer(NamedTuple):
    """One customer of the population (MODEL.md §2), with what their needs came to by the horizon."""
    customer: int
    segment: int         # the scenario's segments ("all" when it lists none)
    joined: float        # minutes (0 for the initial population)
    left: float          # when they churned; NaN if still a customer at the horizon
    needs: int           # needs raised (journeys, open ones included)
    contacts: int
    solved: int          # journeys solved ...
    given_up: int        # ... and given up
    nps_class: int       # NPS_CLASSES of the last journey with a recommendation (-1: none)
    churned: bool
    value_lost: float    # revenue forgone from churning to the horizon (value per month × months)


#: A customer's class by their likelihood to recommend (the ``nps_class`` column).
NPS_CLASSES = ("detractor", "passive", "promoter")


class Review(NamedTuple):
    """One management review (MODEL.md §9): what it measured, the truth beside it, and the levers decided."""
    review: int
    at: float                    # minutes
    applies_at: float            # when the decision takes effect (after the implementation delay)
    aht: float                   # as measured (minutes per handled contact, from the system)
    aht_true: float
    cost_per_contact: float
    cost_per_contact_true: float
    nps: float                   # from the survey's respondents (sampled), after the measurement delay
    nps_true: float              # of every journey that ended in the cycle just closed
    contacts_per_need: float
    contacts_per_need_true: float
    handle_time_target: float    # the levers as decided (minutes; inf: no target)
    staffing: float
    wellbeing_support: float
    empathy_time: float
    changed: bool
    fcr_repeat: float            # FCR as "no repeat contact within the window", of the cycle that ended a window
                                 # (plus the measurement delay) ago (kernels.fcr)
    fcr_tickbox: float           # FCR by the agents' tick-box, after the measurement delay
    fcr_true: float              # share of the contacts handled in the cycle just closed that solved their need


def _frame(rows: list[tuple], record: type) -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame.from_records(rows, columns=list(record._fields)) if rows else \
        pd.DataFrame({f: pd.Series(dtype=float) for f in record._fields})


def _categorical(codes: pd.Series, names: tuple[str, ...]) -> pd.Categorical:
    import pandas as pd

    return pd.Categorical.from_codes(codes.astype(np.int8), categories=list(names))


def _typed(rows: np.ndarray, record: type) -> pd.DataFrame:
    """A table from a float array with one column per field, cast back to the fields' types."""
    import pandas as pd

    if not len(rows):
        return pd.DataFrame({f: pd.Series(dtype=float) for f in record._fields})
    types = {int: np.int64, float: np.float64, bool: np.bool_}
    hints = get_type_hints(record)
    return pd.DataFrame({f: rows[:, i].astype(types[hints[f]])
                         for i, f in enumerate(record._fields)})


def _with_names(enc: pd.DataFrame, jour: pd.DataFrame, agents: pd.DataFrame, daily: pd.DataFrame,
                names: tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]) -> dict[str, pd.DataFrame]:
    channel_names, need_names, team_names = names
    if len(enc):
        enc["kind"] = _categorical(enc["kind"], KINDS)
        enc["outcome"] = _categorical(enc["outcome"], OUTCOMES)
        enc["channel"] = _categorical(enc["channel"], channel_names)
        enc["need_type"] = _categorical(enc["need_type"], need_names)
    if len(jour):
        jour["status"] = _categorical(jour["status"], STATUSES)
        jour["need_type"] = _categorical(jour["need_type"], need_names)
        jour["first_channel"] = _categorical(jour["first_channel"], channel_names)
    if len(agents):
        agents["team"] = _categorical(agents["team"], team_names)
    return {"encounters": enc, "journeys": jour, "agents": agents, "daily": daily}


class Recorder:
    """Collects records during one replication and turns them into tables."""

    def __init__(self) -> None:
        self.encounters: list[Encounter] = []
        self.journeys: list[Journey] = []
        self.agents: list[np.ndarray] = []  # rows of AgentRecord's columns (kernels.books.agent_row)
        self.days: list[np.ndarray] = []   # rows of Day's columns (kernels.ledger.cut_day)
        self.customers: list[tuple] = []   # (customer, segment, joined, left): the rest is from journeys
        self.reviews: list[np.ndarray] = []  # rows of Review's columns (kernels.management.review)

    def tables(self, channel_names: tuple[str, ...], need_names: tuple[str, ...],
               team_names: tuple[str, ...]) -> dict[str, pd.DataFrame]:
        return _with_names(_frame(self.encounters, Encounter), _frame(self.journeys, Journey),
                           _typed(np.array(self.agents).reshape(-1, len(AgentRecord._fields)), AgentRecord),
                           _typed(np.array(self.days).reshape(-1, len(Day._fields)), Day),
                           (channel_names, need_names, team_names))


class ArrayRecorder:
    """The same tables from arrays with one row per record (the fast engine's output)."""

    def __init__(self, encounters: np.ndarray, journeys: np.ndarray, agents: np.ndarray, days: np.ndarray,
                 customers: np.ndarray | None = None, reviews: np.ndarray | None = None) -> None:
        self.encounter_rows, self.journey_rows, self.agent_rows, self.day_rows = encounters, journeys, agents, days
        self.customer_rows = np.zeros((0, 4)) if customers is None else customers  # as Recorder.customers
        self.review_rows = np.zeros((0, len(Review._fields))) if reviews is None else reviews

    @property
    def encounters(self) -> np.ndarray:
        return self.encounter_rows

    def tables(self, channel_names: tuple[str, ...], need_names: tuple[str, ...],
               team_names: tuple[str, ...]) -> dict[str, pd.DataFrame]:
        return _with_names(_typed(self.encounter_rows, Encounter), _typed(self.journey_rows, Journey),
                           _typed(self.agent_rows, AgentRecord), _typed(self.day_rows, Day),
                           (channel_names, need_names, team_names))

"""Column layouts shared by the engines: record columns and the daily running totals, by name.

The fast engine stores records as rows of float arrays; the SimPy engine as named tuples. Every
column index here is derived from the record definitions in :mod:`cxsim.records`, so a record
gains or reorders a field in one place and no engine writes ``row[23]``.
"""

from __future__ import annotations

from .records import AgentRecord, Day, Encounter, Journey


def _column(record: type, name: str) -> int:
    return record._fields.index(name)


ENC_COLS, JOUR_COLS, AGENT_COLS, DAY_COLS = (len(r._fields) for r in (Encounter, Journey, AgentRecord, Day))

# --- encounters ------------------------------------------------------------------------------------
E_NEED, E_CUSTOMER, E_CONTACT_NO, E_KIND = (_column(Encounter, f) for f in ("need", "customer", "contact_no", "kind"))
E_CHANNEL, E_NEED_TYPE, E_ARRIVED, E_WAIT = (_column(Encounter, f) for f in ("channel", "need_type", "arrived", "wait"))
E_HANDLE, E_NEEDED, E_GIVEN, E_OUTCOME = (_column(Encounter, f) for f in ("handle", "time_needed", "time_given",
                                                                           "outcome"))
E_RESOLVED, E_AGENT, E_TEAM, E_SCORE = (_column(Encounter, f) for f in ("resolved", "agent", "team", "score"))

# --- journeys ----------------------------------------------------------------------------------------
J_NEED, J_CUSTOMER, J_NEED_TYPE, J_FIRST_CHANNEL = (_column(Journey, f) for f in ("need", "customer", "need_type",
                                                                                  "first_channel"))
J_CREATED, J_ENDED, J_STATUS, J_CONTACTS = (_column(Journey, f) for f in ("created", "ended", "status", "contacts"))
J_ABANDONS, J_TRANSFERS, J_FIRST_RESOLVED = (_column(Journey, f) for f in ("abandons", "transfers",
                                                                           "first_contact_resolved"))
J_SCORE, J_RECOMMEND, J_RESPONDED, J_CHURNED = (_column(Journey, f) for f in ("score", "recommend", "responded",
                                                                              "churned"))

# --- agents --------------------------------------------------------------------------------------------
A_AGENT, A_TEAM, A_STAFFED, A_BUSY, A_HANDLED = (_column(AgentRecord, f) for f in ("agent", "team", "staffed", "busy",
                                                                                   "handled"))
A_WELLBEING, A_ABSENT_DAYS, A_BOREOUT_DAYS, A_HIRED, A_LEFT = (_column(AgentRecord, f) for f in (
    "wellbeing", "absent_days", "boreout_days", "hired", "left"))

#: The running totals a day's row is cut from (differences between two cuts), in this order.
TOTALS = ("offered", "handled", "abandoned", "needs_created", "needs_solved", "needs_given_up", "queue_area",
          "busy_area", "staffed_area", "staff_cost", "journeys_ended", "score_sum", "promoters", "detractors",
          "respondents", "respondent_promoters", "respondent_detractors", "time_given", "cases", "churned",
          "acquired", "customer_area", "leavers", "pressure_area", "employed_area", "absent_area", "boreout_days",
          "staffed_days", "value_area", "expected_leavers", "hires", "sick_area")
(T_OFFERED, T_HANDLED, T_ABANDONED, T_CREATED, T_SOLVED, T_GIVEN_UP, T_QUEUE_AREA, T_BUSY_AREA, T_STAFFED_AREA,
 T_STAFF_COST, T_JOURNEYS, T_SCORE_SUM, T_PROMOTERS, T_DETRACTORS, T_RESPONDENTS, T_RESP_PROMOTERS,
 T_RESP_DETRACTORS, T_TIME_GIVEN, T_CASES, T_CHURNED, T_ACQUIRED, T_CUSTOMER_AREA, T_LEAVERS, T_PRESSURE_AREA,
 T_EMPLOYED_AREA, T_ABSENT_AREA, T_BOREOUT_DAYS, T_STAFFED_DAYS, T_VALUE_AREA, T_EXPECTED_LEAVERS, T_HIRES,
 T_SICK_AREA) = range(len(TOTALS))

#: Day columns that are the difference of the running total of the same name over the day.
DAY_FROM_TOTALS = tuple((_column(Day, name), i) for i, name in enumerate(TOTALS) if name in Day._fields)
D_DAY, D_START, D_END, D_OPEN_NEEDS, D_WELLBEING, D_STANDARD, D_PRESSURE, D_TIME_PER_CASE, D_CUSTOMERS, D_ABSENT = (
    _column(Day, f) for f in ("day", "start", "end", "open_needs", "wellbeing", "standard", "pressure",
                              "time_per_case", "customers", "absent"))

#: Day columns a management review reads (kernels.management).
(D_OFFERED, D_HANDLED, D_NEEDS_CREATED, D_BUSY_AREA, D_STAFF_COST, D_JOURNEYS, D_PROMOTERS, D_DETRACTORS, D_RESPONDENTS,
 D_RESP_PROMOTERS, D_RESP_DETRACTORS) = (_column(Day, f) for f in (
    "offered", "handled", "needs_created", "busy_area", "staff_cost", "journeys_ended", "promoters", "detractors",
    "respondents", "respondent_promoters", "respondent_detractors"))
A_STRAIN = _column(AgentRecord, "strain")
D_STRAIN = _column(Day, "strain")
A_ENGAGEMENT = _column(AgentRecord, "engagement")
D_ENGAGEMENT = _column(Day, "engagement")

#: The counted running totals both engines keep while the replication runs (an array, by these
#: indices; the fast engine's ``state.G_*`` are the same numbers), and the total each one feeds.
COUNTS = ("offered", "handled", "abandoned", "needs_created", "needs_solved", "needs_given_up", "time_given", "cases",
          "journeys_ended", "score_sum", "promoters", "detractors", "respondents", "respondent_promoters",
          "respondent_detractors")
(C_OFFERED, C_HANDLED, C_ABANDONED, C_CREATED, C_SOLVED, C_GIVEN_UP, C_TIME_GIVEN, C_CASES, C_JOURNEYS, C_SCORE,
 C_PROMOTERS, C_DETRACTORS, C_RESPONDENTS, C_RESP_PROMOTERS, C_RESP_DETRACTORS) = range(len(COUNTS))
TOTAL_OF_COUNT = tuple(TOTALS.index(name) for name in COUNTS)

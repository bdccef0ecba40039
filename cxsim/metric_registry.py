"""Every metric's metadata, once: its view, label, unit, which way is better, and whether it is a headline.

The runner (precision targets), the terminal tables and the charts read this; the metric values
themselves are computed in :mod:`cxsim.metrics` (MODEL.md §10).
"""

from __future__ import annotations

from dataclasses import dataclass

#: Kinds of value: how a number is scaled and written.
SHARE, TIME, MONEY, COUNT, NPS, SCORE, RATIO, DAYS, INDEX = ("share", "time", "money", "count", "nps", "score",
                                                              "ratio", "days", "index")


@dataclass(frozen=True)
class Metric:
    name: str
    view: str                    # provider, customer, employee, business
    label: str                   # words for a chart or a table
    kind: str                    # SHARE (0–1), TIME (minutes), MONEY, COUNT, NPS (−100…100), SCORE (0–10),
                                 # RATIO (contacts per need), DAYS, INDEX (wellbeing W in 0–1)
    better: str | None = None    # "higher", "lower", or None where it depends on whom you ask
    headline: bool = False       # watched by ``--precision``
    range: float | None = None   # judge precision against this range (metrics that sit near zero by nature)
    hours: bool = False          # a TIME that reads best in hours


_ALL = (
    Metric("p_wait", "provider", "share who wait", SHARE, "lower"),
    Metric("mean_wait", "provider", "mean wait", TIME, "lower"),
    Metric("service_level", "provider", "service level", SHARE, "higher", headline=True),
    Metric("p_abandon", "provider", "abandonment", SHARE, "lower"),
    Metric("occupancy", "provider", "occupancy", SHARE, None, headline=True),
    Metric("aht", "provider", "average handle time", TIME, "lower", headline=True),  # the provider's aim
    Metric("contacts_handled", "provider", "contacts handled", COUNT),
    Metric("cost_per_contact", "provider", "cost per contact", MONEY, "lower"),
    Metric("fcr", "customer", "first-contact resolution", SHARE, "higher", headline=True),
    Metric("contacts_per_need", "customer", "contacts per need", RATIO, "lower", headline=True),
    Metric("time_to_resolution", "customer", "time to resolution", TIME, "lower", headline=True, hours=True),
    Metric("failure_demand_share", "customer", "failure demand", SHARE, "lower"),
    Metric("needs_given_up", "customer", "needs given up", SHARE, "lower"),
    Metric("journey_score", "customer", "journey score", SCORE, "higher"),
    Metric("nps_true", "customer", "NPS", NPS, "higher", headline=True, range=200.0),
    Metric("nps_measured", "customer", "NPS (surveyed)", NPS, "higher", range=200.0),
    Metric("churn_rate", "customer", "monthly churn", SHARE, "lower"),
    Metric("customers_lost", "customer", "customers lost", COUNT, "lower"),
    Metric("wellbeing", "employee", "staff wellbeing", INDEX, "higher"),  # W in [0, 1], not a share of anything
    Metric("burnout_absence_days", "employee", "burnout absence days", DAYS, "lower"),
    Metric("attrition", "employee", "attrition", SHARE, "lower"),
    Metric("boreout", "employee", "boreout", SHARE, "lower"),
    Metric("attrition_hazard", "employee", "attrition hazard (expected)", SHARE, "lower"),
    Metric("strain", "employee", "chronic strain", INDEX, "lower"),  # S in [0, 1]
    Metric("engagement", "employee", "engagement", INDEX, "higher"),  # E in [0, 1]
    Metric("collapse", "employee", "team collapse (share of runs)", SHARE, "lower"),  # 0/1 a run: Wilson interval
    Metric("revenue", "business", "revenue", MONEY, "higher"),
    Metric("staff_cost", "business", "staff cost", MONEY, "lower"),
    Metric("hiring_cost", "business", "hiring cost", MONEY, "lower"),
    Metric("cost_per_solved_need", "business", "cost per solved need", MONEY, "lower", headline=True),
    Metric("net_value", "business", "net value", MONEY, "higher"),
)

METRICS: dict[str, Metric] = {m.name: m for m in _ALL}
VIEWS: dict[str, tuple[str, ...]] = {}
for _m in _ALL:
    VIEWS.setdefault(_m.view, ())
    VIEWS[_m.view] += (_m.name,)
#: The order metrics are shown in, by view (MODEL.md §10).
ORDER = tuple(m.name for m in _ALL)
HEADLINE = tuple(m.name for m in _ALL if m.headline)
RANGES = {m.name: m.range for m in _ALL if m.range is not None}
#: Metrics that are 0 or 1 in each replication: their mean is a probability, with a Wilson interval.
BINARY = frozenset({"collapse"})


def info(metric: str) -> Metric | None:
    """The metadata of ``metric`` or of its base (``service_level.phone`` → ``service_level``)."""
    return METRICS.get(metric.split(".")[0])


def of_kind(kind: str) -> frozenset[str]:
    return frozenset(m.name for m in _ALL if m.kind == kind)


def better_when(direction: str) -> frozenset[str]:
    """The metrics for which ``"higher"`` (or ``"lower"``) is better."""
    return frozenset(m.name for m in _ALL if m.better == direction)

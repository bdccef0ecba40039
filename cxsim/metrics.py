"""The metrics of MODEL.md §10, computed from one replication's tables.

Everything is measured after the warm-up: contacts and needs that *arrived* after it, and time
integrals (occupancy, cost) over the window from the warm-up to the horizon. A metric that a
scenario cannot produce is left out rather than reported as zero.
"""

from __future__ import annotations

import math

import pandas as pd

from .compiled import Params

#: The order metrics are shown in, by view (MODEL.md §10).
VIEWS: dict[str, tuple[str, ...]] = {
    "provider": ("p_wait", "mean_wait", "service_level", "p_abandon", "occupancy", "aht", "contacts_handled",
                 "cost_per_contact"),
    "customer": ("fcr", "contacts_per_need", "time_to_resolution", "failure_demand_share", "needs_given_up",
                 "journey_score", "nps_true", "nps_measured", "churn_rate", "customers_lost"),
    "employee": ("wellbeing", "burnout_absence_days", "attrition", "boreout"),
    "business": ("revenue", "staff_cost", "cost_per_solved_need", "net_value"),
}
ORDER = tuple(m for names in VIEWS.values() for m in names)


def _ratio(num: float, den: float) -> float:
    return num / den if den else math.nan


def replication_metrics(tables: dict[str, pd.DataFrame], p: Params) -> dict[str, float]:
    enc, jour, daily = tables["encounters"], tables["journeys"], tables["daily"]
    out: dict[str, float] = {}
    e = enc[enc["arrived"] >= p.warmup] if len(enc) else enc
    finished = e[e["outcome"] != "open"] if len(e) else e
    queued = e[(e["outcome"] != "self_service") & e["wait"].notna()] if len(e) else e
    assisted = [c.name for c in p.channels if c.kind != "self_service"]
    target = {c.name: c.target for c in p.channels}
    window = daily[daily["start"] >= p.warmup]

    def queue_metrics(q: pd.DataFrame, suffix: str) -> None:
        if not len(q):
            return
        answered = q["outcome"] != "abandoned"
        on_time = answered & (q["wait"] <= q["channel"].map(target).astype(float) + 1e-12)
        out["p_wait" + suffix] = float((q["wait"] > 0).mean())
        out["mean_wait" + suffix] = float(q["wait"].mean())
        out["service_level" + suffix] = float(on_time.mean())
        out["p_abandon" + suffix] = float((~answered).mean())
        handled_q = q[q["outcome"] == "handled"]
        if len(handled_q):
            out["aht" + suffix] = float(handled_q["handle"].mean())

    queue_metrics(queued, "")
    if len(assisted) > 1:
        for c in assisted:
            queue_metrics(queued[queued["channel"] == c], f".{c}")
    out["occupancy"] = _ratio(window["busy_area"].sum(), window["staffed_area"].sum())
    handled = int((finished["outcome"] == "handled").sum()) if len(finished) else 0
    out["contacts_handled"] = float(handled)
    staff_cost = float(window["staff_cost"].sum())
    out["cost_per_contact"] = _ratio(staff_cost, handled)

    if len(finished):
        first = finished[finished["contact_no"] == 1]
        out["fcr"] = float(first["resolved"].mean()) if len(first) else math.nan
        out["failure_demand_share"] = float((finished["kind"] != "first").mean())
    j = jour[jour["created"] >= p.warmup] if len(jour) else jour
    ended = j[j["status"] != "open"] if len(j) else j
    solved_in_window = int(((jour["status"] == "solved") & (jour["ended"] >= p.warmup)).sum()) if len(jour) else 0
    # A flow ratio of completions in the window, not an average over finished journeys: journeys
    # still open at the horizon are the long ones, so averaging finished ones would understate it.
    completed = 0
    if len(enc):
        done = enc[enc["outcome"] != "open"]
        completed = int(((done["arrived"] + done["wait"].fillna(0.0) + done["handle"]) >= p.warmup).sum())
    out["contacts_per_need"] = _ratio(float(completed), solved_in_window)
    if len(ended):
        solved = ended[ended["status"] == "solved"]
        out["time_to_resolution"] = float((solved["ended"] - solved["created"]).mean()) if len(solved) else math.nan
        out["needs_given_up"] = float((ended["status"] == "given_up").mean())
    out["staff_cost"] = staff_cost
    out["cost_per_solved_need"] = _ratio(staff_cost, solved_in_window)
    return {k: v for k, v in out.items() if not (isinstance(v, float) and math.isnan(v))}


def little(tables: dict[str, pd.DataFrame], p: Params) -> tuple[float, float, float]:
    """Little's law on the run's own path: time-average queue length L, arrival rate λ, mean wait W.

    L comes from the engine's running integral of the queue length (the daily table); λ and W from
    the contact records. L ≈ λ·W up to contacts that straddle the window's ends.
    """
    daily, enc = tables["daily"], tables["encounters"]
    window = daily[daily["start"] >= p.warmup]
    length = float((window["end"] - window["start"]).sum())
    e = enc[(enc["arrived"] >= p.warmup) & (enc["outcome"] != "self_service") & enc["wait"].notna()]
    return float(window["queue_area"].sum()) / length, len(e) / length, float(e["wait"].mean())

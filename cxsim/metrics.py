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
    # Waits are measured on contacts that *left the queue* in the window (answered or abandoned):
    # in steady state these are an unbiased sample, whereas contacts that *arrived* in it lose the
    # long waits still under way at the horizon.
    # Callbacks (ownership) are made by the agent: nobody holds in a queue for them.
    queued = enc[(enc["outcome"] != "self_service") & (enc["kind"] != "callback") & enc["wait"].notna()
                 & (enc["arrived"] + enc["wait"] >= p.warmup)] if len(enc) else enc
    abandoning = {c.name for c in p.channels if c.patience is not None}
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
        if set(q["channel"].unique()) & abandoning:
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
        # First-contact resolution: of the needs an agent handled, the share solved by the first agent.
        handled_contacts = finished[finished["outcome"] == "handled"]
        first = handled_contacts.loc[handled_contacts.groupby("need")["contact_no"].idxmin()] \
            if len(handled_contacts) else handled_contacts
        out["fcr"] = float(first["resolved"].mean()) if len(first) else math.nan
        out["failure_demand_share"] = float((finished["kind"] != "first").mean())
    # Journeys that *ended* in the window: in steady state an unbiased sample of journeys (those
    # created in it would lose the long ones still open at the horizon).
    ended = jour[(jour["status"] != "open") & (jour["ended"] >= p.warmup)] if len(jour) else jour
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
    out.update(_experience(jour, p))
    out.update(_employees(tables["agents"], window, p))
    out.update(_customers(window, p, staff_cost))
    return {k: v for k, v in out.items() if not (isinstance(v, float) and math.isnan(v))}


def _nps(ltr: pd.Series) -> float:
    """Net promoter score: % answering 9–10 minus % answering 0–6, in [−100, 100]."""
    return 100.0 * (float((ltr >= 9).mean()) - float((ltr <= 6).mean())) if len(ltr) else math.nan


def _experience(jour: pd.DataFrame, p: Params) -> dict[str, float]:
    if not p.mechanisms.experience or not len(jour):
        return {}
    ended = jour[(jour["status"] != "open") & (jour["ended"] >= p.warmup)]
    return {"journey_score": float(ended["score"].mean()) if len(ended) else math.nan,
            "nps_true": _nps(ended["recommend"]),
            "nps_measured": _nps(ended.loc[ended["responded"].astype(bool), "recommend"])}


def _employees(agents: pd.DataFrame, window: pd.DataFrame, p: Params) -> dict[str, float]:
    """Wellbeing (time-weighted mean W), absence days and leavers per agent-year, boreout share of days."""
    if not p.mechanisms.wellbeing or not len(window):
        return {}
    agent_years = float(window["employed_area"].sum()) / (365 * 1440.0)
    weights = (window["end"] - window["start"]).to_numpy()
    return {"wellbeing": float((window["wellbeing"] * weights).sum() / weights.sum()),
            "burnout_absence_days": _ratio(float(window["absent_area"].sum()) / 1440.0, agent_years),
            "attrition": _ratio(float(window["leavers"].sum()), agent_years),
            "boreout": _ratio(float(window["boreout_days"].sum()), float(window["staffed_days"].sum()))}


def _customers(window: pd.DataFrame, p: Params, staff_cost: float) -> dict[str, float]:
    if not p.population or not p.mechanisms.loyalty or not len(window):
        return {}
    months = float((window["end"] - window["start"]).sum()) / (30 * 1440.0)
    customer_months = float(window["customer_area"].sum()) / (30 * 1440.0)
    revenue = customer_months * p.loyalty.value_per_month
    return {"churn_rate": _ratio(float(window["churned"].sum()), customer_months),
            "customers_lost": float(window["churned"].sum()),
            "revenue": revenue, "net_value": revenue - staff_cost}


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

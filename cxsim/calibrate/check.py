"""Validation: simulate the fitted scenario and set the log's KPIs beside the simulated ones.

Both sides are measured the same way: each simulated replication is exported as a log
(:mod:`.export`) and its KPIs computed by :func:`log_kpis`, the function applied to the real log.
The log is one realisation, so it is compared with a 95 % *prediction* interval of one
replication (mean ± t·s·√(1 + 1/n)), not with the interval of the simulated mean.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from scipy import stats

from ..scenario.schema import Channel, Scenario
from .contacts import FIRST, classify
from .export import export_log
from .log import from_table

#: Simulated time past the logged period, so that the period's last contacts have ended.
MARGIN = 1440.0
NAMES = {"service_level": "service level", "p_abandon": "abandonment", "aht": "average handle time",
         "fcr": "first-contact resolution", "contacts_per_need": "contacts per need", "occupancy": "occupancy"}


def log_kpis(df: pd.DataFrame, kinds: dict[str, str], window: float, end: float) -> dict[str, float]:
    """The KPIs of a classified log (:func:`.contacts.classify`)."""
    out: dict[str, float] = {}
    queued = df[df["outcome"].isin(("answered", "abandoned", "transferred")).to_numpy()]
    for channel, kind in kinds.items():
        if kind == "self_service":
            continue
        rows = queued[(queued["channel"] == channel).to_numpy()]
        if rows.empty:
            continue
        target = Channel(kind=kind).target
        answered = rows["outcome"] != "abandoned"
        out[f"service_level.{channel}"] = float((answered & (rows["wait"] <= target)).mean())
        if kind in ("phone", "chat"):
            out[f"p_abandon.{channel}"] = float((~answered).mean())
    handled = queued[(queued["outcome"] != "abandoned").to_numpy()]
    out["aht"] = float(handled["handle_time"].mean())
    first = handled[(handled["kind"] == FIRST).to_numpy() & (handled["outcome"] == "answered").to_numpy()
                    & (handled["end"] <= end - window).to_numpy()]
    out["fcr"] = float(1 - first["followed"].mean())
    out["contacts_per_need"] = float(len(df) / max(int((df["kind"] == FIRST).sum()), 1))
    if handled["agent_id"].notna().any():
        hours = pd.DataFrame({"a": handled["agent_id"].to_numpy(),
                              "h": ((handled["t"] + handled["wait"]) // 60).to_numpy()}).drop_duplicates()
        out["occupancy"] = float(handled["handle_time"].sum() / (60.0 * len(hours)))
    return out


@dataclass(frozen=True)
class Row:
    kpi: str
    logged: float
    mean: float
    low: float
    high: float

    @property
    def inside(self) -> bool:
        return self.low <= self.logged <= self.high

    def sentence(self) -> str:
        metric, _, channel = self.kpi.partition(".")
        name = NAMES.get(metric, metric) + (f" ({channel})" if channel else "")
        side = "above" if self.logged > self.high else "below"
        return (f"{name} in the log ({self.logged:.4g}) is {side} what the fitted scenario gives "
                f"({self.low:.4g} to {self.high:.4g}): the scenario misses something that drives it")


def simulate(scenario: Scenario, kinds: dict[str, str], window: float, days: int, replications: int,
             engine: str = "fast") -> pd.DataFrame:
    """KPIs of each replication of the fitted scenario, measured as on the log."""
    from ..experiment.runner import run

    span = days * 1440.0
    longer = scenario.model_copy(update={"horizon": span + MARGIN, "replications": replications})
    results = run(longer, replications=replications, engine=engine)
    enc, jour = results.table("encounters"), results.table("journeys")
    rows = []
    for rep in range(replications):
        log = export_log(enc[enc["replication"] == rep], jour[jour["replication"] == rep], until=span)
        df = classify(from_table(log, "simulated").frame, window)
        rows.append(log_kpis(df, kinds, window, span))
    return pd.DataFrame(rows)


def compare(logged: dict[str, float], simulated: pd.DataFrame, level: float = 0.95) -> list[Row]:
    n = len(simulated)
    t = stats.t.ppf(0.5 + level / 2, n - 1) if n > 1 else math.inf
    rows = []
    for kpi, value in logged.items():
        if kpi not in simulated:
            continue
        x = simulated[kpi].to_numpy(dtype=float)
        half = t * float(x.std(ddof=1)) * math.sqrt(1 + 1 / n) if n > 1 else math.inf
        rows.append(Row(kpi, value, float(x.mean()), float(x.mean()) - half, float(x.mean()) + half))
    return rows


def chart(rows: list[Row], path: Path) -> Path:
    """Each KPI: the simulated prediction interval relative to the log's value (the diamond at 1)."""
    from ..charts.style import GREY, PALETTE, figure, message_title, talk_style

    with talk_style():
        fig, ax = figure()
        for i, r in enumerate(rows):
            scale = r.logged if r.logged else 1.0
            ax.plot([r.low / scale, r.high / scale], [i, i], color=PALETTE[0] if r.inside else PALETTE[1],
                    linewidth=8, solid_capstyle="butt", alpha=0.7)
            ax.plot([1.0], [i], marker="D", color="black")
        ax.set_yticks(range(len(rows)), [f"{r.kpi} ({r.logged:.3g})" for r in rows])
        ax.invert_yaxis()
        ax.axvline(1.0, color=GREY, linewidth=1)
        ax.set_xlabel("simulated 95 % prediction interval ÷ the log's value")
        outside = [r.kpi for r in rows if not r.inside]
        message_title(fig, "the fitted scenario reproduces every KPI of the log" if not outside else
                      f"{len(outside)} of {len(rows)} KPIs of the log fall outside the simulated range: "
                      + ", ".join(outside))
        path.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path)
    return path

"""The metrics of MODEL.md §10, computed from one replication's tables.

Everything is measured after the warm-up: contacts and needs that *arrived* after it, and time
integrals (occupancy, cost) over the window from the warm-up to the horizon. A metric that a
scenario cannot produce is left out rather than reported as zero.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from . import tallies
from .compiled import Params
from .minutes import DAY, MONTH, YEAR

from .metric_registry import ORDER, VIEWS  # noqa: F401  (re-exported: the order metrics are shown in)

if TYPE_CHECKING:
    import pandas as pd


#: Waits are pooled across channels only when their time scales are alike (MODEL.md §10): the
#: channels' service-level targets (20 s on the phone, a day for email by default) within this factor.
POOLED_WAIT_SPREAD = 10.0
#: The pooled metrics that are waits in each channel's own time scale; service_level stays pooled
#: (each contact is judged against its own channel's target) and so do p_abandon and aht.
POOLED_WAITS = ("p_wait", "mean_wait")


def waits_poolable(p: Params) -> bool:
    """Whether a wait pooled over the assisted channels means anything: their targets within
    POOLED_WAIT_SPREAD of each other (one assisted channel: always). Otherwise the waits are per
    channel only (``mean_wait.phone``, ``mean_wait.email``): an email's hours would swamp the phone's seconds."""
    targets = [c.target for c in p.channels if c.kind != "self_service"]
    if len(targets) < 2:
        return True
    return min(targets) > 0 and max(targets) <= POOLED_WAIT_SPREAD * min(targets)


def _ratio(num: float, den: float) -> float:
    return num / den if den else math.nan


def _is_arrow(table: Any) -> bool:
    import pyarrow as pa  # an Arrow table, or else a pandas DataFrame (pandas is not imported to ask)

    return isinstance(table, pa.Table)


def _codes(column: pd.Series) -> np.ndarray:
    return column.cat.codes.to_numpy(np.int64) if hasattr(column, "cat") else column.to_numpy(np.int64)


def table_tallies(tables: dict, p: Params) -> tuple[np.ndarray, np.ndarray]:
    """The metric tallies (:mod:`cxsim.tallies`) of a run's encounter and journey tables (pandas or Arrow)."""
    enc, jour = tables["encounters"], tables["journeys"]
    if _is_arrow(enc):  # Arrow tables (cxsim.tables)
        column = arrow_numpy
    else:
        def column(frame: pd.DataFrame, name: str, dtype) -> np.ndarray:
            if not len(frame):
                return np.zeros(0, dtype)
            return _codes(frame[name]) if dtype is np.int64 else frame[name].to_numpy(dtype)
    queues, counts = tallies.empty(len(p.channels))
    f64 = lambda table, name: column(table, name, np.float64)  # noqa: E731
    i64 = lambda table, name: column(table, name, np.int64)  # noqa: E731
    b = lambda table, name: column(table, name, np.bool_)  # noqa: E731
    tallies.add_tables(queues, counts, float(p.warmup), np.array([c.target for c in p.channels]),
                       np.array([c.patience is not None for c in p.channels]), i64(enc, "need"), i64(enc, "kind"),
                       i64(enc, "channel"), f64(enc, "arrived"), f64(enc, "wait"), f64(enc, "handle"),
                       i64(enc, "outcome"), b(enc, "resolved"), i64(jour, "status"), f64(jour, "created"),
                       f64(jour, "ended"), f64(jour, "score"), i64(jour, "recommend"), b(jour, "responded"))
    return queues, counts


def replication_metrics(tables: dict, p: Params) -> dict[str, float]:
    """The metrics of one replication from its tables (pandas or Arrow)."""
    queues, counts = table_tallies(tables, p)
    return tally_metrics(queues, counts, tables["daily"], p)


#: numpy's type of each Arrow type the tables hold (``str`` of the Arrow type).
_ARROW_NUMPY = {"int8": np.int8, "int16": np.int16, "int32": np.int32, "int64": np.int64, "double": np.float64,
                "float": np.float32}


def arrow_numpy(table: Any, field: str, dtype=None) -> np.ndarray:
    """A column of an Arrow table as numpy (a dictionary column as its codes), read from the Arrow
    buffers: ``pyarrow``'s own ``to_numpy`` imports pandas (0.3 s) even for a column of floats.

    The same values as :func:`cxsim.tables.numpy_column`, which is used for a column with nulls."""
    import pyarrow as pa

    column = table.column(field)
    parts = []
    for chunk in column.chunks:
        if pa.types.is_dictionary(chunk.type):
            chunk = chunk.indices
        kind = str(chunk.type)
        if chunk.null_count or (kind != "bool" and kind not in _ARROW_NUMPY):
            from .tables import numpy_column

            return numpy_column(table, field, dtype) if dtype is not None else column.to_numpy()
        n, offset, data = len(chunk), chunk.offset, chunk.buffers()[1]
        if not n:
            parts.append(np.zeros(0, np.bool_ if kind == "bool" else _ARROW_NUMPY[kind]))
        elif kind == "bool":
            bits = np.frombuffer(data, dtype=np.uint8)
            parts.append(np.unpackbits(bits, count=offset + n, bitorder="little")[offset:].astype(np.bool_))
        else:
            parts.append(np.frombuffer(data, dtype=_ARROW_NUMPY[kind])[offset:offset + n])
    values = parts[0] if len(parts) == 1 else np.concatenate(parts) if parts else np.zeros(0)
    return values if dtype is None else values.astype(dtype, copy=False)


class _Window(dict):
    """The daily table's rows after the warm-up, as one numpy array per column (no pandas: 0.3 s to import).

    Sums skip NaN as pandas' ``Series.sum`` does (:func:`_sum`), so the metrics are the same to the bit.
    """

    def __init__(self, daily: Any, warmup: float):
        if _is_arrow(daily):
            names = daily.column_names
            column = lambda name: arrow_numpy(daily, name)  # noqa: E731
        elif isinstance(daily, dict):
            names, column = list(daily), lambda name: np.asarray(daily[name])  # noqa: E731
        else:  # a pandas DataFrame
            names, column = list(daily.columns), lambda name: daily[name].to_numpy()  # noqa: E731
        start = column("start")
        keep = start >= warmup
        every = bool(keep.all())
        super().__init__({name: column(name) if every else column(name)[keep] for name in names})
        self.rows = int(keep.sum())

    def __len__(self) -> int:
        return self.rows


def _sum(values: np.ndarray):
    """Σ values, NaN counted as 0 (as pandas' ``Series.sum``: the same additions, in the same order)."""
    if values.dtype.kind == "f":
        return np.nansum(values)
    return values.sum()


def tally_metrics(queues: np.ndarray, counts: np.ndarray, daily: Any, p: Params) -> dict[str, float]:
    """The metrics of one replication from its tallies and its daily table (Arrow, pandas or a
    mapping of column arrays; MODEL.md §10)."""
    out: dict[str, float] = {}
    window = _Window(daily, p.warmup)

    def queue_metrics(q: np.ndarray, suffix: str) -> None:
        n = q[tallies.Q_N]
        if not n:
            return
        out["p_wait" + suffix] = q[tallies.Q_WAITED] / n
        out["mean_wait" + suffix] = q[tallies.Q_WAIT] / n
        out["service_level" + suffix] = q[tallies.Q_ON_TIME] / n
        if q[tallies.Q_ABANDONING]:
            out["p_abandon" + suffix] = q[tallies.Q_ABANDONED] / n
        if q[tallies.Q_HANDLED]:
            out["aht" + suffix] = q[tallies.Q_HANDLE] / q[tallies.Q_HANDLED]

    queue_metrics(queues[0], "")
    if not waits_poolable(p):
        for name in POOLED_WAITS:
            out.pop(name, None)
    assisted = [(i, c.name) for i, c in enumerate(p.channels) if c.kind != "self_service"]
    if len(assisted) > 1:
        for i, name in assisted:
            queue_metrics(queues[1 + i], f".{name}")
    out["occupancy"] = _ratio(_sum(window["busy_area"]), _sum(window["staffed_area"]))
    handled = counts[tallies.C_HANDLED]
    out["contacts_handled"] = float(handled)
    staff_cost = float(_sum(window["staff_cost"]))
    out["cost_per_contact"] = _ratio(staff_cost, handled)
    if counts[tallies.C_FINISHED]:
        # First-contact resolution: of the needs an agent handled, the share solved by the first agent.
        out["fcr"] = _ratio(counts[tallies.C_FCR_SOLVED], counts[tallies.C_FCR_NEEDS])
        out["failure_demand_share"] = counts[tallies.C_FAILURE] / counts[tallies.C_FINISHED]
    # A flow ratio of completions in the window, not an average over finished journeys: journeys
    # still open at the horizon are the long ones, so averaging finished ones would understate it.
    solved_in_window = counts[tallies.J_SOLVED]
    out["contacts_per_need"] = _ratio(counts[tallies.C_COMPLETED], solved_in_window)
    ended = counts[tallies.J_ENDED]
    if ended:
        out["time_to_resolution"] = _ratio(counts[tallies.J_SOLVED_TIME], solved_in_window)
        out["needs_given_up"] = counts[tallies.J_GIVEN_UP] / ended
    out["staff_cost"] = staff_cost
    out["cost_per_solved_need"] = _ratio(staff_cost, solved_in_window)
    if p.mechanisms.experience and counts[tallies.J_JOURNEYS]:
        out["journey_score"] = _ratio(counts[tallies.J_SCORE], counts[tallies.J_SCORED])
        out["nps_true"] = _nps(counts[tallies.J_PROMOTERS], counts[tallies.J_DETRACTORS], ended)
        out["nps_measured"] = _nps(counts[tallies.J_RESP_PROMOTERS], counts[tallies.J_RESP_DETRACTORS],
                                   counts[tallies.J_RESPONDENTS])
    out.update(_employees(window, p))
    out.update(_customers(window, p, staff_cost))
    return {k: float(v) for k, v in out.items() if not (isinstance(v, float) and math.isnan(v))}


def _nps(promoters: float, detractors: float, n: float) -> float:
    """Net promoter score: % answering 9–10 minus % answering 0–6, in [−100, 100]."""
    return 100.0 * (promoters / n - detractors / n) if n else math.nan


def _employees(window: _Window, p: Params) -> dict[str, float]:
    """Wellbeing (time-weighted mean W), absence days and leavers per agent-year, boreout share of days."""
    if not p.mechanisms.wellbeing or not len(window):
        return {}
    agent_years = float(_sum(window["employed_area"])) / YEAR
    weights = window["end"] - window["start"]
    return {"wellbeing": float(_sum(window["wellbeing"] * weights) / weights.sum()),
            "burnout_absence_days": _ratio(float(_sum(window["absent_area"])) / DAY, agent_years),
            "attrition": _ratio(float(_sum(window["leavers"])), agent_years),
            "boreout": _ratio(float(_sum(window["boreout_days"])), float(_sum(window["staffed_days"]))),
            # The expected leavers (Σ of each agent-day's probability of resigning) per agent-year: the
            # hazard itself, far less noisy than the few leavers counted in one run.
            "attrition_hazard": _ratio(float(_sum(window["expected_leavers"])), agent_years),
            **({"hiring_cost": _hiring_cost(window, p)} if p.wellbeing.hiring_cost else {}),
            "collapse": _collapse(window, p),
            **({"strain": float(_sum(window["strain"] * weights) / weights.sum())} if p.wellbeing.strain.on else {}),
            **({"engagement": float(_sum(window["engagement"] * weights) / weights.sum())}
               if p.wellbeing.engagement is not None else {})}


def _customers(window: _Window, p: Params, staff_cost: float) -> dict[str, float]:
    if not p.population or not p.mechanisms.loyalty or not len(window):
        return {}
    customer_months = float(_sum(window["customer_area"])) / MONTH
    revenue = customer_months * p.loyalty.value_per_month
    if p.customers.segmented:  # segments of different value: the integral of the active customers' value
        revenue = float(_sum(window["value_area"])) / MONTH
    churned = float(_sum(window["churned"]))
    # Replacing a churned customer costs an acquisition (customers.acquisition_cost, default 0).
    return {"churn_rate": _ratio(churned, customer_months),
            "customers_lost": churned,
            "revenue": revenue,
            "net_value": revenue - staff_cost - p.customers.acquisition_cost * churned - _hiring_cost(window, p)}


def _collapse(window: _Window, p: Params) -> float:
    """1 if at some cut in the window at least ``collapse_absent_share`` of the employed were off sick.

    Across replications its mean is the collapse probability (reported with a Wilson interval):
    a team that may or may not tip over is described by that probability, not by a mean of
    replications that each either collapsed or did not.
    """
    length = window["end"] - window["start"]
    employed = np.divide(window["employed_area"], length, out=np.zeros(len(window)), where=length > 0)
    absent = window["absent"]
    return float(bool(((absent > 0) & (absent >= p.wellbeing.collapse_absent_share * employed)).any()))


def _hiring_cost(window: _Window, p: Params) -> float:
    """Recruiting and training the agents hired in the window (0 with wellbeing off or no cost set)."""
    if not p.mechanisms.wellbeing or not p.wellbeing.hiring_cost:
        return 0.0
    return float(_sum(window["hires"])) * p.wellbeing.hiring_cost


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

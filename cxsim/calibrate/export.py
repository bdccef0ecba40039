"""The engine's own per-contact table written as a contact log (:data:`.log.COLUMNS`).

So the path from a log to a scenario can be tested end to end: a run with known parameters,
exported, is a log whose answers are known. Simulated minute 0 is a Monday 00:00 (``start``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from .log import LogError

#: Simulated time 0, a Monday at midnight.
START = pd.Timestamp("2026-01-05 00:00:00")
_OUTCOME = {"handled": "answered", "abandoned": "abandoned", "self_service": "self_service"}


def export_log(encounters: pd.DataFrame, journeys: pd.DataFrame | None = None, start: pd.Timestamp = START,
               since: float = 0.0, until: float = np.inf) -> pd.DataFrame:
    """One replication's encounters (and journeys, for survey answers) as a log of the contacts that
    arrived from minute ``since`` until ``until``.

    A log holds contacts that ended, so contacts still waiting at the horizon are left out; run a
    little past ``until`` (a day or so) so that none of the logged period's contacts are.
    """
    arrived = encounters["arrived"].to_numpy()
    enc = encounters[(encounters["outcome"] != "open").to_numpy() & (arrived >= since) & (arrived < until)]
    enc = enc.sort_values(["arrived", "need", "contact_no"], kind="stable")
    # A handled contact followed by its need's transfer was handed off.
    nxt = encounters.sort_values(["need", "contact_no"])
    handed = nxt["need"].shift(-1).eq(nxt["need"]) & nxt["kind"].shift(-1).astype(str).eq("transfer")
    transferred = pd.Series(handed.to_numpy(), index=nxt.index).reindex(enc.index).to_numpy()
    outcome = enc["outcome"].astype(str).map(_OUTCOME).to_numpy(dtype=object)
    outcome[transferred & (outcome == "answered")] = "transferred"
    customer = np.where(enc["customer"].to_numpy() >= 0, enc["customer"].to_numpy(), -1 - enc["need"].to_numpy())
    log = pd.DataFrame({
        "contact_id": np.arange(1, len(enc) + 1),
        "customer_id": _labelled(np.where(customer >= 0, customer, -1 - customer), np.where(customer >= 0, "C", "N")),
        "timestamp": start + pd.to_timedelta(enc["arrived"].to_numpy() - since, unit="min"),
        "channel": enc["channel"].astype(str).to_numpy(),
        "need_type": enc["need_type"].astype(str).to_numpy(),
        "wait": np.round(enc["wait"].to_numpy() * 60.0, 3),
        "handle_time": np.round(enc["handle"].to_numpy() * 60.0, 3),
        "outcome": outcome,
        "agent_id": pd.Series(_labelled(enc["agent"].to_numpy(), "A")).where(enc["agent"].to_numpy() >= 0),
    })
    log["survey_score"] = np.nan
    if journeys is not None and len(journeys) and "responded" in journeys:
        answered = journeys[journeys["responded"].to_numpy() & (journeys["recommend"] >= 0).to_numpy()]
        score = pd.Series(answered["recommend"].to_numpy(dtype=float), index=answered["need"].to_numpy())
        last = ~enc["need"].duplicated(keep="last").to_numpy()
        log.loc[last, "survey_score"] = enc["need"].map(score).to_numpy()[last]
    return log


def _labelled(numbers: np.ndarray, prefix) -> np.ndarray:
    """Ids such as C17 or A3, built without a Python loop over millions of rows."""
    return np.char.add(np.asarray(prefix, dtype="U1"), numbers.astype(np.int64).astype("U20"))


def write_log(log: pd.DataFrame, path: Path) -> None:
    """CSV or Parquet by the file's suffix, written atomically."""
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".parquet"):
        raise LogError([f"{path}: write the log as .csv or .parquet"])
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        if suffix == ".csv":
            # pyarrow writes ISO 8601 timestamps, many times faster than pandas' date_format.
            pacsv.write_csv(pa.Table.from_pandas(log, preserve_index=False), tmp)
        else:
            log.to_parquet(tmp, index=False)
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)


def read_results(folder: Path, policy: str | None, replication: int) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """One policy and replication of a results folder's encounters (and journeys)."""
    path = folder / "encounters.parquet"
    if not path.is_file():
        raise LogError([f"{folder}: no encounters.parquet (run with per-contact tables: cxsim run ... --tables)"])
    enc = pd.read_parquet(path)
    policies = list(dict.fromkeys(enc["policy"].astype(str)))
    policy = policy or policies[0]
    if policy not in policies:
        raise LogError([f"{folder}: no policy {policy!r} (policies: {', '.join(policies)})"])
    keep = (enc["policy"].astype(str) == policy).to_numpy() & (enc["replication"] == replication).to_numpy()
    if not keep.any():
        raise LogError([f"{folder}: no replication {replication} of policy {policy!r}"])
    jpath = folder / "journeys.parquet"
    jour = None
    if jpath.is_file():
        j = pd.read_parquet(jpath)
        jour = j[(j["policy"].astype(str) == policy).to_numpy() & (j["replication"] == replication).to_numpy()]
    return enc[keep], jour

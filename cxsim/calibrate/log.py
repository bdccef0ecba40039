"""A contact log: its documented columns, reading (CSV, Parquet, Excel) and validation.

A bad log is refused whole, with every problem on its own line as ``FILE:LINE: column: message``
(the line as a spreadsheet or editor shows it: the header is line 1), so nothing downstream ever
sees half a log.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

#: The documented columns: name -> what it holds. Durations are in seconds, as ACD logs keep them.
COLUMNS = {
    "contact_id": "unique id of the contact (one row per contact)",
    "customer_id": "who made it: repeats are the same customer and need type again",
    "timestamp": "when the contact arrived (date and time, e.g. 2026-01-05 08:03:12)",
    "channel": "phone, chat, email, self_service, or your own channel names",
    "need_type": "the queue or need type",
    "wait": "seconds in the queue until answered or abandoned",
    "handle_time": "seconds with the agent (0 when abandoned)",
    "outcome": "answered, abandoned, transferred (handed to another queue) or self_service",
    "agent_id": "who answered (empty when nobody did)",
    "survey_score": "optional: the customer's survey answer 0-10 (empty: no answer)",
}
REQUIRED = ("contact_id", "customer_id", "timestamp", "channel", "need_type", "wait", "handle_time", "outcome")
OUTCOMES = ("answered", "abandoned", "transferred", "self_service")
#: Names are sorted (channels, need types, agents: a stable order for the scenario) up to this many;
#: customer ids, which only need telling apart, are not.
MANY_NAMES = 100_000
#: At most this many rows are named for one kind of problem; the rest are counted.
ROWS_SHOWN = 5


class LogError(Exception):
    """A log that cannot be calibrated from; ``problems`` holds one printable line each."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class ContactLog:
    """A validated log: the columns of :data:`COLUMNS`, durations in minutes, times in minutes from
    ``origin`` (a Monday 00:00, so that minute 0 is the simulation's week start)."""
    frame: pd.DataFrame
    origin: pd.Timestamp
    source: str

    @property
    def span(self) -> float:
        """Minutes from the origin to the end of the last day with a contact."""
        return float(np.ceil((self.frame["t"].max() + 1e-9) / 1440.0) * 1440.0)


def parse_mapping(text: str | None) -> dict[str, str]:
    """``"timestamp=start_time,need_type=queue"`` -> {their name: our name}."""
    mapping: dict[str, str] = {}
    for part in filter(None, (p.strip() for p in (text or "").split(","))):
        ours, sep, theirs = part.partition("=")
        if not sep or ours.strip() not in COLUMNS or not theirs.strip():
            raise LogError([f"--columns: {part!r} is not OURS=THEIRS with OURS one of {', '.join(COLUMNS)}"])
        mapping[theirs.strip()] = ours.strip()
    return mapping


def read_table(path: Path) -> pd.DataFrame:
    suffix = path.suffix.lower()
    try:
        if suffix in (".csv", ".txt"):
            return pd.read_csv(path, engine="pyarrow")  # multi-threaded; types inferred, checked below
        if suffix in (".parquet", ".pq"):
            return pd.read_parquet(path)
        if suffix in (".xlsx", ".xlsm", ".xls"):
            try:
                import openpyxl  # noqa: F401
            except ImportError:
                raise LogError([f"{path}: reading Excel needs openpyxl: pip install 'cxsim[excel]'"]) from None
            return pd.read_excel(path, dtype=str)
    except (OSError, ValueError, pd.errors.ParserError) as exc:
        raise LogError([f"{path}: cannot read: {exc}".splitlines()[0]]) from None
    raise LogError([f"{path}: unknown log format {suffix!r} (use .csv, .parquet or .xlsx)"])


def _shown(value) -> str:
    """A cell as the file shows it (-4, not np.float64(-4.0))."""
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    return str(value)


def _rows(path: Path, bad: np.ndarray, column: str, message: str, values: pd.Series) -> list[str]:
    """One line per offending row (the first few), then a count of the rest."""
    where = np.flatnonzero(bad)
    lines = [f"{path}:{i + 2}: {column}: {message} ({_shown(values.iloc[i])})" for i in where[:ROWS_SHOWN]]
    if len(where) > ROWS_SHOWN:
        lines.append(f"{path}: {column}: {message} in {len(where) - ROWS_SHOWN:,} more rows")
    return lines


def read_log(path: Path, columns: dict[str, str] | None = None, surveys: Path | None = None) -> ContactLog:
    """Read and validate a log; raise :class:`LogError` listing every problem found."""
    return from_table(read_table(path).rename(columns=columns or {}), path, surveys)


def from_table(raw: pd.DataFrame, path: Path | str, surveys: Path | None = None) -> ContactLog:
    """Validate a table with the documented columns (``path`` names it in messages)."""
    missing = [c for c in REQUIRED if c not in raw.columns]
    if missing:
        found = ", ".join(map(str, raw.columns))
        raise LogError([f"{path}:1: missing column {c!r} ({COLUMNS[c]}); columns found: {found}"
                        " — map yours with --columns OURS=THEIRS" for c in missing])
    if raw.empty:
        raise LogError([f"{path}: no contacts in the log"])
    problems: list[str] = []
    frame = pd.DataFrame({c: _labels(raw[c]) for c in ("channel", "need_type")})
    frame["customer_id"] = _labels(raw["customer_id"]).codes.astype(np.int64)  # ints sort fast
    for c in ("contact_id", "customer_id", "channel", "need_type"):
        problems += _rows(path, raw[c].isna().to_numpy(), c, "empty", raw[c])
    stamp = _timestamps(raw["timestamp"])
    problems += _rows(path, stamp.isna().to_numpy(), "timestamp", "not a date and time", raw["timestamp"])
    for c in ("wait", "handle_time"):
        value = pd.to_numeric(raw[c], errors="coerce")
        problems += _rows(path, value.isna().to_numpy(), c, "not a number of seconds", raw[c])
        problems += _rows(path, (value < 0).to_numpy(), c, "negative duration", raw[c])
        frame[c] = value.to_numpy(dtype=float) / 60.0
    outcome = _labels(raw["outcome"], str.lower)
    problems += _rows(path, ~np.isin(np.asarray(outcome.categories)[outcome.codes], OUTCOMES) | (outcome.codes < 0),
                      "outcome", f"not one of {', '.join(OUTCOMES)}", raw["outcome"])
    problems += _rows(path, ((outcome == "abandoned") & (frame["handle_time"] > 0).to_numpy()), "handle_time",
                      "an abandoned contact has no handle time", raw["handle_time"])
    problems += _rows(path, raw["contact_id"].duplicated().to_numpy(), "contact_id", "appears twice",
                      raw["contact_id"])
    frame["outcome"] = outcome
    frame["agent_id"] = _labels(raw["agent_id"]) if "agent_id" in raw else pd.Categorical([None] * len(raw))
    if "survey_score" in raw:
        score = pd.to_numeric(raw["survey_score"], errors="coerce")
        given = raw["survey_score"].notna().to_numpy()
        problems += _rows(path, given & ~score.between(0, 10).to_numpy(), "survey_score", "not a score 0-10",
                          raw["survey_score"])
        frame["survey_score"] = score.to_numpy(dtype=float)
    if problems:
        raise LogError(sorted(problems, key=_line_number))
    if surveys is not None:
        frame = _merge_surveys(frame, raw["contact_id"], surveys)
    origin = stamp.min().normalize() - pd.Timedelta(days=stamp.min().weekday())
    frame["t"] = (stamp - origin).dt.total_seconds().to_numpy() / 60.0
    return ContactLog(frame, origin, str(path))


def _labels(values: pd.Series, clean=None) -> pd.Categorical:
    """Text labels as a categorical, stripped (and ``clean``-ed) once per distinct value, not per row:
    a log has millions of rows and a few hundred names."""
    codes, uniques = pd.factorize(values)
    names = pd.Index(uniques).astype(str).str.strip()
    if clean is not None:
        names = names.map(clean)
    merged, distinct = pd.factorize(names)
    codes = np.where(codes >= 0, merged[np.maximum(codes, 0)] if len(merged) else -1, -1)
    labels = pd.Categorical.from_codes(codes, categories=pd.Index(distinct))
    return labels.reorder_categories(sorted(distinct)) if len(distinct) <= MANY_NAMES else labels


def _line_number(problem: str) -> float:
    """Problems in file order; the counts of further rows last."""
    head = problem.split(": ", 1)[0].rsplit(":", 1)
    return float(head[1]) if len(head) == 2 and head[1].isdigit() else float("inf")


def _timestamps(values: pd.Series) -> pd.Series:
    """ISO 8601 (fast) first; anything else is parsed one by one, and NaT when it is no date."""
    if pd.api.types.is_datetime64_any_dtype(values):
        return values
    stamp = pd.to_datetime(values, errors="coerce", format="ISO8601")
    other = stamp.isna() & values.notna()
    if other.any():
        stamp[other] = pd.to_datetime(values[other], errors="coerce", format="mixed")
    return stamp


def _merge_surveys(frame: pd.DataFrame, contact_id: pd.Series, path: Path) -> pd.DataFrame:
    """A separate survey file: ``contact_id`` and ``survey_score`` per answer."""
    table = read_table(path)
    missing = [c for c in ("contact_id", "survey_score") if c not in table.columns]
    if missing:
        raise LogError([f"{path}:1: missing column {c!r}" for c in missing])
    score = pd.to_numeric(table["survey_score"], errors="coerce")
    problems = _rows(path, ~score.between(0, 10).to_numpy(), "survey_score", "not a score 0-10", table["survey_score"])
    ids = table["contact_id"].astype(str).str.strip()
    logged = contact_id.astype(str).str.strip()
    known = ids.isin(logged)
    problems += _rows(path, ~known.to_numpy(), "contact_id", "no such contact in the log", table["contact_id"])
    if problems:
        raise LogError(problems)
    scores = pd.Series(score.to_numpy(), index=ids)
    frame["survey_score"] = logged.map(scores).to_numpy(dtype=float)
    return frame

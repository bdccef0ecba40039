"""Read a results folder (``cxsim run``, ``compare`` or a sweep) for the charts and the report."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

#: The per-contact and per-day tables a run folder may hold (not a sweep's, nor ``compare``'s).
TABLES = ("encounters", "journeys", "agents", "daily")


class ChartUnavailable(Exception):
    """A chart cannot be drawn from this results folder (a table it needs is missing)."""


@dataclass
class LoadedResults:
    """A results folder: its summary, the scenario as run, per-run metrics and (lazily) its tables."""
    folder: Path
    summary: dict
    scenario: dict
    metrics: pd.DataFrame
    _tables: dict[str, pd.DataFrame] = field(default_factory=dict, repr=False)

    @property
    def is_sweep(self) -> bool:
        return "points" in self.summary

    @property
    def axes(self) -> dict[str, list[Any]]:
        return self.summary.get("axes", {})

    @property
    def policies(self) -> list[str]:
        if self.is_sweep:
            points = self.summary["points"]
            return list(points[0]["policies"]) if points else []
        return list(self.summary["policies"])

    @property
    def name(self) -> str:
        return str(self.summary.get("scenario", self.folder.name))

    def has(self, name: str) -> bool:
        return name in self._tables or (self.folder / f"{name}.parquet").exists()

    def table(self, name: str, chart: str | None = None) -> pd.DataFrame:
        """A table read on first use; :class:`ChartUnavailable` naming the file when it is missing."""
        if name not in self._tables:
            path = self.folder / f"{name}.parquet"
            if not path.exists():
                what = f"the {chart!r} chart needs" if chart else "needs"
                raise ChartUnavailable(
                    f"{what} {path.name}, which {self.folder} does not have "
                    f"(`cxsim run` writes it; `cxsim compare` and sweeps do not)")
            self._tables[name] = pd.read_parquet(path)
        return self._tables[name]

    def warmup_minutes(self) -> float:
        """The warm-up as run: per-run values when recorded (``warmup: auto``), else the scenario's."""
        if "warmup" in self.metrics.columns and self.metrics["warmup"].notna().any():
            return float(self.metrics["warmup"].median())
        return _minutes(self.scenario.get("warmup", 0.0))

    def horizon_minutes(self) -> float:
        return _minutes(self.scenario.get("horizon", 0.0))

    def interventions(self) -> list[tuple[str, float, dict]]:
        """(policy, minute, what changes) of every intervention in the scenario as run."""
        out = []
        policies = self.scenario.get("policies") or {}
        if isinstance(policies, dict):
            for name, policy in policies.items():
                for item in (policy or {}).get("interventions") or []:
                    at = item.get("at") if isinstance(item, dict) else None
                    if at is not None:
                        what = dict(item.get("set") or {})
                        if item.get("policy"):
                            what["policy"] = item["policy"]
                        out.append((name, _minutes(at), what))
        return out


def _minutes(value: Any) -> float:
    """Minutes from the scenario as run (numbers are minutes; "auto" or None counts as 0)."""
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, dict):  # e.g. {"auto": ...} forms: nothing fixed to mark
        return float(value.get("minutes", 0.0) or 0.0)
    try:
        return float(value)
    except (TypeError, ValueError):
        return 0.0


def load_results(folder: str | Path) -> LoadedResults:
    """Load a results folder written by ``cxsim run`` / ``compare`` / a sweep."""
    folder = Path(folder)
    summary_path = folder / "summary.json"
    if not summary_path.exists():
        raise FileNotFoundError(f"{folder} is not a cxsim results folder: it has no summary.json")
    summary = json.loads(summary_path.read_text(encoding="utf-8"))
    scenario_path = folder / "scenario.json"
    scenario = json.loads(scenario_path.read_text(encoding="utf-8")) if scenario_path.exists() else {}
    metrics = pd.DataFrame()
    for name in ("metrics.parquet", "runs.parquet"):
        if (folder / name).exists():
            metrics = pd.read_parquet(folder / name)
            break
    return LoadedResults(folder=folder, summary=summary, scenario=scenario, metrics=metrics)

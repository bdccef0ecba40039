"""What `cxsim calibrate` prints: the estimates with their intervals and fit, and the check."""

from __future__ import annotations

import pandas as pd
from rich.table import Table

from .check import Row
from .fit import Calibration
from .intervals import LEVEL

#: Printed one line each; the 31 profile weights are in the scenario file, not the terminal.
_PROFILE = ("demand.hourly_profile", "demand.weekly_profile")


def _value(x: float, unit: str) -> str:
    return f"{x:.4g} {unit}".strip()


def calibration_table(cal: Calibration) -> Table:
    first = cal.log.origin + pd.Timedelta(minutes=cal.start)
    last = cal.log.origin + pd.Timedelta(minutes=cal.end - 1440)
    table = Table(title=f"{len(cal.contacts):,} contacts, {first:%Y-%m-%d} to {last:%Y-%m-%d}: "
                        f"estimates with {LEVEL:.0%} intervals".replace("%", " %"), title_justify="left")
    table.add_column("parameter", no_wrap=True)
    for column in ("value", "interval", "n"):
        table.add_column(column, justify="right")
    table.add_column("fit", overflow="fold")
    shown = ""
    for e in cal.estimates():
        if e.path.startswith(_PROFILE):
            continue
        table.add_row(e.path, _value(e.value, e.unit), f"[{e.low:.4g}, {e.high:.4g}]", f"{e.n:,}",
                      "(as above)" if e.fit == shown else e.fit)
        shown = e.fit
    table.add_row("demand profile", "24 + 7 weights", "in the file", "", cal.rate.fit)
    for t in cal.teams:
        if t.start_hour is None:
            table.add_row(f"teams.{t.name}", f"{t.agents} agents", "always on duty", "", "answers around the clock")
        else:
            table.add_row(f"teams.{t.name}", f"{t.agents} agents", f"from {t.start_hour} h for {t.hours} h",
                          "", f"{','.join(t.days)}; {t.covered:.0%} of its contacts inside".replace("%", " %"))
    return table


def check_table(rows: list[Row], replications: int) -> Table:
    table = Table(title=f"check: the log against {replications} runs of the fitted scenario (95 % prediction "
                        "interval of one run)", title_justify="left")
    for column in ("KPI", "log", "simulated", "interval", "verdict"):
        table.add_column(column, justify="left" if column in ("KPI", "verdict") else "right")
    for r in rows:
        table.add_row(r.kpi, f"{r.logged:.4g}", f"{r.mean:.4g}", f"[{r.low:.4g}, {r.high:.4g}]",
                      "inside" if r.inside else "OUTSIDE")
    return table

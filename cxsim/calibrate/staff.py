"""Head count from agent ids: teams by the channels their agents answer, and when they work.

A log shows an agent only while they answer contacts, so head count per interval is the number of
distinct agents who answered in it — a lower bound on who was on duty, close to it when agents are
busy. A team works the hours of the day and the weekdays in which it answered contacts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .demand import WEEKDAYS, exposure_days

#: An hour counts as worked when the team answered in it on at least this share of its days.
WORKED = 0.5


@dataclass(frozen=True)
class TeamFit:
    name: str
    channels: tuple[str, ...]
    agents: int                           # distinct agent ids
    start_hour: int | None                # None: answering around the clock
    hours: int
    days: tuple[str, ...]
    per_hour: np.ndarray                  # mean distinct agents answering, per hour of the week (168)
    covered: float                        # share of the team's contacts answered inside the written shift


def teams(df: pd.DataFrame, start: float, end: float) -> list[TeamFit]:
    answered = df.loc[df["agent_id"].notna().to_numpy() & (df["outcome"] != "abandoned").to_numpy()
                      & (df["outcome"] != "self_service").to_numpy(), ["agent_id", "channel", "t", "wait"]]
    if answered.empty:
        return []
    skills = answered.groupby("agent_id", observed=True)["channel"].agg(lambda c: tuple(sorted(set(map(str, c)))))
    days = exposure_days(start, end)
    out = []
    for channels, agents in skills.groupby(skills, sort=True):
        mine = answered[answered["agent_id"].isin(agents.index).to_numpy()]
        # Answer times, to the millisecond a log keeps (so 06:59:59.99999 is 07:00).
        at = np.round((mine["t"].to_numpy() + mine["wait"].to_numpy()) * 60_000) / 60_000
        hour = (at // 60).astype(np.int64)
        inside_log = at < end  # answers after the log's last day (its backlog) have no exposure
        distinct = pd.DataFrame({"hour": hour[inside_log], "agent": mine["agent_id"].to_numpy()[inside_log]}
                                ).drop_duplicates()
        slot = distinct["hour"].to_numpy() % 168
        per_hour = np.bincount(slot, minlength=168) / np.repeat(np.maximum(days, 1), 24)
        busy_hours = np.unique(hour)                      # absolute hours with an answer
        day_index = np.unique(busy_hours // 24)
        worked_hours = np.bincount(busy_hours % 24, minlength=24) / len(day_index)
        on = np.flatnonzero(worked_hours >= WORKED)
        weekday_share = np.bincount((day_index % 7), minlength=7) / np.maximum(days, 1)
        work_days = tuple(WEEKDAYS[d] for d in range(7) if weekday_share[d] >= WORKED)
        name = "_".join(channels)
        if len(on) == 24 and len(work_days) == 7:
            start_hour, hours, covered = None, 24, 1.0
        else:
            start_hour, hours = int(on.min()), int(on.max() - on.min() + 1)
            inside = ((hour % 24) >= start_hour) & ((hour % 24) < start_hour + hours) & \
                np.isin((hour // 24) % 7, [WEEKDAYS.index(d) for d in work_days])
            covered = float(inside.mean())
        out.append(TeamFit(name, channels, len(agents), start_hour, hours, work_days, per_hour, covered))
    return out

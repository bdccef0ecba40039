"""Every estimate a log gives, in one pass: what :func:`calibrate` returns and the scenario is written from."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..compiled import CHANNEL_KINDS
from ..scenario.schema import Returns
from . import demand, durations, journeys, staff
from .clock import WALL, demand_clock
from .contacts import FIRST, WINDOW, classify
from .intervals import LEVEL, Estimate, proportion
from .log import ContactLog

#: Fewer answered first contacts than this in a need type and channel are not fitted on their own.
MIN_SAMPLE = 30
#: What the log cannot tell apart from a solved need: a customer who gives up in silence.
GIVE_UP = Returns.model_fields["give_up"].default


@dataclass
class Calibration:
    log: ContactLog
    contacts: pd.DataFrame
    window: float
    give_up: float
    clock: str                                    # the clock delays were fitted in: wall or demand
    start: float                                  # first whole day of the log (minutes from origin)
    end: float                                    # end of its last day
    kinds: dict[str, str]                         # channel -> kind
    rate: Estimate
    hourly: list[Estimate]
    weekly: list[Estimate]
    channel_mix: list[Estimate]
    need_mix: list[Estimate]
    work: dict[str, durations.WorkFit]
    #: The same per need type and channel, for the report: a scenario holds one work time per need
    #: type (a chat session's extra time is its channel's slowdown), so these are not written.
    work_by_channel: dict[tuple[str, str], durations.WorkFit]
    patience: dict[str, Estimate]
    retrial: dict[str, tuple[Estimate, Estimate]]
    p_self: dict[str, Estimate]
    resolution: list[Estimate]
    fcr: Estimate
    return_delay: Estimate
    switch: list[Estimate]
    teams: list[staff.TeamFit]
    surveys: list[Estimate]
    notes: list[str] = field(default_factory=list)

    def estimates(self) -> list[Estimate]:
        """Every estimate, in the order the scenario holds them."""
        out = [self.rate, *self.hourly, *self.weekly, *self.channel_mix, *self.need_mix]
        for w in [*self.work.values(), *self.work_by_channel.values()]:
            out += [w.mean] + ([w.cv] if w.cv else [])
        out += list(self.patience.values())
        for pair in self.retrial.values():
            out += list(pair)
        out += [*self.p_self.values(), *self.resolution, self.fcr, self.return_delay, *self.switch, *self.surveys]
        return out


def channel_kind(name: str, rows: pd.DataFrame) -> str:
    """A channel named like a kind is that kind; otherwise phone if anybody abandons, else email."""
    if name in CHANNEL_KINDS:
        return name
    if (rows["outcome"] == "self_service").all():
        return "self_service"
    return "phone" if (rows["outcome"] == "abandoned").any() else "email"


def calibrate(log: ContactLog, window: float = WINDOW, give_up: float = GIVE_UP, level: float = LEVEL,
              clock: str = "wall") -> Calibration:
    """Every estimate the log gives, each with an interval at ``level`` and a goodness-of-fit figure;
    customers' delays measured on ``clock`` (``wall`` or ``demand``, as the scenario will run them)."""
    df = classify(log.frame, window)
    start = math.floor(df["t"].min() / 1440.0) * 1440.0
    end = log.span
    kinds = {str(c): channel_kind(str(c), df.loc[(df["channel"] == c).to_numpy(), ["outcome"]])
             for c in df["channel"].cat.categories}
    rate, hourly, weekly = demand.arrivals(df, start, end, level)
    delays = WALL if clock == "wall" else demand_clock([e.value for e in hourly], [e.value for e in weekly])
    work = {}
    first_answered = df.loc[((df["kind"] == FIRST) & (df["outcome"] == "answered")).to_numpy(),
                            ["need_type", "channel", "handle_time"]]
    for need, rows in first_answered.groupby("need_type", observed=True):
        unshared = rows[rows["channel"].map(kinds).astype(str).to_numpy() != "chat"]
        sample = (unshared if len(unshared) else rows)["handle_time"].to_numpy()
        work[str(need)] = durations.work_time(sample, f"needs.{need}.work_time", level)
    by_channel = {}
    if first_answered["channel"].nunique() > 1:
        for (need, channel), rows in first_answered.groupby(["need_type", "channel"], observed=True):
            if len(rows) >= MIN_SAMPLE:
                by_channel[(str(need), str(channel))] = durations.work_time(
                    rows["handle_time"].to_numpy(), f"work_time.{need}.{channel}", level)
    patience, retrial, p_self = {}, {}, {}
    for channel, kind in kinds.items():
        rows = df.loc[(df["channel"] == channel).to_numpy() & df["outcome"].isin(("answered", "abandoned",
                                                                                  "transferred")).to_numpy(),
                      ["outcome", "wait"]]
        abandoned = (rows["outcome"] == "abandoned").to_numpy()
        if kind in ("phone", "chat") and abandoned.any():
            patience[channel] = durations.patience(rows["wait"].to_numpy(), abandoned, f"channels.{channel}.patience",
                                                   level)
            found = journeys.retrial(df, channel, window, end, delays, level)
            if found:
                retrial[channel] = found
        if kind == "self_service":
            tried = df.loc[(df["channel"] == channel).to_numpy() & (df["end"] <= end - window).to_numpy(), ["followed"]]
            failed = tried["followed"].to_numpy()
            p, lo, hi = proportion(int((~failed).sum()), len(tried), level)
            p_self[channel] = Estimate(f"channels.{channel}.p_self", p, lo, hi, "", "share not followed by a person",
                                       len(tried), level)
    resolution, fcr, return_delay, switch = journeys.returns(df, window, end, give_up, delays, level)
    return Calibration(log, df, window, give_up, delays.name, start, end, kinds, rate, hourly, weekly,
                       demand.mix(df, "channel", "demand.channel_mix", level),
                       demand.mix(df, "need_type", "needs.share", level),
                       work, by_channel, patience, retrial, p_self, resolution, fcr, return_delay, switch,
                       staff.teams(df, start, end), journeys.surveys(df, level))


def hourly_load(cal: Calibration, channel: str) -> np.ndarray:
    """Mean busy agent-minutes per minute in each hour of the week (for a channel without agent ids)."""
    rows = cal.contacts[(cal.contacts["channel"] == channel).to_numpy()]
    slot = ((rows["t"].to_numpy() // 60).astype(np.int64)) % 168
    busy = np.bincount(slot, weights=rows["handle_time"].to_numpy(), minlength=168)
    return busy / 60.0 / np.repeat(np.maximum(demand.exposure_days(cal.start, cal.end), 1), 24)

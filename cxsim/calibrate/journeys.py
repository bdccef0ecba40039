"""What customers do after a contact: retry, come back unsolved, switch channel; survey answers.

Only contacts whose whole window lies inside the log count towards a share (a contact on the last
day cannot show its repeat), and delays are fitted as exponentials seen within the window.
The log cannot tell a solved need from one the customer gave up on in silence: base resolution is
``1 - P(repeat | answered) / (1 - give_up)`` with ``give_up`` assumed, and said so.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from .clock import WALL, Clock
from .contacts import FIRST, REPEAT
from .durations import delay
from .intervals import LEVEL, Estimate, proportion, stable_over_weeks

WEEK = 7 * 1440.0


def _complete(df: pd.DataFrame, window: float, log_end: float) -> np.ndarray:
    return (df["end"] <= log_end - window).to_numpy()


def retrial(df: pd.DataFrame, channel: str, window: float, log_end: float, clock: Clock = WALL,
            level: float = LEVEL) -> tuple[Estimate, Estimate] | None:
    """Probability that an abandoned contact is tried again, and the delay (from abandoning)."""
    mine = ((df["channel"] == channel) & (df["outcome"] == "abandoned")).to_numpy()
    ab = df.loc[mine & _complete(df, window, log_end), ["t", "end", "followed", "next_gap"]]
    if len(ab) == 0:
        return None
    followed = ab["followed"].to_numpy()
    p, lo, hi = proportion(int(followed.sum()), len(ab), level)
    week = (ab["t"].to_numpy() // WEEK).astype(int)
    fit = stable_over_weeks(followed, week)
    prob = Estimate(f"channels.{channel}.retrial.probability", p, lo, hi, "", fit, len(ab), level)
    gaps, start = ab["next_gap"].to_numpy()[followed], ab["end"].to_numpy()[followed]
    return prob, delay(start, gaps, window, clock, f"channels.{channel}.retrial.delay", level)


def returns(df: pd.DataFrame, window: float, log_end: float, give_up: float, clock: Clock = WALL,
            level: float = LEVEL) -> tuple[list[Estimate], Estimate, Estimate, list[Estimate]]:
    """Base resolution per need type, first-contact resolution, the return delay (from the end of
    the answered contact) and channel switching of repeats."""
    answered = df.loc[(df["outcome"] == "answered").to_numpy() & _complete(df, window, log_end),
                      ["need_type", "kind", "t", "end", "followed", "next_gap"]]
    resolution = []
    for need, group in answered.groupby("need_type", observed=True):
        back = group["followed"].to_numpy()
        q, lo, hi = proportion(int(back.sum()), len(back), level)
        week = (group["t"].to_numpy() // WEEK).astype(int)
        fit = stable_over_weeks(back, week) + f"; give_up {give_up:g} assumed"
        resolution.append(Estimate(f"needs.{need}.resolution", 1 - q / (1 - give_up), 1 - hi / (1 - give_up),
                                   1 - lo / (1 - give_up), "", fit, len(back), level))
    first = answered[(answered["kind"] == FIRST).to_numpy()]
    solved = ~first["followed"].to_numpy()
    f, lo, hi = proportion(int(solved.sum()), len(solved), level)
    fcr = Estimate("fcr", f, lo, hi, "", stable_over_weeks(solved, (first["t"].to_numpy() // WEEK).astype(int)),
                   len(solved), level)
    back = answered["followed"].to_numpy()
    return_delay = delay(answered["end"].to_numpy()[back], answered["next_gap"].to_numpy()[back], window, clock,
                         "returns.delay", level)
    repeats = df.loc[(df["kind"] == REPEAT).to_numpy(), ["prev_channel", "channel"]]
    switch = []
    for src, group in repeats.groupby("prev_channel", observed=True):
        for dst, k in group["channel"].value_counts(sort=False).items():
            if dst == src or k == 0:
                continue
            p, lo, hi = proportion(int(k), len(group), level)
            switch.append(Estimate(f"returns.switch.{src}.{dst}", p, lo, hi, "", "share of repeats", int(k), level))
    return resolution, fcr, return_delay, switch


def surveys(df: pd.DataFrame, level: float = LEVEL) -> list[Estimate]:
    """Survey response rate per need, the mean score, and the measured NPS."""
    if "survey_score" not in df or df["survey_score"].notna().sum() == 0:
        return []
    per_need = df.groupby("need")["survey_score"].last()
    answered = per_need.notna().to_numpy()
    r, lo, hi = proportion(int(answered.sum()), len(answered), level)
    scores = per_need[answered].to_numpy()
    n = len(scores)
    mean = float(scores.mean())
    z = float(stats.norm.ppf(0.5 + level / 2))
    half = z * float(scores.std(ddof=1)) / np.sqrt(n) if n > 1 else np.inf
    promoters, detractors = (scores >= 9).mean(), (scores <= 6).mean()
    nps = 100 * (promoters - detractors)
    var = (promoters + detractors - (promoters - detractors) ** 2) / max(n, 1)
    nps_half = 100 * z * np.sqrt(var)
    histogram = ", ".join(f"{s}: {np.mean(scores == s):.2f}" for s in range(11))
    return [Estimate("survey.response_rate", r, lo, hi, "", "share of needs with an answer", len(answered), level),
            Estimate("survey.mean_score", mean, mean - half, mean + half, "", f"scores {histogram}", n, level),
            Estimate("survey.nps_measured", nps, nps - nps_half, nps + nps_half, "", "% 9-10 minus % 0-6", n, level)]

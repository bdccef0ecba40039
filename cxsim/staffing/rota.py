"""Shift patterns and the least-cost rota that covers a requirement (an integer programme).

A pattern is a start time, a length and the days on (``days_on`` consecutive days, the rest off: a
5-of-7 rota has seven patterns per start and length, one per pair of days off; with ``days_off:
any`` the days off need not be together, 21 patterns for 5 of 7). A pattern covers an
hour of the week when it is on duty for the whole hour (a shift may run past midnight and past the
end of the week, which wraps to Monday). The rota chooses a whole number of agents per pattern,
minimising paid hours, such that every hour has at least its requirement; an hour no pattern can
cover is left short (at a penalty far above any rota's cost) and reported, never made infeasible.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from ..minutes import DAY

HOURS = 168
DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class Pattern:
    start: float              # minutes after midnight
    length: float             # minutes (paid, breaks included)
    days: tuple[int, ...]     # days on, 0 = Monday

    @property
    def hours_per_week(self) -> float:
        return self.length * len(self.days) / 60.0

    def intervals(self) -> tuple[tuple[float, float], ...]:
        """On-duty intervals in minutes from Monday 00:00 (as compiled.TeamParams.shifts)."""
        return tuple(sorted((d * DAY + self.start, d * DAY + self.start + self.length) for d in self.days))

    def coverage(self) -> np.ndarray:
        """1 for each hour of the week the pattern is on duty for the whole hour."""
        out = np.zeros(HOURS)
        for on, off in self.intervals():
            first, last = int(np.ceil(on / 60.0 - 1e-9)), int(np.floor(off / 60.0 + 1e-9))
            for h in range(first, last):
                out[h % HOURS] = 1.0
        return out

    def label(self) -> str:
        days = self.days
        if len(days) == 7:
            when = "every day"
        elif any((b - a) % 7 != 1 for a, b in zip(days, days[1:])):
            when = ",".join(DAY_NAMES[d] for d in days)
        else:
            when = f"{DAY_NAMES[days[0]]}-{DAY_NAMES[days[-1]]}" if len(days) > 1 else DAY_NAMES[days[0]]
        return f"{_clock(self.start)}+{self.length / 60:g}h {when}"


def _clock(minutes: float) -> str:
    return f"{int(minutes // 60):02d}:{int(round(minutes % 60)):02d}"


def patterns(starts: list[float], lengths: list[float], days_on: int, days_off: str = "together") -> list[Pattern]:
    """Every start × length × set of ``days_on`` days: consecutive runs (days off together), or any days."""
    if days_on >= 7:
        runs = [tuple(range(7))]
    elif days_off == "any":
        runs = list(itertools.combinations(range(7), days_on))
    else:
        runs = [tuple((d + i) % 7 for i in range(days_on)) for d in range(7)]
    return [Pattern(float(s), float(length), run) for s in sorted(set(starts)) for length in sorted(set(lengths))
            for run in runs]


@dataclass(frozen=True)
class Rota:
    heads: np.ndarray          # agents per pattern
    covered: np.ndarray        # agents on duty per hour of the week
    short: np.ndarray          # requirement not covered per hour (hours no pattern reaches)

    @property
    def uncovered_hours(self) -> int:
        return int((self.short > 0).sum())


def roster(requirement: np.ndarray, pats: list[Pattern]) -> Rota:
    """The least-paid-hours whole number of agents per pattern covering ``requirement`` (168 hours).

    An integer programme (HiGHS through ``scipy.optimize.milp``): minimise Σ hours_p·x_p + M·Σ u_h
    subject to Σ_p cover[p, h]·x_p + u_h ≥ requirement_h, x integer ≥ 0, u ≥ 0, where the shortfall u
    is only used in hours no pattern covers (M is larger than any rota's whole cost).
    """
    need = np.asarray(requirement, dtype=float)
    if len(need) != HOURS:
        raise ValueError(f"a requirement has {HOURS} hours, got {len(need)}")
    cover = np.array([p.coverage() for p in pats]).reshape(len(pats), HOURS)
    hours = np.array([p.hours_per_week for p in pats])
    n = len(pats)
    if need.sum() <= 0:
        return Rota(np.zeros(n, dtype=np.int64), np.zeros(HOURS), np.zeros(HOURS))
    penalty = (hours.max() if n else 1.0) * (need.sum() + 1.0) * 10.0
    # Ties between rotas of equal hours are broken by a fixed, generic perturbation far below an hour,
    # and the programme is solved to proven optimality (no gap): the optimum is then unique, so the
    # rota is the same on every machine, thread count and load (reproducible runs need that).
    tie_break = 1.0 + 1e-6 * np.random.default_rng(20260101).random(n)
    c = np.concatenate([hours * tie_break, np.full(HOURS, penalty)])
    a = np.hstack([cover.T, np.eye(HOURS)])
    from scipy.optimize import Bounds, LinearConstraint, milp  # scipy when a rota is rounded, not on import

    res = milp(c, constraints=LinearConstraint(a, lb=need, ub=np.inf),
               integrality=np.concatenate([np.ones(n), np.zeros(HOURS)]),
               bounds=Bounds(0, np.inf), options={"disp": False, "mip_rel_gap": 0.0})
    if res.x is None:  # pragma: no cover - the shortfall variables keep it feasible
        raise RuntimeError(f"the rota could not be solved: {res.message}")
    heads = np.round(res.x[:n]).astype(np.int64)
    covered = heads @ cover if n else np.zeros(HOURS)
    return Rota(heads, covered, np.maximum(need - covered, 0.0))

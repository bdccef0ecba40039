"""Running totals of a replication and the daily table cut from them.

The engine only counts; this turns the counts and the time integrals into one row per day (and
splits the day that contains the end of the warm-up, so that every metric can start exactly there).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Generator

import simpy

from ...records import Day
from .workforce import ordered_sum

if TYPE_CHECKING:
    from .model import Model

DAY = 1440.0
MONTH = 30 * DAY


class Ledger:
    def __init__(self, model: "Model"):
        self.m = model
        self.offered = self.handled = self.abandoned = 0
        self.created = self.solved = self.given_up = 0
        self.time_given, self.cases = 0.0, 0
        self.journeys_ended, self.score_sum = 0, 0.0
        self.promoters = self.detractors = self.respondents = 0
        self.respondent_promoters = self.respondent_detractors = 0
        self.at_warmup: dict[int, tuple[float, float, int]] = {}
        self._last: tuple[float, tuple] = (0.0, self._totals(0.0))

    def journey(self, score: float, nps_class: int, responded: bool) -> None:
        self.journeys_ended += 1
        self.score_sum += score
        self.promoters += nps_class > 0
        self.detractors += nps_class < 0
        if responded:
            self.respondents += 1
            self.respondent_promoters += nps_class > 0
            self.respondent_detractors += nps_class < 0

    def _totals(self, now: float) -> tuple:
        m = self.m
        r = m.router
        cost = ordered_sum(t.staffed.area_at(now) * t.cost_per_minute for t in r.teams)
        c = m.customers
        return (self.offered, self.handled, self.abandoned, self.created, self.solved, self.given_up,
                r.waiting.area_at(now), r.busy.area_at(now), ordered_sum(t.staffed.area_at(now) for t in r.teams), cost,
                self.journeys_ended, self.score_sum, self.promoters, self.detractors, self.respondents,
                self.respondent_promoters, self.respondent_detractors, self.time_given, self.cases,
                c.churned if c else 0, c.acquired if c else 0, c.count.area_at(now) if c else 0.0,
                m.workforce.leavers if m.workforce else 0, m.org.pressure_area,
                m.workforce.employed.area_at(now) if m.workforce else 0.0,
                m.workforce.absent.area_at(now) if m.workforce else 0.0,
                m.workforce.boreout_days if m.workforce else 0, m.workforce.staffed_days if m.workforce else 0)

    def periods(self) -> Generator[simpy.Event, None, None]:
        """Close a row of the daily table at every midnight, and at the end of the warm-up."""
        p = self.m.p
        cuts = sorted({d * DAY for d in range(1, int(math.ceil(p.horizon / DAY)))} | {p.warmup} - {0.0})
        for cut in cuts:
            if cut >= p.horizon:
                break
            yield self.m.env.timeout(cut - self.m.env.now)
            self.close_period(cut)

    def close_period(self, now: float) -> None:
        m = self.m
        start, before = self._last
        after = self._totals(now)
        d = [a - b for a, b in zip(after, before)]
        employed = [a for a in m.router.agents if not a.gone]
        if m.workforce:
            for a in employed:
                m.workforce.update(a)  # W as of now, not as of the agent's last event
        wellbeing = ordered_sum(a.wellbeing for a in employed) / len(employed) if employed else math.nan
        time_per_case = d[17] / d[18] if d[18] else math.nan
        m.record.days.append(Day(
            int(start // DAY), start, now, *d[:6], len(m.open_needs), *d[6:10], *d[10:17],
            wellbeing, m.org.mean(m.org.standard), d[23] / (now - start) if now > start else math.nan, time_per_case,
            len(m.customers.active) if m.customers else 0, d[19], d[20], d[21],
            sum(1 for a in employed if a.absent), d[22], d[24], d[25], d[26], d[27]))
        self._last = (now, after)
        if now == m.p.warmup:
            self.at_warmup = {a.id: (a.staffed.area_at(now), a.busy.area_at(now), a.handled) for a in m.router.agents}

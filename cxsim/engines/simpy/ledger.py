"""Running totals of a replication and the daily table cut from them.

The engine only counts; this turns the counts and the time integrals into one row per day (and
splits the day that contains the end of the warm-up, so that every metric can start exactly there).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Generator

import numpy as np
import simpy

from ...kernels.ledger import cut_staff_day
from ...layouts import DAY_COLS, TOTALS
from .schedule import at
from .workforce import ordered_sum

if TYPE_CHECKING:
    from ...compiled import Params
    from .customers import Customers
    from .staff import Router
    from .workforce import Organisation, Workforce


class Ledger:
    """Counts kept while the replication runs, cut into the daily table (``records.Day``).

    It reads the collaborators it is given — it never holds the model — and writes its rows to
    ``days``; ``open_needs`` is the model's table of needs still open (its length is the backlog).
    """

    def __init__(self, env: simpy.Environment, params: "Params", router: "Router", org: "Organisation",
                 workforce: "Workforce | None", customers: "Customers | None", open_needs: dict, days: list):
        self.env, self.p, self.router, self.org = env, params, router, org
        self.workforce, self.customers, self.open_needs, self.days = workforce, customers, open_needs, days
        self.offered = self.handled = self.abandoned = 0
        self.created = self.solved = self.given_up = 0
        self.time_given, self.cases = 0.0, 0
        self.journeys_ended, self.score_sum = 0, 0.0
        self.promoters = self.detractors = self.respondents = 0
        self.respondent_promoters = self.respondent_detractors = 0
        self.at_warmup: dict[int, tuple[float, float, int]] = {}
        self._last: tuple[float, tuple] = (0.0, self._totals(0.0))
        self.on_cut = None  # called with the time after each cut of the daily table (management reviews)

    def journey(self, score: float, nps_class: int, responded: bool) -> None:
        self.journeys_ended += 1
        self.score_sum += score
        self.promoters += nps_class > 0
        self.detractors += nps_class < 0
        if responded:
            self.respondents += 1
            self.respondent_promoters += nps_class > 0
            self.respondent_detractors += nps_class < 0

    def _totals(self, now: float) -> np.ndarray:
        """The running totals of ``layouts.TOTALS``, by name."""
        r, c, wf = self.router, self.customers, self.workforce
        totals = dict(
            offered=self.offered, handled=self.handled, abandoned=self.abandoned, needs_created=self.created,
            needs_solved=self.solved, needs_given_up=self.given_up, queue_area=r.waiting.area_at(now),
            busy_area=r.busy.area_at(now), staffed_area=ordered_sum(t.staffed.area_at(now) for t in r.teams),
            staff_cost=ordered_sum(t.staffed.area_at(now) * t.cost_per_minute for t in r.teams),
            journeys_ended=self.journeys_ended, score_sum=self.score_sum, promoters=self.promoters,
            detractors=self.detractors, respondents=self.respondents, respondent_promoters=self.respondent_promoters,
            respondent_detractors=self.respondent_detractors, time_given=self.time_given, cases=self.cases,
            churned=c.churned if c else 0, acquired=c.acquired if c else 0,
            customer_area=c.count.area_at(now) if c else 0.0, leavers=wf.leavers if wf else 0,
            pressure_area=self.org.pressure_area, employed_area=wf.employed.area_at(now) if wf else 0.0,
            absent_area=wf.absent.area_at(now) if wf else 0.0, boreout_days=wf.boreout_days if wf else 0,
            staffed_days=wf.staffed_days if wf else 0, value_area=c.value.area_at(now) if c else 0.0,
            expected_leavers=wf.expected_leavers if wf else 0.0, hires=wf.hires if wf else 0,
            sick_area=wf.sick.area_at(now) if wf else 0.0)
        return np.array([totals[name] for name in TOTALS], dtype=float)

    def periods(self) -> Generator[simpy.Event, None, None]:
        """Close a row of the daily table at every midnight, and at the end of the warm-up."""
        for cut in self.p.cuts:
            yield at(self.env, float(cut))
            self.close_period(cut)
            if self.on_cut is not None:
                self.on_cut(float(cut))

    def close_period(self, now: float) -> None:
        start, before = self._last
        after = self._totals(now)
        agents = self.router.agents
        if self.workforce:
            for a in agents:
                if not a.gone:
                    self.workforce.update(a)  # W as of now, not as of the agent's last event
        row = np.empty(DAY_COLS)
        cut_staff_day(row, start, now, before, after, len(self.open_needs), self.org.mean(self.org.standard),
                      len(self.customers.active) if self.customers else 0,
                      *(np.array([getattr(a, k) for a in agents]) for k in ("wellbeing", "strain", "engagement",
                                                                             "burnt_out", "gone")))
        self.days.append(row)
        self._last = (now, after)
        if now == self.p.warmup:
            self.at_warmup = {a.id: (a.staffed.area_at(now), a.busy.area_at(now), a.handled) for a in self.router.agents}

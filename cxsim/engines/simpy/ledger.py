"""Running totals of a replication and the daily table cut from them.

The engine only counts; this turns the counts and the time integrals into one row per day (and
splits the day that contains the end of the warm-up, so that every metric can start exactly there).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Generator

import numpy as np
import simpy

from ...kernels.books import running_totals
from ...kernels.ledger import cut_staff_day
from ...layouts import COUNTS, DAY_COLS, TOTALS
from .schedule import at

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
        self.counts = np.zeros(len(COUNTS))  # the counted totals, by layouts.C_* (kernels.books)
        self._team_cost = np.array([t.cost_per_minute for t in router.teams], dtype=float)
        self.at_warmup: dict[int, tuple[float, float, int]] = {}
        self._last: tuple[float, tuple] = (0.0, self._totals(0.0))
        self.on_cut = None  # called with the time after each cut of the daily table (management reviews)

    def _totals(self, now: float) -> np.ndarray:
        """The running totals of ``layouts.TOTALS`` (kernels.books.running_totals)."""
        r, c, wf = self.router, self.customers, self.workforce
        out = np.empty(len(TOTALS))
        people = (c.churned, c.acquired, c.count.area_at(now), c.value.area_at(now)) if c else (0, 0, 0, 0)
        staff = (wf.leavers, wf.employed.area_at(now), wf.absent.area_at(now), wf.boreout_days, wf.staffed_days,
                 wf.expected_leavers, wf.hires, wf.sick.area_at(now)) if wf else (0,) * 8
        running_totals(out, self.counts, r.waiting.area_at(now), r.busy.area_at(now),
                       np.array([t.staffed.area_at(now) for t in r.teams]), self._team_cost,
                       float(self.org.pressure_area), c is not None, *map(float, people), wf is not None,
                       *map(float, staff))
        return out

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

"""Runs the compiled loop from Python: lay the state out, run one compiled call, hand back tables.

No pandas here (nor in :mod:`cxsim.records` and :mod:`cxsim.tables`): the engine's arrays go to
Arrow and Parquet directly, and importing pandas would cost every run 0.3 s of start-up.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .cache import import_numba_without_yaml

import_numba_without_yaml()  # before any other import of numba
from numba import njit  # noqa: E402
from numba.experimental import structref

from ...compiled import Params
from ...kernels.arrivals import intensity
from ...records import ArrayRecorder
from ...streams import generators
from .cache import load_blas_alone, load_without_registries, mark_compiled
from .loop import finish, run_events, start
from .params import pack
from .state import (
    AGENT_COLS, GROUP_OF_CODE, I_AGENTS, I_CUSTOMERS, I_DAYS, I_ENC, I_JOUR, I_KEEP, I_OPEN, I_REVIEWS, ParamsType, WorldType,
    allocate,
    borrow_streams, capacity, fill, grow, struct_type,
)

if TYPE_CHECKING:
    import pyarrow as pa


load_blas_alone()  # before the first compiled call: numba's BLAS check would import all of scipy.linalg
load_without_registries()  # loading from the cache needs none of numba's implementations, only compiling does


#: Capacities to start from instead of the estimates (tests start tiny to exercise every growth).
START_CAPACITY: dict[str, int] = {}


#: What the one compiled entry point does (:func:`_enter`).
BEGIN, GO_ON, FINISH = 0, 1, 2


@njit(cache=True, nogil=True)
def _enter(p_layout, p_type, w_layout, w_type, rng, step: int) -> int:
    """The engine's one compiled entry point: run the loop from time 0 (BEGIN) or on (GO_ON) until
    the horizon (returns 0) or until arrays must grow (returns a code); or FINISH: write the records
    of what is still open at the horizon.

    One entry point, not one per step: a run loads one library from numba's cache instead of two
    that each carry copies of the same callees (0.06 s of every run's start-up). It lets go of
    Python's lock while it runs (``nogil``): replications on threads of one process simulate on
    several cores at once (:func:`cxsim.experiment.backends.threads`), each with its own state and
    random streams.
    """
    p = structref.new(p_type)
    fill(p_layout, p)
    w = structref.new(w_type)
    fill(w_layout, w)
    if step == FINISH:
        finish(p, w)
        return 0
    streams = borrow_streams(rng)
    if step == BEGIN:
        start(p, w, streams)
    return run_events(p, w, streams)


def run(params: Params, seed: int, replication: int, keep_records: bool = True) -> tuple:
    """One replication: (encounters, journeys, agents, days, queue tallies, count tallies, counters) arrays."""
    p = pack(params)
    p_type = struct_type(ParamsType, p)
    # Room for the expected records from the start: every growth is another entry into the loop.
    # (In Python: it only sizes arrays, and loading its compiled form would cost more than it saves.)
    needs = intensity.py_func(0.0, p.horizon, p.week_rate, float(max(p.population, 1))) * max([1.0, *p.factor])
    staff, population = int(p.team_agents.sum()), int(p.population)
    caps = {"needs": 1024, "agents": staff + int(p.tl_targets.sum()) + 16, "heap": 4096,
            "customers": int(population * 1.25) + 16, "encounters": int(3 * needs) + 1024 if keep_records else 0,
            "journeys": int(1.2 * needs) + 1024 if keep_records else 0}
    caps.update(START_CAPACITY)
    # Time 0 adds the whole staff and population before the loop first checks its room.
    caps["agents"], caps["customers"] = max(caps["agents"], staff + 1), max(caps["customers"], population + 1)
    caps["heap"] = max(caps["heap"], p.n_teams + 16)  # the processes' first events
    w = allocate(p.n_teams, p.n_queues, p.n_channels, len(p.cuts) + 1, caps, p.cu_n_segments)
    w.ic[I_KEEP] = keep_records
    rng = generators(seed, replication)
    code = _enter(p, p_type, w, struct_type(WorldType, w), rng, BEGIN)
    while code:
        w = grow(w, GROUP_OF_CODE[code])
        code = _enter(p, p_type, w, struct_type(WorldType, w), rng, GO_ON)
    # Room for the records of everything still open at the horizon, and one row per agent.
    for group, used in (("encounters", I_ENC), ("journeys", I_JOUR)):
        while keep_records and capacity(w, group) < w.ic[used] + w.ic[I_OPEN] + 1:
            w = grow(w, group)
    w = w._replace(agents_out=np.zeros((w.ic[I_AGENTS], AGENT_COLS)))
    _enter(p, p_type, w, struct_type(WorldType, w), rng, FINISH)
    mark_compiled()
    n = int(w.ic[I_CUSTOMERS]) if p.population else 0
    customers = np.column_stack([np.arange(n, dtype=float), w.c_segment[:n].astype(float), w.c_joined[:n],
                                 w.c_left[:n]])
    return (w.enc[:w.ic[I_ENC]], w.jour[:w.ic[I_JOUR]], w.agents_out, w.days[:w.ic[I_DAYS]], w.tq, w.tc, w.ic,
            customers, w.mg_rows[:w.ic[I_REVIEWS]])


def simulate(params: Params, seed: int, replication: int) -> ArrayRecorder:
    """Run one replication with the fast engine and return its records (the same tables as the SimPy engine)."""
    enc, jour, agents, days, *_, customers, reviews = run(params, seed, replication)
    return ArrayRecorder(enc, jour, agents, days, customers, reviews)


def simulate_summary(params: Params, seed: int, replication: int) -> tuple[np.ndarray, np.ndarray, pa.Table]:
    """One replication that keeps no per-contact records: (queue tallies, count tallies, daily table).

    Memory no longer grows with the number of contacts; :func:`cxsim.metrics.tally_metrics` turns
    the result into exactly the metrics a full run would report. The daily table is an Arrow table
    (:func:`cxsim.tables.from_rows`), the same columns and types as the full run's; no pandas.
    """
    from ...tables import from_rows

    _, _, _, days, queues, counts, *_ = run(params, seed, replication, keep_records=False)
    return queues, counts, from_rows("daily", days, params)


#: The smallest scenario that takes every compiled entry point a run uses (see :func:`warm`).
WARM_SCENARIO = {
    "name": "warm", "horizon": "2 h", "warmup": "0 min", "demand": {"open": {"rate": "2 /min"}},
    "needs": {"a": {"share": 1, "work_time": {"dist": "exponential", "mean": "1 min"}, "resolution": 0.8}},
    "channels": {"phone": {"kind": "phone"}}, "teams": {"t": {"agents": 3, "channels": ["phone"]}},
}


def warm() -> None:
    """Compile (or load from numba's cache) everything a run uses: the loop with records and
    summary-only, and the tallies of tables. ``cxsim compile`` runs this ahead of time."""
    from ...compiled import compile_scenario
    from ...metrics import replication_metrics
    from ...scenario.schema import Scenario
    from ...tables import run_tables

    params = compile_scenario(Scenario.model_validate(WARM_SCENARIO))
    replication_metrics(run_tables(simulate(params, 0, 0), params), params)
    simulate_summary(params, 0, 0)

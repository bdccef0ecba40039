"""Where runs execute: in this process (on one thread or several), in local worker processes
(joblib), or on a Dask cluster.

Every backend yields finished runs as they complete; the caller sorts them, so the order runs
finish in never shows in the results.
"""

from __future__ import annotations

import threading
from typing import Any, Callable, Iterator

Job = tuple[Callable[..., dict], tuple[Any, ...]]


def serial(jobs: list[Job]) -> Iterator[dict]:
    for fn, args in jobs:
        yield fn(*args)


def threads(jobs: list[Job], workers: int) -> Iterator[dict]:
    """Threads of this process: for the fast engine, whose compiled loop lets go of Python's lock
    (``nogil``) while it simulates, so replications use several cores without starting processes.
    Each run owns its state and random streams, so what a run computes does not depend on the
    threads; the rest of a run (tables, metrics) takes turns on Python's lock.

    A run is stored (:func:`defer`) by the caller's thread as it takes the run, as in :func:`serial`:
    when the caller stops (Ctrl-C, an error), the runs it has taken are stored and no other; runs
    still simulating on other threads are dropped. At most :data:`WINDOW` runs per thread are
    started and not yet taken, so finished runs waiting for the caller do not pile up in memory.
    The threads are daemons: a stopped command exits at once instead of waiting for the runs
    still inside the compiled loop (they touch nothing of the caller's).
    """
    if workers <= 1 or len(jobs) <= 1:
        yield from serial(jobs)
        return
    import queue

    todo: queue.SimpleQueue = queue.SimpleQueue()
    for job in jobs:
        todo.put(job)
    finished: queue.SimpleQueue = queue.SimpleQueue()
    room = threading.Semaphore(WINDOW * workers)  # runs started and not yet taken by the caller
    stop = threading.Event()

    def work() -> None:
        while True:
            room.acquire()
            if stop.is_set():
                return
            try:
                fn, args = todo.get_nowait()
            except queue.Empty:
                return
            try:
                finished.put((_deferring(fn, args), None))
            except BaseException as exc:  # noqa: BLE001 - handed to the caller, raised there
                finished.put((None, exc))

    count = min(workers, len(jobs))
    for _ in range(count):
        threading.Thread(target=work, name="cxsim-run", daemon=True).start()
    try:
        for _ in range(len(jobs)):
            result, exc = finished.get()
            room.release()
            if exc is not None:
                raise exc
            row, saves = result
            for save in saves:
                save()
            del result, saves  # the run's tables go with its save
            yield row
    finally:  # finished or stopped: start no more runs
        stop.set()
        for _ in range(count):
            room.release()  # a thread waiting for room wakes up and sees the stop


#: Runs per thread that may be started and not yet taken by the caller (:func:`threads`).
WINDOW = 2


_here = threading.local()


def _deferring(fn: Callable[..., dict], args: tuple) -> tuple[dict, list[Callable[[], None]]]:
    _here.saves = []
    try:
        return fn(*args), _here.saves
    finally:
        del _here.saves


def defer(save: Callable[[], None]) -> bool:
    """Leave ``save`` (storing a finished run) to the caller of :func:`threads`, if this is one of its
    threads; returns whether it was left (otherwise the run stores itself, as in a worker process)."""
    saves = getattr(_here, "saves", None)
    if saves is None:
        return False
    saves.append(save)
    return True


def available_cores(cgroup: str = "/sys/fs/cgroup/cpu.max") -> int:
    """The cores this process may run on: its CPU affinity where the system tells it, capped by a
    container's CPU quota (cgroup v2 ``cpu.max``: "QUOTA PERIOD", or "max" for none), rounded up."""
    import math
    import os

    try:
        cores = max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        cores = max(1, os.cpu_count() or 1)
    try:
        quota, period = open(cgroup).read().split()[:2]
        if quota != "max":
            cores = min(cores, max(1, math.ceil(int(quota) / int(period))))
    except (OSError, ValueError):
        pass  # no cgroup v2 quota to read: the affinity stands
    return cores


def local(jobs: list[Job], workers: int) -> Iterator[dict]:
    """Worker processes on this machine (joblib's loky backend)."""
    if workers == 1 or len(jobs) <= 1:
        yield from serial(jobs)
        return
    from joblib import Parallel, delayed

    parallel = Parallel(n_jobs=workers, backend="loky", return_as="generator_unordered")
    yield from parallel(delayed(fn)(*args) for fn, args in jobs)


def dask(jobs: list[Job], address: str) -> Iterator[dict]:
    """An existing Dask distributed cluster (``tcp://HOST:PORT``)."""
    from ..scenario import Located, ScenarioError
    from ..scenario.loading import Where

    try:
        from distributed import Client, as_completed
    except ImportError:  # an extra, not in every install: one line at the command line, not a traceback
        raise ScenarioError([Located(Where("--scheduler", 0, 0), "", "needs dask.distributed: "
                                     "pip install -e '.[dask]' (or pip install 'cxsim[dask]')")]) from None
    try:
        client = Client(address, timeout="10s")
    except (OSError, TimeoutError, ValueError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else exc.__class__.__name__
        raise ScenarioError([Located(Where("--scheduler", 0, 0), "", f"cannot reach a Dask scheduler at "
                                     f"{address} ({reason})")]) from None
    with client:
        futures = [client.submit(fn, *args, pure=False) for fn, args in jobs]
        for future in as_completed(futures):
            yield future.result()

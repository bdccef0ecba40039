"""Where runs execute: in this process, in local worker processes (joblib), or on a Dask cluster.

Every backend yields finished runs as they complete; the caller sorts them, so the order runs
finish in never shows in the results.
"""

from __future__ import annotations

from typing import Any, Callable, Iterator

Job = tuple[Callable[..., dict], tuple[Any, ...]]


def serial(jobs: list[Job]) -> Iterator[dict]:
    for fn, args in jobs:
        yield fn(*args)


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

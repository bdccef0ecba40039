"""The output folder's per-contact tables, written while later runs still simulate.

Each table's Parquet file holds one row group per run, in the plan's order (replication, then
policy: :meth:`cxsim.experiment.plan.Plan.tasks`). As soon as a run has finished and every run
before it in that order is done, its rows go to the open file of each table, on a writer thread
(pyarrow lets go of Python's lock while it encodes and writes, so the writing overlaps the
simulating); at the end only the last runs and the files' footers are left. The files are the same,
to the byte, as those :meth:`cxsim.experiment.runner.Results.write` writes from all the runs at once
(both go through :class:`cxsim.tables.TableFile`).

The files are written into the output's hidden staging folder (:func:`cxsim.experiment.output.staging`),
which :func:`~cxsim.experiment.output.publish` later fills with the rest and renames to the output
folder; an error or Ctrl-C before that removes it (:meth:`TableStream.abort`), so the output folder
stays all-or-nothing, and the user's folder is never touched before the final rename.

Only where the order of the runs is known as they are started (:func:`cxsim.experiment.runner.run`
decides): the tables of a fresh, local run of one grid point, on one thread or several, with
``--precision`` too (its doubling only appends replications to the order). A resumed cache, a sweep,
worker processes (``--jobs``) and a Dask cluster keep the write after all runs.
"""

from __future__ import annotations

import queue
import shutil
import threading
import weakref
from pathlib import Path
from typing import TYPE_CHECKING

from ..tables import TABLES, TableFile

if TYPE_CHECKING:
    import pyarrow as pa

#: How long :meth:`TableStream.abort` waits for the writer thread to finish the row group it is writing.
ABORT_WAIT = 5.0


class _Shared:
    """What the writer thread and its stream share. The thread holds no reference to the stream, so a
    stream nobody writes out (an API caller's results never written) is collected, and its finalizer
    stops the thread and removes the folder."""

    __slots__ = ("error", "stopped")

    def __init__(self) -> None:
        self.error: BaseException | None = None
        self.stopped = False


class TableStream:
    """Parquet files of the tables of runs in a known order, written on a thread as the runs finish."""

    def __init__(self, folder: Path, names: tuple[str, ...] = TABLES) -> None:
        self.folder = folder
        self.names = names
        self.order: list[str] = []       # run keys in the files' order (extended by expect())
        self.waiting: dict[str, tuple[str, int, dict[str, pa.Table]]] = {}  # finished, not yet in order
        self.handed = 0                  # runs handed to the writer thread so far (the order's prefix)
        self._shared = _Shared()
        self._todo: queue.SimpleQueue = queue.SimpleQueue()
        folder.mkdir()
        # Files opened here, in the caller's thread: once abort() has removed the folder, the writer
        # thread creates nothing in it.
        try:
            files = {name: TableFile(folder / f"{name}.parquet", name) for name in names}
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        # Registered before the thread starts: whatever happens from here (an interrupt before the caller
        # holds the stream, results never written), the thread stops and the folder goes with the stream.
        self._cleanup = weakref.finalize(self, _stop, self._todo, self._shared, folder)
        self._thread = threading.Thread(target=_work, args=(self._todo, files, names, self._shared),
                                        name="cxsim-tables", daemon=True)
        self._thread.start()

    def expect(self, keys: list[str]) -> None:
        """The run keys in the files' order; a later call may only append to the order it gave before."""
        if keys[:len(self.order)] != self.order:
            raise ValueError("the order of the runs in a streamed table may only be extended")
        self.order = list(keys)

    def add(self, key: str, policy: str, replication: int, tables: dict[str, pa.Table]) -> None:
        """A finished run (from the caller's thread): its rows go to the writer once every run before it is in."""
        self._raise()
        self.waiting[key] = (policy, replication, tables)
        while self.handed < len(self.order) and self.order[self.handed] in self.waiting:
            self._todo.put(self.waiting.pop(self.order[self.handed]))
            self.handed += 1

    def finish(self) -> None:
        """Wait for the writer to write every run handed to it, and close the files (their footers)."""
        if self.handed != len(self.order) or self.waiting:
            raise RuntimeError(f"{len(self.order) - self.handed} runs of the streamed tables never came")
        self._todo.put(None)
        self._thread.join()
        self._raise()
        self._cleanup.detach()  # the folder is the output's now

    def abort(self) -> None:
        """Stop writing and remove the folder with what it holds."""
        self._shared.stopped = True
        self._todo.put(None)
        self._thread.join(ABORT_WAIT)
        self._cleanup()

    def _raise(self) -> None:
        error, self._shared.error = self._shared.error, None
        if error is not None:
            raise error


def _stop(todo: queue.SimpleQueue, shared: _Shared, folder: Path) -> None:
    shared.stopped = True
    todo.put(None)
    shutil.rmtree(folder, ignore_errors=True)


def _work(todo: queue.SimpleQueue, files: dict[str, TableFile], names: tuple[str, ...], shared: _Shared) -> None:
    """The writer thread: each run handed over, table by table, then every file's footer. Stopped early
    (abort, an error), it still closes its files, quietly: their folder is being removed."""
    try:
        while True:
            item = todo.get()
            if item is None or shared.stopped:
                break
            policy, replication, tables = item
            for name in names:
                files[name].write(policy, replication, tables[name])
                if shared.stopped:
                    break
        if not shared.stopped:
            for file in files.values():
                file.close()
            return
    except BaseException as exc:  # noqa: BLE001 - handed to the caller, raised there
        shared.error = exc
        shared.stopped = True
    for file in files.values():
        try:
            file.close()
        except Exception:  # noqa: BLE001, S110 - the files are being thrown away
            pass

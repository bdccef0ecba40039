"""The per-contact tables written while later runs simulate (cxsim.experiment.stream; issue 16):
the same bytes as when written after the last run, in the plan's order whatever order the runs
finish in, and an output folder that stays all-or-nothing."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

import cxsim
from cxsim.tables import TABLES, TableFile
from helpers import ROOT, run_interrupted

TINY = ROOT / "tests" / "data" / "tinypop.yaml"


@pytest.fixture(scope="module")
def scenario():
    return cxsim.load_scenario(TINY)


def hidden(folder: Path) -> list[str]:
    """The hidden staging folders (``.NAME.partial-…``) in ``folder``."""
    return sorted(p.name for p in folder.iterdir() if ".partial-" in p.name)


def same_folders(a: Path, b: Path) -> None:
    names = sorted(p.name for p in a.iterdir())
    assert names == sorted(p.name for p in b.iterdir()) and "encounters.parquet" in names
    for name in names:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name


@pytest.mark.parametrize("threads", [1, 3])
def test_streamed_tables_are_the_bytes_of_tables_written_after_the_runs(tmp_path, scenario, threads):
    """Three threads finish runs out of order: the rows still go in the plan's order."""
    out = tmp_path / "streamed"
    results = cxsim.run(scenario, replications=5, threads=threads, out=out)
    assert results.streamed is not None
    folder = results.streamed[1].folder
    assert folder.is_dir() and folder.parent == out.parent.absolute()
    assert results.write(out) == out  # the folder as the caller named it (the command prints it)
    assert not folder.exists() and results.streamed is None
    cxsim.run(scenario, replications=5, threads=1).write(tmp_path / "after")
    same_folders(out, tmp_path / "after")


def test_more_replications_for_precision_extend_the_streamed_order(tmp_path, scenario):
    """--precision doubles the replications (2, then 4): the new runs come after the first ones in the files."""
    out = tmp_path / "streamed"
    results = cxsim.run(scenario, replications=2, precision=1e-9, max_replications=4, threads=2, out=out)
    assert results.replications == 4 and results.streamed is not None
    results.write(out)
    cxsim.run(scenario, replications=4, threads=1).write(tmp_path / "after")
    same_folders(out, tmp_path / "after")


def test_rows_are_written_before_the_last_run_finishes(tmp_path, scenario, monkeypatch):
    """The first run's rows reach their files while the last run has not finished yet."""
    written: list[int] = []
    original = TableFile.write
    monkeypatch.setattr(TableFile, "write", lambda self, policy, rep, table: (written.append(rep),
                                                                                original(self, policy, rep, table))[1])
    seen_before_last = []

    def on_run(finished, total):
        if finished == total - 1:  # the last run is still to come: wait (a little) for the writer thread
            deadline = time.monotonic() + 20
            while 0 not in written and time.monotonic() < deadline:
                time.sleep(0.01)
            seen_before_last.append(0 in written)

    out = tmp_path / "out"
    cxsim.run(scenario, replications=4, threads=1, out=out, on_run=on_run).write(out)
    assert seen_before_last == [True]
    assert written == [r for r in range(4) for _ in TABLES]  # each run once per table, in order


def test_an_interrupted_streamed_run_leaves_no_staging_folder(tmp_path, scenario):
    out = tmp_path / "out"
    run_interrupted(scenario, tmp_path / ".out.runs", after=2, replications=6, threads=2, out=out)
    assert sorted(p.name for p in tmp_path.iterdir()) == [".out.runs"]  # finished runs kept; nothing else


def test_results_written_elsewhere_drop_the_staging_folder(tmp_path, scenario):
    out = tmp_path / "out"
    results = cxsim.run(scenario, replications=2, out=out)
    results.write(tmp_path / "elsewhere")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["elsewhere"]
    assert (tmp_path / "elsewhere" / "encounters.parquet").is_file()


@pytest.mark.parametrize("options", [{"keep_tables": False}, {"sets": ["teams.t.agents=2,3"]}])
def test_no_stream_where_no_tables_are_written_run_by_run(tmp_path, scenario, options):
    """Summary-only runs have no tables; a sweep writes none (only runs.parquet)."""
    out = tmp_path / "out"
    results = cxsim.run(scenario, replications=2, out=out, **options)
    assert results.streamed is None and not hidden(tmp_path)


def test_a_resumed_cache_writes_the_tables_after_the_runs(tmp_path, scenario):
    """Runs an earlier command finished are on disk, not in this process: no stream, the same bytes."""
    cache = tmp_path / ".out.runs"
    run_interrupted(scenario, cache, after=2, replications=4, threads=1)
    out = tmp_path / "out"
    results = cxsim.run(scenario, replications=4, cache=cache, threads=2, out=out)
    assert results.streamed is None
    results.write(out)
    cxsim.run(scenario, replications=4, threads=1).write(tmp_path / "fresh")
    same_folders(out, tmp_path / "fresh")


def test_the_writer_thread_ends_with_the_results(tmp_path, scenario):
    out = tmp_path / "out"
    cxsim.run(scenario, replications=2, out=out).write(out)
    assert not [t for t in threading.enumerate() if t.name == "cxsim-tables"]


def test_columns_copied_block_by_block_equal_each_column_cast_on_its_own():
    """cxsim.tables._columns (rows copied out in cache-sized blocks) against numpy's astype, column by
    column, over several blocks and a ragged end: floats with NaN, integers, negative codes, bools."""
    import numpy as np

    from cxsim.tables import BLOCK, _columns

    rng = np.random.default_rng(7)
    n = 2 * BLOCK + 13
    rows = np.column_stack([rng.normal(size=n), rng.integers(-5, 10**9, n).astype(float),
                            rng.integers(-1, 100, n).astype(float), rng.integers(0, 2, n).astype(float),
                            np.where(rng.random(n) < 0.1, np.nan, rng.random(n))])
    kinds = [np.float64, np.int64, np.int8, np.bool_, np.float64]
    for got, i, kind in zip(_columns(rows, kinds), range(5), kinds):
        want = rows[:, i].astype(kind)
        assert got.dtype == want.dtype and got.flags.c_contiguous
        np.testing.assert_array_equal(got, want)
    assert [len(c) for c in _columns(rows[:0], kinds)] == [0] * 5


def test_two_pending_results_for_one_folder_do_not_share_their_tables(tmp_path, scenario):
    """Two results made for the same folder before either is written (API use): each keeps its own
    staging folder, and the folder ends up holding the second's results, readable, as written alone."""
    other = scenario.model_copy(update={"seed": scenario.seed + 1})
    out = tmp_path / "out"
    first = cxsim.run(scenario, replications=2, threads=1, out=out)
    second = cxsim.run(other, replications=3, threads=1, out=out)
    assert first.streamed[1].folder != second.streamed[1].folder
    first.write(out)
    second.write(out)
    cxsim.run(other, replications=3, threads=1).write(tmp_path / "alone")
    same_folders(out, tmp_path / "alone")
    assert not hidden(tmp_path)


def test_a_change_of_working_folder_before_the_write_keeps_the_streamed_tables(tmp_path, scenario, monkeypatch):
    monkeypatch.chdir(tmp_path)
    results = cxsim.run(scenario, replications=2, threads=1, out=Path("out"))
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    results.write(tmp_path / "out")
    cxsim.run(scenario, replications=2, threads=1).write(tmp_path / "after")
    same_folders(tmp_path / "out", tmp_path / "after")
    assert not hidden(tmp_path) and not list((tmp_path / "elsewhere").iterdir())


def test_results_never_written_stop_their_writer_and_leave_no_folder(tmp_path, scenario):
    """An API caller who asks for ``out`` and then drops the results: the writer thread ends and the
    staging folder goes when the results are collected, not at exit."""
    import gc

    results = cxsim.run(scenario, replications=2, threads=1, out=tmp_path / "out")
    folder, thread = results.streamed[1].folder, results.streamed[1]._thread
    assert folder.is_dir() and thread.is_alive()
    del results
    gc.collect()
    thread.join(10)
    assert not thread.is_alive() and not folder.exists() and not hidden(tmp_path)

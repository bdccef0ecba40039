"""Per-run tables as Arrow, and Parquet files written from them in column batches.

Both engines hand over their records as one float array per table (one row per record, one
column per field of :mod:`cxsim.records`); the SimPy engine's lists of tuples become such an
array first. Each column is cast to its field's type and coded columns become dictionary
columns (read back by pandas as categoricals) — whole columns at a time, with no per-row Python
objects and no pandas, so writing the tables costs little next to simulating them. Both engines
go through this one path, so equal records give equal bytes.

The Arrow arrays are made over the numpy columns' memory (:func:`arrow_column`), not with
``pa.array``: that one imports pandas (0.3 s) to ask whether its argument is a pandas object.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, get_type_hints

import numpy as np
import pyarrow as pa

from .layouts import J_CONTACTS, J_CUSTOMER, J_RECOMMEND, J_STATUS
from .minutes import MONTH
from .records import (
    GIVEN_UP, KINDS, NPS_CLASSES, OUTCOMES, SOLVED, STATUSES, AgentRecord, Customer, Day, Encounter, Journey, Review,
)

if TYPE_CHECKING:
    from .compiled import Params

#: The tables of one run, in the order they are written, and the record each row is.
RECORDS = {"encounters": Encounter, "journeys": Journey, "agents": AgentRecord, "daily": Day, "reviews": Review,
           "customers": Customer}
TABLES = tuple(RECORDS)

#: Coded columns and the list of names their codes index (fixed lists, or the scenario's).
CODED = {
    "encounters": {"kind": KINDS, "outcome": OUTCOMES, "channel": "channels", "need_type": "needs"},
    "journeys": {"status": STATUSES, "need_type": "needs", "first_channel": "channels"},
    "agents": {"team": "teams"},
    "daily": {},
    "reviews": {},
    "customers": {"segment": "segments", "nps_class": NPS_CLASSES},
}
_NUMPY = {int: np.int64, float: np.float64, bool: np.bool_}
_ARROW = {int: pa.int64(), float: pa.float64(), bool: pa.bool_()}
CODE = pa.int8()  # as the pandas categoricals these tables used to be


def _labels(names: str | tuple[str, ...], params: Params) -> tuple[str, ...]:
    if not isinstance(names, str):
        return names
    return {"channels": tuple(c.name for c in params.channels), "needs": tuple(params.need_names),
            "teams": tuple(t.name for t in params.teams), "segments": tuple(params.customers.names)}[names]


@lru_cache(maxsize=None)
def _hints(name: str) -> dict:
    """The field types of table ``name``'s record (``typing.get_type_hints`` is slow: asked once)."""
    return get_type_hints(RECORDS[name])


@lru_cache(maxsize=None)
def schema(name: str) -> pa.Schema:
    """The Arrow schema of table ``name``: the record's fields, in order, with their types."""
    hints = _hints(name)
    return pa.schema([(f, pa.dictionary(CODE, pa.string()) if f in CODED[name] else _ARROW[hints[f]])
                      for f in RECORDS[name]._fields])


def arrow_column(values: np.ndarray, kind: pa.DataType, valid: np.ndarray | None = None) -> pa.Array:
    """A numpy column (int, float or bool) as an Arrow array of type ``kind``; where ``valid`` is
    False, null. The same array as ``pa.array(values, mask=~valid)``, made without pyarrow's
    pandas checks; bools are packed to bits as Arrow stores them."""
    values = np.ascontiguousarray(values)
    data = pa.py_buffer(np.packbits(values, bitorder="little") if values.dtype == np.bool_ else values)
    nulls = 0 if valid is None else int(valid.size - np.count_nonzero(valid))
    bitmap = pa.py_buffer(np.packbits(valid, bitorder="little")) if nulls else None
    return pa.Array.from_buffers(kind, len(values), [bitmap, data], null_count=nulls)


def arrow_strings(texts: Iterable[str]) -> pa.Array:
    """Python strings as an Arrow string array (as ``pa.array(texts, pa.string())``, without pandas checks)."""
    encoded = [t.encode() for t in texts]
    offsets = np.zeros(len(encoded) + 1, dtype=np.int32)
    np.cumsum([len(e) for e in encoded], out=offsets[1:])
    return pa.Array.from_buffers(pa.string(), len(encoded), [None, pa.py_buffer(offsets),
                                                              pa.py_buffer(b"".join(encoded))])


def from_rows(name: str, rows: np.ndarray, params: Params) -> pa.Table:
    """Table ``name`` from a float array with one row per record and one column per field."""
    record = RECORDS[name]
    rows = np.asarray(rows, dtype=np.float64).reshape(-1, len(record._fields))
    hints, coded = _hints(name), CODED[name]
    kinds = [np.int8 if field in coded else _NUMPY[hints[field]] for field in record._fields]
    columns = []
    for field, column in zip(record._fields, _columns(rows, kinds)):
        if field in coded:
            columns.append(pa.DictionaryArray.from_arrays(
                arrow_column(column, CODE, valid=column >= 0), arrow_strings(_labels(coded[field], params))))
        else:
            columns.append(arrow_column(column, _ARROW[hints[field]]))
    return pa.Table.from_arrays(columns, schema=schema(name))


#: Rows per block in :func:`_columns`: a block of a wide table (16 float columns: 512 KiB) stays in the CPU's cache.
BLOCK = 4096


def _columns(rows: np.ndarray, kinds: list) -> list[np.ndarray]:
    """Each column of a row-major float array, as a contiguous array of its type (cast as ``astype``
    casts), copied out block of rows by block: each block is read from memory once for all its
    columns, not once per column (0.6× the time of copying column by column, on the encounters)."""
    n = len(rows)
    columns = [np.empty(n, dtype=kind) for kind in kinds]
    for start in range(0, n, BLOCK):
        block = rows[start:start + BLOCK]
        for i, column in enumerate(columns):
            column[start:start + BLOCK] = block[:, i]
    return columns


def run_tables(record, params: Params) -> dict[str, pa.Table]:
    """The tables of one replication from an engine's records (either engine's recorder)."""
    if hasattr(record, "encounter_rows"):  # the fast engine: arrays already
        rows = (record.encounter_rows, record.journey_rows, record.agent_rows, record.day_rows, record.review_rows)
    else:  # the SimPy engine: lists of tuples, made one array each (in C, not row by row in Python)
        rows = tuple(np.array(r, dtype=np.float64) for r in
                     (record.encounters, record.journeys, record.agents, record.days, record.reviews))
    base = record.customer_rows if hasattr(record, "customer_rows") else np.array(record.customers, dtype=np.float64)
    rows = (*rows, customer_rows(base, rows[1], params))
    return {name: from_rows(name, r, params) for name, r in zip(TABLES, rows)}


def customer_rows(base: np.ndarray, journeys: np.ndarray, params: Params) -> np.ndarray:
    """The customer table (``records.Customer``) from each customer's (id, segment, joined, left) and
    the journeys: needs, contacts, solved, given up, the class of the last recommendation, value lost."""
    base = np.asarray(base, dtype=np.float64).reshape(-1, 4)
    n = len(base)
    out = np.zeros((n, len(Customer._fields)))
    out[:, :4] = base
    out[:, Customer._fields.index("nps_class")] = -1
    if not n:
        return out
    journeys = np.asarray(journeys, dtype=np.float64).reshape(-1, len(Journey._fields))
    cid = journeys[:, J_CUSTOMER].astype(np.int64)
    mine = cid >= 0
    cid, rows = cid[mine], journeys[mine]
    column = Customer._fields.index
    for field, values in (("needs", np.ones(len(cid))), ("contacts", rows[:, J_CONTACTS]),
                          ("solved", rows[:, J_STATUS] == SOLVED), ("given_up", rows[:, J_STATUS] == GIVEN_UP)):
        np.add.at(out[:, column(field)], cid, values)
    asked = rows[:, J_RECOMMEND] >= 0
    last = np.full(n, -1, dtype=np.int64)
    np.maximum.at(last, cid[asked], np.flatnonzero(asked))  # journeys are recorded in the order they end
    ltr = rows[last[last >= 0], J_RECOMMEND]
    out[last >= 0, column("nps_class")] = np.where(ltr >= 9, 2, np.where(ltr <= 6, 0, 1))
    left = base[:, 3]
    churned = ~np.isnan(left)
    out[:, column("churned")] = churned
    value = params.customers.value[base[:, 1].astype(np.int64)]
    out[:, column("value_lost")] = np.where(churned, value * (params.horizon - np.where(churned, left, 0.0)) / MONTH,
                                            0.0)
    return out


def numpy_column(table: pa.Table, field: str, dtype) -> np.ndarray:
    """A column as numpy (a dictionary column as its codes)."""
    column = table.column(field).combine_chunks()
    if pa.types.is_dictionary(column.type):
        column = column.indices
    return column.to_numpy(zero_copy_only=False).astype(dtype, copy=False)


def labelled(table: pa.Table, policy: str, replication: int) -> pa.Table:
    """One run's table with ``policy`` and ``replication`` columns first (as in the output files)."""
    n = table.num_rows
    table = table.add_column(0, pa.field("replication", pa.int64()),
                             arrow_column(np.full(n, replication, dtype=np.int64), pa.int64()))
    text = policy.encode()
    policies = pa.Array.from_buffers(pa.string(), n, [None, pa.py_buffer(np.arange(n + 1, dtype=np.int32) * len(text)),
                                                      pa.py_buffer(text * n)])
    return table.add_column(0, pa.field("policy", pa.string()), policies)


def write_parquet(path: Path, name: str, runs: Iterable[tuple[str, int, pa.Table]]) -> None:
    """Write table ``name`` of many runs to one Parquet file, one row group per run, run by run."""
    with TableFile(path, name) as file:
        for policy, replication, table in runs:
            file.write(policy, replication, table)


class TableFile:
    """One table's Parquet file in the output folder, written run by run: one row group per run, with
    ``policy`` and ``replication`` columns first; :meth:`close` writes the footer. The same bytes
    whether the runs come all at once (:func:`write_parquet`) or one at a time as they finish
    (:mod:`cxsim.experiment.stream`).

    Only the coded columns (and the policy) are dictionary-encoded: trying it on columns of
    distinct floats, as Parquet does by default, doubled the cost of writing and saved nothing.
    """

    def __init__(self, path: Path, name: str) -> None:
        import pyarrow.parquet as pq

        labelled_schema = pa.schema([pa.field("policy", pa.string()), pa.field("replication", pa.int64()),
                                     *schema(name)])
        self.writer = pq.ParquetWriter(path, labelled_schema, use_dictionary=["policy", *CODED[name]])

    def write(self, policy: str, replication: int, table: pa.Table) -> None:
        self.writer.write_table(labelled(table, policy, replication))

    def close(self) -> None:
        self.writer.close()

    def __enter__(self) -> TableFile:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


#: The file suffix of one run's table while an experiment runs (see :func:`write_run`).
RUN_SUFFIX = ".arrow"


def write_run(path: Path, table: pa.Table) -> None:
    """One run's table in the experiment's cache: Arrow IPC, uncompressed — written and read back at
    memory speed (it only waits there until the output folder is written, as Parquet).

    The file ``pyarrow.feather.write_feather(table, path, compression="uncompressed")`` writes, to the
    byte (Feather V2 is this IPC file, in batches of 64 Ki rows), without its check for a pandas
    DataFrame, which imports pandas (0.3 s)."""
    import pyarrow.ipc as ipc

    with ipc.new_file(path, table.schema, options=ipc.IpcWriteOptions(compression=None)) as writer:
        writer.write_table(table, max_chunksize=64 * 1024)


def read_run(path: Path) -> pa.Table:
    import pyarrow.feather as feather

    return feather.read_table(path, memory_map=False)

"""The per-contact tables are built from the engine's arrays over their own memory (issue 16 item 2):
the same Arrow tables, and the same Parquet bytes, as ``pa.array`` on each column gave before.

The reference below is the previous construction (``pa.array`` per column, ``pa.repeat`` for the
labels), kept here as the oracle.
"""

from __future__ import annotations

import io
from typing import get_type_hints

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import cxsim
from cxsim.compiled import compile_scenario
from cxsim.engines.fast import simulate
from cxsim.minutes import DAY
from cxsim.tables import CODED, RECORDS, TABLES, _labels, labelled, run_tables, schema

from helpers import ROOT, SCENARIOS

_NUMPY = {int: np.int64, float: np.float64, bool: np.bool_}


def _reference(name: str, rows: np.ndarray, params) -> pa.Table:
    record = RECORDS[name]
    rows = np.asarray(rows, dtype=np.float64).reshape(-1, len(record._fields))
    hints, coded = get_type_hints(record), CODED[name]
    columns = []
    for i, field in enumerate(record._fields):
        column = rows[:, i]
        if field in coded:
            codes = column.astype(np.int8)
            columns.append(pa.DictionaryArray.from_arrays(pa.array(codes, mask=codes < 0),
                                                          pa.array(_labels(coded[field], params), pa.string())))
        else:
            columns.append(pa.array(column.astype(_NUMPY[hints[field]])))
    return pa.Table.from_arrays(columns, schema=schema(name))


def _reference_labelled(table: pa.Table, policy: str, replication: int) -> pa.Table:
    n = table.num_rows
    table = table.add_column(0, pa.field("replication", pa.int64()), pa.repeat(pa.scalar(replication, pa.int64()), n))
    return table.add_column(0, pa.field("policy", pa.string()), pa.repeat(pa.scalar(policy, pa.string()), n))


def _same(a: pa.Table, b: pa.Table) -> bool:
    """Same schema (metadata included), and column by column the same nulls and values, NaN equal to NaN
    (``Table.equals`` counts NaN as unequal to itself)."""
    if not a.schema.equals(b.schema, check_metadata=True) or a.num_rows != b.num_rows:
        return False
    for x, y in zip(a.columns, b.columns):
        x, y = x.combine_chunks(), y.combine_chunks()
        if pa.types.is_dictionary(x.type):
            if not x.dictionary.equals(y.dictionary):
                return False
            x, y = x.indices, y.indices
        if not x.is_null().equals(y.is_null()):
            return False
        valid = ~np.asarray(x.is_null().to_numpy(zero_copy_only=False))
        xs, ys = (np.asarray(c.to_numpy(zero_copy_only=False))[valid] for c in (x, y))
        if not np.array_equal(xs, ys, equal_nan=xs.dtype.kind == "f"):
            return False
    return True


def _parquet(table: pa.Table, name: str) -> bytes:
    sink = io.BytesIO()
    pq.write_table(table, sink, use_dictionary=["policy", *CODED[name]])
    return sink.getvalue()


CASES = {
    # every table kind: customers with segments and unanswered surveys (null classes), reviews, days
    "contact_centre": (SCENARIOS / "contact_centre.yaml", {"horizon": 3 * DAY, "warmup": DAY}),
    "measurement": (SCENARIOS / "measurement.yaml", {"horizon": 10 * DAY, "warmup": DAY}),
    "erlang_a": (SCENARIOS / "erlang_a.yaml", {}),
    "tinypop": (ROOT / "tests" / "data" / "tinypop.yaml", {}),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_tables_and_parquet_bytes_equal_the_pa_array_construction(case):
    path, update = CASES[case]
    scenario = cxsim.load_scenario(path).model_copy(update=update)
    params = compile_scenario(scenario, next(iter(scenario.policies), None) if scenario.policies else None)
    record = simulate(params, 7, 0)
    tables = run_tables(record, params)
    rows = dict(zip(TABLES[:5], (record.encounter_rows, record.journey_rows, record.agent_rows, record.day_rows,
                                 record.review_rows)))
    checked_nulls = 0
    for name in TABLES:
        if name == "customers":  # built from the other tables: compare with the reference on the same rows
            from cxsim.tables import customer_rows

            reference = _reference(name, customer_rows(record.customer_rows, record.journey_rows, params), params)
        else:
            reference = _reference(name, rows[name], params)
        assert _same(tables[name], reference), (case, name)
        checked_nulls += sum(c.null_count for c in reference.columns)
        ours, theirs = labelled(tables[name], "encounter", 3), _reference_labelled(reference, "encounter", 3)
        assert _same(ours, theirs), (case, name)
        assert _parquet(ours, name) == _parquet(theirs, name), (case, name)
    if case == "contact_centre":
        assert tables["encounters"].num_rows > 1000 and checked_nulls > 0  # the nulls (no class) were exercised

"""Writing frames into PostgreSQL with COPY: ids, CSV and binary formats, index rebuilds.

Text-heavy tables go as CSV written by Arrow (C++, no Python per row); all-number tables
(sales, many-to-many rows) as PostgreSQL's binary COPY format built with numpy record
arrays, which the server reads without parsing text.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import TypeVar

import numpy as np
import pandas as pd
import psycopg
import pyarrow as pa
import pyarrow.csv as pacsv
from psycopg import sql
from psycopg.abc import Buffer

T = TypeVar("T")
R = TypeVar("R")

# Below this many rows, keeping indexes and constraints costs less than rebuilding them, and
# the table stays readable to others while the seed runs (DROP INDEX locks it exclusively).
REBUILD_MIN_ROWS = 50_000
# For the index builds after a bulk load (10,000,000 sales sort in memory). Since meibo_grams
# became cheap, the people grams index (~190 entries a person) is bound by how often the GIN
# build spills: 1,000,000 people's in 154 s at 2GB against 229 s at 512MB, at the same load.
MAINTENANCE_WORK_MEM = "2GB"

_BINARY_HEADER = b"PGCOPY\n\xff\r\n\x00" + (0).to_bytes(4, "big") * 2
_BINARY_TRAILER = (-1).to_bytes(2, "big", signed=True)
_PG_EPOCH_DAY = np.datetime64("2000-01-01", "D")
_PG_EPOCH_US = np.datetime64("2000-01-01T00:00:00", "us")
# numpy type (big-endian, as the binary format wants) of each PostgreSQL type written here.
_BINARY_TYPES = {"int8": ">i8", "int4": ">i4", "date": ">i4", "timestamptz": ">i8"}


def reserve_ids(cur: psycopg.Cursor, table: str, count: int) -> int:
    """Take ``count`` consecutive ids from the table's identity sequence; return the first.

    The caller holds a lock that keeps other writers out of the table meanwhile.
    """
    if count == 0:
        return 0
    cur.execute(
        "SELECT setval(s, nextval(s) + %s - 1) FROM pg_get_serial_sequence(%s, 'id') AS s",
        [count, table],
    )
    row = cur.fetchone()
    assert row is not None
    return int(row[0]) - count + 1


def ids(positions: np.ndarray, first_id: int) -> pd.Series:
    """Row positions (-1: none) as the ids reserved from ``first_id``, NULL for none."""
    values = pd.array(positions + first_id, dtype="Int64")
    values[positions < 0] = pd.NA
    return pd.Series(values)


@contextmanager
def copy_into(
    cur: psycopg.Cursor, table: str, columns: list[str], *, binary: bool = False
) -> Iterator[Callable[[Buffer], None]]:
    """One COPY into the table's columns; yields ``write`` for blocks of csv_block() or
    binary_block() rows. One statement for a whole table, however many blocks."""
    statement = sql.SQL("COPY {} ({}) FROM STDIN (FORMAT {})").format(
        sql.Identifier(table),
        sql.SQL(", ").join(map(sql.Identifier, columns)),
        sql.SQL("binary" if binary else "csv"),
    )
    with cur.copy(statement) as copy:
        if binary:
            copy.write(_BINARY_HEADER)
        yield copy.write
        if binary:
            copy.write(_BINARY_TRAILER)


def copy_frame(cur: psycopg.Cursor, table: str, frame: pd.DataFrame) -> None:
    """COPY a whole frame, its columns named as the table's."""
    types = column_types(cur, table)
    with copy_into(cur, table, list(frame.columns)) as write:
        write(csv_block(frame, types))


def csv_block(frame: pd.DataFrame, types: dict[str, str]) -> Buffer:
    """The frame as COPY CSV, written by Arrow. ``types``: column_types() of the table."""
    columns = {}
    for name in frame.columns:
        array = pa.array(frame[name], from_pandas=True)
        if types[name] == "date" and pa.types.is_timestamp(array.type):
            array = array.cast(pa.date32())
        columns[name] = array
    sink = pa.BufferOutputStream()
    # Arrow quotes every string and leaves NULLs empty and unquoted: COPY's CSV rule for
    # telling NULL from ''.
    pacsv.write_csv(pa.table(columns), sink, pacsv.WriteOptions(include_header=False))
    return memoryview(sink.getvalue())


def binary_block(columns: dict[str, tuple[str, np.ndarray | pd.Series | None]]) -> Buffer:
    """Rows in COPY's binary format from columns {name: (PostgreSQL type, values)}; values
    None: NULL in every row. Every row then has the same layout (field count, then length
    and value of each field), so the block is one numpy record array."""
    count = next(len(v) for _, v in columns.values() if v is not None)
    layout = [("fields", ">i2")]
    for i, (pg_type, values) in enumerate(columns.values()):
        layout.append((f"len{i}", ">i4"))
        if values is not None:
            layout.append((f"val{i}", _BINARY_TYPES[pg_type]))
    rows = np.empty(count, dtype=np.dtype(layout))
    rows["fields"] = len(columns)
    for i, (pg_type, values) in enumerate(columns.values()):
        if values is None:
            rows[f"len{i}"] = -1
        else:
            rows[f"len{i}"] = np.dtype(_BINARY_TYPES[pg_type]).itemsize
            rows[f"val{i}"] = _binary_values(pg_type, values)
    return memoryview(rows).cast("B")


def _binary_values(pg_type: str, values: np.ndarray | pd.Series) -> np.ndarray:
    if pg_type == "date":
        return (np.asarray(values, dtype="datetime64[D]") - _PG_EPOCH_DAY).astype(np.int64)
    if pg_type == "timestamptz":
        utc = pd.Series(values).dt.tz_convert("UTC").dt.tz_localize(None)
        return (utc.to_numpy(dtype="datetime64[us]") - _PG_EPOCH_US).astype(np.int64)
    return np.asarray(values)


def ahead(make: Callable[[T], R], items: Sequence[T]) -> Iterator[R]:
    """make(item) for each item, in order, making the next in a thread while the caller
    uses the current: the next chunk is drawn while the server takes in this one."""
    if not items:
        return
    with ThreadPoolExecutor(max_workers=1) as pool:
        future = pool.submit(make, items[0])
        for item in items[1:]:
            done, future = future.result(), pool.submit(make, item)
            yield done
        yield future.result()


def column_types(cur: psycopg.Cursor, table: str) -> dict[str, str]:
    cur.execute(
        "SELECT column_name, data_type FROM information_schema.columns "
        "WHERE table_schema = current_schema() AND table_name = %s",
        [table],
    )
    return dict(cur.fetchall())


@contextmanager
def indexes_rebuilt_after(
    cur: psycopg.Cursor, table: str, *, rows: int, seconds: dict[str, float]
) -> Iterator[None]:
    """While an EMPTY table is filled with many rows, drop its secondary indexes and its
    foreign-key and unique constraints; build them again (and check the foreign keys, one
    join each instead of one lookup per row) when the block ends. ``seconds`` gets the time
    each took to build.

    A table that already has rows, or gets few, keeps everything: the block then changes
    nothing. The drops are inside the caller's transaction, so a failure anywhere (or a
    killed worker) rolls them back together with the rows.
    """
    cur.execute(sql.SQL("SELECT EXISTS (SELECT 1 FROM {})").format(sql.Identifier(table)))
    row = cur.fetchone()
    if rows < REBUILD_MIN_ROWS or (row is not None and row[0]):
        yield
        return
    # Unique constraints (and the indexes behind them) first, then foreign keys.
    cur.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = %s::regclass AND contype IN ('u', 'f') ORDER BY contype DESC, conname",
        [table],
    )
    constraints = cur.fetchall()
    cur.execute(
        "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x "
        "JOIN pg_class i ON i.oid = x.indexrelid "
        "WHERE x.indrelid = %s::regclass AND NOT x.indisprimary "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid) "
        "ORDER BY i.relname",
        [table],
    )
    indexes = cur.fetchall()
    for name, _ in constraints:
        cur.execute(
            sql.SQL("ALTER TABLE {} DROP CONSTRAINT {}").format(
                sql.Identifier(table), sql.Identifier(name)
            )
        )
    for name, _ in indexes:
        cur.execute(sql.SQL("DROP INDEX {}").format(sql.Identifier(name)))
    yield
    cur.execute(
        sql.SQL("SET LOCAL maintenance_work_mem = {}").format(sql.Literal(MAINTENANCE_WORK_MEM))
    )
    for name, definition in indexes:
        started = time.monotonic()
        cur.execute(definition)
        seconds[name] = round(time.monotonic() - started, 2)
    for name, definition in constraints:
        started = time.monotonic()
        cur.execute(
            sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} {}").format(
                sql.Identifier(table), sql.Identifier(name), sql.SQL(definition)
            )
        )
        seconds[name] = round(time.monotonic() - started, 2)

"""The two UNLOGGED tables an import keeps its rows in, and COPY into them.

``importers_stage_<id>``: one row per data row of the file — ``row_no`` (the spreadsheet row,
header = 1), ``errors`` (JSON list from the input rules), ``f_<field>`` normalised values as
text, ``o_<field>`` the original cell where normalising changed it, ``c_<key>`` custom values
as JSON text. Written once by COPY, read by the plan and the commit.

``importers_plan_<id>``: per row what the register says about it — resolved ids
(``r_company`` …), the matched record (``target_id``), duplicates, errors found by SQL, the
``action`` (insert, update, unchanged, skip, error) and ``done`` once committed. Rebuilt by
CREATE TABLE AS (cheaper than updating a million wide rows), so the preview can be redone.

UNLOGGED: not written to the WAL (about twice as fast to fill); a PostgreSQL crash empties
them, and the preview is then run again from the kept file.
"""

from __future__ import annotations

import io
import json
from typing import Any

import pyarrow as pa
import pyarrow.csv as pa_csv
from django.db import connection

from importers.services.base import Target
from importers.validation import Staged


def ident(name: str) -> str:
    """A quoted SQL identifier (custom field keys may hold '-')."""
    return '"' + name.replace('"', '""') + '"'


def json_value(raw: Any) -> Any:
    """A jsonb column read with a raw cursor: Django has psycopg hand jsonb over as text."""
    return json.loads(raw) if isinstance(raw, str) else raw


def stage_table(import_id: int) -> str:
    return f"importers_stage_{int(import_id)}"


def plan_table(import_id: int) -> str:
    return f"importers_plan_{int(import_id)}"


def ref_columns(target: Target) -> list[str]:
    """The r_ columns of a target: one per referencing column (company_id → r_company)."""
    names: list[str] = []
    for field in target.fields:
        if field.ref is not None and field.column:
            name = "r_" + field.column.removesuffix("_id")
            if name not in names:
                names.append(name)
    return names


def stage_columns(target: Target, custom_keys: list[str]) -> list[tuple[str, str]]:
    """(name, SQL type) of every column but row_no and errors."""
    columns = []
    for field in target.fields:
        if field.virtual:
            continue
        columns += [(f"f_{field.name}", "text"), (f"o_{field.name}", "text")]
    columns += [(name, "bigint") for name in ref_columns(target)]
    columns += [(f"c_{key}", "text") for key in custom_keys]
    return columns


def stage_create(*, import_id: int, target: Target, custom_keys: list[str]) -> None:
    """(Re)create the empty staging table; a re-run preview starts from nothing."""
    table = stage_table(import_id)
    columns = ", ".join(
        f"{ident(name)} {sql_type}" for name, sql_type in stage_columns(target, custom_keys)
    )
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {plan_table(import_id)}")
        cursor.execute(f"DROP TABLE IF EXISTS {table}")
        cursor.execute(
            f"CREATE UNLOGGED TABLE {table} (row_no integer NOT NULL, errors jsonb, {columns})"
        )


def stage_index(*, import_id: int) -> None:
    """The primary key, added after COPY (one sorted build instead of a million inserts).
    Only row_no is analysed: the planner needs the row count, and statistics of eighty text
    columns would cost a second per hundred thousand rows."""
    table = stage_table(import_id)
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE {table} ADD PRIMARY KEY (row_no)")
        cursor.execute(f"ANALYZE {table} (row_no)")


def session_tune() -> None:
    """For the set-based statements of the current transaction: no JIT (compiling the wide
    plan expressions costs seconds and saves less), and hash joins and sorts in memory."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")
        cursor.execute("SET LOCAL work_mem = '256MB'")


def stage_drop(*, import_id: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {plan_table(import_id)}")
        cursor.execute(f"DROP TABLE IF EXISTS {stage_table(import_id)}")


def stage_exists(*, import_id: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT to_regclass(%s) IS NOT NULL AND to_regclass(%s) IS NOT NULL",
            [stage_table(import_id), plan_table(import_id)],
        )
        return bool(cursor.fetchone()[0])


def stage_copy(*, import_id: int, staged: Staged) -> int:
    """COPY a validated chunk into the staging table; returns the rows written.

    The chunk becomes an Arrow table written as CSV by Arrow's C++ writer: a null is an
    empty unquoted field, which COPY reads as NULL, and every text is quoted.
    """
    names = ["row_no", "errors", *staged.columns]
    arrays = [pa.array(staged.rows, type=pa.int32()), pa.array(staged.errors_column(), pa.string())]
    for name, values in staged.columns.items():
        if name.startswith("r_"):
            arrays.append(pa.array(values, pa.int64(), from_pandas=True))
        else:
            arrays.append(pa.array(values.to_numpy(dtype=object), pa.string(), from_pandas=True))
    table = pa.Table.from_arrays(arrays, names=names)
    buffer = io.BytesIO()
    pa_csv.write_csv(
        table,
        buffer,
        write_options=pa_csv.WriteOptions(include_header=False, quoting_style="needed"),
    )
    column_list = ", ".join(ident(name) for name in names)
    with (
        connection.cursor() as cursor,
        cursor.copy(
            f"COPY {stage_table(import_id)} ({column_list}) FROM STDIN (FORMAT csv)"
        ) as copy,
    ):
        copy.write(buffer.getbuffer())
    return len(staged.rows)

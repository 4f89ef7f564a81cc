"""The commit's SQL: planned rows written to the register, one range of rows at a time.

Each range is one transaction that writes its rows and marks them ``done`` in the plan, so
a worker killed mid-commit loses the range it was in and nothing else, and the retried job
continues with the rows not done: every row is written exactly once. New records get their
ids from the table's sequence inside the same statement that marks them done.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import connection, models
from django.utils import timezone

from importers.services.base import Field
from importers.services.plan import (
    PlanSpec,
    custom_sql,
    literal,
    m2m_fields,
    people_department_sql,
    written_columns,
)
from importers.staging import ident


def model_for_table(table: str) -> type[models.Model]:
    for model in apps.get_models():
        if model._meta.db_table == table:
            return model
    raise LookupError(table)


def insert_defaults(model: type[models.Model], given: set[str]) -> dict[str, str]:
    """SQL values for the NOT NULL columns a new row needs and the file does not give:
    timestamps, the model's defaults (False, 'prospect', {})."""
    out: dict[str, str] = {}
    for field in model._meta.concrete_fields:
        column = field.column
        if column in given or field.primary_key or getattr(field, "generated", False):
            continue
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            # The time of the statement, as Django's save() would stamp it.
            out[column] = "statement_timestamp()"
        elif not field.null and field.has_default():
            out[column] = literal(field.get_default())
    return out


def _range(spec: PlanSpec, action: str) -> str:
    return (
        f"{spec.stage} s JOIN {spec.plan} p USING (row_no) WHERE p.action = '{action}' "
        f"AND NOT p.done AND s.row_no BETWEEN %(lo)s AND %(hi)s"
    )


# ---------------------------------------------------------------------------------------------
# Companies and departments named in the file but not registered
# ---------------------------------------------------------------------------------------------


def missing_create(*, spec: PlanSpec) -> dict[str, int]:
    """Create the companies (and departments) the rows name, when the user asked for it.

    Run in the commit's first transaction, under an advisory lock so that two imports
    naming the same new company create it once; NOT EXISTS makes a re-run create nothing.
    Returns how many of each were created.
    """
    created: dict[str, int] = {}
    if not spec.create_missing:
        return created
    creatable = [
        f
        for f in spec.target.fields
        if f.ref is not None and f.ref.create and f.name in spec.mapped
    ]
    if not creatable:
        return created
    # Statistics of the columns these statements filter and join on (the preview analysed
    # row_no only): without them the planner guesses the rows to resolve and may loop.
    columns = {ident(f.stage) for f in creatable} | {
        f"r_{f.column.removesuffix('_id')}" for f in creatable if f.column
    }
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {spec.stage} ({', '.join(sorted(columns))})")
    # Unscoped (companies) before scoped (departments within them).
    for field in sorted(creatable, key=lambda f: f.ref.scope is not None):
        created[field.ref.table] = _create_for(spec, field)
    return created


def _create_for(spec: PlanSpec, field: Field) -> int:
    ref = field.ref
    assert ref is not None and field.column is not None
    model = model_for_table(ref.table)
    r_col = "r_" + field.column.removesuffix("_id")
    value = f"s.{ident(field.stage)}"
    columns = {ref.by: value}
    match = f"t.{ident(ref.by)} = {value}"
    where = f"s.{r_col} IS NULL AND {value} IS NOT NULL"
    found_on = f"c.k0 = {value}"
    if ref.scope is not None:
        scope_column, scope_field = ref.scope
        columns[scope_column] = f"s.r_{scope_field}"
        match += f" AND t.{ident(scope_column)} = s.r_{scope_field}"
        where += f" AND s.r_{scope_field} IS NOT NULL"
        found_on += f" AND c.k1 = s.r_{scope_field}"
    defaults = insert_defaults(model, set(columns))
    names = ", ".join(ident(c) for c in [*columns, *defaults])
    values = ", ".join([*columns.values(), *defaults.values()])
    distinct = ", ".join(columns.values())
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"importers:{ref.table}"])
        cursor.execute(
            f"INSERT INTO {ref.table} ({names}) SELECT DISTINCT ON ({distinct}) {values} "
            f"FROM {spec.stage} s JOIN {spec.plan} p USING (row_no) "
            f"WHERE {where} AND p.action IN ('insert', 'update') AND NOT p.done "
            f"AND NOT EXISTS (SELECT 1 FROM {ref.table} t WHERE {match}) "
            f"ON CONFLICT DO NOTHING"
        )
        created = cursor.rowcount
        # The ids of what the rows name, by one grouped lookup (a subquery per row would
        # scan the companies once for every row).
        keys = [f"t.{ident(c)}" for c in columns]
        found = (
            f"SELECT {', '.join(f'{k} AS k{i}' for i, k in enumerate(keys))}, min(t.id) AS id "
            f"FROM {ref.table} t WHERE ({', '.join(keys)}) IN "
            f"(SELECT {distinct} FROM {spec.stage} s WHERE {where}) "
            f"GROUP BY {', '.join(str(i + 1) for i in range(len(keys)))}"
        )
        cursor.execute(
            f"UPDATE {spec.stage} s SET {r_col} = c.id FROM ({found}) c WHERE {where} "
            f"AND {found_on}"
        )
    return created


# ---------------------------------------------------------------------------------------------
# One range of rows
# ---------------------------------------------------------------------------------------------


def chunk_insert(*, spec: PlanSpec, lo: int, hi: int) -> int:
    """Insert the planned new records of rows lo…hi (and their types/classifications)."""
    table = spec.target.table
    written = written_columns(spec, updating=False)
    custom = custom_sql(spec, "'{}'::jsonb")
    if custom:
        written["custom"] = custom
    if spec.target.pending_column:
        written[spec.target.pending_column] = "true"
    defaults = insert_defaults(spec.target.model, set(written))
    columns = ["id", *written, *defaults]
    values = ["s.new_id", *written.values(), *defaults.values()]
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
        sequence = cursor.fetchone()[0]
        ctes = [
            f"src AS MATERIALIZED (SELECT s.*, nextval({literal(sequence)}) AS new_id "
            f"FROM {_range(spec, 'insert')})",
            f"ins AS (INSERT INTO {table} ({', '.join(ident(c) for c in columns)}) "
            f"SELECT {', '.join(values)} FROM src s)",
        ]
        for index, field in enumerate(m2m_fields(spec)):
            m2m = field.m2m
            assert m2m is not None
            ctes.append(
                f"m2m_{index} AS (INSERT INTO {m2m.through} ({m2m.owner_column}, "
                f"{m2m.master_column}) SELECT DISTINCT s.new_id, m.id FROM src s "
                f"CROSS JOIN unnest(string_to_array(s.{ident(field.stage)}, ';')) c "
                f"JOIN {m2m.master_table} m ON m.code = c)"
            )
        ctes.append(
            f"mark AS (UPDATE {spec.plan} p SET done = true, target_id = s.new_id "
            f"FROM src s WHERE p.row_no = s.row_no)"
        )
        cursor.execute(f"WITH {', '.join(ctes)} SELECT count(*) FROM src", {"lo": lo, "hi": hi})
        return cursor.fetchone()[0]


def _career_insert(cursor: Any, spec: PlanSpec, params: dict[str, Any]) -> int:
    """A career entry (職歴) for each person whose company, department or title changes,
    holding the affiliation they leave — as ``person_update`` writes one."""
    written = written_columns(spec)
    new = {
        "company_id": written.get("company_id", "t.company_id"),
        "department_id": people_department_sql(spec)
        or written.get("department_id", "t.department_id"),
        "title": written.get("title", "t.title"),
    }
    if all(expr == f"t.{column}" for column, expr in new.items()):
        return 0
    changed = " OR ".join(f"t.{column} IS DISTINCT FROM {expr}" for column, expr in new.items())
    cursor.execute(
        "INSERT INTO people_careerentry (person_id, company_id, company_name, department_id, "
        "department_name, title, started_on, ended_on, changed_by_id, created_at) "
        "SELECT t.id, t.company_id, c.name, t.department_id, d.name, t.title, "
        "coalesce((SELECT max(e.ended_on) FROM people_careerentry e WHERE e.person_id = t.id), "
        "(t.created_at AT TIME ZONE %(tz)s)::date), %(today)s, %(user)s, statement_timestamp() "
        f"FROM {spec.stage} s JOIN {spec.plan} p USING (row_no) "
        "JOIN people_person t ON t.id = p.target_id "
        "LEFT JOIN people_company c ON c.id = t.company_id "
        "LEFT JOIN people_department d ON d.id = t.department_id "
        "WHERE p.action = 'update' AND NOT p.done AND s.row_no BETWEEN %(lo)s AND %(hi)s "
        f"AND ({changed})",
        params,
    )
    return cursor.rowcount


def chunk_update(*, spec: PlanSpec, lo: int, hi: int, user_id: int | None) -> tuple[int, int]:
    """Update the matched records of rows lo…hi; returns (records updated, career entries).

    1. Career entries from the records as they are before the change.
    2. The mapped columns (an empty cell clears its column), custom values merged.
    3. Many-to-many codes replaced by the file's list.
    4. The rows marked done.
    """
    table = spec.target.table
    params = {
        "lo": lo,
        "hi": hi,
        "user": user_id,
        "tz": settings.TIME_ZONE,
        "today": timezone.localdate(),
    }
    assignments = dict(written_columns(spec))
    department = people_department_sql(spec)
    if department:
        assignments["department_id"] = department
    custom = custom_sql(spec, "t.custom")
    if custom:
        assignments["custom"] = custom
    if any(f.column == "updated_at" for f in spec.target.model._meta.concrete_fields):
        assignments["updated_at"] = "statement_timestamp()"
    if spec.target.pending_column:
        assignments[spec.target.pending_column] = "true"
    with connection.cursor() as cursor:
        careers = _career_insert(cursor, spec, params) if spec.target.career else 0
        sets = ", ".join(f"{ident(c)} = {e}" for c, e in assignments.items())
        cursor.execute(
            f"UPDATE {table} t SET {sets} FROM {spec.stage} s JOIN {spec.plan} p USING (row_no) "
            f"WHERE t.id = p.target_id AND p.action = 'update' AND NOT p.done "
            f"AND s.row_no BETWEEN %(lo)s AND %(hi)s",
            params,
        )
        updated = cursor.rowcount
        for field in m2m_fields(spec):
            m2m = field.m2m
            assert m2m is not None
            codes = f"string_to_array(s.{ident(field.stage)}, ';')"
            cursor.execute(
                f"DELETE FROM {m2m.through} x USING {_range(spec, 'update')} "
                f"AND x.{m2m.owner_column} = p.target_id AND NOT EXISTS (SELECT 1 FROM "
                f"{m2m.master_table} m WHERE m.id = x.{m2m.master_column} "
                f"AND m.code = ANY({codes}))",
                params,
            )
            cursor.execute(
                f"INSERT INTO {m2m.through} ({m2m.owner_column}, {m2m.master_column}) "
                f"SELECT DISTINCT p.target_id, m.id FROM {spec.stage} s "
                f"JOIN {spec.plan} p USING (row_no) CROSS JOIN unnest({codes}) c "
                f"JOIN {m2m.master_table} m ON m.code = c WHERE p.action = 'update' "
                f"AND NOT p.done AND s.row_no BETWEEN %(lo)s AND %(hi)s ON CONFLICT DO NOTHING",
                params,
            )
        cursor.execute(
            f"UPDATE {spec.plan} SET done = true WHERE action = 'update' AND NOT done "
            f"AND row_no BETWEEN %(lo)s AND %(hi)s",
            params,
        )
    return updated, careers

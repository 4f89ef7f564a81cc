"""What the commit will do with each staged row, decided by SQL: the plan table.

One CREATE TABLE AS over the staging table joined to small lookup tables:
1. the record each row updates (upsert: by the match key; several matches is an error);
2. duplicates inside the file (an earlier row with the same key) and in the register (a
   record with the same key), for each chosen key; unique columns are keys too;
3. errors only the register can tell: codes not in their master, user codes not allowed,
   fields a new record needs, values a unique column already holds;
4. the action: error, skip (a duplicate), insert, update, or unchanged (every mapped value
   equal to the record's).
Lookups are built over the distinct keys of the file (hash joins, no per-row query).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import connection, models

from importers.services.base import Field, Key, Target
from importers.staging import ident, plan_table, session_tune, stage_table

ACTIONS = ("insert", "update", "unchanged", "skip", "error")


@dataclass(frozen=True)
class PlanSpec:
    import_id: int
    target: Target
    mode: str
    match_key: Key | None
    duplicate_keys: tuple[Key, ...]
    # Fields whose f_ column the file fills (split parts included, virtual fields not).
    mapped: frozenset[str]
    custom_keys: tuple[str, ...]
    required_custom: tuple[tuple[str, str], ...]  # (key, label)
    create_missing: bool
    # Fields the file does not map but the import fills (都道府県 from 〒): an update keeps
    # the record's value where the import found none.
    derived: frozenset[str] = frozenset()

    @property
    def stage(self) -> str:
        return stage_table(self.import_id)

    @property
    def plan(self) -> str:
        return plan_table(self.import_id)


def literal(value: Any) -> str:
    """A constant as SQL (only for values from the code: defaults, labels, keys)."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, dict | list):
        import json

        return "'" + json.dumps(value, ensure_ascii=False).replace("'", "''") + "'::jsonb"
    return "'" + str(value).replace("'", "''") + "'"


def _jsonb(**items: str) -> str:
    """jsonb_build_object of SQL expressions."""
    return "jsonb_build_object(" + ", ".join(f"{literal(k)}, {v}" for k, v in items.items()) + ")"


def _nonempty_array(parts: Iterable[str]) -> str:
    """A jsonb array of the non-null objects among ``parts``, or NULL when there are none."""
    parts = list(parts)
    if not parts:
        return "NULL::jsonb"
    return f"NULLIF(to_jsonb(array_remove(ARRAY[{', '.join(parts)}]::jsonb[], NULL)), '[]')"


# ---------------------------------------------------------------------------------------------
# The values a row writes
# ---------------------------------------------------------------------------------------------


def model_field(target: Target, column: str) -> models.Field:
    for field in target.model._meta.concrete_fields:
        if field.column == column:
            return field
    raise KeyError(column)


def value_sql(target: Target, field: Field) -> str:
    """The new value of ``field``'s column for a staged row ``s``."""
    assert field.column is not None
    if field.ref is not None:
        return f"s.r_{field.column.removesuffix('_id')}"
    cast = "" if field.sql_type == "text" else f"::{field.sql_type}"
    expr = f"s.{ident(field.stage)}{cast}"
    column = model_field(target, field.column)
    if not column.null and column.has_default():
        expr = f"coalesce({expr}, {literal(column.get_default())})"
    return expr


def written_columns(spec: PlanSpec, *, updating: bool = True) -> dict[str, str]:
    """Column → new value expression, for every column the file maps (one per column: 会社名
    and 会社コード both give company_id). ``updating``: over a record ``t``."""
    out: dict[str, str] = {}
    for field in spec.target.fields:
        if field.name in spec.mapped and field.column and field.kind != "codes":
            expr = value_sql(spec.target, field)
            if updating and field.name in spec.derived:
                expr = f"coalesce({expr}, t.{ident(field.column)})"
            out.setdefault(field.column, expr)
    return out


def creatable_sql(spec: PlanSpec, column: str) -> str | None:
    """For a reference that commit may create (会社名 not yet registered): the condition that
    the row names one, so that it counts as a change although its id is not known yet."""
    if not spec.create_missing:
        return None
    names = [
        f
        for f in spec.target.fields
        if f.column == column and f.ref is not None and f.ref.create and f.name in spec.mapped
    ]
    if not names:
        return None
    given = " OR ".join(f"s.{ident(f.stage)} IS NOT NULL" for f in names)
    return f"(s.r_{column.removesuffix('_id')} IS NULL AND ({given}))"


def custom_sql(spec: PlanSpec, current: str) -> str | None:
    """The custom JSON after the row's values are written over ``current``: mapped keys
    replaced, an empty cell removes its key, other keys kept."""
    if not spec.custom_keys:
        return None
    keys = "ARRAY[" + ", ".join(literal(k) for k in spec.custom_keys) + "]::text[]"
    new = (
        "jsonb_strip_nulls("
        + _jsonb(**{k: f"s.{ident('c_' + k)}::jsonb" for k in spec.custom_keys})
        + ")"
    )
    return f"(({current}) - {keys}) || {new}"


def m2m_fields(spec: PlanSpec) -> list[Field]:
    """The mapped many-to-many fields (個人タイプ …), in target order."""
    return [f for f in spec.target.fields if f.kind == "codes" and f.name in spec.mapped]


def _m2m_current_join(field: Field, alias: str) -> str:
    """The records' current codes (``alias``.codes, sorted, ';'-joined, NULL for none), for
    the matched records only, grouped once (a subquery per row costs a million lookups)."""
    m2m = field.m2m
    assert m2m is not None
    return (
        f"LEFT JOIN (SELECT x.{m2m.owner_column} AS owner, string_agg(m.code, ';' ORDER BY "
        f"m.code) AS codes FROM {m2m.through} x JOIN {m2m.master_table} m "
        f"ON m.id = x.{m2m.master_column} WHERE x.{m2m.owner_column} IN "
        f"(SELECT id FROM lk_match WHERE n = 1) GROUP BY 1) {alias} ON {alias}.owner = t.id"
    )


def people_department_sql(spec: PlanSpec) -> str | None:
    """A person who changes company leaves the old one's department (as the API does) when
    the file does not say the department."""
    if not spec.target.career or "department" in spec.mapped:
        return None
    company = written_columns(spec).get("company_id")
    if company is None:
        return None
    return f"CASE WHEN t.company_id IS DISTINCT FROM {company} THEN NULL ELSE t.department_id END"


def changed_sql(spec: PlanSpec) -> str:
    """True when writing the row would change the record ``t`` (its current codes joined
    as ``m2m_<n>`` by ``_plan_match``)."""
    parts = []
    for column, expr in written_columns(spec).items():
        parts.append(f"t.{ident(column)} IS DISTINCT FROM {expr}")
        creatable = creatable_sql(spec, column)
        if creatable:
            parts.append(creatable)
    department = people_department_sql(spec)
    if department:
        parts.append(f"t.department_id IS DISTINCT FROM {department}")
    for index, field in enumerate(m2m_fields(spec)):
        parts.append(f"s.{ident(field.stage)} IS DISTINCT FROM m2m_{index}.codes")
    custom = custom_sql(spec, "t.custom")
    if custom:
        parts.append(f"t.custom IS DISTINCT FROM {custom}")
    return "(" + " OR ".join(parts) + ")" if parts else "false"


# ---------------------------------------------------------------------------------------------
# Keys
# ---------------------------------------------------------------------------------------------


def _needs_sql(key: Key, spec: PlanSpec) -> str:
    """The row has every value the key needs (any one of "a|b" alternatives)."""
    parts = []
    for need in key.needs:
        fields = [f"s.{ident('f_' + name)}" for name in need.split("|") if name in spec.mapped]
        parts.append(f"coalesce({', '.join(fields)}) IS NOT NULL" if fields else "false")
    return " AND ".join(parts) or "true"


def key_applies(key: Key, spec: PlanSpec) -> bool:
    return all(any(name in spec.mapped for name in need.split("|")) for need in key.needs)


def unique_keys(spec: PlanSpec) -> list[Key]:
    """A key for every mapped field stored in a unique column (外部コード, 法人番号, 商品コード)."""
    keys = []
    for field in spec.target.fields:
        if field.name not in spec.mapped or not field.column or field.ref is not None:
            continue
        if field.kind == "id" or not model_field(spec.target, field.column).unique:
            continue
        cast = "" if field.sql_type == "text" else f"::{field.sql_type}"
        keys.append(
            Key(
                field.name,
                field.label,
                (field.name,),
                (f"s.{ident(field.stage)}{cast}",),
                (f"t.{ident(field.column)}",),
            )
        )
    return keys


def _hash(exprs: tuple[str, ...]) -> str:
    """A 64-bit hash of a key's values: grouping a million rows on it is about three times
    cheaper than on the text itself; the few groups it finds are then compared exactly."""
    return f"hashtextextended(concat_ws(chr(31), {', '.join(f'({e})::text' for e in exprs)}), 0)"


def _file_hashes(cursor: Any, spec: PlanSpec, keys: list[Key]) -> None:
    """``fd_hashes``: each staged row's hash of every key (NULL when the row lacks a value
    the key needs, or has errors), from one pass over the wide staging table; each key's
    groups are then found in this narrow table."""
    hashes = ", ".join(
        f"CASE WHEN {_needs_sql(key, spec)} THEN {_hash(key.file_exprs)} END AS h{index}"
        for index, key in enumerate(keys)
    )
    cursor.execute("DROP TABLE IF EXISTS pg_temp.fd_hashes")
    cursor.execute(
        f"CREATE TEMP TABLE fd_hashes ON COMMIT DROP AS SELECT s.row_no, {hashes} "
        f"FROM {spec.stage} s WHERE s.errors IS NULL"
    )


def _file_lookup(cursor: Any, spec: PlanSpec, key: Key, index: int, name: str) -> bool:
    """The first row of each group of rows that share ``key`` (groups of one left out);
    only the rows whose hash (``fd_hashes``) another row shares are compared exactly."""
    exprs = key.file_exprs
    cols = ", ".join(f"{e} AS k{i}" for i, e in enumerate(exprs))
    groups = ", ".join(str(i + 1) for i in range(len(exprs)))
    shared = (
        f"SELECT h.row_no FROM fd_hashes h WHERE h.h{index} IN (SELECT h{index} FROM fd_hashes "
        f"WHERE h{index} IS NOT NULL GROUP BY 1 HAVING count(*) > 1)"
    )
    cursor.execute(f"DROP TABLE IF EXISTS pg_temp.{name}")
    cursor.execute(
        f"CREATE TEMP TABLE {name} ON COMMIT DROP AS SELECT {cols}, min(s.row_no) AS first_row "
        f"FROM {spec.stage} s WHERE s.row_no IN ({shared}) AND {_needs_sql(key, spec)} "
        f"GROUP BY {groups} HAVING count(*) > 1"
    )
    # Usually empty or small: with statistics the planner hashes it instead of sorting the
    # whole staging table for a merge join.
    cursor.execute(f"ANALYZE {name}")
    return _has_rows(cursor, name)


def _register_lookup(cursor: Any, spec: PlanSpec, key: Key, name: str) -> bool:
    """Records of the register that have some row's ``key``: one hash semi-join (a hash of
    the key first was measured slower here: both sides then compute it for every row).

    The file's distinct keys are collected and analysed first: without statistics of the
    staging table's key columns the planner guessed 200 keys and probed the register's index
    once per row (a million random probes, 12-14 s per key on 1,000,000 people)."""
    table_exprs = ", ".join(f"{e} AS k{i}" for i, e in enumerate(key.table))
    tuple_table = "(" + ", ".join(key.table) + ")"
    stage_exprs = ", ".join(f"{e} AS k{i}" for i, e in enumerate(key.stage))
    keys = ", ".join(f"k{i}" for i in range(len(key.stage)))
    groups = ", ".join(str(i + 1) for i in range(len(key.table)))
    cursor.execute(f"DROP TABLE IF EXISTS pg_temp.{name}_keys")
    cursor.execute(
        f"CREATE TEMP TABLE {name}_keys ON COMMIT DROP AS SELECT DISTINCT {stage_exprs} "
        f"FROM {spec.stage} s WHERE {_needs_sql(key, spec)}"
    )
    cursor.execute(f"ANALYZE {name}_keys")
    cursor.execute(f"DROP TABLE IF EXISTS pg_temp.{name}")
    cursor.execute(
        f"CREATE TEMP TABLE {name} ON COMMIT DROP AS "
        f"SELECT {table_exprs}, min(t.id) AS id, max(t.id) AS last_id, count(*) AS n "
        f"FROM {spec.target.table} t WHERE {tuple_table} IN (SELECT {keys} FROM {name}_keys) "
        f"GROUP BY {groups}"
    )
    cursor.execute(f"ANALYZE {name}")
    return _has_rows(cursor, name)


def _has_rows(cursor: Any, name: str) -> bool:
    """An empty lookup is left out of the plan's joins: no duplicates, nothing to probe."""
    cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {name})")
    return bool(cursor.fetchone()[0])


def _join(alias: str, exprs: tuple[str, ...], key: Key, spec: PlanSpec) -> str:
    on = " AND ".join(f"{alias}.k{i} = {e}" for i, e in enumerate(exprs))
    return f"LEFT JOIN {alias} ON {_needs_sql(key, spec)} AND {on}"


# ---------------------------------------------------------------------------------------------
# Errors the register tells
# ---------------------------------------------------------------------------------------------


def _error(column: str, field: str, value: str, message: str) -> str:
    return _jsonb(
        column=column, field=literal(field), value=value, message=message, suggestion="NULL"
    )


def register_errors(spec: PlanSpec, *, header_of: dict[str, str], inserting: str) -> list[str]:
    """CASE expressions, each a jsonb error or NULL, for the checks SQL answers."""
    target = spec.target
    out: list[str] = []
    entity = target.extras.get("user_code_entity", "person")
    for field in target.fields:
        if field.name not in spec.mapped:
            continue
        column = literal(header_of.get(field.name, field.name))
        stage = f"s.{ident(field.stage)}"
        if field.kind == "codes" and field.m2m is not None:
            unknown = (
                f"(SELECT string_agg(c, ', ') FROM unnest(string_to_array({stage}, ';')) c "
                f"WHERE NOT EXISTS (SELECT 1 FROM {field.m2m.master_table} m WHERE m.code = c))"
            )
            message = f"{literal('unknown ' + field.m2m.label + ' code(s): ')} || {unknown}"
            out.append(
                f"CASE WHEN {stage} IS NOT NULL AND {unknown} IS NOT NULL THEN "
                f"{_error(column, field.name, stage, message)} END"
            )
        if field.kind == "usercode":
            exists = (
                f"EXISTS (SELECT 1 FROM masters_usercodevalue u WHERE u.entity = "
                f"{literal(entity)} AND u.slot = {field.slot} AND u.code = {stage})"
            )
            allowed = (
                f"(SELECT coalesce(string_agg(u.code, ', ' ORDER BY u.sort_order, u.code), "
                f"'(none defined)') FROM masters_usercodevalue u WHERE u.entity = "
                f"{literal(entity)} AND u.slot = {field.slot})"
            )
            message = (
                f"{literal('')} || {stage} || {literal(' is not a code of user code ')} "
                f"|| {field.slot} || '; allowed: ' || {allowed}"
            )
            out.append(
                f"CASE WHEN {stage} IS NOT NULL AND NOT {exists} THEN "
                f"{_error(column, field.name, stage, message)} END"
            )
    for name in target.required:
        field = target.field(name)
        if field.ref is not None:
            column_name = field.column or name
            given = [f for f in target.fields if f.column == column_name and f.name in spec.mapped]
            present = " OR ".join(
                [f"s.r_{column_name.removesuffix('_id')} IS NOT NULL"]
                + ([creatable_sql(spec, column_name)] if creatable_sql(spec, column_name) else [])
            )
            if given and field.name not in spec.mapped:
                continue
        elif name in spec.mapped:
            continue
        else:
            present = "false"
        message = literal(f"{field.label} ({name}) is required for a new record")
        out.append(
            f"CASE WHEN {inserting} AND NOT ({present}) THEN "
            f"{_error(literal(field.label), name, 'NULL', message)} END"
        )
    for key, label in spec.required_custom:
        has = f"s.{ident('c_' + key)} IS NOT NULL" if key in spec.custom_keys else "false"
        message = literal(f"{label} ({key}) is required")
        out.append(
            f"CASE WHEN {inserting} AND NOT ({has}) THEN "
            f"{_error(literal(label), 'custom.' + key, 'NULL', message)} END"
        )
    return out


# ---------------------------------------------------------------------------------------------
# The plan
# ---------------------------------------------------------------------------------------------


@dataclass
class _Query:
    """The pieces of the plan's SELECT, filled key by key."""

    select: list[str] = dataclasses.field(
        default_factory=lambda: ["s.row_no", "s.errors IS NOT NULL AS has_errors"]
    )
    joins: list[str] = dataclasses.field(default_factory=list)
    duplicates: list[str] = dataclasses.field(default_factory=list)  # jsonb items or NULL
    errors: list[str] = dataclasses.field(default_factory=list)  # jsonb items or NULL
    file_skip: list[str] = dataclasses.field(default_factory=list)  # a later row: skipped
    register_skip: list[str] = dataclasses.field(default_factory=list)  # in the register


def _duplicate_item(key: Key, **found: str) -> str:
    return _jsonb(key=literal(key.name), label=literal(key.label), **found)


def _plan_match(cursor: Any, spec: PlanSpec, query: _Query) -> None:
    """Upsert: the one record each row updates; several is an error, and so is an ID that
    matches none (a new record gets its id from the register, not from the file)."""
    match = spec.match_key
    assert match is not None
    _register_lookup(cursor, spec, match, "lk_match")
    query.joins.append(_join("lk_match", match.stage, match, spec))
    query.joins.append(f"LEFT JOIN {spec.target.table} t ON lk_match.n = 1 AND t.id = lk_match.id")
    # The current codes that changed_sql compares with the file's.
    query.joins += [_m2m_current_join(f, f"m2m_{i}") for i, f in enumerate(m2m_fields(spec))]
    query.select.append("CASE WHEN lk_match.n = 1 THEN lk_match.id END AS target_id")
    several = (
        f"'matches ' || lk_match.n || ' records (#' || lk_match.id || ' … #' || "
        f"lk_match.last_id || ') by {match.label}; use a key that tells them apart "
        f"(外部コード or ID)'"
    )
    query.errors.append(
        f"CASE WHEN lk_match.n > 1 THEN {_error(literal(match.label), match.name, 'NULL', several)}"
        " END"
    )
    if match.name == "id":
        unknown = (
            f"'no {spec.target.label} has ID ' || s.f_id || '; leave ID empty to add a new record'"
        )
        query.errors.append(
            "CASE WHEN s.f_id IS NOT NULL AND lk_match.id IS NULL THEN "
            f"{_error(literal('ID'), 'id', 's.f_id', unknown)} END"
        )


def _plan_file_duplicates(
    cursor: Any, spec: PlanSpec, query: _Query, keys: list[Key], skipping: set[str]
) -> None:
    """A row repeating an earlier row of the file on a key; skipped when the key is in
    ``skipping`` (every key on insert; the match key and unique columns on upsert)."""
    if not keys:
        return
    _file_hashes(cursor, spec, keys)
    for index, key in enumerate(keys):
        alias = f"fd_{index}"
        if not _file_lookup(cursor, spec, key, index, alias):
            continue
        query.joins.append(_join(alias, key.file_exprs, key, spec))
        later = f"{alias}.first_row < s.row_no"
        query.duplicates.append(
            f"CASE WHEN {later} THEN {_duplicate_item(key, row=f'{alias}.first_row')} END"
        )
        if key.name in skipping:
            query.file_skip.append(later)


def _plan_register_duplicates(
    cursor: Any,
    spec: PlanSpec,
    query: _Query,
    keys: list[Key],
    uniques: set[str],
    header_of: dict[str, str],
) -> None:
    """A row that a record of the register already has on a key (other than the record the
    row updates). Insert skips the row; upsert reports it, and refuses a unique value
    (外部コード, 法人番号) that another record holds."""
    upsert = spec.match_key is not None
    matched = "CASE WHEN lk_match.n = 1 THEN lk_match.id END" if upsert else "NULL"
    for index, key in enumerate(keys):
        alias = f"dd_{index}"
        if not _register_lookup(cursor, spec, key, alias):
            continue
        query.joins.append(_join(alias, key.stage, key, spec))
        other = (
            f"{alias}.id IS NOT NULL AND ({alias}.n > 1 OR {alias}.id IS DISTINCT FROM {matched})"
        )
        item = _duplicate_item(key, id=f"{alias}.id", count=f"{alias}.n")
        query.duplicates.append(f"CASE WHEN {other} THEN {item} END")
        if not upsert:
            query.register_skip.append(other)
        elif key.name in uniques:
            value = f"s.{ident('f_' + key.name)}"
            message = (
                f"{literal(key.label + ' ')} || {value} || ' is already used by #' || {alias}.id"
            )
            column = literal(header_of.get(key.name, key.label))
            query.errors.append(
                f"CASE WHEN {other} THEN {_error(column, key.name, value, message)} END"
            )


def plan_build(*, spec: PlanSpec, header_of: dict[str, str]) -> dict[str, int]:
    """Create the plan table for every staged row; returns the count of each action.
    Runs inside the caller's transaction.

    1. Upsert: find each row's record by the match key.
    2. Duplicates within the file and against the register, by the chosen keys and the
       unique columns; lookups that find nothing are left out of the query.
    3. Errors only the register can tell (codes, required fields, unique values).
    4. One CREATE TABLE AS deciding each row's action.
    """
    upsert = spec.match_key is not None
    uniques = unique_keys(spec)
    unique_names = {k.name for k in uniques}
    chosen = [k for k in spec.duplicate_keys if key_applies(k, spec)]
    file_keys = _distinct_keys(chosen + uniques + ([spec.match_key] if upsert else []))
    register_keys = [
        k for k in _distinct_keys(chosen + uniques) if not upsert or k.name != spec.match_key.name
    ]
    skipping = {k.name for k in file_keys} if not upsert else (unique_names | {spec.match_key.name})
    query = _Query()
    session_tune()
    with connection.cursor() as cursor:
        if upsert:
            _plan_match(cursor, spec, query)
        else:
            query.select.append("NULL::bigint AS target_id")
        _plan_file_duplicates(cursor, spec, query, file_keys, skipping)
        _plan_register_duplicates(cursor, spec, query, register_keys, unique_names, header_of)
        inserting = "lk_match.id IS NULL" if upsert else "true"
        query.errors += register_errors(spec, header_of=header_of, inserting=inserting)
        query.select += [
            f"{_nonempty_array(query.duplicates)} AS dups",
            f"{_nonempty_array(query.errors)} AS db_errors",
            f"({' OR '.join(query.file_skip) or 'false'}) AS file_dup",
            f"({' OR '.join(query.register_skip) or 'false'}) AS register_dup",
            f"{changed_sql(spec) if upsert else 'true'} AS changed",
        ]
        inner = f"SELECT {', '.join(query.select)} FROM {spec.stage} s {' '.join(query.joins)}"
        action = (
            "CASE WHEN x.has_errors OR x.db_errors IS NOT NULL THEN 'error' "
            "WHEN x.file_dup OR x.register_dup THEN 'skip' "
            "WHEN x.target_id IS NULL THEN 'insert' "
            "WHEN x.changed THEN 'update' ELSE 'unchanged' END"
        )
        cursor.execute(f"DROP TABLE IF EXISTS {spec.plan}")
        cursor.execute(
            f"CREATE UNLOGGED TABLE {spec.plan} AS SELECT x.row_no, x.target_id, x.dups, "
            f"x.db_errors, {action} AS action, false AS done FROM ({inner}) x"
        )
        cursor.execute(f"ALTER TABLE {spec.plan} ADD PRIMARY KEY (row_no)")
        cursor.execute(f"ANALYZE {spec.plan}")
        return plan_counts(cursor=cursor, spec=spec)


# ---------------------------------------------------------------------------------------------
# Reusing a plan
# ---------------------------------------------------------------------------------------------


def plan_snapshot() -> str:
    """The current snapshot, taken before a plan is built, for ``plan_stale``."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_current_snapshot()::text")
        return cursor.fetchone()[0]


def _plan_tables(spec: PlanSpec) -> list[str]:
    """The tables of the register a plan reads: the target, the masters and links of its
    codes."""
    tables = [spec.target.table]
    for field in spec.target.fields:
        if field.name not in spec.mapped:
            continue
        if field.kind == "codes" and field.m2m is not None:
            tables += [field.m2m.through, field.m2m.master_table]
        if field.kind == "usercode":
            tables.append("masters_usercodevalue")
    return list(dict.fromkeys(tables))


def plan_stale(*, spec: PlanSpec, snapshot: str) -> bool:
    """Whether the register may have changed since the plan was built from ``snapshot``;
    the commit builds the plan again when it has (on 1,000,000 rows that is 15 s for an
    insert and 50 s for an upsert spent finding again what the preview found).

    1. A row of a table the plan read whose xmin is not older than every transaction the
       snapshot saw running (or than the snapshot, if none ran): written by a transaction
       the plan could not see. The snapshot lists running transactions, not their
       savepoints, whose ids are larger: hence "not older than", which also counts some
       transactions the plan did see — such a plan is rebuilt needlessly, never the other
       way round. (A preview and commit in one transaction, as only tests do, see each
       other's writes without a snapshot between them.)
    2. A record the plan updates, or names as a duplicate or as the holder of a unique
       value, that is gone (a deletion leaves no row for 1 to see).
    """
    if not snapshot:
        return True
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT coalesce(min(x::text::bigint), pg_snapshot_xmax(%(s)s::pg_snapshot)::text"
            "::bigint), pg_snapshot_xmax(pg_current_snapshot())::text::bigint "
            "FROM pg_snapshot_xip(%(s)s::pg_snapshot) AS x",
            {"s": snapshot},
        )
        bound, now = cursor.fetchone()
        if now - bound >= 2**30:  # too long ago for 32-bit xid arithmetic: rebuild
            return True
        for table in _plan_tables(spec):
            # xmin is a 32-bit id: "not older than bound" modulo 2^32; 1 and 2 are frozen.
            cursor.execute(
                f"SELECT EXISTS (SELECT 1 FROM {table} WHERE xmin::text::bigint > 2 AND "
                f"(xmin::text::bigint - %s + 4294967296) %% 4294967296 < 2147483648)",
                [bound % 2**32],
            )
            if cursor.fetchone()[0]:
                return True
        cursor.execute(
            f"SELECT EXISTS (SELECT 1 FROM {spec.plan} p LEFT JOIN {spec.target.table} t "
            f"ON t.id = p.target_id WHERE p.action = 'update' AND t.id IS NULL) OR EXISTS ("
            f"SELECT 1 FROM {spec.plan} p CROSS JOIN jsonb_path_query(p.dups, '$[*].id') AS "
            f"j(id) WHERE p.action IN ('skip', 'error') AND p.dups IS NOT NULL AND NOT EXISTS "
            f"(SELECT 1 FROM {spec.target.table} t WHERE t.id = j.id::bigint))"
        )
        return bool(cursor.fetchone()[0])


def _distinct_keys(keys: list[Key]) -> list[Key]:
    out: list[Key] = []
    for key in keys:
        if all(k.name != key.name for k in out):
            out.append(key)
    return out


def plan_counts(*, cursor: Any, spec: PlanSpec) -> dict[str, int]:
    cursor.execute(
        f"SELECT action, count(*), count(*) FILTER (WHERE dups IS NOT NULL), "
        f"count(*) FILTER (WHERE done) FROM {spec.plan} GROUP BY action"
    )
    counts = dict.fromkeys(ACTIONS, 0)
    counts["duplicates"] = 0
    for action, count, with_dups, _done in cursor.fetchall():
        counts[action] = count
        counts["duplicates"] += with_dups
    counts["rows"] = sum(counts[a] for a in ACTIONS)
    return counts

"""Resolving the references of a chunk (会社名 → company id, 社員コード → employee id …).

One query per reference and chunk, over the chunk's distinct values (a file of a million
people names a few thousand companies). A name or code that matches nothing is a row error
— unless the reference may be created on commit and the user asked for that — and one that
matches several records is an error naming how to disambiguate.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import numpy as np
import pandas as pd
from django.db import connection

from importers.mapping import Mapping
from importers.services.base import Field, Target
from importers.staging import ident
from importers.validation import Staged


def _ref_column(field: Field) -> str:
    assert field.column is not None
    return "r_" + field.column.removesuffix("_id")


def _lookup(field: Field, keys: list[Any], scopes: list[Any] | None) -> dict[Any, list[int]]:
    ref = field.ref
    assert ref is not None
    found: dict[Any, list[int]] = defaultdict(list)
    by = ident(ref.by)
    with connection.cursor() as cursor:
        if scopes is None:
            cast = "bigint[]" if ref.by == "id" else "text[]"
            cursor.execute(f"SELECT {by}, id FROM {ref.table} WHERE {by} = ANY(%s::{cast})", [keys])
            for key, pk in cursor.fetchall():
                found[str(key)].append(pk)
        else:
            assert ref.scope is not None
            scope_column = ident(ref.scope[0])
            cursor.execute(
                f"SELECT t.{scope_column}, t.{by}, t.id FROM {ref.table} t "
                f"JOIN unnest(%s::bigint[], %s::text[]) AS k(scope, key) "
                f"ON t.{scope_column} = k.scope AND t.{by} = k.key",
                [scopes, keys],
            )
            for scope, key, pk in cursor.fetchall():
                found[(scope, key)].append(pk)
    return found


def _column_name(mapping: Mapping, header: list[str], name: str) -> str:
    return header[mapping.columns.index(name)] if name in mapping.columns else name


def refs_resolve(
    *, staged: Staged, target: Target, mapping: Mapping, header: list[str], create_missing: bool
) -> None:
    """Fill the ``r_`` columns of ``staged`` and record the rows whose reference fails.

    Unscoped references first (a department is looked up within the company just found).
    Two columns for one reference (会社名 and 会社コード) must agree; the code wins.
    """
    mapped = [f for f in target.fields if f.ref is not None and f"f_{f.name}" in staged.columns]
    # Codes before names: when both are given, the code decides.
    ordered = sorted(mapped, key=lambda f: (f.ref.scope is not None, f.ref.by != "external_code"))
    for field in ordered:
        _resolve_one(staged, field, _column_name(mapping, header, field.name), create_missing)


def _resolve_one(staged: Staged, field: Field, column: str, create_missing: bool) -> None:
    ref = field.ref
    assert ref is not None
    values = staged.columns[f"f_{field.name}"].astype(object)
    r_name = _ref_column(field)
    current = staged.columns.get(r_name, pd.Series([None] * len(values), dtype=object))
    present = values.notna()
    if ref.scope is None:
        keys = values.where(present, None)
        found = _lookup(field, sorted({str(v) for v in keys[present]}), None)
        text_keys = keys.map(lambda v: None if v is None else str(v))
        by_key = found
    else:
        scope = staged.columns.get("r_" + ref.scope[1])
        if scope is None:
            return
        present &= scope.notna()
        pairs = pd.DataFrame({"s": scope[present], "k": values[present]}).drop_duplicates()
        found = (
            _lookup(field, pairs["k"].astype(str).tolist(), pairs["s"].astype("int64").tolist())
            if len(pairs)
            else {}
        )
        text_keys = (
            (scope.astype("Int64").astype("string") + "\x00" + values.astype("string"))
            .astype(object)
            .where(present, None)
        )
        by_key = {f"{k[0]}\x00{k[1]}": ids for k, ids in found.items()}
    single = {k: ids[0] for k, ids in by_key.items() if len(ids) == 1}
    new = text_keys.where(present, None).map(single)
    resolved = current.astype(object).where(current.notna(), None)
    conflict = (present & resolved.notna() & new.notna() & (resolved != new)).to_numpy()
    for position in np.flatnonzero(conflict):
        staged.error(
            int(position),
            column=column,
            field_name=field.name,
            value=values.iat[position],
            message=f"{ref.label} '{values.iat[position]}' is not the one the other column "
            f"names (#{resolved.iat[position]}); make them agree",
        )
    fill = (resolved.isna() & new.notna()).to_numpy()
    resolved = resolved.to_numpy(dtype=object).copy()
    resolved[fill] = new.to_numpy(dtype=object)[fill]
    failed = (values.notna() & new.isna()).to_numpy() & pd.isna(resolved)
    several = {k for k, ids in by_key.items() if len(ids) > 1}
    key_array = text_keys.to_numpy(dtype=object)
    ambiguous = failed & text_keys.isin(several).to_numpy() if several else failed & False
    # A name not registered is fine when commit will create it (create_missing).
    missing = failed & ~ambiguous if not (ref.create and create_missing) else failed & False
    value_array = values.to_numpy(dtype=object)
    for position in np.flatnonzero(ambiguous):
        ids = sorted(by_key[key_array[position]])
        staged.error(
            int(position),
            column=column,
            field_name=field.name,
            value=value_array[position],
            message=f"{len(ids)} records of {ref.label} match '{value_array[position]}' "
            f"(#{', #'.join(map(str, ids[:5]))}); give its code or id instead",
        )
    for position in np.flatnonzero(missing):
        staged.error(
            int(position),
            column=column,
            field_name=field.name,
            value=value_array[position],
            message=_missing_message(field, value_array[position]),
        )
    staged.columns[r_name] = pd.Series(pd.array(resolved, dtype="Int64"))


def _missing_message(field: Field, value: Any) -> str:
    ref = field.ref
    assert ref is not None
    if ref.create:
        return (
            f"no {ref.label} '{value}' is registered; register it first, or import with "
            f"create_missing to create it"
        )
    what = {"code": "code", "external_code": "code", "id": "id", "name": "name"}[ref.by]
    return f"no {ref.label} with {what} '{value}'"

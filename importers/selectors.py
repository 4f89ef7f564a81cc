"""Reads of imports: lists, the paged preview of rows, the first errors, saved formats."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.db.models import QuerySet

from importers.export.columns import _custom, export_columns
from importers.models import ImportFormat, ImportJob
from importers.services.targets import target_get
from importers.staging import json_value, plan_table, stage_exists, stage_table

STATUSES = ("insert", "update", "unchanged", "skip", "error", "duplicate", "changed")


def import_list(*, user: Any) -> QuerySet[ImportJob]:
    """Staff see every import; others the imports they made."""
    imports = ImportJob.objects.select_related("created_by", "format", "preview_job", "commit_job")
    if user.is_staff:
        return imports
    return imports.filter(created_by=user)


def import_format_list() -> QuerySet[ImportFormat]:
    return ImportFormat.objects.all()


def _where(status: str | None) -> str:
    if not status:
        return "true"
    if status == "duplicate":
        return "p.dups IS NOT NULL"
    if status == "changed":
        return "p.action IN ('insert', 'update')"
    return f"p.action = '{status}'"


def import_rows_count(*, record: ImportJob, status: str | None) -> int:
    if not stage_exists(import_id=record.pk):
        return 0
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {plan_table(record.pk)} p WHERE {_where(status)}")
        return cursor.fetchone()[0]


def _display(kind: str, raw: Any) -> Any:
    if raw is None:
        return None
    if kind == "bool":
        return "1" if raw == "true" else "0"
    return raw


def import_rows(
    *, record: ImportJob, status: str | None, offset: int, limit: int
) -> list[dict[str, Any]]:
    """One page of the preview: per row its action, the normalised values, what normalising
    changed (before → after), what an update changes in the record, its errors (column,
    original value, message, suggestion) and its duplicates."""
    if not stage_exists(import_id=record.pk):
        return []
    target = target_get(record.target)
    mapped = _mapped_fields(record)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT s.*, p.action, p.target_id AS planned_target, p.dups, p.db_errors, p.done "
            f"FROM {stage_table(record.pk)} s JOIN {plan_table(record.pk)} p USING (row_no) "
            f"WHERE {_where(status)} ORDER BY s.row_no LIMIT %s OFFSET %s",
            [limit, offset],
        )
        names = [c.name for c in cursor.description]
        rows = [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]
    current = _current_values(record, rows, mapped)
    out = []
    for row in rows:
        values: dict[str, Any] = {}
        normalised: dict[str, Any] = {}
        for name in mapped:
            if name.startswith("custom."):
                raw = row.get("c_" + name.removeprefix("custom."))
                values[name] = _custom(json_value(raw)) if raw else None
                continue
            field = target.field(name)
            values[name] = _display(field.kind, row.get(f"f_{name}"))
            if field.ref is not None and field.column:
                values[f"{name}_id"] = row.get("r_" + field.column.removesuffix("_id"))
            before = row.get(f"o_{name}")
            if before is not None:
                normalised[name] = {"before": before, "after": values[name]}
        changes = {}
        record_now = current.get(row["planned_target"]) if row["planned_target"] else None
        if record_now is not None:
            for name, value in values.items():
                if name in record_now and (record_now[name] or None) != (value or None):
                    changes[name] = {"before": record_now[name] or None, "after": value}
        errors = (json_value(row["errors"]) or []) + (json_value(row["db_errors"]) or [])
        out.append(
            {
                "row": row["row_no"],
                "action": row["action"],
                "done": row["done"],
                "target_id": row["planned_target"],
                "values": values,
                "normalised": normalised,
                "changes": changes,
                "errors": errors,
                "duplicates": json_value(row["dups"]) or [],
            }
        )
    return out


def _mapped_fields(record: ImportJob) -> list[str]:
    target = target_get(record.target)
    names: list[str] = []
    for name in record.mapping.values():
        if not name:
            continue
        split = next((s for s in target.splits if s.source == name), None)
        names += list(split.into) if split else [name]
    return names


def _current_values(
    record: ImportJob, rows: list[dict[str, Any]], mapped: list[str]
) -> dict[int, dict[str, Any]]:
    """The matched records as an export would write them, to show before → after."""
    ids = [row["planned_target"] for row in rows if row["planned_target"]]
    if not ids:
        return {}
    target = target_get(record.target)
    columns = [c for c in export_columns(target=record.target) if c.name in mapped]
    aliases = {f"c{i}": c.expression for i, c in enumerate(columns)}
    found = target.model.objects.filter(pk__in=ids).values("pk", **aliases)
    return {
        item["pk"]: {c.name: c.format(item[f"c{i}"]) or None for i, c in enumerate(columns)}
        for item in found
    }


def import_errors_first(*, record: ImportJob, limit: int = 20) -> list[dict[str, Any]]:
    """The first rows with errors, for the import's detail."""
    rows = import_rows(record=record, status="error", offset=0, limit=limit)
    return [{"row": r["row"], "errors": r["errors"]} for r in rows]

"""Saved import formats (取込フォーマット): a mapping and options kept under a name."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction

from api.core.errors import FieldErrors
from importers.mapping import mapping_check
from importers.models import ImportFormat, ImportJob
from importers.readers import encoding_canonical
from importers.services.targets import TARGETS


def _clean(data: dict[str, Any], instance: ImportFormat | None) -> dict[str, Any]:
    """Check a format's fields; a format made ``from_import`` takes that import's mapping,
    columns, encoding, mode and match key (the request's own values win)."""
    data = dict(data)
    source_id = data.pop("from_import", None)
    if source_id is not None:
        source = ImportJob.objects.filter(pk=source_id).first()
        if source is None:
            raise FieldErrors({"from_import": [f"no import #{source_id}"]})
        defaults = {
            "target": source.target,
            "mapping": source.mapping,
            "columns": source.header,
            "encoding": source.requested_encoding,
            "mode": source.mode,
            "match_key": source.match_key,
        }
        data = {**defaults, **data}
    target_name = data.get("target", instance.target if instance else None)
    target = TARGETS.get(target_name or "")
    errors: dict[str, list[str]] = {}
    if target is None:
        errors["target"] = [f"choose one of {', '.join(TARGETS)}"]
    else:
        try:
            mapping_check(target=target, mapping=data.get("mapping") or {})
        except FieldErrors as exc:
            errors.update(exc.errors)
        match_key = data.get("match_key")
        if match_key and match_key not in [k.name for k in target.match_keys]:
            errors["match_key"] = [f"'{match_key}' is not a match key of {target.name}"]
    if data.get("encoding"):
        try:
            data["encoding"] = encoding_canonical(data["encoding"])
        except ValueError as exc:
            errors["encoding"] = [str(exc)]
    name = data.get("name")
    clash = ImportFormat.objects.filter(name=name)
    if instance is not None:
        clash = clash.exclude(pk=instance.pk)
    if name and clash.exists():
        errors["name"] = [f"a format named '{name}' already exists"]
    if errors:
        raise FieldErrors(errors)
    return data


def _save(instance: ImportFormat) -> None:
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError as exc:
        raise FieldErrors({"name": [f"a format named '{instance.name}' already exists"]}) from exc


def import_format_create(*, data: dict[str, Any], user: Any) -> ImportFormat:
    cleaned = _clean(data, None)
    instance = ImportFormat(**cleaned, created_by=user)
    with transaction.atomic(durable=True):
        _save(instance)
    return instance


def import_format_update(*, instance: ImportFormat, data: dict[str, Any]) -> ImportFormat:
    cleaned = _clean(data, instance)
    for name, value in cleaned.items():
        setattr(instance, name, value)
    with transaction.atomic(durable=True):
        _save(instance)
    return instance


def import_format_delete(*, instance: ImportFormat) -> None:
    with transaction.atomic(durable=True):
        instance.delete()

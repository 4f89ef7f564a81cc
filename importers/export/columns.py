"""The columns an export can write, per target, and how each reads its value.

They are the import targets' fields (``importers.services.<target>.FIELDS``) with an
``export`` path, plus one ``custom.<key>`` column per CustomField of the entity: the same
names and the same Japanese headers, so that an exported file maps back onto the same fields
when it is imported again.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import Expression, F, OuterRef
from django.db.models.fields.json import KeyTextTransform

from api.core.errors import FieldErrors
from api.masters.models import CompanyClassification, CustomField, PersonType, SelectionType
from importers.services.base import Target
from importers.services.targets import target_get

# Lists of codes (個人タイプ, 選択タイプ, 顧客分類) share one cell, joined by this separator;
# the importer splits on it (and on , and 、).
CODES_SEPARATOR = ";"

M2M_MASTERS = {
    "person_types": (PersonType, "people"),
    "selection_types": (SelectionType, "people"),
    "classifications": (CompanyClassification, "companies"),
}


@dataclass(frozen=True)
class ExportColumn:
    name: str
    label: str
    # The expression the queryset annotates (``.values(**{alias: expr})``).
    expression: Expression
    format: Callable[[Any], str]


def _plain(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def _codes(value: Any) -> str:
    return CODES_SEPARATOR.join(value or ())


def _custom(value: Any) -> str:
    """A custom value as typed: a list (複数選択) joined like codes, JSON scalars as text."""
    if value is None or value == "":
        return ""
    if isinstance(value, str) and value.startswith(("[", "{")):
        try:
            value = json.loads(value)
        except ValueError:
            return value
    if isinstance(value, list):
        return CODES_SEPARATOR.join(str(v) for v in value)
    return _plain(value)


def _m2m_expression(name: str) -> Expression:
    model, related = M2M_MASTERS[name]
    return ArraySubquery(
        model.objects.filter(**{related: OuterRef("pk")}).order_by("code").values("code")
    )


def export_columns(*, target: str) -> list[ExportColumn]:
    """Every column ``target`` can export, in the order a full export writes them."""
    spec: Target = target_get(target)
    columns: list[ExportColumn] = []
    for field in spec.fields:
        if field.export is None:
            continue
        if field.kind == "codes":
            columns.append(
                ExportColumn(field.name, field.label, _m2m_expression(field.name), _codes)
            )
        else:
            columns.append(ExportColumn(field.name, field.label, F(field.export), _plain))
    if spec.custom_entity:
        for custom in CustomField.objects.filter(entity=spec.custom_entity):
            columns.append(
                ExportColumn(
                    f"custom.{custom.key}",
                    custom.label,
                    KeyTextTransform(custom.key, "custom"),
                    _custom,
                )
            )
    return columns


def export_columns_pick(*, target: str, names: list[str] | None) -> list[ExportColumn]:
    """The chosen columns in the chosen order (all when ``names`` is empty); an unknown
    name is a field error listing the known ones."""
    available = export_columns(target=target)
    if not names:
        return available
    by_name = {column.name: column for column in available}
    unknown = [name for name in names if name not in by_name]
    if unknown:
        raise FieldErrors(
            {
                "columns": [
                    f"unknown column(s) {', '.join(unknown)} for {target}; "
                    f"known: {', '.join(by_name)}"
                ]
            }
        )
    return [by_name[name] for name in dict.fromkeys(names)]

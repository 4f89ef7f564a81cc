"""Label sheet formats (ラベル用紙): admins add their own; the shipped ones are read-only."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import ProtectedError

from api.core.errors import Conflict, FieldErrors
from mailing.printing.models import LabelFormat
from mailing.renderers.labels import SheetGeometry

GEOMETRY_FIELDS = (
    "page_width",
    "page_height",
    "margin_top",
    "margin_left",
    "columns",
    "rows",
    "label_width",
    "label_height",
    "pitch_x",
    "pitch_y",
    "padding",
)


def sheet_geometry(label_format: LabelFormat) -> SheetGeometry:
    return SheetGeometry(**{name: _number(getattr(label_format, name)) for name in GEOMETRY_FIELDS})


def _number(value: Any) -> Any:
    return float(value) if isinstance(value, Decimal | float) else value


def _check(label_format: LabelFormat) -> None:
    problems = sheet_geometry(label_format).problems()
    if problems:
        raise FieldErrors({field: [message] for field, message in problems.items()})


def label_format_create(*, user: Any, data: dict[str, Any]) -> LabelFormat:
    """A new sheet format; its labels must fit on its page."""
    label_format = LabelFormat(**data, builtin=False, created_by=user)
    _check(label_format)
    if LabelFormat.objects.filter(code=label_format.code).exists():
        raise FieldErrors({"code": ["このコードのラベル用紙は既にあります"]})
    with transaction.atomic(durable=True):
        label_format.save()
    return label_format


def label_format_update(*, label_format: LabelFormat, data: dict[str, Any]) -> LabelFormat:
    if label_format.builtin:
        raise Conflict("標準のラベル用紙は変更できません。コピーして新しい用紙を作ってください")
    for name, value in data.items():
        setattr(label_format, name, value)
    _check(label_format)
    with transaction.atomic(durable=True):
        label_format.save()
    return label_format


def label_format_delete(*, label_format: LabelFormat) -> None:
    if label_format.builtin:
        raise Conflict("標準のラベル用紙は削除できません")
    try:
        with transaction.atomic(durable=True):
            label_format.delete()
    except ProtectedError as exc:
        raise Conflict("印刷に使われたラベル用紙は削除できません") from exc

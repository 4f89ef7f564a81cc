"""Filter backends shared by the list endpoints.

``CustomFieldFilterBackend`` turns ``?custom__<key>=value`` into conditions on the JSONB
``custom`` column of any entity that has CustomField definitions. Equality is written as JSONB
containment (``custom @> '{"key": value}'``) because that is what a GIN ``jsonb_path_ops``
index on ``custom`` answers; a ``->>`` comparison would read every row.
"""

from __future__ import annotations

import datetime
import decimal
from typing import Any

from django.db.models import FloatField, Q, QuerySet, lookups
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast
from rest_framework.exceptions import ValidationError
from rest_framework.filters import BaseFilterBackend, OrderingFilter
from rest_framework.request import Request

from api.masters.models import CustomField

PREFIX = "custom__"
# Operators after the key: custom__<key>__<op>=value.
COMPARISONS = {
    "gte": lookups.GreaterThanOrEqual,
    "lte": lookups.LessThanOrEqual,
    "gt": lookups.GreaterThan,
    "lt": lookups.LessThan,
}
RANGE_OPS = set(COMPARISONS)
TEXT_OPS = {"contains"}


def _split_values(raw: str) -> list[str]:
    """``a,b`` and a repeated parameter both mean "any of these"."""
    return [part.strip() for part in raw.split(",") if part.strip()]


def _parse(field: CustomField, raw: str, *, param: str) -> Any:
    kind = field.kind
    try:
        if kind == CustomField.Kind.NUMBER:
            number = decimal.Decimal(raw.replace(",", ""))
            if not number.is_finite():
                raise decimal.InvalidOperation
            return int(number) if number == number.to_integral_value() else number
        if kind == CustomField.Kind.DATE:
            return datetime.date.fromisoformat(raw).isoformat()
    except (decimal.InvalidOperation, ValueError) as exc:
        expected = "a number" if kind == CustomField.Kind.NUMBER else "a date such as 2026-01-05"
        raise ValidationError({param: [f"expected {expected}, got '{raw}'"]}) from exc
    if kind in (CustomField.Kind.CHOICE, CustomField.Kind.MULTI_CHOICE):
        choices = [str(choice) for choice in field.choices]
        if raw not in choices:
            raise ValidationError(
                {param: [f"'{raw}' is not one of the choices: {', '.join(choices)}"]}
            )
    return raw


def _equals(field: CustomField, value: Any) -> Q:
    # JSON has no decimal type: a stored 1.5 is a float, and containment compares numerically.
    if isinstance(value, decimal.Decimal):
        value = float(value)
    if field.kind == CustomField.Kind.MULTI_CHOICE:
        # {"k": ["a", "b"]} @> {"k": ["a"]}: the stored list holds the value.
        return Q(custom__contains={field.key: [value]})
    return Q(custom__contains={field.key: value})


class CustomFieldFilterBackend(BaseFilterBackend):
    """``?custom__<key>=v[,v2]`` (any of), plus ``__gte/__lte/__gt/__lt`` for number and date
    fields and ``__contains`` for text fields. The view names its entity in
    ``custom_field_entity``; an unknown key or operator is a 400 naming the parameter."""

    def filter_queryset(self, request: Request, queryset: QuerySet, view: Any) -> QuerySet:
        entity = getattr(view, "custom_field_entity", None)
        params = [name for name in request.query_params if name.startswith(PREFIX)]
        if entity is None or not params:
            return queryset
        fields = {field.key: field for field in CustomField.objects.filter(entity=entity)}
        for param in params:
            key, _, op = param.removeprefix(PREFIX).partition("__")
            field = fields.get(key)
            if field is None:
                defined = ", ".join(sorted(fields)) or "(none)"
                raise ValidationError(
                    {param: [f"unknown custom field '{key}'; defined fields: {defined}"]}
                )
            raws = request.query_params.getlist(param)
            if op == "":
                # Repeated or comma-separated, equality means "any of these".
                queryset = queryset.filter(self._condition(field, op, ",".join(raws), param=param))
                continue
            for raw in raws:
                queryset = queryset.filter(self._condition(field, op, raw, param=param))
        return queryset

    def _condition(self, field: CustomField, op: str, raw: str, *, param: str) -> Q:
        if op == "":
            values = [_parse(field, value, param=param) for value in _split_values(raw)]
            if not values:
                raise ValidationError({param: ["give a value"]})
            condition = Q()
            for value in values:
                condition |= _equals(field, value)
            return condition
        ordered = (CustomField.Kind.NUMBER, CustomField.Kind.DATE)
        if op in RANGE_OPS and field.kind in ordered:
            value = _parse(field, raw.strip(), param=param)
            text = KeyTextTransform(field.key, "custom")
            # ISO dates compare correctly as text; numbers need a numeric cast.
            target = Cast(text, FloatField()) if field.kind == CustomField.Kind.NUMBER else text
            return Q(COMPARISONS[op](target, value))
        if op in TEXT_OPS and field.kind == CustomField.Kind.TEXT:
            return Q(**{f"custom__{field.key}__icontains": raw.strip()})
        allowed = (
            sorted(RANGE_OPS)
            if field.kind in ordered
            else (sorted(TEXT_OPS) if field.kind == CustomField.Kind.TEXT else [])
        )
        raise ValidationError(
            {
                param: [
                    f"'{op}' is not an operator for a {field.kind} field; "
                    f"allowed: {', '.join(allowed) or 'none (use custom__<key>=value)'}"
                ]
            }
        )


class StableOrderingFilter(OrderingFilter):
    """``?ordering=`` with ``id`` appended, so that pages never repeat or skip rows that tie
    on the requested columns."""

    def get_ordering(self, request: Request, queryset: QuerySet, view: Any) -> list[str]:
        ordering = list(super().get_ordering(request, queryset, view) or [])
        if ordering and not {"id", "-id", "pk", "-pk"} & set(ordering):
            ordering.append("id")
        return ordering

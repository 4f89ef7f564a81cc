"""Custom fields (カスタム項目): their definitions, and the check of every ``custom`` value."""

from __future__ import annotations

import datetime
import math
import re
import unicodedata
from collections.abc import Callable
from typing import Any

from django.db import transaction

from api.core import normalise
from api.core.errors import FieldErrors
from api.masters.models import CustomField
from api.masters.services.common import (
    model_assign,
    model_save_unique,
    values_normalise,
)

# 和暦: each era's names and first day. 元年 is year 1; a date outside its era (昭和65年,
# 令和1年1月1日) is refused rather than silently carried into the next era.
ERAS = [
    (("明治", "M"), datetime.date(1868, 1, 25)),
    (("大正", "T"), datetime.date(1912, 7, 30)),
    (("昭和", "S"), datetime.date(1926, 12, 25)),
    (("平成", "H"), datetime.date(1989, 1, 8)),
    (("令和", "R"), datetime.date(2019, 5, 1)),
]
WESTERN_DATE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")
JAPANESE_DATE = re.compile(
    r"^(明治|大正|昭和|平成|令和|[MTSHR])\s*(\d{1,2}|元)[-/.年](\d{1,2})[-/.月](\d{1,2})日?$"
)


def _is_empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _text(value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ValueError("expected text")
    try:
        return normalise.text(str(value))
    except normalise.NormaliseError as exc:
        raise ValueError(exc.message) from exc


def _number(value: Any) -> int | float:
    # bool is an int in Python, but True is not a number anyone typed.
    if isinstance(value, bool):
        raise ValueError(f"expected a number, got {value!r}")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"expected a finite number, got {value!r}")
        return int(value) if value.is_integer() else value
    if isinstance(value, str):
        # Full-width digits (１２３) and thousands separators (1,000) are how people type numbers.
        cleaned = unicodedata.normalize("NFKC", value).strip().replace(",", "")
        if re.fullmatch(r"[-+]?\d+", cleaned):
            return int(cleaned)
        if re.fullmatch(r"[-+]?(\d+\.\d*|\.\d+)([eE][-+]?\d+)?|[-+]?\d+[eE][-+]?\d+", cleaned):
            return _number(float(cleaned))
    raise ValueError(f"expected a number, got {value!r}")


def _era_date(era: str, era_year: str, month: str, day: str) -> datetime.date:
    index = next(i for i, (names, _) in enumerate(ERAS) if era in names)
    (names, first_day), following = ERAS[index], ERAS[index + 1 : index + 2]
    year = first_day.year + (1 if era_year == "元" else int(era_year)) - 1
    date = datetime.date(year, int(month), int(day))
    last_day = following[0][1] - datetime.timedelta(days=1) if following else None
    if date < first_day or (last_day and date > last_day):
        raise ValueError(f"the {names[0]} era runs from {first_day} to {last_day or 'today'}")
    return date


def _date(value: Any) -> str:
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if not isinstance(value, str):
        raise ValueError(f"expected a date such as 2026-01-05, got {value!r}")
    cleaned = unicodedata.normalize("NFKC", value).strip().upper()
    try:
        if match := WESTERN_DATE.match(cleaned):
            year, month, day = (int(part) for part in match.groups())
            return datetime.date(year, month, day).isoformat()
        if match := JAPANESE_DATE.match(cleaned):
            return _era_date(*match.groups()).isoformat()
    except ValueError as exc:
        raise ValueError(f"'{value}' is not a valid date ({exc})") from exc
    raise ValueError(
        f"expected a date such as 2026-01-05, 2026/1/5 or 令和8年1月5日, got '{value}'"
    )


def _choice_matcher(field: CustomField) -> Callable[[Any], str]:
    choices = [str(choice) for choice in field.choices]
    by_normalised = {normalise.text(choice): choice for choice in choices}

    def match(value: Any) -> str:
        if isinstance(value, str):
            if value in choices:
                return value
            try:
                found = by_normalised.get(normalise.text(value))
            except normalise.NormaliseError:
                found = None
            if found is not None:
                return found
        shown = ", ".join(choices)
        raise ValueError(f"'{value}' is not one of the choices: {shown}")

    return match


def _choice(field: CustomField, value: Any) -> str:
    return _choice_matcher(field)(value)


def _multi_choice(field: CustomField, value: Any) -> list[str]:
    if not isinstance(value, list | tuple):
        raise ValueError(f"expected a list of choices, got {value!r}")
    match = _choice_matcher(field)
    picked: list[str] = []
    for item in value:
        choice = match(item)
        if choice not in picked:
            picked.append(choice)
    return picked


CLEANERS: dict[str, Callable[[CustomField, Any], Any]] = {
    CustomField.Kind.TEXT: lambda field, value: _text(value),
    CustomField.Kind.NUMBER: lambda field, value: _number(value),
    CustomField.Kind.DATE: lambda field, value: _date(value),
    CustomField.Kind.CHOICE: _choice,
    CustomField.Kind.MULTI_CHOICE: _multi_choice,
}


def custom_values_clean(*, entity: str, values: dict, existing: dict | None = None) -> dict:
    """Validate ``values`` against the CustomField definitions of ``entity``.

    1. Each given key must be a defined field; its value is cleaned by the field's kind.
       ``None`` (or an empty value) removes the key.
    2. The cleaned values are merged over ``existing`` (the stored dict, on an update).
    3. Every required field must have a value in the merged result.
    All errors are collected and raised together as ``FieldErrors`` keyed ``custom.<key>``.
    Stored keys whose definition was since deleted are kept as they are.
    """
    if not isinstance(values, dict):
        raise FieldErrors({"custom": ["expected an object of custom field values"]})
    fields = {field.key: field for field in CustomField.objects.filter(entity=entity)}
    errors: dict[str, list[str]] = {}
    merged = dict(existing or {})
    for key, raw in values.items():
        field = fields.get(key)
        if field is None:
            defined = ", ".join(sorted(fields)) or "(none)"
            errors[f"custom.{key}"] = [f"unknown custom field '{key}'; defined fields: {defined}"]
            continue
        try:
            value = None if _is_empty(raw) else CLEANERS[field.kind](field, raw)
        except ValueError as exc:
            errors[f"custom.{key}"] = [f"{field.label}: {exc}"]
            continue
        if _is_empty(value):
            merged.pop(key, None)
        else:
            merged[key] = value
    for key, field in fields.items():
        if field.required and f"custom.{key}" not in errors and _is_empty(merged.get(key)):
            errors[f"custom.{key}"] = [f"{field.label} ({key}) is required"]
    if errors:
        raise FieldErrors(errors)
    return merged


def custom_field_choices_clean(*, kind: str, choices: Any) -> list[str]:
    if kind in (CustomField.Kind.CHOICE, CustomField.Kind.MULTI_CHOICE):
        if not isinstance(choices, list) or not choices:
            raise FieldErrors({"choices": ["a choice field needs a non-empty list of choices"]})
        cleaned = [normalise.text(str(choice)) for choice in choices]
        if any(not choice for choice in cleaned):
            raise FieldErrors({"choices": ["choices must not be empty"]})
        if len(set(cleaned)) != len(cleaned):
            raise FieldErrors({"choices": ["choices must be unique"]})
        return [str(choice) for choice in cleaned]
    if choices:
        raise FieldErrors({"choices": [f"only choice fields have choices, not {kind}"]})
    return []


def custom_field_create(
    *,
    entity: str,
    key: str,
    label: str,
    kind: str,
    choices: list | None = None,
    required: bool = False,
    sort_order: int = 0,
) -> CustomField:
    field = CustomField(
        entity=entity,
        key=key,
        label=normalise.text(label),
        kind=kind,
        required=required,
        sort_order=sort_order,
        choices=custom_field_choices_clean(kind=kind, choices=choices or []),
    )
    if CustomField.objects.filter(entity=entity, key=key).exists():
        raise FieldErrors({"key": [f"custom field '{key}' already exists for {entity}"]})
    with transaction.atomic(durable=True):
        model_save_unique(instance=field, field_name="key")
    return field


def custom_field_update(*, field: CustomField, data: dict[str, Any]) -> CustomField:
    data = values_normalise(data=data, rules={"label": normalise.text})
    kind = data.get("kind", field.kind)
    choices = data.get("choices", field.choices if kind == field.kind else [])
    data = {**data, "choices": custom_field_choices_clean(kind=kind, choices=choices)}
    entity, key = data.get("entity", field.entity), data.get("key", field.key)
    if CustomField.objects.filter(entity=entity, key=key).exclude(pk=field.pk).exists():
        raise FieldErrors({"key": [f"custom field '{key}' already exists for {entity}"]})
    with transaction.atomic(durable=True):
        model_assign(instance=field, data=data)
        model_save_unique(instance=field, field_name="key")
    return field

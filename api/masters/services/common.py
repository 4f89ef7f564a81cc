"""Helpers shared by the masters' services and the other apps' services."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import psycopg
from django.db import IntegrityError, models, transaction

from api.core import normalise
from api.core.errors import FieldErrors


def values_normalise(
    *, data: dict[str, Any], rules: dict[str, Callable[[Any], Any]]
) -> dict[str, Any]:
    """Apply the input rules (入力ルール) to the fields of ``data`` that ``rules`` names.

    A value that breaks a rule is a FieldErrors naming every such field, with the rule's
    suggested fix when it has one; the caller's dict is not changed.
    """
    cleaned = dict(data)
    errors: dict[str, list[str]] = {}
    suggestions: dict[str, str] = {}
    for name, rule in rules.items():
        if cleaned.get(name) is None:
            continue
        try:
            cleaned[name] = rule(cleaned[name])
        except normalise.NormaliseError as exc:
            errors[name] = [exc.message]
            if exc.suggestion:
                suggestions[name] = exc.suggestion
    if errors:
        raise FieldErrors(errors, suggestions)
    return cleaned


def _or_blank(rule: Callable[[Any], str | None]) -> Callable[[Any], str]:
    # For NOT NULL text columns (default ""): the rules turn an empty value into None.
    return lambda value: rule(value) or ""


CODE_RULES = {"code": normalise.text, "name": normalise.text}
EMPLOYEE_RULES = {
    "code": normalise.text,
    "name": normalise.text,
    "name_kana": _or_blank(normalise.kana),
    "email": _or_blank(normalise.email),
}


def model_assign(*, instance: models.Model, data: dict[str, Any]) -> None:
    for name, value in data.items():
        setattr(instance, name, value)


def model_save_unique(*, instance: models.Model, field_name: str) -> None:
    """Save inside the caller's transaction; a uniqueness race lost to a concurrent writer is
    the same 400 naming ``field_name`` as the services' pre-checks give."""
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError as exc:
        if not isinstance(exc.__cause__, psycopg.errors.UniqueViolation):
            raise
        value = getattr(instance, field_name)
        raise FieldErrors({field_name: [f"{field_name} '{value}' already exists"]}) from exc

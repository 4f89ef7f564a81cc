"""The input rules (入力ルール) as the register's services apply them to one record.

Every field a person types goes through ``api.core.normalise``; every failure is collected, so
one 400 names all the fields to fix at once, each with the value an input rule suggests:
``{"phone": ["not a phone number: …"], "suggestions": {"phone": "03-1234-5678"}}``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models

from api.core import normalise
from api.core.errors import FieldErrors
from api.core.prefectures import PREFECTURES

Rule = Callable[[Any], Any]


def multiline(value: Any) -> str | None:
    """Free text (memo, note): each line by the text rule, the line breaks kept."""
    if value is None:
        return None
    lines = [normalise.text(line) or "" for line in str(value).splitlines()]
    return "\n".join(lines).strip("\n") or None


def prefecture(value: Any) -> str | None:
    """One of the 47 prefectures; 東京 is taken for 東京都 only as a suggestion."""
    name = normalise.text(value)
    if name is None or name in PREFECTURES:
        return name
    matches = [p for p in PREFECTURES if p.startswith(name)]
    raise normalise.NormaliseError(
        f"not a prefecture: {name!r}", suggestion=matches[0] if len(matches) == 1 else None
    )


def url(value: Any) -> str | None:
    text = normalise.text(value)
    if text is None:
        return None
    candidate = text if "://" in text else f"https://{text}"
    try:
        URLValidator(schemes=["http", "https"])(candidate)
    except ValidationError as exc:
        raise normalise.NormaliseError(f"not a web address: {text!r}") from exc
    if candidate != text:
        raise normalise.NormaliseError(
            f"a web address starts with https:// or http://: {text!r}", suggestion=candidate
        )
    return text


def code(value: Any) -> str | None:
    """Codes (user codes, external codes) as typed, full-width digits folded."""
    return normalise.text(value)


class Problems:
    """Field errors collected over one record, raised together as one ``FieldErrors``."""

    def __init__(self) -> None:
        self.errors: dict[str, list[str]] = {}
        self.suggestions: dict[str, str] = {}

    def add(self, field: str, message: str, suggestion: str | None = None) -> None:
        self.errors.setdefault(field, []).append(message)
        if suggestion is not None:
            self.suggestions[field] = suggestion

    def absorb(self, exc: FieldErrors, *, prefix: str = "") -> None:
        for field, messages in exc.errors.items():
            for message in messages:
                self.add(prefix + field, message)
        for field, suggestion in exc.suggestions.items():
            self.suggestions[prefix + field] = suggestion

    def __contains__(self, field: str) -> bool:
        return field in self.errors

    def raise_any(self) -> None:
        if self.errors:
            raise FieldErrors(self.errors, self.suggestions)


def apply_rules(
    *, data: dict[str, Any], rules: dict[str, Rule], problems: Problems, prefix: str = ""
) -> dict[str, Any]:
    """``data`` with each field that has a rule normalised; failures go to ``problems``."""
    cleaned = dict(data)
    for field, rule in rules.items():
        if field not in data:
            continue
        try:
            cleaned[field] = rule(data[field])
        except normalise.NormaliseError as exc:
            problems.add(prefix + field, exc.message, exc.suggestion)
    return cleaned


def check_required(
    *, data: dict[str, Any], fields: Iterable[str], problems: Problems, prefix: str = ""
) -> None:
    for field in fields:
        if field in data and data[field] in (None, "") and prefix + field not in problems:
            problems.add(prefix + field, "this field is required")


def check_lengths(
    *, model: type[models.Model], data: dict[str, Any], problems: Problems, prefix: str = ""
) -> None:
    """Lengths are checked after normalisation: （株） is 3 characters, 株式会社 is 4."""
    for field in model._meta.concrete_fields:
        value = data.get(field.name)
        limit = getattr(field, "max_length", None)
        if isinstance(value, str) and limit and len(value) > limit:
            problems.add(prefix + field.name, f"at most {limit} characters (this has {len(value)})")


def check_address(
    *,
    data: dict[str, Any],
    current: Any,
    fields: tuple[str, str, str],
    problems: Problems,
    prefix: str = "",
) -> None:
    """A known postal code fills an empty prefecture/address1 and must agree with a given one.

    ``fields`` names (postal_code, prefecture, address1) — the work or the home address. Only
    checked when one of them is written, so an old record with a stale address can still be
    edited elsewhere. ``current`` is the stored record on an update (values not in ``data``).
    """
    postal_field, prefecture_field, address_field = fields
    if not any(field in data for field in fields) or any(prefix + f in problems for f in fields):
        return

    def value(field: str) -> Any:
        return data[field] if field in data else getattr(current, field, None)

    try:
        pref, address = normalise.address_check(
            postal_code=value(postal_field),
            prefecture=value(prefecture_field),
            address1=value(address_field),
        )
    except normalise.NormaliseError as exc:
        problems.add(prefix + prefecture_field, exc.message, exc.suggestion)
        return
    if pref != value(prefecture_field):
        data[prefecture_field] = pref
    if address != value(address_field):
        data[address_field] = address


def check_codes(
    *, data: dict[str, Any], field: str, held: Iterable[Any], problems: Problems
) -> None:
    """A deactivated master code may stay where it is held but cannot be newly given."""
    if field not in data:
        return
    held_ids = {item.pk for item in held}
    inactive = [item.code for item in data[field] if not item.is_active and item.pk not in held_ids]
    if inactive:
        problems.add(field, f"code(s) no longer in use: {', '.join(inactive)}")

"""User-defined codes (ユーザ定義コード): the values of each slot, and the check of codes."""

from __future__ import annotations

import re
from typing import Any

from django.db import models, transaction

from api.core.errors import Conflict, FieldErrors
from api.masters.models import UserCodeValue
from api.masters.services.common import (
    CODE_RULES,
    model_assign,
    model_save_unique,
    values_normalise,
)
from api.people.models import Person
from api.sales.models import Product

USER_CODE_FIELD = re.compile(r"^user_code_(\d{1,2})$")
ALLOWED_CODES_SHOWN = 20


def user_codes_check(*, entity: str, values: dict[str, str | None]) -> None:
    """Refuse any ``user_code_N`` whose code is not in the UserCodeValue master of that slot.

    ``None`` and empty strings mean "no code" and are always allowed. One query for all slots.
    """
    wanted: dict[int, tuple[str, str]] = {}
    for name, code in values.items():
        match = USER_CODE_FIELD.match(name)
        if not match or not 1 <= int(match.group(1)) <= 10:
            raise ValueError(f"{name} is not a user code field")
        if code not in (None, ""):
            wanted[int(match.group(1))] = (name, code)
    if not wanted:
        return
    allowed: dict[int, list[str]] = {slot: [] for slot in wanted}
    for slot, code in UserCodeValue.objects.filter(entity=entity, slot__in=wanted).values_list(
        "slot", "code"
    ):
        allowed[slot].append(code)
    errors: dict[str, list[str]] = {}
    for slot, (name, code) in sorted(wanted.items()):
        if code in allowed[slot]:
            continue
        codes = allowed[slot]
        if not codes:
            errors[name] = [f"'{code}' is not allowed: user code {slot} has no values defined"]
            continue
        shown = ", ".join(codes[:ALLOWED_CODES_SHOWN])
        more = (
            f" (and {len(codes) - ALLOWED_CODES_SHOWN} more)"
            if len(codes) > ALLOWED_CODES_SHOWN
            else ""
        )
        errors[name] = [f"'{code}' is not a code of user code {slot}; allowed: {shown}{more}"]
    if errors:
        raise FieldErrors(errors)


def _user_code_in_use(*, value: UserCodeValue) -> bool:
    model: type[models.Model] = Person if value.entity == UserCodeValue.Entity.PERSON else Product
    field = f"user_code_{value.slot}"
    if not any(f.name == field for f in model._meta.fields):
        return False
    return model.objects.filter(**{field: value.code}).exists()


def user_code_value_create(
    *, entity: str, slot: int, code: str, name: str, sort_order: int = 0
) -> UserCodeValue:
    clean = values_normalise(data={"code": code, "name": name}, rules=CODE_RULES)
    code, name = clean["code"], clean["name"]
    value = UserCodeValue(entity=entity, slot=slot, code=code, name=name, sort_order=sort_order)
    if UserCodeValue.objects.filter(entity=entity, slot=slot, code=code).exists():
        raise FieldErrors({"code": [f"code '{code}' already exists in user code {slot}"]})
    with transaction.atomic(durable=True):
        model_save_unique(instance=value, field_name="code")
    return value


def user_code_value_change_check(*, value: UserCodeValue, data: dict[str, Any]) -> None:
    """A code that records use cannot change its entity, slot or code, or those records would
    silently point at nothing."""
    changes_identity = any(
        k in data and data[k] != getattr(value, k) for k in ("entity", "slot", "code")
    )
    if changes_identity and _user_code_in_use(value=value):
        raise Conflict(
            f"code '{value.code}' is in use; add a new code instead of changing this one"
        )


def user_code_value_update(*, value: UserCodeValue, data: dict[str, Any]) -> UserCodeValue:
    data = values_normalise(data=data, rules=CODE_RULES)
    user_code_value_change_check(value=value, data=data)
    entity, slot, code = (data.get(k, getattr(value, k)) for k in ("entity", "slot", "code"))
    if (
        UserCodeValue.objects.filter(entity=entity, slot=slot, code=code)
        .exclude(pk=value.pk)
        .exists()
    ):
        raise FieldErrors({"code": [f"code '{code}' already exists in user code {slot}"]})
    with transaction.atomic(durable=True):
        model_assign(instance=value, data=data)
        model_save_unique(instance=value, field_name="code")
    return value


def user_code_value_delete_check(*, value: UserCodeValue) -> None:
    if _user_code_in_use(value=value):
        raise Conflict(f"code '{value.code}' is in use and cannot be deleted")


def user_code_value_delete(*, value: UserCodeValue) -> None:
    user_code_value_delete_check(value=value)
    with transaction.atomic(durable=True):
        value.delete()

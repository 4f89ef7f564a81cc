"""person_type: has any of these 個人タイプ."""

from typing import Any

from api.masters.models import PersonType
from api.people.models import Person
from api.selections.query.base import Context, Sql, has_any, resolve, texts

NAME = "person_type"
SUMMARY = "has any of these 個人タイプ (code or name, or a list)."
EXAMPLE = ["customer", "VIP"]

_THROUGH = Person.person_types.through._meta.db_table


def compile(value: Any, ctx: Context, path: str) -> Sql:
    return has_any(
        _THROUGH, "persontype_id", resolve(PersonType, texts(value, path), path, "person type")
    )

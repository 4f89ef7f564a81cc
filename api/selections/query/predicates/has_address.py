"""has_address: the person has (or lacks) a usable postal address."""

from typing import Any

from api.selections.addressing import postal_usable
from api.selections.query.base import Context, Sql, boolean

NAME = "has_address"
SUMMARY = (
    "true: has a usable postal address (postal code and address line: own, home or "
    "company's); false: has none."
)
EXAMPLE = True


def compile(value: Any, ctx: Context, path: str) -> Sql:
    usable = postal_usable("p")
    return Sql(usable if boolean(value, path) else f"NOT {usable}")

"""has_email: the person has (or lacks) a usable e-mail address."""

from typing import Any

from api.selections.addressing import email_usable
from api.selections.query.base import Context, Sql, boolean

NAME = "has_email"
SUMMARY = "true: has a PC or mobile e-mail address not marked undeliverable; false: has none."
EXAMPLE = True


def compile(value: Any, ctx: Context, path: str) -> Sql:
    usable = email_usable("p")
    return Sql(usable if boolean(value, path) else f"NOT {usable}")

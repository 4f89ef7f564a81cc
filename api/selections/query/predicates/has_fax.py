"""has_fax: the person has (or lacks) a FAX number, their own or their company's."""

from typing import Any

from api.selections.addressing import fax_usable
from api.selections.query.base import Context, Sql, boolean

NAME = "has_fax"
SUMMARY = "true: has a FAX number (own or company's); false: has none."
EXAMPLE = True


def compile(value: Any, ctx: Context, path: str) -> Sql:
    usable = fax_usable("p")
    return Sql(usable if boolean(value, path) else f"NOT {usable}")

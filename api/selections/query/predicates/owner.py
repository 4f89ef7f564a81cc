"""owner: the person's 自社担当 is one of these employees."""

from typing import Any

from api.selections.query.base import Context, Sql

NAME = "owner"
SUMMARY = (
    '自社担当社員: "me" (the caller; the set\'s owner when a set is refreshed), an employee '
    'code, a list of them, or null for "no owner".'
)
EXAMPLE = "me"


def compile(value: Any, ctx: Context, path: str) -> Sql:
    if value is None:
        return Sql("p.owner_id IS NULL")
    return Sql("p.owner_id = ANY(%s::bigint[])", (ctx.employee_ids(value, path),))

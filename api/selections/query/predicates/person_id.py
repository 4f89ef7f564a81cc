"""id: the person is one of these records."""

from typing import Any

from api.selections.query.base import Context, Sql, integers

NAME = "id"
SUMMARY = "is one of these person ids."
EXAMPLE = [101, 102]


def compile(value: Any, ctx: Context, path: str) -> Sql:
    return Sql("p.id = ANY(%s::bigint[])", (integers(value, path, low=1),))

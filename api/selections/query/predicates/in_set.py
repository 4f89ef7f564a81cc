"""in_set: the person is a member of another selection set."""

from typing import Any

from api.selections.models import SelectionMember, SelectionSet
from api.selections.query.base import Context, QueryError, Sql

NAME = "in_set"
SUMMARY = 'is a member of any of these selection sets, by number (3 or "0003") or a list.'
EXAMPLE = 3

_MEMBER = SelectionMember._meta.db_table


def compile(value: Any, ctx: Context, path: str) -> Sql:
    items = value if isinstance(value, list) else [value]
    numbers = []
    for item in items:
        if isinstance(item, str) and item.isdigit():
            item = int(item)
        if not isinstance(item, int) or isinstance(item, bool):
            raise QueryError(path, "expected a set number or a non-empty list of them")
        numbers.append(item)
    if not numbers:
        raise QueryError(path, "expected a set number or a non-empty list of them")
    found = dict(SelectionSet.objects.filter(number__in=numbers).values_list("number", "pk"))
    for number in numbers:
        if number not in found:
            raise QueryError(path, f"unknown selection set {number:04d}")
    return Sql(
        f"EXISTS (SELECT 1 FROM {_MEMBER} m WHERE m.selection_set_id = ANY(%s::bigint[]) "
        "AND m.person_id = p.id)",
        ([found[number] for number in numbers],),
    )

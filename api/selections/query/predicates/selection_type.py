"""selection_type: has any of these 選択タイプ (年賀状送付先, お歳暮送付先, …)."""

from typing import Any

from api.masters.models import SelectionType
from api.people.models import Person
from api.selections.query.base import Context, Sql, has_any, resolve, texts

NAME = "selection_type"
SUMMARY = "has any of these 選択タイプ (code or name, or a list)."
EXAMPLE = "年賀状送付先"

_THROUGH = Person.selection_types.through._meta.db_table


def compile(value: Any, ctx: Context, path: str) -> Sql:
    ids = resolve(SelectionType, texts(value, path), path, "selection type")
    return has_any(_THROUGH, "selectiontype_id", ids)

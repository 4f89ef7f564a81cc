"""birthday: the person's birthday falls in one of these months."""

from typing import Any

from api.selections.query.base import Context, Sql, integers, obj

NAME = "birthday"
SUMMARY = "birthday `month` is any of these (1–12), e.g. for a birthday card mailing."
EXAMPLE = {"month": [4]}


def compile(value: Any, ctx: Context, path: str) -> Sql:
    spec = obj(value, path, allowed=("month",), required=("month",))
    months = integers(spec["month"], f"{path}.month", low=1, high=12)
    return Sql("extract(month FROM p.birthday)::int = ANY(%s::int[])", (months,))

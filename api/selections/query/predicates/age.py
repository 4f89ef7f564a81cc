"""age: the person's age today lies within bounds."""

import datetime
from typing import Any

from api.selections.query.base import Context, QueryError, Sql, integer, months_before, obj

NAME = "age"
SUMMARY = "age today (from the birthday) is at least `min` and at most `max` years."
EXAMPLE = {"min": 30, "max": 39}


def compile(value: Any, ctx: Context, path: str) -> Sql:
    spec = obj(value, path, allowed=("min", "max"))
    conditions: list[str] = []
    params: list[datetime.date] = []
    low = integer(spec["min"], f"{path}.min", low=0, high=150) if "min" in spec else None
    high = integer(spec["max"], f"{path}.max", low=0, high=150) if "max" in spec else None
    if low is not None and high is not None and low > high:
        raise QueryError(f"{path}.min", f"{low} is more than max {high}")
    # Turned ``low`` on or before today; not yet ``high + 1``: plain date bounds, indexable.
    if low is not None:
        conditions.append("p.birthday <= %s")
        params.append(months_before(ctx.today, 12 * low))
    if high is not None:
        conditions.append("p.birthday > %s")
        params.append(months_before(ctx.today, 12 * (high + 1)))
    return Sql(" AND ".join(conditions), tuple(params))

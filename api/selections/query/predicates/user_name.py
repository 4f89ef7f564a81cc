"""user_name: a ユーザ定義名称 slot of the person equals or contains a text, or is set."""

from typing import Any

from api.selections.query.base import Context, QueryError, Sql, boolean, integer, obj, texts

NAME = "user_name"
SUMMARY = (
    "ユーザ定義名称 `slot` (1–5): `equals` a text (or any of a list), `contains` a text, or "
    "`set` true/false."
)
EXAMPLE = {"slot": 2, "contains": "ゴルフ"}


def compile(value: Any, ctx: Context, path: str) -> Sql:
    spec = obj(value, path, allowed=("slot", "equals", "contains", "set"), required=("slot",))
    slot = integer(spec["slot"], f"{path}.slot", low=1, high=5)
    column = f"p.user_name_{slot}"
    tests = [key for key in ("equals", "contains", "set") if key in spec]
    if len(tests) != 1:
        raise QueryError(path, "give exactly one of: equals, contains, set")
    key = tests[0]
    if key == "equals":
        return Sql(f"{column} = ANY(%s::text[])", (texts(spec[key], f"{path}.{key}"),))
    if key == "contains":
        (text,) = texts(spec[key], f"{path}.{key}")[:1]
        return Sql(f"strpos({column}, %s) > 0", (text,))
    return Sql(
        f"{column} IS NOT NULL" if boolean(spec[key], f"{path}.{key}") else f"{column} IS NULL"
    )

"""user_code: a ユーザ定義コード slot of the person holds one of these codes."""

from typing import Any

from api.masters.models import UserCodeValue
from api.selections.query.base import Context, Sql, integer, obj, texts, user_codes

NAME = "user_code"
SUMMARY = (
    "ユーザ定義コード `slot` (1–10) is `value`: a code or its name from the slot's master, a "
    'list of them, or null for "not set".'
)
EXAMPLE = {"slot": 1, "value": "A"}


def compile(value: Any, ctx: Context, path: str) -> Sql:
    spec = obj(value, path, allowed=("slot", "value"), required=("slot", "value"))
    slot = integer(spec["slot"], f"{path}.slot", low=1, high=10)
    column = f"p.user_code_{slot}"
    if spec["value"] is None:
        return Sql(f"{column} IS NULL")
    at = f"{path}.value"
    codes = user_codes(UserCodeValue.Entity.PERSON, slot, texts(spec["value"], at), at)
    return Sql(f"{column} = ANY(%s::text[])", (codes,))

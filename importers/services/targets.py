"""The table of import targets: adding one is a module in this package plus one line here."""

from __future__ import annotations

from importers.services import companies, departments, people, products, sales
from importers.services.base import Target

TARGETS: dict[str, Target] = {
    target.name: target
    for target in (
        people.TARGET,
        companies.TARGET,
        departments.TARGET,
        products.TARGET,
        sales.TARGET,
    )
}


def target_get(name: str) -> Target:
    try:
        return TARGETS[name]
    except KeyError:
        raise KeyError(f"unknown target {name!r}; known: {', '.join(TARGETS)}") from None

"""What an export reads: the target's rows, filtered like its list endpoint, in an order.

Filters are the list endpoints' own (``?selection_types=NENGA``, ``?prefecture=東京都``,
``?owner=me`` …), so "everyone with 選択タイプ 年賀状送付先" means the same in the list and in
the export; ``ordering`` takes the names in ``ORDERINGS`` with ``-`` for descending.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from django.db.models import QuerySet
from django.http import QueryDict

from api.core.errors import FieldErrors
from api.people.filters import CompanyFilter, DepartmentFilter, PersonFilter
from api.people.models import Company, Department, Person
from api.sales.models import Product, Sale
from api.sales.views import ProductFilter, SaleFilter

FILTERS: dict[str, Any] = {
    "people": PersonFilter,
    "companies": CompanyFilter,
    "departments": DepartmentFilter,
    "products": ProductFilter,
    "sales": SaleFilter,
}

MODELS: dict[str, Any] = {
    "people": Person,
    "companies": Company,
    "departments": Department,
    "products": Product,
    "sales": Sale,
}

# Orderings offered per target: name → the columns it sorts by (id last, so it is total).
ORDERINGS: dict[str, dict[str, tuple[str, ...]]] = {
    "people": {
        "kana": ("family_name_kana", "given_name_kana"),
        "name": ("family_name", "given_name"),
        "company": ("company__name_kana", "company__name", "family_name_kana"),
        "postal_code": ("postal_code",),
        "prefecture": ("prefecture", "address1"),
        "created_at": ("created_at",),
        "updated_at": ("updated_at",),
        "id": (),
    },
    "companies": {
        "kana": ("name_kana", "name"),
        "name": ("name",),
        "postal_code": ("postal_code",),
        "stage": ("stage", "rank"),
        "created_at": ("created_at",),
        "updated_at": ("updated_at",),
        "id": (),
    },
    "departments": {"company": ("company__name_kana", "name"), "name": ("name",), "id": ()},
    "products": {"code": ("code",), "name": ("name",), "id": ()},
    "sales": {
        "sold_on": ("sold_on",),
        "amount": ("amount",),
        "person": ("person__family_name_kana", "person__given_name_kana", "sold_on"),
        "id": (),
    },
}
DEFAULT_ORDERING = {
    "people": ["kana"],
    "companies": ["kana"],
    "departments": ["company"],
    "products": ["code"],
    "sales": ["sold_on"],
}


def export_ordering(*, target: str, ordering: list[str]) -> list[str]:
    """The ORM order_by of ``ordering`` names; an unknown one is a field error."""
    offered = ORDERINGS[target]
    order_by: list[str] = []
    descending_id = False
    for name in ordering or DEFAULT_ORDERING[target]:
        descending = name.startswith("-")
        key = name.lstrip("-")
        if key not in offered:
            raise FieldErrors(
                {
                    "ordering": [
                        f"cannot order {target} by '{key}'; choose from "
                        f"{', '.join(offered)} (prefix - for descending)"
                    ]
                }
            )
        order_by += [f"-{column}" if descending else column for column in offered[key]]
        descending_id = descending_id or (key == "id" and descending)
    order_by.append("-id" if descending_id else "id")
    return order_by


def export_queryset(
    *, target: str, filters: dict[str, Any], ordering: list[str], user: Any
) -> QuerySet:
    """The rows of ``target`` that the list filters select, in ``ordering``."""
    data = QueryDict(mutable=True)
    for key, value in (filters or {}).items():
        if isinstance(value, list):
            data.setlist(key, [str(v) for v in value])
        else:
            data[key] = str(value)
    filterset = FILTERS[target](
        data=data, queryset=MODELS[target].objects.all(), request=SimpleNamespace(user=user)
    )
    if not filterset.is_valid():
        raise FieldErrors(
            {
                f"filters.{name}": [str(m) for m in messages]
                for name, messages in filterset.errors.items()
            }
        )
    return filterset.qs.order_by(*export_ordering(target=target, ordering=ordering))

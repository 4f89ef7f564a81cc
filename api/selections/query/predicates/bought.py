"""bought: the person's sales history holds purchases that match."""

from typing import Any

from django.db.models import Q

from api.masters.models import UserCodeValue
from api.sales.models import Product, ProductCategory
from api.selections.query.base import (
    DATE_KEYS,
    PRODUCT,
    SALE,
    Context,
    QueryError,
    Sql,
    date_range,
    integer,
    number,
    obj,
    resolve,
    texts,
    user_codes,
)

NAME = "bought"
SUMMARY = (
    "has purchases (販売履歴) matching all of: `product` (codes or names), `category` (code or "
    "name; includes its sub-categories), `product_user_code` ({slot 1–5, value}: e.g. colour), "
    '`within` ("12 months", "30 days", "1 year") or `since`/`until` (dates, inclusive), '
    "`amount_min`/`amount_max` and `quantity_min`/`quantity_max` (per sale), `sold_by` "
    '("me" or employee codes); then optionally `count_min`/`count_max` (how many such '
    "purchases) and `total_min`/`total_max` (their summed amount). `{}` means any purchase."
)
EXAMPLE = {"category": "毛皮", "within": "12 months"}

KEYS = (
    "product",
    "category",
    "product_user_code",
    *DATE_KEYS,
    "amount_min",
    "amount_max",
    "quantity_min",
    "quantity_max",
    "sold_by",
    "count_min",
    "count_max",
    "total_min",
    "total_max",
)


def _category_ids(value: Any, path: str) -> list[int]:
    """The named categories and everything under them (materialised path prefix)."""
    roots = resolve(ProductCategory, texts(value, path), path, "category")
    paths = ProductCategory.objects.filter(pk__in=roots).values_list("path", flat=True)
    prefix = Q()
    for root_path in paths:
        prefix |= Q(path__startswith=root_path)
    return sorted(ProductCategory.objects.filter(prefix).values_list("pk", flat=True))


def _product_condition(spec: dict, path: str) -> Sql | None:
    """Which products count, as a condition on ``s.product_id``."""
    conditions: list[str] = []
    params: list[Any] = []
    if "product" in spec:
        at = f"{path}.product"
        conditions.append("pr.id = ANY(%s::bigint[])")
        params.append(resolve(Product, texts(spec["product"], at), at, "product"))
    if "category" in spec:
        conditions.append("pr.category_id = ANY(%s::bigint[])")
        params.append(_category_ids(spec["category"], f"{path}.category"))
    if "product_user_code" in spec:
        at = f"{path}.product_user_code"
        code = obj(
            spec["product_user_code"], at, allowed=("slot", "value"), required=("slot", "value")
        )
        slot = integer(code["slot"], f"{at}.slot", low=1, high=5)
        values = user_codes(
            UserCodeValue.Entity.PRODUCT, slot, texts(code["value"], f"{at}.value"), f"{at}.value"
        )
        conditions.append(f"pr.user_code_{slot} = ANY(%s::text[])")
        params.append(values)
    if not conditions:
        return None
    if conditions == ["pr.id = ANY(%s::bigint[])"]:
        return Sql("s.product_id = ANY(%s::bigint[])", tuple(params))
    return Sql(
        f"s.product_id IN (SELECT pr.id FROM {PRODUCT} pr WHERE {' AND '.join(conditions)})",
        tuple(params),
    )


def _bounds(spec: dict, path: str, low_key: str, high_key: str, column: str) -> Sql | None:
    parts: list[str] = []
    params: list[Any] = []
    low = number(spec[low_key], f"{path}.{low_key}") if low_key in spec else None
    high = number(spec[high_key], f"{path}.{high_key}") if high_key in spec else None
    if low is not None and high is not None and low > high:
        raise QueryError(f"{path}.{low_key}", f"{low} is more than {high_key} {high}")
    if low is not None:
        parts.append(f"{column} >= %s")
        params.append(low)
    if high is not None:
        parts.append(f"{column} <= %s")
        params.append(high)
    return Sql(" AND ".join(parts), tuple(params)) if parts else None


def compile(value: Any, ctx: Context, path: str) -> Sql:
    if value != {}:
        obj(value, path, allowed=KEYS)
    spec: dict = value
    parts: list[Sql] = []
    product = _product_condition(spec, path)
    if product:
        parts.append(product)
    first, last = date_range(spec, path, ctx.today)
    if first:
        parts.append(Sql("s.sold_on >= %s", (first,)))
    if last:
        parts.append(Sql("s.sold_on <= %s", (last,)))
    for low, high, column in (
        ("amount_min", "amount_max", "s.amount"),
        ("quantity_min", "quantity_max", "s.quantity"),
    ):
        bound = _bounds(spec, path, low, high, column)
        if bound:
            parts.append(bound)
    if "sold_by" in spec:
        sellers = ctx.employee_ids(spec["sold_by"], f"{path}.sold_by")
        parts.append(Sql("s.sold_by_id = ANY(%s::bigint[])", (sellers,)))
    where = Sql.join("AND", parts) if parts else Sql("TRUE")

    having = [
        bound
        for bound in (
            _bounds(spec, path, "count_min", "count_max", "count(*)"),
            _bounds(spec, path, "total_min", "total_max", "sum(s.amount)"),
        )
        if bound
    ]
    if not having:
        # A correlated EXISTS: PostgreSQL runs it as a semi-join, from whichever side the
        # indexes (person+date, product+date, date, seller+date) make cheaper.
        return Sql(
            f"EXISTS (SELECT 1 FROM {SALE} s WHERE s.person_id = p.id AND {where.text})",
            where.params,
        )
    # Counting needs every matching sale of a person: one grouped pass, then a hash lookup.
    having_sql = Sql.join("AND", having)
    return Sql(
        f"p.id IN (SELECT s.person_id FROM {SALE} s WHERE s.person_id IS NOT NULL AND "
        f"{where.text} GROUP BY s.person_id HAVING {having_sql.text})",
        where.params + having_sql.params,
    )

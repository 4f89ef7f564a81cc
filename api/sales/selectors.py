"""Reads of the product tree, products and sales."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils.functional import cached_property

from api.sales.models import Product, ProductCategory, Sale


def _count_of(queryset: QuerySet, *, field: str) -> Coalesce:
    # A correlated count per row; joining both children and products would multiply rows.
    counted = (
        queryset.filter(**{field: OuterRef("pk")})
        .order_by()
        .values(field)
        .annotate(n=Count("*"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def product_category_list() -> QuerySet[ProductCategory]:
    return ProductCategory.objects.select_related("parent").annotate(
        child_count=_count_of(ProductCategory.objects.all(), field="parent"),
        product_count=_count_of(Product.objects.all(), field="category"),
    )


def product_category_subtree(
    *, category: ProductCategory, queryset: QuerySet[ProductCategory] | None = None
) -> QuerySet[ProductCategory]:
    """The category and all its sub-categories: one prefix match on the indexed path."""
    queryset = ProductCategory.objects.all() if queryset is None else queryset
    return queryset.filter(path__startswith=category.path)


def product_list() -> QuerySet[Product]:
    return Product.objects.select_related("category")


def product_list_in_category(
    *, category: ProductCategory, queryset: QuerySet[Product] | None = None
) -> QuerySet[Product]:
    queryset = product_list() if queryset is None else queryset
    return queryset.filter(category__path__startswith=category.path)


def sale_list() -> QuerySet[Sale]:
    return Sale.objects.select_related("person", "company", "product", "sold_by")


def sale_list_in_category(
    *, category: ProductCategory, queryset: QuerySet[Sale] | None = None
) -> QuerySet[Sale]:
    queryset = sale_list() if queryset is None else queryset
    return queryset.filter(product__category__path__startswith=category.path)


def sale_count_estimate() -> int:
    """The planner's row count of the sales table (kept by autovacuum/ANALYZE)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass",
            [Sale._meta.db_table],
        )
        return cursor.fetchone()[0]


class SaleEstimatedCountPaginator(Paginator):
    """count(*) over tens of millions of sales takes seconds; an unfiltered list shows the
    planner's estimate instead. Filtered lists (one person, one product) count exactly."""

    exact_below = 100_000

    @cached_property
    def count(self) -> int:
        query = getattr(self.object_list, "query", None)
        if query is not None and not query.where:
            estimate = sale_count_estimate()
            if estimate >= self.exact_below:
                return estimate
        return super().count

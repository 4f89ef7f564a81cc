from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import viewsets

from api.core.filters import CustomFieldFilterBackend, StableOrderingFilter
from api.core.pagination import Pagination
from api.masters.models import Employee
from api.masters.selectors import employee_get_for_user
from api.masters.views import IsStaffOrReadOnly, SearchFilterSet
from api.people.models import Company, Person
from api.sales import selectors, services
from api.sales.models import Product, ProductCategory, Sale
from api.sales.serializers import ProductCategorySerializer, ProductSerializer, SaleSerializer


class ProductCategoryFilter(SearchFilterSet):
    root = django_filters.BooleanFilter(field_name="parent", lookup_expr="isnull", label="最上位")
    within = django_filters.ModelChoiceFilter(
        queryset=ProductCategory.objects.all(), method="filter_within", label="配下"
    )

    class Meta:
        model = ProductCategory
        fields = ["parent"]

    def filter_within(self, queryset: QuerySet, name: str, value: ProductCategory) -> QuerySet:
        return selectors.product_category_subtree(category=value, queryset=queryset)


class ProductCategoryViewSet(viewsets.ModelViewSet):
    """商品分類: a tree. ``?within=<id>`` lists a category and everything below it; moving a
    category (``parent``) moves its whole subtree."""

    permission_classes = [IsStaffOrReadOnly]
    serializer_class = ProductCategorySerializer
    filterset_class = ProductCategoryFilter
    ordering_fields = ["path", "code", "name"]

    def get_queryset(self) -> QuerySet[ProductCategory]:
        return selectors.product_category_list()

    def perform_create(self, serializer: Any) -> None:
        category = services.product_category_create(**serializer.validated_data)
        serializer.instance = self.get_queryset().get(pk=category.pk)

    def perform_update(self, serializer: Any) -> None:
        category = services.product_category_update(
            category=serializer.instance, data=serializer.validated_data
        )
        serializer.instance = self.get_queryset().get(pk=category.pk)

    def perform_destroy(self, instance: ProductCategory) -> None:
        services.product_category_delete(category=instance)


class ProductFilter(SearchFilterSet):
    category = django_filters.ModelChoiceFilter(
        queryset=ProductCategory.objects.all(),
        method="filter_category",
        label="商品分類(配下を含む)",
    )
    price_min = django_filters.NumberFilter(field_name="price", lookup_expr="gte")
    price_max = django_filters.NumberFilter(field_name="price", lookup_expr="lte")

    class Meta:
        model = Product
        fields = ["is_active", *services.PRODUCT_USER_CODES]

    def filter_category(self, queryset: QuerySet, name: str, value: ProductCategory) -> QuerySet:
        return selectors.product_list_in_category(category=value, queryset=queryset)


class ProductViewSet(viewsets.ModelViewSet):
    """商品: ``?category=`` includes sub-categories; ``?custom__<key>=`` filters custom values."""

    permission_classes = [IsStaffOrReadOnly]
    serializer_class = ProductSerializer
    filterset_class = ProductFilter
    filter_backends = [DjangoFilterBackend, CustomFieldFilterBackend, StableOrderingFilter]
    custom_field_entity = "product"
    ordering_fields = ["code", "name", "price", "updated_at"]

    def get_queryset(self) -> QuerySet[Product]:
        return selectors.product_list()

    def perform_create(self, serializer: Any) -> None:
        data = dict(serializer.validated_data)
        user_codes = {name: data.pop(name) for name in services.PRODUCT_USER_CODES if name in data}
        serializer.instance = services.product_create(**data, user_codes=user_codes)

    def perform_update(self, serializer: Any) -> None:
        serializer.instance = services.product_update(
            product=serializer.instance, data=serializer.validated_data
        )

    def perform_destroy(self, instance: Product) -> None:
        services.product_delete(product=instance)


class SaleFilter(django_filters.FilterSet):
    person = django_filters.ModelChoiceFilter(queryset=Person.objects.all())
    company = django_filters.ModelChoiceFilter(queryset=Company.objects.all())
    product = django_filters.ModelChoiceFilter(queryset=Product.objects.all())
    sold_by = django_filters.ModelChoiceFilter(queryset=Employee.objects.all())
    category = django_filters.ModelChoiceFilter(
        queryset=ProductCategory.objects.all(),
        method="filter_category",
        label="商品分類(配下を含む)",
    )
    sold_on_after = django_filters.DateFilter(field_name="sold_on", lookup_expr="gte")
    sold_on_before = django_filters.DateFilter(field_name="sold_on", lookup_expr="lte")
    q = django_filters.CharFilter(method="filter_q", label="検索")

    class Meta:
        model = Sale
        fields = ["external_code"]

    def filter_category(self, queryset: QuerySet, name: str, value: ProductCategory) -> QuerySet:
        return selectors.sale_list_in_category(category=value, queryset=queryset)

    def filter_q(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        return queryset.filter(
            Q(product__code__icontains=value)
            | Q(product__name__icontains=value)
            | Q(note__icontains=value)
        )


class SalePagination(Pagination):
    django_paginator_class = selectors.SaleEstimatedCountPaginator


class SaleViewSet(viewsets.ModelViewSet):
    """販売履歴: recorded by any employee. Without ``sold_by`` the caller is the seller;
    without ``amount`` the amount is the product's price × quantity."""

    serializer_class = SaleSerializer
    pagination_class = SalePagination
    filterset_class = SaleFilter
    filter_backends = [DjangoFilterBackend, StableOrderingFilter]
    ordering_fields = ["sold_on", "amount", "quantity", "created_at", "id"]

    def get_queryset(self) -> QuerySet[Sale]:
        return selectors.sale_list()

    def perform_create(self, serializer: Any) -> None:
        data = dict(serializer.validated_data)
        if "sold_by" not in data:
            data["sold_by"] = employee_get_for_user(user=self.request.user)
        serializer.instance = services.sale_create(**data)

    def perform_update(self, serializer: Any) -> None:
        serializer.instance = services.sale_update(
            sale=serializer.instance, data=serializer.validated_data
        )

    def perform_destroy(self, instance: Sale) -> None:
        services.sale_delete(sale=instance)

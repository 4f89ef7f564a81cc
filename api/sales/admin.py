"""Admin for products and sales. Category moves, product codes and custom values, and sale
amounts go through the services, exactly as through the API."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from api.masters.admin import ServiceAdmin
from api.sales import selectors, services
from api.sales.models import Product, ProductCategory, Sale


@admin.register(ProductCategory)
class ProductCategoryAdmin(ServiceAdmin):
    list_display = ["indented_name", "code", "parent", "path", "depth"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["parent"]
    readonly_fields = ["path"]
    list_select_related = ["parent"]

    @admin.display(description="名称", ordering="path")
    def indented_name(self, category: ProductCategory) -> str:
        return "　" * (self.depth(category) - 1) + category.name

    @admin.display(description="階層")
    def depth(self, category: ProductCategory) -> int:
        return category.path.count("/") - 1

    def service_check(self, *, instance: ProductCategory, data: dict[str, Any]) -> None:
        services.product_category_parent_check(category=instance, parent=data.get("parent"))

    def service_create(self, *, data: dict[str, Any]) -> ProductCategory:
        return services.product_category_create(**data)

    def service_update(self, *, instance: ProductCategory, data: dict[str, Any]) -> Any:
        return services.product_category_update(category=instance, data=data)

    def service_delete(self, *, instance: ProductCategory) -> None:
        services.product_category_delete(category=instance)


@admin.register(Product)
class ProductAdmin(ServiceAdmin):
    list_display = ["code", "name", "category", "price", "is_active"]
    list_filter = ["is_active", "category"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["category"]
    list_select_related = ["category"]

    def service_check(self, *, instance: Product, data: dict[str, Any]) -> None:
        services.product_extras_clean(
            user_codes={name: data.get(name) for name in services.PRODUCT_USER_CODES},
            custom=data.get("custom") or {},
            existing=None,
        )

    def service_create(self, *, data: dict[str, Any]) -> Product:
        user_codes = {name: data.pop(name, None) for name in services.PRODUCT_USER_CODES}
        return services.product_create(**data, user_codes=user_codes)

    def service_update(self, *, instance: Product, data: dict[str, Any]) -> Product:
        return services.product_update(product=instance, data=data)

    def service_delete(self, *, instance: Product) -> None:
        services.product_delete(product=instance)


@admin.register(Sale)
class SaleAdmin(ServiceAdmin):
    list_display = ["sold_on", "product", "person", "company", "quantity", "amount", "sold_by"]
    list_filter = ["sold_by"]
    date_hierarchy = "sold_on"
    search_fields = ["product__code", "product__name", "external_code"]
    raw_id_fields = ["person", "company"]
    autocomplete_fields = ["product", "sold_by"]
    list_select_related = ["product", "person", "company", "sold_by"]
    paginator = selectors.SaleEstimatedCountPaginator
    show_full_result_count = False

    def get_form(self, request: Any, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        # Left empty, the amount is price × quantity (the service computes it).
        form.base_fields["amount"].required = False
        return form

    def service_check(self, *, instance: Sale, data: dict[str, Any]) -> None:
        if data.get("amount") is None and data.get("product") is not None:
            services.sale_amount_default(product=data["product"], quantity=data["quantity"])

    def service_create(self, *, data: dict[str, Any]) -> Sale:
        return services.sale_create(**data)

    def service_update(self, *, instance: Sale, data: dict[str, Any]) -> Sale:
        return services.sale_update(sale=instance, data=data)

    def service_delete(self, *, instance: Sale) -> None:
        services.sale_delete(sale=instance)

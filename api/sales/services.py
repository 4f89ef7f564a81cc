"""Writes to the product tree, the products and the sales history."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import models, transaction
from django.db.models import Value
from django.db.models.functions import Replace

from api.core import normalise
from api.core.errors import Conflict, FieldErrors
from api.masters.models import CustomField, Employee, UserCodeValue
from api.masters.services import (
    CODE_RULES,
    custom_values_clean,
    model_save_unique,
    user_codes_check,
    values_normalise,
)
from api.people.models import Company, Person
from api.sales.models import Product, ProductCategory, Sale

PRODUCT_USER_CODES = tuple(f"user_code_{slot}" for slot in range(1, 6))
PATH_MAX_LENGTH = ProductCategory._meta.get_field("path").max_length
# Codes typed in full width (ＲＥＤ) are the codes of the master (RED); "" is no code.
PRODUCT_RULES = {**CODE_RULES, **dict.fromkeys(PRODUCT_USER_CODES, normalise.text)}

# ---------------------------------------------------------------------------------------------
# Product categories (商品分類): a tree whose materialised ``path`` ("/1/4/9/") lists the ids
# from the root down, so that a subtree is one indexed prefix match.
# ---------------------------------------------------------------------------------------------


def _path_for(*, category_id: int, parent: ProductCategory | None) -> str:
    path = f"{parent.path if parent else '/'}{category_id}/"
    if len(path) > PATH_MAX_LENGTH:
        raise FieldErrors({"parent": ["the category tree is too deep here"]})
    return path


def product_category_parent_check(
    *, category: ProductCategory | None, parent: ProductCategory | None
) -> None:
    """Refuse a parent that is the category itself or one of its descendants (a cycle)."""
    if category is None or category.pk is None or parent is None:
        return
    if parent.path.startswith(category.path):
        raise FieldErrors(
            {
                "parent": [
                    f"'{parent}' is '{category}' itself or one of its sub-categories; "
                    "a category cannot be moved under itself"
                ]
            }
        )


def product_category_create(
    *, code: str, name: str, parent: ProductCategory | None = None
) -> ProductCategory:
    """1. Insert the row (its id is the last step of its path).
    2. Set ``path`` = parent's path + own id, in the same transaction."""
    clean = values_normalise(data={"code": code, "name": name}, rules=CODE_RULES)
    code, name = clean["code"], clean["name"]
    if ProductCategory.objects.filter(code=code).exists():
        raise FieldErrors({"code": [f"code '{code}' already exists"]})
    with transaction.atomic(durable=True):
        if parent is not None:
            # The parent's path must not move while the child's path is built from it.
            parent = ProductCategory.objects.select_for_update().get(pk=parent.pk)
        category = ProductCategory(code=code, name=name, parent=parent, path="")
        model_save_unique(instance=category, field_name="code")
        category.path = _path_for(category_id=category.pk, parent=parent)
        ProductCategory.objects.filter(pk=category.pk).update(path=category.path)
    return category


def product_category_update(*, category: ProductCategory, data: dict[str, Any]) -> ProductCategory:
    """Rename and/or re-parent a category.

    1. Lock the category and the new parent, and re-read their paths under the lock.
    2. Refuse a cycle (the new parent inside the category's own subtree).
    3. Re-parenting rewrites the paths of the whole subtree in one UPDATE: the old prefix is
       replaced by the new one. The prefix "/…/<id>/" occurs once in each path (ids do not
       repeat on a path), so replace() only touches the prefix.
    """
    data = values_normalise(data=data, rules=CODE_RULES)
    code = data.get("code", category.code)
    if ProductCategory.objects.filter(code=code).exclude(pk=category.pk).exists():
        raise FieldErrors({"code": [f"code '{code}' already exists"]})
    with transaction.atomic(durable=True):
        locked = [category.pk]
        new_parent = data.get("parent", category.parent)
        if new_parent is not None:
            locked.append(new_parent.pk)
        rows = ProductCategory.objects.select_for_update().in_bulk(locked)
        current = rows[category.pk]
        new_parent = rows[new_parent.pk] if new_parent is not None else None
        product_category_parent_check(category=current, parent=new_parent)
        old_path = current.path
        new_path = _path_for(category_id=current.pk, parent=new_parent)
        if new_path != old_path:
            deepest = ProductCategory.objects.filter(path__startswith=old_path).aggregate(
                length=models.Max(models.functions.Length("path"))
            )["length"]
            if deepest - len(old_path) + len(new_path) > PATH_MAX_LENGTH:
                raise FieldErrors({"parent": ["the category tree would be too deep there"]})
            ProductCategory.objects.filter(path__startswith=old_path).update(
                path=Replace("path", Value(old_path), Value(new_path))
            )
        for name, value in data.items():
            setattr(category, name, value)
        category.parent = new_parent
        category.path = new_path
        model_save_unique(instance=category, field_name="code")
    return category


def product_category_delete(*, category: ProductCategory) -> None:
    try:
        with transaction.atomic(durable=True):
            category.delete()
    except models.ProtectedError as exc:
        raise Conflict(
            f"'{category}' still has sub-categories or products; move or delete them first"
        ) from exc


# ---------------------------------------------------------------------------------------------
# Products (商品)
# ---------------------------------------------------------------------------------------------


def product_extras_clean(
    *, user_codes: dict[str, str | None], custom: dict | None, existing: dict | None
) -> dict | None:
    """Check user codes and custom values together, so one 400 names every bad field."""
    errors: dict[str, list[str]] = {}
    cleaned = None
    try:
        user_codes_check(entity=UserCodeValue.Entity.PRODUCT, values=user_codes)
    except FieldErrors as exc:
        errors.update(exc.errors)
    if custom is not None:
        try:
            cleaned = custom_values_clean(
                entity=CustomField.Entity.PRODUCT, values=custom, existing=existing
            )
        except FieldErrors as exc:
            errors.update(exc.errors)
    if errors:
        raise FieldErrors(errors)
    return cleaned


def product_create(
    *,
    code: str,
    name: str,
    category: ProductCategory,
    price: int | None = None,
    is_active: bool = True,
    user_codes: dict[str, str | None] | None = None,
    custom: dict | None = None,
) -> Product:
    """Create a product; its user codes must be in the product code masters and its custom
    values pass the product's CustomField definitions (required ones included)."""
    clean = values_normalise(
        data={"code": code, "name": name, **(user_codes or {})}, rules=PRODUCT_RULES
    )
    code, name = clean.pop("code"), clean.pop("name")
    user_codes = clean
    cleaned = product_extras_clean(user_codes=user_codes, custom=custom or {}, existing=None)
    if Product.objects.filter(code=code).exists():
        raise FieldErrors({"code": [f"product code '{code}' already exists"]})
    product = Product(
        code=code,
        name=name,
        category=category,
        price=price,
        is_active=is_active,
        custom=cleaned or {},
        **user_codes,
    )
    with transaction.atomic(durable=True):
        model_save_unique(instance=product, field_name="code")
    return product


def product_update(*, product: Product, data: dict[str, Any]) -> Product:
    data = values_normalise(data=data, rules=PRODUCT_RULES)
    user_codes = {field: data[field] for field in PRODUCT_USER_CODES if field in data}
    cleaned = product_extras_clean(
        user_codes=user_codes, custom=data.pop("custom", None), existing=product.custom
    )
    if cleaned is not None:
        data["custom"] = cleaned
    data.update(user_codes)
    code = data.get("code", product.code)
    if Product.objects.filter(code=code).exclude(pk=product.pk).exists():
        raise FieldErrors({"code": [f"product code '{code}' already exists"]})
    with transaction.atomic(durable=True):
        for name, value in data.items():
            setattr(product, name, value)
        model_save_unique(instance=product, field_name="code")
    return product


def product_delete(*, product: Product) -> None:
    try:
        with transaction.atomic(durable=True):
            product.delete()
    except models.ProtectedError as exc:
        raise Conflict(f"'{product}' has sales; set is_active to false instead") from exc


# ---------------------------------------------------------------------------------------------
# Sales (販売履歴)
# ---------------------------------------------------------------------------------------------


def sale_amount_default(*, product: Product, quantity: int) -> int:
    if product.price is None:
        raise FieldErrors(
            {"amount": [f"give the amount: product '{product.code}' has no price to multiply"]}
        )
    return product.price * quantity


def _sale_check(*, sale: Sale) -> None:
    if sale.person_id is None and sale.company_id is None:
        raise FieldErrors(
            {
                "person": ["a sale needs a person or a company"],
                "company": ["a sale needs a person or a company"],
            }
        )
    if sale.quantity == 0:
        raise FieldErrors({"quantity": ["quantity must not be 0"]})


def sale_create(
    *,
    product: Product,
    sold_on: datetime.date,
    person: Person | None = None,
    company: Company | None = None,
    quantity: int = 1,
    amount: int | None = None,
    sold_by: Employee | None = None,
    note: str | None = None,
    external_code: str | None = None,
) -> Sale:
    """Record a sale to a person and/or a company. ``amount`` defaults to price × quantity."""
    sale = Sale(
        product=product,
        sold_on=sold_on,
        person=person,
        company=company,
        quantity=quantity,
        sold_by=sold_by,
        note=note or None,
        external_code=external_code or None,
    )
    _sale_check(sale=sale)
    sale.amount = (
        amount if amount is not None else sale_amount_default(product=product, quantity=quantity)
    )
    with transaction.atomic(durable=True):
        model_save_unique(instance=sale, field_name="external_code")
    return sale


def sale_update(*, sale: Sale, data: dict[str, Any]) -> Sale:
    """Change a sale. When the product or the quantity changes and no amount is given, the
    amount follows price × quantity again, so the total never silently keeps a stale figure."""
    data = dict(data)
    repriced = any(
        name in data and data[name] != getattr(sale, name) for name in ("product", "quantity")
    )
    for name, value in data.items():
        setattr(sale, name, value)
    _sale_check(sale=sale)
    if data.get("amount") is None and (repriced or "amount" in data):
        sale.amount = sale_amount_default(product=sale.product, quantity=sale.quantity)
    with transaction.atomic(durable=True):
        model_save_unique(instance=sale, field_name="external_code")
    return sale


def sale_delete(*, sale: Sale) -> None:
    with transaction.atomic(durable=True):
        sale.delete()

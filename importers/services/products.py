"""Import target 商品 (products): code, name, category (by its code), price, user codes."""

from __future__ import annotations

from api.masters.models import CustomField
from api.sales.models import Product
from importers.services.base import Field, Key, Ref, Target

CATEGORY = Ref(table="sales_productcategory", by="code", label="商品分類")

FIELDS: tuple[Field, ...] = (
    Field("id", "ID", "id", aliases=("商品id", "productid"), sql_type="bigint", export="id"),
    Field(
        "code",
        "商品コード",
        "code",
        required=True,
        aliases=("品番", "商品番号", "code"),
        column="code",
        export="code",
    ),
    Field(
        "name",
        "商品名",
        "text",
        required=True,
        aliases=("品名", "name", "productname"),
        column="name",
        export="name",
    ),
    Field(
        "category",
        "商品分類コード",
        "code",
        ref=CATEGORY,
        column="category_id",
        aliases=("商品分類", "分類コード", "分類", "category"),
        export="category__code",
    ),
    Field(
        "price",
        "単価",
        "int",
        aliases=("価格", "定価", "販売価格", "price"),
        column="price",
        sql_type="bigint",
        export="price",
    ),
    *(
        Field(
            f"user_code_{n}",
            f"ユーザ定義コード{n}",
            "usercode",
            slot=n,
            aliases=(f"ユーザコード{n}", f"usercode{n}"),
            column=f"user_code_{n}",
            export=f"user_code_{n}",
        )
        for n in range(1, 6)
    ),
    Field(
        "is_active",
        "販売中",
        "bool",
        aliases=("有効", "販売状況", "isactive"),
        column="is_active",
        sql_type="boolean",
        export="is_active",
    ),
)

TARGET = Target(
    name="products",
    label="商品",
    model=Product,
    fields=FIELDS,
    required=("code", "name", "category"),
    custom_entity=CustomField.Entity.PRODUCT,
    match_keys=(
        Key("code", "商品コード", ("code",), ("s.f_code",), ("t.code",)),
        Key("id", "ID", ("id",), ("s.f_id::bigint",), ("t.id",)),
    ),
    duplicate_keys=(Key("code", "商品コード", ("code",), ("s.f_code",), ("t.code",)),),
    default_duplicate_keys=("code",),
    extras={"user_code_entity": "product"},
)

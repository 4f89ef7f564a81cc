"""Import target 販売履歴 (sales): who bought (a person by id or external code, and/or a
company), which product (by code), when, how many, for how much, sold by whom."""

from __future__ import annotations

from api.sales.models import Sale
from importers.services.base import Field, Key, Ref, Target

PERSON = Ref(table="people_person", by="id", label="個人")
PERSON_BY_CODE = Ref(table="people_person", by="external_code", label="個人")
COMPANY = Ref(table="people_company", by="name", label="企業")
COMPANY_BY_CODE = Ref(table="people_company", by="external_code", label="企業")
PRODUCT = Ref(table="sales_product", by="code", label="商品")
SELLER = Ref(table="masters_employee", by="code", label="社員")

FIELDS: tuple[Field, ...] = (
    Field("id", "ID", "id", aliases=("販売id", "saleid"), sql_type="bigint", export="id"),
    Field(
        "external_code",
        "外部コード",
        "code",
        aliases=("伝票番号", "販売コード", "受注番号", "externalcode"),
        column="external_code",
        export="external_code",
    ),
    Field(
        "person",
        "個人ID",
        "int",
        ref=PERSON,
        column="person_id",
        aliases=("personid", "顧客id"),
        export="person_id",
    ),
    Field(
        "person_code",
        "個人外部コード",
        "code",
        ref=PERSON_BY_CODE,
        column="person_id",
        aliases=("個人コード", "顧客コード", "personcode"),
        export="person__external_code",
    ),
    Field(
        "company",
        "会社名",
        "company_name",
        ref=COMPANY,
        column="company_id",
        aliases=("企業名", "会社", "取引先名", "company"),
        export="company__name",
    ),
    Field(
        "company_code",
        "会社コード",
        "code",
        ref=COMPANY_BY_CODE,
        column="company_id",
        aliases=("企業コード", "取引先コード", "companycode"),
    ),
    Field(
        "product",
        "商品コード",
        "code",
        ref=PRODUCT,
        column="product_id",
        aliases=("品番", "商品", "product", "productcode"),
        export="product__code",
    ),
    Field(
        "sold_on",
        "販売日",
        "date",
        aliases=("売上日", "受注日", "日付", "購入日", "soldon", "date"),
        column="sold_on",
        sql_type="date",
        export="sold_on",
    ),
    Field(
        "quantity",
        "数量",
        "int",
        aliases=("個数", "quantity", "qty"),
        column="quantity",
        sql_type="integer",
        export="quantity",
    ),
    Field(
        "amount",
        "金額",
        "int",
        aliases=("売上金額", "販売金額", "合計金額", "amount"),
        column="amount",
        sql_type="bigint",
        export="amount",
    ),
    Field(
        "sold_by",
        "販売担当",
        "code",
        ref=SELLER,
        column="sold_by_id",
        aliases=("担当社員", "営業担当", "社員コード", "soldby"),
        export="sold_by__code",
    ),
    Field(
        "note", "備考", "multiline", aliases=("メモ", "note", "memo"), column="note", export="note"
    ),
)

TARGET = Target(
    name="sales",
    label="販売履歴",
    model=Sale,
    fields=FIELDS,
    required=("product", "sold_on", "amount"),
    match_keys=(
        Key(
            "external_code",
            "外部コード",
            ("external_code",),
            ("s.f_external_code",),
            ("t.external_code",),
        ),
        Key("id", "ID", ("id",), ("s.f_id::bigint",), ("t.id",)),
    ),
    duplicate_keys=(
        Key(
            "external_code",
            "外部コード",
            ("external_code",),
            ("s.f_external_code",),
            ("t.external_code",),
        ),
        Key(
            "same_sale",
            "同一販売",
            ("product", "sold_on", "amount"),
            (
                "coalesce(s.r_person, 0)",
                "coalesce(s.r_company, 0)",
                "s.r_product",
                "s.f_sold_on::date",
                "s.f_amount::bigint",
            ),
            (
                "coalesce(t.person_id, 0)",
                "coalesce(t.company_id, 0)",
                "t.product_id",
                "t.sold_on",
                "t.amount",
            ),
            file=(
                "coalesce(s.f_person, '')",
                "coalesce(s.f_person_code, '')",
                "coalesce(s.f_company, '')",
                "s.f_product",
                "s.f_sold_on",
                "s.f_amount",
            ),
        ),
    ),
    default_duplicate_keys=("external_code", "same_sale"),
)

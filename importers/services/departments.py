"""Import target 部署 (departments): a department of a company (found by its name or external
code), optionally under a parent department of the same company."""

from __future__ import annotations

from api.masters.models import CustomField
from api.people.models import Department
from importers.services.base import Field, Key, Ref, Target, address_fields

COMPANY = Ref(table="people_company", by="name", label="企業")
COMPANY_BY_CODE = Ref(table="people_company", by="external_code", label="企業")
PARENT = Ref(
    table="people_department", by="name", label="上位部署", scope=("company_id", "company")
)

FIELDS: tuple[Field, ...] = (
    Field("id", "ID", "id", aliases=("部署id", "departmentid"), sql_type="bigint", export="id"),
    Field(
        "external_code",
        "外部コード",
        "code",
        aliases=("部署コード", "externalcode", "code"),
        column="external_code",
        export="external_code",
    ),
    Field(
        "company",
        "会社名",
        "company_name",
        ref=COMPANY,
        column="company_id",
        aliases=("企業名", "会社", "社名", "取引先名", "company", "companyname"),
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
        "name",
        "部署名",
        "text",
        required=True,
        aliases=("部署", "部門", "部門名", "所属", "department", "name"),
        column="name",
        export="name",
    ),
    Field(
        "name_kana",
        "部署名フリガナ",
        "kana",
        aliases=("部署名カナ", "フリガナ", "namekana"),
        column="name_kana",
        export="name_kana",
    ),
    Field(
        "parent",
        "上位部署",
        "text",
        ref=PARENT,
        column="parent_id",
        aliases=("親部署", "上位部署名", "parent"),
        export="parent__name",
    ),
    *address_fields(),
    Field(
        "phone",
        "電話",
        "phone",
        aliases=("電話番号", "tel", "phone"),
        column="phone",
        export="phone",
    ),
    Field("fax", "FAX", "phone", aliases=("fax番号", "ファックス"), column="fax", export="fax"),
)

TARGET = Target(
    name="departments",
    label="部署",
    model=Department,
    fields=FIELDS,
    required=("name", "company"),
    addresses=(("postal_code", "prefecture", "address1"),),
    custom_entity=CustomField.Entity.DEPARTMENT,
    match_keys=(
        Key(
            "external_code",
            "外部コード",
            ("external_code",),
            ("s.f_external_code",),
            ("t.external_code",),
        ),
        Key("id", "ID", ("id",), ("s.f_id::bigint",), ("t.id",)),
        Key(
            "company_name",
            "会社＋部署名",
            ("company|company_code", "name"),
            ("s.r_company", "s.f_name"),
            ("t.company_id", "t.name"),
        ),
    ),
    duplicate_keys=(
        Key(
            "company_name",
            "会社＋部署名",
            ("company|company_code", "name"),
            ("s.r_company", "coalesce(s.r_parent, 0)", "s.f_name"),
            ("t.company_id", "coalesce(t.parent_id, 0)", "t.name"),
            file=(
                "coalesce(s.f_company, s.f_company_code)",
                "coalesce(s.f_parent, '')",
                "s.f_name",
            ),
        ),
    ),
    default_duplicate_keys=("company_name",),
)

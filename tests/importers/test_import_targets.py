"""The other targets: companies, departments, products, sales."""

from api.people.models import Company, Department, Person
from api.sales.models import Product, Sale
from tests.factories.importers import csv_bytes
from tests.factories.masters import CompanyClassificationFactory, EmployeeFactory
from tests.factories.people import CompanyFactory
from tests.importers.helpers import commit, rows, upload


def test_companies_import_with_legal_forms_corporate_numbers_and_classifications(api):
    CompanyClassificationFactory(code="販売先")
    data = csv_bytes(
        [
            ["会社名", "フリガナ", "法人番号", "顧客分類", "ステージ", "資本金", "URL"],
            [
                "㈱サンプル",
                "ｻﾝﾌﾟﾙ",
                "7000012050002",
                "販売先",
                "取引中",
                "1,000,000",
                "https://ex.jp",
            ],
            ["見本(有)", "ミホン", "7000012050003", "", "prospect", "", "ex.jp"],
        ]
    )
    record = upload(api, data, target="companies")
    assert record["counts"]["insert"] == 1
    [bad] = rows(api, record["id"], status="error")
    fields = {e["field"] for e in bad["errors"]}
    assert fields == {"corporate_number", "url"}
    commit(api, record["id"])
    company = Company.objects.get()
    assert (company.name, company.name_kana, company.stage, company.capital) == (
        "株式会社サンプル",
        "サンプル",
        "active",
        1_000_000,
    )
    assert [c.code for c in company.classifications.all()] == ["販売先"]


def test_a_company_with_a_known_corporate_number_is_a_duplicate(api):
    CompanyFactory(name="株式会社既存", corporate_number="7000012050002")
    data = csv_bytes([["会社名", "法人番号"], ["株式会社別名", "7000012050002"]])
    record = upload(api, data, target="companies")
    assert record["counts"]["skip"] == 1


def test_departments_import_under_their_company_and_parent(api):
    company = CompanyFactory(name="株式会社テスト", external_code="T1")
    data = csv_bytes(
        [
            ["会社コード", "部署名", "上位部署"],
            ["T1", "営業本部", ""],
            ["T1", "第一営業部", "営業本部"],
        ]
    )
    first = upload(
        api,
        data.split(b"\r\n", 2)[0] + b"\r\n" + data.split(b"\r\n")[1] + b"\r\n",
        target="departments",
    )
    commit(api, first["id"])
    second = upload(api, data, target="departments")
    assert second["counts"]["insert"] == 1
    assert second["counts"]["skip"] == 1  # 営業本部 exists
    commit(api, second["id"])
    child = Department.objects.get(name="第一営業部")
    assert (child.company, child.parent.name) == (company, "営業本部")


def test_products_upsert_by_code(api):
    from tests.factories.sales import ProductCategoryFactory

    ProductCategoryFactory(code="GIFT")
    data = csv_bytes(
        [
            ["商品コード", "商品名", "商品分類コード", "単価"],
            ["P-1", "お歳暮セット", "GIFT", "５０００"],
        ]
    )
    commit(api, upload(api, data, target="products", mode="upsert")["id"])
    changed = csv_bytes(
        [
            ["商品コード", "商品名", "商品分類コード", "単価"],
            ["P-1", "お歳暮セット", "GIFT", "5500"],
        ]
    )
    record = upload(api, changed, target="products", mode="upsert")
    assert record["counts"]["update"] == 1
    commit(api, record["id"])
    assert Product.objects.get().price == 5500


def test_sales_import_against_people_products_and_sellers(api):
    from tests.factories.sales import ProductCategoryFactory

    category = ProductCategoryFactory(code="GIFT")
    Product.objects.create(code="P-1", name="ギフト", category=category)
    person = Person.objects.create(family_name="山田", external_code="C1")
    seller = EmployeeFactory(code="E9")
    data = csv_bytes(
        [
            ["伝票番号", "個人コード", "商品コード", "販売日", "数量", "金額", "販売担当"],
            ["S-1", "C1", "P-1", "令和6年12月1日", "2", "１０,０００", "E9"],
            ["S-2", "C404", "P-1", "2024/12/02", "1", "5000", "E9"],
        ]
    )
    record = upload(api, data, target="sales")
    [bad] = rows(api, record["id"], status="error")
    assert "no 個人 with code 'C404'" in bad["errors"][0]["message"]
    commit(api, record["id"])
    sale = Sale.objects.get()
    assert (sale.person, sale.sold_by, str(sale.sold_on), sale.amount, sale.quantity) == (
        person,
        seller,
        "2024-12-01",
        10_000,
        2,
    )

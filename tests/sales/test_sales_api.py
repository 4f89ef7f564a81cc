import datetime

import pytest

from api.sales.models import Sale
from tests.factories.masters import EmployeeFactory
from tests.factories.people import CompanyFactory, PersonFactory
from tests.factories.sales import ProductCategoryFactory, ProductFactory, SaleFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/sales/"


def test_an_employee_records_a_sale_and_is_its_seller(api, employee):
    person = PersonFactory(family_name="山田", given_name="太郎")
    product = ProductFactory(name="羊羹", price=1500)

    response = api.post(
        URL,
        {
            "person": person.pk,
            "product": product.pk,
            "sold_on": "2026-01-05",
            "quantity": 3,
        },
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["amount"] == 4500
    assert body["sold_by"] == employee.pk
    assert body["person_name"] == "山田 太郎"
    assert body["product_name"] == "羊羹"


def test_a_given_amount_is_kept(api):
    product = ProductFactory(price=1500)

    response = api.post(
        URL,
        {
            "person": PersonFactory().pk,
            "product": product.pk,
            "sold_on": "2026-01-05",
            "quantity": 2,
            "amount": 2800,
        },
    )

    assert response.json()["amount"] == 2800


def test_without_a_price_the_amount_must_be_given(api):
    product = ProductFactory(price=None)

    response = api.post(
        URL,
        {
            "person": PersonFactory().pk,
            "product": product.pk,
            "sold_on": "2026-01-05",
        },
    )

    assert response.status_code == 400
    assert "amount" in response.json()


def test_a_sale_needs_a_person_or_a_company(api):
    product = ProductFactory()

    nobody = api.post(URL, {"product": product.pk, "sold_on": "2026-01-05"})
    company_only = api.post(
        URL, {"company": CompanyFactory().pk, "product": product.pk, "sold_on": "2026-01-05"}
    )

    assert nobody.status_code == 400
    assert "person" in nobody.json()
    assert company_only.status_code == 201
    assert Sale.objects.count() == 1


def test_changing_the_quantity_reprices_unless_an_amount_is_given(api):
    sale = SaleFactory(product=ProductFactory(price=1000), quantity=1, amount=1000)

    repriced = api.patch(f"{URL}{sale.pk}/", {"quantity": 4})
    fixed = api.patch(f"{URL}{sale.pk}/", {"quantity": 5, "amount": 4000})
    noted = api.patch(f"{URL}{sale.pk}/", {"note": "お歳暮"})

    assert repriced.json()["amount"] == 4000
    assert fixed.json()["amount"] == 4000
    assert noted.json()["amount"] == 4000


def test_removing_the_only_customer_is_refused(api):
    sale = SaleFactory()

    response = api.patch(f"{URL}{sale.pk}/", {"person": None}, format="json")

    assert response.status_code == 400
    sale.refresh_from_db()
    assert sale.person_id is not None


def test_a_sale_can_be_deleted(api):
    sale = SaleFactory()

    assert api.delete(f"{URL}{sale.pk}/").status_code == 204
    assert not Sale.objects.exists()


def test_sales_filter_by_category_including_sub_categories(api):
    food = ProductCategoryFactory(code="FOOD")
    sweets = ProductCategoryFactory(code="SWEETS", parent=food)
    wagashi = ProductCategoryFactory(code="WAGASHI", parent=sweets)
    drink = ProductCategoryFactory(code="DRINK")
    in_food = SaleFactory(product=ProductFactory(category=food))
    in_wagashi = SaleFactory(product=ProductFactory(category=wagashi))
    SaleFactory(product=ProductFactory(category=drink))

    under_food = api.get(URL, {"category": food.pk}).json()["results"]
    under_sweets = api.get(URL, {"category": sweets.pk}).json()["results"]

    assert {s["id"] for s in under_food} == {in_food.pk, in_wagashi.pk}
    assert [s["id"] for s in under_sweets] == [in_wagashi.pk]


def test_the_category_filter_follows_a_moved_subtree(api, staff_api):
    food = ProductCategoryFactory(code="FOOD")
    drink = ProductCategoryFactory(code="DRINK")
    sweets = ProductCategoryFactory(code="SWEETS", parent=food)
    sale = SaleFactory(product=ProductFactory(category=sweets))

    staff_api.patch(f"/api/v1/product-categories/{sweets.pk}/", {"parent": drink.pk})

    assert api.get(URL, {"category": food.pk}).json()["results"] == []
    assert [s["id"] for s in api.get(URL, {"category": drink.pk}).json()["results"]] == [sale.pk]


def test_sales_filter_by_customer_product_seller_and_dates(api):
    person, company = PersonFactory(), CompanyFactory()
    product, seller = ProductFactory(), EmployeeFactory()
    target = SaleFactory(
        person=person,
        company=company,
        product=product,
        sold_by=seller,
        sold_on=datetime.date(2025, 12, 10),
    )
    SaleFactory(person=person, sold_on=datetime.date(2024, 12, 10))
    SaleFactory(product=product, sold_on=datetime.date(2025, 12, 11))

    def ids(**params):
        return [s["id"] for s in api.get(URL, params).json()["results"]]

    assert ids(company=company.pk) == [target.pk]
    assert ids(sold_by=seller.pk) == [target.pk]
    assert ids(person=person.pk, sold_on_after="2025-01-01") == [target.pk]
    assert ids(product=product.pk, sold_on_before="2025-12-10") == [target.pk]


def test_sales_are_newest_first_and_order_by_amount(api):
    old = SaleFactory(sold_on=datetime.date(2024, 1, 1), amount=9000)
    new = SaleFactory(sold_on=datetime.date(2025, 1, 1), amount=100)

    newest_first = [s["id"] for s in api.get(URL).json()["results"]]
    by_amount = [s["id"] for s in api.get(URL, {"ordering": "amount"}).json()["results"]]

    assert newest_first == [new.pk, old.pk]
    assert by_amount == [new.pk, old.pk]


def test_an_unknown_person_is_a_400_naming_person(api):
    response = api.post(
        URL, {"person": 999999, "product": ProductFactory().pk, "sold_on": "2026-01-05"}
    )

    assert response.status_code == 400
    assert "person" in response.json()


def test_anonymous_callers_cannot_read_sales(anon):
    assert anon.get(URL).status_code == 401


def test_an_unfiltered_list_of_many_sales_shows_the_estimated_count(api, monkeypatch):
    from api.sales import selectors

    person = PersonFactory()
    SaleFactory(person=person)
    SaleFactory()
    monkeypatch.setattr(selectors, "sale_count_estimate", lambda: 12_000_000)

    assert api.get(URL).json()["count"] == 12_000_000
    assert api.get(URL, {"person": person.pk}).json()["count"] == 1

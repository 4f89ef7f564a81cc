import pytest

from api.sales.models import Product
from tests.factories.masters import CustomFieldFactory, UserCodeValueFactory
from tests.factories.sales import ProductCategoryFactory, ProductFactory, SaleFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/products/"


@pytest.fixture
def colours(db):
    UserCodeValueFactory(entity="product", slot=1, code="RED", name="赤")
    UserCodeValueFactory(entity="product", slot=1, code="BLUE", name="青")


def test_staff_create_a_product_with_user_codes_and_custom_values(staff_api, colours):
    category = ProductCategoryFactory(code="SWEETS", name="菓子")
    CustomFieldFactory(entity="product", key="origin", kind="text")

    response = staff_api.post(
        URL,
        {
            "code": "P-001",
            "name": "羊羹 ｾｯﾄ",
            "category": category.pk,
            "price": 1500,
            "user_code_1": "RED",
            "custom": {"origin": "京都"},
        },
        format="json",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["category_code"], body["category_name"]) == ("SWEETS", "菓子")
    assert body["user_code_1"] == "RED"
    assert body["custom"] == {"origin": "京都"}


def test_an_unknown_product_user_code_names_the_field(staff_api, colours):
    category = ProductCategoryFactory()

    response = staff_api.post(
        URL,
        {
            "code": "P-001",
            "name": "羊羹",
            "category": category.pk,
            "user_code_1": "GREEN",
        },
    )

    assert response.status_code == 400
    assert response.json() == {
        "user_code_1": ["'GREEN' is not a code of user code 1; allowed: BLUE, RED"]
    }
    assert not Product.objects.exists()


def test_bad_codes_and_bad_custom_values_are_reported_together(staff_api, colours):
    category = ProductCategoryFactory()
    CustomFieldFactory(entity="product", key="weight", kind="number")

    response = staff_api.post(
        URL,
        {
            "code": "P-001",
            "name": "羊羹",
            "category": category.pk,
            "user_code_1": "GREEN",
            "custom": {"weight": "heavy", "foo": 1},
        },
        format="json",
    )

    assert response.status_code == 400
    assert set(response.json()) == {"user_code_1", "custom.weight", "custom.foo"}


def test_a_required_custom_field_is_required_on_create_but_kept_on_update(staff_api):
    CustomFieldFactory(entity="product", key="jan", kind="text", required=True)
    CustomFieldFactory(entity="product", key="memo", kind="text")
    category = ProductCategoryFactory()
    body = {"code": "P-001", "name": "羊羹", "category": category.pk}

    missing = staff_api.post(URL, body, format="json")
    created = staff_api.post(URL, {**body, "custom": {"jan": "4901234567894"}}, format="json")
    updated = staff_api.patch(
        f"{URL}{created.json()['id']}/", {"custom": {"memo": "季節限定"}}, format="json"
    )

    assert missing.status_code == 400
    assert "custom.jan" in missing.json()
    assert updated.status_code == 200
    assert updated.json()["custom"] == {"jan": "4901234567894", "memo": "季節限定"}


def test_clearing_a_user_code(staff_api, colours):
    product = ProductFactory(user_code_1="RED")

    response = staff_api.patch(f"{URL}{product.pk}/", {"user_code_1": None}, format="json")

    assert response.status_code == 200
    product.refresh_from_db()
    assert product.user_code_1 is None


def test_products_filter_by_category_including_sub_categories(api):
    food = ProductCategoryFactory(code="FOOD")
    sweets = ProductCategoryFactory(code="SWEETS", parent=food)
    drink = ProductCategoryFactory(code="DRINK")
    ProductFactory(code="A", category=food)
    ProductFactory(code="B", category=sweets)
    ProductFactory(code="C", category=drink)

    under_food = api.get(URL, {"category": food.pk}).json()["results"]
    under_sweets = api.get(URL, {"category": sweets.pk}).json()["results"]

    assert [p["code"] for p in under_food] == ["A", "B"]
    assert [p["code"] for p in under_sweets] == ["B"]


def test_products_filter_by_user_code_and_custom_value(api, colours):
    CustomFieldFactory(entity="product", key="season", kind="choice", choices=["夏", "冬"])
    ProductFactory(code="A", user_code_1="RED", custom={"season": "夏"})
    ProductFactory(code="B", user_code_1="BLUE", custom={"season": "冬"})

    by_code = api.get(URL, {"user_code_1": "RED"}).json()["results"]
    by_custom = api.get(URL, {"custom__season": "冬"}).json()["results"]

    assert [p["code"] for p in by_code] == ["A"]
    assert [p["code"] for p in by_custom] == ["B"]


def test_products_search_and_order(api):
    ProductFactory(code="A", name="羊羹", price=1500)
    ProductFactory(code="B", name="煎餅", price=500)
    ProductFactory(code="C", name="水羊羹", price=800)

    found = api.get(URL, {"q": "羊羹", "ordering": "-price"}).json()["results"]

    assert [p["code"] for p in found] == ["A", "C"]


def test_a_sold_product_cannot_be_deleted(staff_api):
    sale = SaleFactory()

    response = staff_api.delete(f"{URL}{sale.product_id}/")

    assert response.status_code == 409


def test_a_duplicate_product_code_is_a_400_naming_code(staff_api):
    ProductFactory(code="P-001")

    response = staff_api.post(
        URL, {"code": "P-001", "name": "x", "category": ProductCategoryFactory().pk}
    )

    assert response.status_code == 400
    assert "code" in response.json()


def test_only_staff_change_products(api, anon):
    product = ProductFactory()

    assert api.patch(f"{URL}{product.pk}/", {"price": 1}).status_code == 403
    assert api.get(f"{URL}{product.pk}/").status_code == 200
    assert anon.get(URL).status_code == 401


def test_full_width_codes_are_stored_as_the_master_codes(staff_api, colours):
    category = ProductCategoryFactory()

    response = staff_api.post(
        URL,
        {
            "code": "Ｐ－００１",
            "name": "羊羹",
            "category": category.pk,
            "user_code_1": "ＲＥＤ",
        },
    )

    assert response.status_code == 201, response.json()
    assert (response.json()["code"], response.json()["user_code_1"]) == ("P-001", "RED")

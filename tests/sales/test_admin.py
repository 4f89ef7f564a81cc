import pytest
from django.test import Client

from api.sales.models import ProductCategory, Sale
from tests.factories.masters import UserCodeValueFactory
from tests.factories.people import PersonFactory
from tests.factories.sales import ProductCategoryFactory, ProductFactory, SaleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def site(admin_user):
    client = Client()
    client.force_login(admin_user)
    return client


@pytest.mark.parametrize(
    "model",
    [
        "masters/persontype",
        "masters/selectiontype",
        "masters/companyclassification",
        "masters/branch",
        "masters/section",
        "masters/usercodevalue",
        "masters/customfield",
        "masters/employee",
        "sales/productcategory",
        "sales/product",
        "sales/sale",
    ],
)
def test_every_list_and_add_page_opens(site, model, employee):
    SaleFactory()

    assert site.get(f"/admin/{model}/").status_code == 200
    assert site.get(f"/admin/{model}/add/").status_code == 200
    assert site.get(f"/admin/{model}/", {"q": "山田"}).status_code == 200


def test_adding_a_category_in_the_admin_sets_its_path(site):
    food = ProductCategoryFactory(code="FOOD")

    response = site.post(
        "/admin/sales/productcategory/add/", {"code": "SWEETS", "name": "菓子", "parent": food.pk}
    )

    assert response.status_code == 302
    sweets = ProductCategory.objects.get(code="SWEETS")
    assert sweets.path == f"/{food.pk}/{sweets.pk}/"


def test_moving_a_category_in_the_admin_moves_its_subtree(site):
    food = ProductCategoryFactory(code="FOOD")
    drink = ProductCategoryFactory(code="DRINK")
    sweets = ProductCategoryFactory(code="SWEETS", parent=food)
    wagashi = ProductCategoryFactory(code="WAGASHI", parent=sweets)

    response = site.post(
        f"/admin/sales/productcategory/{sweets.pk}/change/",
        {"code": "SWEETS", "name": "菓子", "parent": drink.pk},
    )

    assert response.status_code == 302
    wagashi.refresh_from_db()
    assert wagashi.path == f"/{drink.pk}/{sweets.pk}/{wagashi.pk}/"


def test_the_admin_refuses_a_cycle_on_the_parent_field(site):
    food = ProductCategoryFactory(code="FOOD")
    sweets = ProductCategoryFactory(code="SWEETS", parent=food)

    response = site.post(
        f"/admin/sales/productcategory/{food.pk}/change/",
        {"code": "FOOD", "name": "食品", "parent": sweets.pk},
    )

    assert response.status_code == 200
    assert "parent" in response.context["adminform"].form.errors
    food.refresh_from_db()
    assert food.parent_id is None


def test_the_admin_refuses_an_unknown_product_user_code(site):
    UserCodeValueFactory(entity="product", slot=1, code="RED")
    category = ProductCategoryFactory()

    response = site.post(
        "/admin/sales/product/add/",
        {
            "code": "P1",
            "name": "羊羹",
            "category": category.pk,
            "user_code_1": "GREEN",
            "custom": "{}",
            "is_active": "on",
        },
    )

    assert response.status_code == 200
    assert "user_code_1" in response.context["adminform"].form.errors


def test_a_sale_added_in_the_admin_without_amount_is_priced(site):
    person, product = PersonFactory(), ProductFactory(price=1200)

    response = site.post(
        "/admin/sales/sale/add/",
        {
            "person": person.pk,
            "product": product.pk,
            "sold_on": "2026-01-05",
            "quantity": 2,
        },
    )

    assert response.status_code == 302
    assert Sale.objects.get().amount == 2400

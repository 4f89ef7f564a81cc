import pytest

from api.sales.models import ProductCategory
from tests.factories.sales import ProductCategoryFactory, ProductFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/product-categories/"


def paths():
    return dict(ProductCategory.objects.values_list("code", "path"))


def test_staff_build_a_tree_and_each_path_lists_the_ids_from_the_root(staff_api):
    food = staff_api.post(URL, {"code": "FOOD", "name": "食品"}).json()
    sweets = staff_api.post(URL, {"code": "SWEETS", "name": "菓子", "parent": food["id"]}).json()
    wagashi = staff_api.post(
        URL, {"code": "WAGASHI", "name": "和菓子", "parent": sweets["id"]}
    ).json()

    assert food["path"] == f"/{food['id']}/"
    assert sweets["path"] == f"/{food['id']}/{sweets['id']}/"
    assert wagashi["path"] == f"/{food['id']}/{sweets['id']}/{wagashi['id']}/"
    assert (food["depth"], sweets["depth"], wagashi["depth"]) == (1, 2, 3)
    assert wagashi["parent_name"] == "菓子"


def test_re_parenting_moves_every_descendants_path(staff_api):
    food = ProductCategoryFactory(code="FOOD")
    drink = ProductCategoryFactory(code="DRINK")
    sweets = ProductCategoryFactory(code="SWEETS", parent=food)
    wagashi = ProductCategoryFactory(code="WAGASHI", parent=sweets)
    yokan = ProductCategoryFactory(code="YOKAN", parent=wagashi)
    ProductCategoryFactory(code="MEAT", parent=food)

    response = staff_api.patch(f"{URL}{sweets.pk}/", {"parent": drink.pk})

    assert response.status_code == 200, response.json()
    assert response.json()["path"] == f"/{drink.pk}/{sweets.pk}/"
    assert paths() == {
        "FOOD": f"/{food.pk}/",
        "DRINK": f"/{drink.pk}/",
        "SWEETS": f"/{drink.pk}/{sweets.pk}/",
        "WAGASHI": f"/{drink.pk}/{sweets.pk}/{wagashi.pk}/",
        "YOKAN": f"/{drink.pk}/{sweets.pk}/{wagashi.pk}/{yokan.pk}/",
        "MEAT": paths()["MEAT"],
    }
    assert paths()["MEAT"].startswith(f"/{food.pk}/")


def test_moving_a_subtree_to_the_top_level(staff_api):
    food = ProductCategoryFactory(code="FOOD")
    sweets = ProductCategoryFactory(code="SWEETS", parent=food)
    wagashi = ProductCategoryFactory(code="WAGASHI", parent=sweets)

    response = staff_api.patch(f"{URL}{sweets.pk}/", {"parent": None})

    assert response.status_code == 200
    assert paths()["WAGASHI"] == f"/{sweets.pk}/{wagashi.pk}/"


@pytest.mark.parametrize("target", ["itself", "child", "grandchild"])
def test_a_category_cannot_move_under_itself(staff_api, target):
    food = ProductCategoryFactory(code="FOOD")
    sweets = ProductCategoryFactory(code="SWEETS", parent=food)
    wagashi = ProductCategoryFactory(code="WAGASHI", parent=sweets)
    before = paths()
    parent = {"itself": food, "child": sweets, "grandchild": wagashi}[target]

    response = staff_api.patch(f"{URL}{food.pk}/", {"parent": parent.pk})

    assert response.status_code == 400
    assert "parent" in response.json()
    assert paths() == before


def test_renaming_keeps_the_paths(staff_api):
    food = ProductCategoryFactory(code="FOOD")
    ProductCategoryFactory(code="SWEETS", parent=food)
    before = paths()

    response = staff_api.patch(f"{URL}{food.pk}/", {"name": "食料品"})

    assert response.status_code == 200
    assert response.json()["name"] == "食料品"
    assert paths() == before


def test_within_lists_a_category_and_everything_below_it(api):
    food = ProductCategoryFactory(code="FOOD")
    sweets = ProductCategoryFactory(code="SWEETS", parent=food)
    ProductCategoryFactory(code="WAGASHI", parent=sweets)
    ProductCategoryFactory(code="DRINK")

    results = api.get(URL, {"within": sweets.pk}).json()["results"]

    assert [r["code"] for r in results] == ["SWEETS", "WAGASHI"]


def test_roots_and_children_are_listed_with_counts(api):
    food = ProductCategoryFactory(code="FOOD")
    ProductCategoryFactory(code="SWEETS", parent=food)
    ProductCategoryFactory(code="MEAT", parent=food)
    ProductFactory(category=food)

    roots = api.get(URL, {"root": "true"}).json()["results"]
    children = api.get(URL, {"parent": food.pk, "ordering": "code"}).json()["results"]

    assert [(r["code"], r["child_count"], r["product_count"]) for r in roots] == [("FOOD", 2, 1)]
    assert [r["code"] for r in children] == ["MEAT", "SWEETS"]


def test_a_category_with_sub_categories_cannot_be_deleted(staff_api):
    food = ProductCategoryFactory(code="FOOD")
    sweets = ProductCategoryFactory(code="SWEETS", parent=food)

    assert staff_api.delete(f"{URL}{food.pk}/").status_code == 409
    assert staff_api.delete(f"{URL}{sweets.pk}/").status_code == 204


def test_a_duplicate_code_is_a_400_naming_code(staff_api):
    ProductCategoryFactory(code="FOOD")

    response = staff_api.post(URL, {"code": "FOOD", "name": "食品"})

    assert response.status_code == 400
    assert "code" in response.json()


def test_only_staff_change_the_tree(api, anon):
    food = ProductCategoryFactory(code="FOOD")

    assert api.post(URL, {"code": "X", "name": "x"}).status_code == 403
    assert api.patch(f"{URL}{food.pk}/", {"name": "x"}).status_code == 403
    assert api.get(URL).status_code == 200
    assert anon.get(URL).status_code == 401

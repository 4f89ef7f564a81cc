import pytest

from api.masters.models import CustomField
from tests.factories.masters import CustomFieldFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/masters/custom-fields/"


def test_staff_define_a_choice_field(staff_api):
    response = staff_api.post(
        URL,
        {
            "entity": "person",
            "key": "size",
            "label": "サイズ",
            "kind": "choice",
            "choices": ["Ｓ", "M", "L"],
            "required": True,
        },
    )

    assert response.status_code == 201, response.json()
    assert response.json()["choices"] == ["S", "M", "L"]
    assert CustomField.objects.get(key="size").required is True


def test_a_choice_field_needs_choices(staff_api):
    response = staff_api.post(
        URL, {"entity": "person", "key": "size", "label": "サイズ", "kind": "choice"}
    )

    assert response.status_code == 400
    assert "choices" in response.json()


def test_only_choice_fields_have_choices(staff_api):
    response = staff_api.post(
        URL,
        {
            "entity": "person",
            "key": "memo",
            "label": "メモ",
            "kind": "text",
            "choices": ["a"],
        },
    )

    assert response.status_code == 400
    assert "choices" in response.json()


def test_a_key_already_defined_for_the_entity_is_a_400_naming_key(staff_api):
    CustomFieldFactory(entity="person", key="hobby")

    response = staff_api.post(
        URL, {"entity": "person", "key": "hobby", "label": "趣味", "kind": "text"}
    )
    other_entity = staff_api.post(
        URL, {"entity": "company", "key": "hobby", "label": "趣味", "kind": "text"}
    )

    assert response.status_code == 400
    assert "key" in response.json()
    assert other_entity.status_code == 201


def test_definitions_filter_by_entity(api):
    CustomFieldFactory(entity="person", key="hobby")
    CustomFieldFactory(entity="product", key="colour")

    results = api.get(URL, {"entity": "product"}).json()["results"]

    assert [r["key"] for r in results] == ["colour"]


def test_an_ordinary_employee_cannot_define_fields(api, anon):
    body = {"entity": "person", "key": "hobby", "label": "趣味", "kind": "text"}

    assert api.post(URL, body).status_code == 403
    assert anon.get(URL).status_code == 401

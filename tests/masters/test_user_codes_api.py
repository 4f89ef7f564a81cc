import pytest

from api.masters.models import UserCodeValue
from tests.factories.masters import UserCodeValueFactory
from tests.factories.people import PersonFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/masters/user-codes/"


def test_user_codes_filter_by_entity_and_slot(api):
    UserCodeValueFactory(entity="person", slot=1, code="A")
    UserCodeValueFactory(entity="person", slot=2, code="B")
    UserCodeValueFactory(entity="product", slot=1, code="RED", name="赤")

    results = api.get(URL, {"entity": "product", "slot": 1}).json()["results"]
    slot_2 = api.get(URL, {"entity": "person", "slot": 2}).json()["results"]

    assert [(r["code"], r["name"]) for r in results] == [("RED", "赤")]
    assert [r["code"] for r in slot_2] == ["B"]


def test_staff_add_a_code_to_a_slot(staff_api):
    response = staff_api.post(URL, {"entity": "person", "slot": 3, "code": "G", "name": "ゴルフ"})

    assert response.status_code == 201, response.json()
    assert UserCodeValue.objects.get(entity="person", slot=3).code == "G"


def test_an_ordinary_employee_cannot_add_a_code(api):
    response = api.post(URL, {"entity": "person", "slot": 3, "code": "G", "name": "ゴルフ"})

    assert response.status_code == 403


def test_a_code_already_in_its_slot_is_a_400_naming_code(staff_api):
    UserCodeValueFactory(entity="person", slot=1, code="A")

    response = staff_api.post(URL, {"entity": "person", "slot": 1, "code": "A", "name": "重複"})

    assert response.status_code == 400
    assert "code" in response.json()


def test_the_same_code_in_another_slot_is_fine(staff_api):
    UserCodeValueFactory(entity="person", slot=1, code="A")

    response = staff_api.post(URL, {"entity": "person", "slot": 2, "code": "A", "name": "別"})

    assert response.status_code == 201


def test_a_slot_outside_1_to_10_is_refused(staff_api):
    response = staff_api.post(URL, {"entity": "person", "slot": 11, "code": "A", "name": "x"})

    assert response.status_code == 400
    assert "slot" in response.json()


def test_a_code_in_use_cannot_be_renamed_or_deleted(staff_api):
    value = UserCodeValueFactory(entity="person", slot=1, code="A")
    PersonFactory(user_code_1="A")

    renamed = staff_api.patch(f"{URL}{value.pk}/", {"code": "Z"})
    deleted = staff_api.delete(f"{URL}{value.pk}/")
    described = staff_api.patch(f"{URL}{value.pk}/", {"name": "新しい名称"})

    assert renamed.status_code == 409
    assert "in use" in renamed.json()["detail"][0]
    assert deleted.status_code == 409
    assert described.status_code == 200
    assert UserCodeValue.objects.get(pk=value.pk).code == "A"


def test_an_unused_code_can_be_deleted(staff_api):
    value = UserCodeValueFactory(entity="person", slot=1, code="A")

    assert staff_api.delete(f"{URL}{value.pk}/").status_code == 204

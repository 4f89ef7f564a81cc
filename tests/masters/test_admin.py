import pytest
from django.test import Client

from api.masters.models import Branch, CustomField, Employee, UserCodeValue
from tests.factories.masters import UserCodeValueFactory
from tests.factories.people import PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def site(admin_user):
    client = Client()
    client.force_login(admin_user)
    return client


def test_the_admin_refuses_a_choice_field_without_choices(site):
    response = site.post(
        "/admin/masters/customfield/add/",
        {
            "entity": "person",
            "key": "size",
            "label": "サイズ",
            "kind": "choice",
            "choices": "[]",
            "sort_order": 0,
        },
    )

    assert response.status_code == 200
    assert "choices" in response.context["adminform"].form.errors
    assert not CustomField.objects.exists()


def test_the_admin_adds_a_custom_field_through_the_service(site):
    response = site.post(
        "/admin/masters/customfield/add/",
        {
            "entity": "person",
            "key": "size",
            "label": "サイズ",
            "kind": "choice",
            "choices": '["Ｓ", "M"]',
            "sort_order": 0,
        },
    )

    assert response.status_code == 302
    assert CustomField.objects.get().choices == ["S", "M"]


def test_the_admin_refuses_to_rename_a_user_code_in_use(site):
    value = UserCodeValueFactory(entity="person", slot=1, code="A", name="VIP")
    PersonFactory(user_code_1="A")

    response = site.post(
        f"/admin/masters/usercodevalue/{value.pk}/change/",
        {
            "entity": "person",
            "slot": 1,
            "code": "Z",
            "name": "VIP",
            "sort_order": 0,
        },
    )

    assert response.status_code == 200
    assert "in use" in str(response.context["adminform"].form.non_field_errors())
    assert UserCodeValue.objects.get().code == "A"


def test_the_admin_explains_instead_of_deleting_a_user_code_in_use(site):
    value = UserCodeValueFactory(entity="person", slot=1, code="A")
    PersonFactory(user_code_1="A")

    response = site.post(f"/admin/masters/usercodevalue/{value.pk}/delete/", {"post": "yes"})

    assert response.status_code == 200
    assert "in use" in response.content.decode()
    assert UserCodeValue.objects.filter(pk=value.pk).exists()


def test_the_admin_adds_a_code_through_the_input_rules(site):
    response = site.post(
        "/admin/masters/branch/add/",
        {"code": "ＴＫＹ", "name": "東京支店", "sort_order": 0, "is_active": "on"},
    )

    assert response.status_code == 302
    assert Branch.objects.get().code == "TKY"


def test_the_admin_refuses_a_reading_that_is_not_kana(site, user):
    response = site.post(
        "/admin/masters/employee/add/",
        {
            "user": user.pk,
            "code": "E1",
            "name": "鈴木",
            "name_kana": "Suzuki",
            "is_active": "on",
        },
    )

    assert response.status_code == 200
    assert "name_kana" in response.context["adminform"].form.errors


def test_the_admin_adds_an_employee_for_an_existing_login(site, user):
    response = site.post(
        "/admin/masters/employee/add/",
        {
            "user": user.pk,
            "code": "E1",
            "name": "鈴木",
            "name_kana": "すずき",
            "is_active": "on",
        },
    )

    assert response.status_code == 302
    assert Employee.objects.get(user=user).name_kana == "スズキ"

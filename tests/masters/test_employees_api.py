import pytest
from django.contrib.auth.models import Group

from api.masters.models import Employee
from tests.factories.masters import BranchFactory, EmployeeFactory, SectionFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/employees/"


def test_employees_are_listed_with_branch_department_and_groups(api, employee):
    employee.branch = BranchFactory(code="TKY", name="東京支店")
    employee.department = SectionFactory(code="S1", name="営業一課")
    employee.save()
    employee.user.groups.add(Group.objects.create(name="営業"))

    results = api.get(URL).json()["results"]

    assert len(results) == 1
    row = results[0]
    assert (row["branch"], row["branch_name"]) == ("TKY", "東京支店")
    assert (row["department"], row["department_name"]) == ("S1", "営業一課")
    assert row["groups"] == ["営業"]
    assert row["username"] == employee.user.username
    assert "password" not in row


def test_me_is_the_callers_own_employee(api, other_api, employee):
    response = api.get(f"{URL}me/")

    assert response.status_code == 200
    assert response.json()["id"] == employee.pk


def test_me_without_an_employee_record_is_404(staff_api):
    assert staff_api.get(f"{URL}me/").status_code == 404


def test_staff_create_an_employee_with_a_new_login(staff_api):
    BranchFactory(code="OSK", name="大阪支店")
    Group.objects.create(name="営業")

    response = staff_api.post(
        URL,
        {
            "username": "sato",
            "password": "s3cret-pass",
            "code": "E900",
            "name": "佐藤 花子",
            "name_kana": "サトウ ハナコ",
            "branch": "OSK",
            "groups": ["営業"],
        },
    )

    assert response.status_code == 201, response.json()
    assert response.json()["branch_name"] == "大阪支店"
    assert response.json()["groups"] == ["営業"]
    employee = Employee.objects.get(code="E900")
    assert employee.user.check_password("s3cret-pass")


def test_an_existing_user_can_become_an_employee_once(staff_api):
    UserFactory(username="tanaka")
    body = {"username": "tanaka", "code": "E1", "name": "田中"}

    first = staff_api.post(URL, body)
    second = staff_api.post(URL, {**body, "code": "E2"})

    assert first.status_code == 201
    assert second.status_code == 400
    assert "username" in second.json()


def test_a_duplicate_employee_code_is_a_400_naming_code(staff_api):
    EmployeeFactory(code="E1")

    response = staff_api.post(URL, {"username": "new", "code": "E1", "name": "新人"})

    assert response.status_code == 400
    assert "code" in response.json()


def test_an_unknown_branch_code_is_a_400_naming_branch(staff_api, employee):
    response = staff_api.patch(f"{URL}{employee.pk}/", {"branch": "NOPE"})

    assert response.status_code == 400
    assert "branch" in response.json()


def test_an_unknown_group_is_a_400_naming_groups(staff_api, employee):
    response = staff_api.patch(f"{URL}{employee.pk}/", {"groups": ["存在しない"]})

    assert response.status_code == 400
    assert "groups" in response.json()


def test_staff_move_an_employee_to_another_department(staff_api, employee):
    SectionFactory(code="S2", name="営業二課")

    response = staff_api.patch(f"{URL}{employee.pk}/", {"department": "S2"})

    assert response.status_code == 200
    assert response.json()["department_name"] == "営業二課"


def test_an_ordinary_employee_cannot_create_or_change_employees(api, employee):
    assert api.post(URL, {"username": "x", "code": "E9", "name": "x"}).status_code == 403
    assert api.patch(f"{URL}{employee.pk}/", {"name": "改名"}).status_code == 403


def test_employees_are_deactivated_not_deleted(staff_api, employee):
    assert staff_api.delete(f"{URL}{employee.pk}/").status_code == 405


def test_employees_filter_by_branch_code(api):
    EmployeeFactory(code="E1", branch=BranchFactory(code="TKY"))
    EmployeeFactory(code="E2", branch=BranchFactory(code="OSK"))

    results = api.get(URL, {"branch": "OSK"}).json()["results"]

    assert [r["code"] for r in results] == ["E2"]


def test_anonymous_callers_cannot_list_employees(anon):
    assert anon.get(URL).status_code == 401


def test_an_employees_reading_is_katakana_and_email_is_checked(staff_api):
    response = staff_api.post(
        URL,
        {
            "username": "suzuki",
            "code": "E7",
            "name": "鈴木　一郎",
            "name_kana": "すずき いちろう",
            "email": "Ichiro@MEIBO.example.jp",
        },
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["name"], body["name_kana"]) == ("鈴木 一郎", "スズキ イチロウ")
    assert body["email"] == "Ichiro@meibo.example.jp"


def test_a_reading_that_is_not_kana_is_a_400_naming_name_kana(staff_api, employee):
    response = staff_api.patch(f"{URL}{employee.pk}/", {"name_kana": "Suzuki"})

    assert response.status_code == 400
    assert "name_kana" in response.json()

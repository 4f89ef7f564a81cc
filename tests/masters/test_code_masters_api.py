import pytest

from api.masters.models import Branch, PersonType
from tests.factories.masters import BranchFactory, EmployeeFactory, PersonTypeFactory

pytestmark = pytest.mark.django_db

ENDPOINTS = [
    "person-types",
    "selection-types",
    "company-classifications",
    "branches",
    "sections",
]


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_every_employee_reads_a_code_master(api, staff_api, endpoint):
    staff_api.post(f"/api/v1/masters/{endpoint}/", {"code": "01", "name": "得意先"})

    response = api.get(f"/api/v1/masters/{endpoint}/")

    assert response.status_code == 200
    assert [(r["code"], r["name"]) for r in response.json()["results"]] == [("01", "得意先")]


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_staff_create_change_and_delete_a_code(staff_api, endpoint):
    url = f"/api/v1/masters/{endpoint}/"

    created = staff_api.post(url, {"code": "VIP", "name": "重要顧客", "sort_order": 5})
    assert created.status_code == 201, created.json()
    item = f"{url}{created.json()['id']}/"
    changed = staff_api.patch(item, {"name": "最重要顧客", "is_active": False})
    assert changed.status_code == 200
    assert changed.json()["name"] == "最重要顧客"
    assert changed.json()["is_active"] is False
    assert staff_api.delete(item).status_code == 204
    assert staff_api.get(item).status_code == 404


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_an_ordinary_employee_cannot_write_a_code_master(api, endpoint):
    url = f"/api/v1/masters/{endpoint}/"

    assert api.post(url, {"code": "X", "name": "x"}).status_code == 403


def test_an_ordinary_employee_cannot_change_or_delete_a_code(api):
    person_type = PersonTypeFactory()
    item = f"/api/v1/masters/person-types/{person_type.pk}/"

    assert api.patch(item, {"name": "変更"}).status_code == 403
    assert api.delete(item).status_code == 403
    assert PersonType.objects.filter(pk=person_type.pk).exists()


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_anonymous_callers_are_refused(anon, endpoint):
    assert anon.get(f"/api/v1/masters/{endpoint}/").status_code == 401


def test_a_duplicate_code_is_a_400_naming_code(staff_api):
    PersonTypeFactory(code="01")

    response = staff_api.post("/api/v1/masters/person-types/", {"code": "01", "name": "重複"})

    assert response.status_code == 400
    assert list(response.json()) == ["code"]


def test_changing_a_code_to_one_in_use_is_a_400_naming_code(staff_api):
    PersonTypeFactory(code="01")
    other = PersonTypeFactory(code="02")

    response = staff_api.patch(f"/api/v1/masters/person-types/{other.pk}/", {"code": "01"})

    assert response.status_code == 400
    assert "code" in response.json()


def test_a_branch_that_employees_belong_to_cannot_be_deleted(staff_api):
    branch = BranchFactory(code="TKY", name="東京支店")
    EmployeeFactory(branch=branch)

    response = staff_api.delete(f"/api/v1/masters/branches/{branch.pk}/")

    assert response.status_code == 409
    assert "is_active" in response.json()["detail"][0]
    assert Branch.objects.filter(pk=branch.pk).exists()


def test_codes_filter_by_activity_and_search_by_name(api):
    BranchFactory(code="TKY", name="東京支店")
    BranchFactory(code="OSK", name="大阪支店", is_active=False)

    active = api.get("/api/v1/masters/branches/", {"is_active": "true"}).json()["results"]
    found = api.get("/api/v1/masters/branches/", {"q": "大阪"}).json()["results"]

    assert [b["code"] for b in active] == ["TKY"]
    assert [b["code"] for b in found] == ["OSK"]


def test_codes_are_listed_in_display_order(api):
    PersonTypeFactory(code="B", sort_order=1)
    PersonTypeFactory(code="A", sort_order=2)

    results = api.get("/api/v1/masters/person-types/").json()["results"]

    assert [r["code"] for r in results] == ["B", "A"]


def test_codes_and_names_follow_the_input_rules(staff_api):
    response = staff_api.post(
        "/api/v1/masters/person-types/", {"code": "ＶＩＰ０１", "name": "ﾄｸｲｻｷ　重要"}
    )

    assert response.status_code == 201
    assert (response.json()["code"], response.json()["name"]) == ("VIP01", "トクイサキ 重要")

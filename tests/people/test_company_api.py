"""companies/ and departments/ through the API."""

from __future__ import annotations

import pytest

from api.masters.models import CustomField
from api.people.models import Company, Department
from tests.factories.masters import CompanyClassificationFactory, CustomFieldFactory
from tests.factories.people import CompanyFactory, DepartmentFactory, PersonFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/companies/"
DEPARTMENTS = "/api/v1/departments/"


def test_a_company_is_stored_by_the_input_rules(api):
    CompanyClassificationFactory(code="CUSTOMER", name="取引先")

    response = api.post(
        URL,
        {
            "name": "山田商事（株）",
            "name_kana": "やまだしょうじ",
            "corporate_number": "７００００１２０５０００２",
            "phone": "0312345678",
            "fax": "03(1234)5679",
            "postal_code": "1000001",
            "classifications": ["CUSTOMER"],
            "stage": "active",
            "rank": "A",
            "capital": 10000000,
            "url": "https://yamada.example.jp/",
        },
        format="json",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["name"] == "山田商事株式会社"
    assert body["name_kana"] == "ヤマダショウジ"
    assert body["corporate_number"] == "7000012050002"
    assert (body["phone"], body["fax"]) == ("03-1234-5678", "03-1234-5679")
    assert body["prefecture"] == "東京都"
    assert body["classifications"] == ["CUSTOMER"]


def test_a_bad_corporate_number_is_a_400_naming_it(api):
    response = api.post(URL, {"name": "株式会社甲", "corporate_number": "1000012050002"})

    assert response.status_code == 400
    assert "corporate_number" in response.json()
    assert not Company.objects.exists()


def test_a_12_digit_register_number_gets_the_corporate_number_as_suggestion(api):
    response = api.post(URL, {"name": "株式会社甲", "corporate_number": "000012050002"})

    assert response.status_code == 400
    assert response.json()["suggestions"]["corporate_number"] == "7000012050002"


def test_a_corporate_number_is_unique(api):
    CompanyFactory(corporate_number="7000012050002")

    response = api.post(URL, {"name": "株式会社乙", "corporate_number": "7000012050002"})

    assert response.status_code == 400
    assert "corporate_number" in response.json()


def test_a_web_address_without_scheme_gets_a_suggestion(api):
    response = api.post(URL, {"name": "株式会社甲", "url": "yamada.example.jp"})

    assert response.status_code == 400
    assert response.json()["suggestions"]["url"] == "https://yamada.example.jp"


def test_an_unknown_custom_field_is_a_400_naming_it(api):
    response = api.post(URL, {"name": "株式会社甲", "custom": {"colour": "red"}}, format="json")

    assert response.status_code == 400
    assert "custom.colour" in response.json()


def test_update_changes_only_what_is_sent(api):
    company = CompanyFactory(name="株式会社甲", phone="03-1111-2222")

    response = api.patch(f"{URL}{company.pk}/", {"stage": "negotiating"}, format="json")

    assert response.status_code == 200
    company.refresh_from_db()
    assert (company.stage, company.phone) == ("negotiating", "03-1111-2222")


def test_a_company_with_people_cannot_be_deleted(api):
    company = CompanyFactory()
    PersonFactory(company=company)

    response = api.delete(f"{URL}{company.pk}/")

    assert response.status_code == 409
    assert Company.objects.filter(pk=company.pk).exists()


def test_an_empty_company_can_be_deleted(api):
    company = CompanyFactory()

    assert api.delete(f"{URL}{company.pk}/").status_code == 204


def test_filters_by_stage_rank_classification_and_custom(api):
    CustomFieldFactory(
        entity=CustomField.Entity.COMPANY,
        key="region",
        kind=CustomField.Kind.CHOICE,
        choices=["東", "西"],
    )
    customer = CompanyClassificationFactory(code="CUSTOMER")
    hit = CompanyFactory(stage="active", rank="S", custom={"region": "東"})
    hit.classifications.add(customer)
    CompanyFactory(stage="active", rank="S", custom={"region": "西"})
    CompanyFactory(stage="lost", rank="S", custom={"region": "東"})

    response = api.get(
        URL,
        {
            "stage": "active",
            "rank": "S",
            "classifications": "CUSTOMER",
            "custom__region": "東",
        },
    )

    assert [c["id"] for c in response.json()["results"]] == [hit.pk]


def test_ordering_by_name(api):
    CompanyFactory(name="株式会社B")
    CompanyFactory(name="株式会社A")

    names = [c["name"] for c in api.get(URL, {"ordering": "-name"}).json()["results"]]

    assert names == ["株式会社B", "株式会社A"]


class TestDepartments:
    def test_a_department_is_created_under_its_company(self, api):
        company = CompanyFactory()

        response = api.post(
            DEPARTMENTS,
            {
                "company": company.pk,
                "name": "営業部",
                "name_kana": "えいぎょうぶ",
                "phone": "０３－１２３４－５６７８",
            },
            format="json",
        )

        assert response.status_code == 201, response.json()
        body = response.json()
        assert (body["company_name"], body["name_kana"], body["phone"]) == (
            company.name,
            "エイギョウブ",
            "03-1234-5678",
        )

    def test_a_parent_must_belong_to_the_same_company(self, api):
        parent = DepartmentFactory()

        response = api.post(
            DEPARTMENTS,
            {
                "company": CompanyFactory().pk,
                "parent": parent.pk,
                "name": "一課",
            },
            format="json",
        )

        assert response.status_code == 400
        assert "parent" in response.json()

    def test_a_department_cannot_become_its_own_ancestor(self, api):
        top = DepartmentFactory()
        child = DepartmentFactory(company=top.company, parent=top)

        response = api.patch(f"{DEPARTMENTS}{top.pk}/", {"parent": child.pk}, format="json")

        assert response.status_code == 400
        assert "parent" in response.json()

    def test_a_name_is_unique_under_one_parent(self, api):
        existing = DepartmentFactory(name="営業部")

        response = api.post(DEPARTMENTS, {"company": existing.company_id, "name": "営業部"})

        assert response.status_code == 400
        assert "name" in response.json()

    def test_a_department_with_people_cannot_be_deleted(self, api):
        department = DepartmentFactory()
        PersonFactory(company=department.company, department=department)

        assert api.delete(f"{DEPARTMENTS}{department.pk}/").status_code == 409
        assert Department.objects.filter(pk=department.pk).exists()

    def test_filter_by_company(self, api):
        department = DepartmentFactory()
        DepartmentFactory()

        response = api.get(DEPARTMENTS, {"company": department.company_id})

        assert [d["id"] for d in response.json()["results"]] == [department.pk]

"""重複リスト: probable duplicates in the register, and merging them into one record."""

import datetime

from api.people.models import CardExchange, CareerEntry, Company, Department, Person, SecretNote
from api.sales.models import Sale
from tests.factories.masters import PersonTypeFactory
from tests.factories.people import CompanyFactory, DepartmentFactory, PersonFactory
from tests.factories.sales import ProductFactory


def test_people_sharing_an_email_are_listed_as_a_group(api):
    a = PersonFactory(email="same@example.jp")
    b = PersonFactory(email="same@example.jp")
    PersonFactory(email="other@example.jp")
    body = api.get("/api/v1/duplicates/people/", {"key": "email"}).json()
    assert body["count"] == 1
    group = body["results"][0]
    assert (group["key"], group["count"]) == ("email", 2)
    assert [r["id"] for r in group["records"]] == [a.id, b.id]


def test_people_with_the_same_reading_and_phone_are_listed(api):
    PersonFactory(family_name_kana="ヤマダ", given_name_kana="タロウ", phone="03-1234-5678")
    PersonFactory(family_name_kana="ヤマダ", given_name_kana="タロウ", phone="03-1234-5678")
    body = api.get("/api/v1/duplicates/people/", {"key": "kana_phone"}).json()
    assert body["count"] == 1


def test_an_unknown_key_is_a_field_error(api):
    response = api.get("/api/v1/duplicates/people/", {"key": "shoe_size"})
    assert response.status_code == 400
    assert "unknown key" in response.json()["key"][0]


def test_merging_people_keeps_one_and_moves_their_histories(api, employee, user):
    vip, dm = PersonTypeFactory(code="VIP"), PersonTypeFactory(code="DM")
    keep = PersonFactory(email="same@example.jp", phone=None)
    other = PersonFactory(email="same@example.jp", phone="03-1234-5678")
    keep.person_types.add(vip)
    other.person_types.add(vip, dm)
    CareerEntry.objects.create(person=other, company_name="旧社", title="課長")
    CardExchange.objects.create(
        person=other, employee=employee, exchanged_on=datetime.date(2024, 1, 1)
    )
    SecretNote.objects.create(person=other, author=user, text="秘密")
    sale = Sale.objects.create(
        person=other, product=ProductFactory(), sold_on="2024-01-02", amount=1000
    )

    response = api.post(
        "/api/v1/duplicates/people/merge/", {"keep": keep.id, "merge": [other.id]}, format="json"
    )

    assert response.status_code == 200, response.json()
    assert response.json()["filled"] == ["phone"]
    assert not Person.objects.filter(pk=other.pk).exists()
    keep.refresh_from_db()
    assert keep.phone == "03-1234-5678"
    assert sorted(t.code for t in keep.person_types.all()) == ["DM", "VIP"]
    assert keep.career.get().company_name == "旧社"
    assert keep.card_exchanges.count() == 1
    assert keep.secret_notes.get().text == "秘密"
    sale.refresh_from_db()
    assert sale.person_id == keep.id


def test_a_record_cannot_be_merged_into_itself_or_a_missing_one(api):
    person = PersonFactory()
    same = api.post(
        "/api/v1/duplicates/people/merge/", {"keep": person.id, "merge": [person.id]}, format="json"
    )
    assert same.status_code == 400
    missing = api.post(
        "/api/v1/duplicates/people/merge/", {"keep": person.id, "merge": [999999]}, format="json"
    )
    assert missing.status_code == 400
    assert "#999999" in missing.json()["merge"][0]


def test_merging_companies_merges_departments_of_the_same_name(api):
    keep = CompanyFactory(name="株式会社テスト")
    other = CompanyFactory(name="株式会社テスト")
    kept_sales = DepartmentFactory(company=keep, name="営業部")
    other_sales = DepartmentFactory(company=other, name="営業部")
    other_dev = DepartmentFactory(company=other, name="開発部")
    person = PersonFactory(company=other, department=other_sales)

    groups = api.get("/api/v1/duplicates/companies/", {"key": "name"}).json()
    assert groups["count"] == 1
    response = api.post(
        "/api/v1/duplicates/companies/merge/", {"keep": keep.id, "merge": [other.id]}, format="json"
    )

    assert response.status_code == 200, response.json()
    assert not Company.objects.filter(pk=other.pk).exists()
    person.refresh_from_db()
    assert (person.company_id, person.department_id) == (keep.id, kept_sales.id)
    assert not Department.objects.filter(pk=other_sales.pk).exists()
    other_dev.refresh_from_db()
    assert other_dev.company_id == keep.id

"""people/ through the API as a client uses it: input rules, errors, filters, ordering."""

from __future__ import annotations

import pytest

from api.masters.models import CustomField
from api.people.models import CareerEntry, Company, Person
from tests.factories.masters import (
    CustomFieldFactory,
    EmployeeFactory,
    PersonTypeFactory,
    SelectionTypeFactory,
    UserCodeValueFactory,
)
from tests.factories.people import (
    CompanyFactory,
    DepartmentFactory,
    FamilyMemberFactory,
    PersonFactory,
)

pytestmark = pytest.mark.django_db

URL = "/api/v1/people/"


def test_a_person_is_stored_by_the_input_rules(api):
    response = api.post(
        URL,
        {
            "family_name": "山田",
            "given_name": "太郎",
            "family_name_kana": "ﾔﾏﾀﾞ",
            "given_name_kana": "たろう",
            "company_name": "(株)山田商事",
            "phone": "０３（１２３４）５６７８",
            "email": " Taro@Yamada.CO.JP ",
            "postal_code": "１００－０００１",
        },
        format="json",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["family_name_kana"] == "ヤマダ"
    assert body["given_name_kana"] == "タロウ"
    assert body["phone"] == "03-1234-5678"
    assert body["email"] == "Taro@yamada.co.jp"
    assert body["postal_code"] == "100-0001"
    assert body["company_name"] == "株式会社山田商事"
    person = Person.objects.get(pk=body["id"])
    assert person.company.name == "株式会社山田商事"
    assert person.phone == "03-1234-5678"
    assert person.family_name_kana == "ヤマダ"


def test_a_known_postal_code_fills_the_prefecture(api):
    response = api.post(URL, {"family_name": "佐藤", "postal_code": "1000001"}, format="json")

    assert response.status_code == 201, response.json()
    assert response.json()["prefecture"] == "東京都"


def test_a_postal_code_in_another_prefecture_is_refused_with_the_right_one(api):
    response = api.post(
        URL,
        {"family_name": "佐藤", "postal_code": "100-0001", "prefecture": "大阪府"},
        format="json",
    )

    assert response.status_code == 400
    assert "prefecture" in response.json()
    assert response.json()["suggestions"]["prefecture"] == "東京都"


def test_company_name_finds_the_company_written_another_way(api):
    company = CompanyFactory(name="株式会社山田商事")

    response = api.post(URL, {"family_name": "山田", "company_name": "㈱山田商事"}, format="json")

    assert response.status_code == 201
    assert response.json()["company"] == company.pk
    assert Company.objects.count() == 1


def test_a_company_id_wins_over_the_company_name_beside_it(api):
    company = CompanyFactory(name="株式会社甲")

    response = api.post(
        URL,
        {"family_name": "山田", "company": company.pk, "company_name": "株式会社乙"},
        format="json",
    )

    assert response.json()["company"] == company.pk
    assert not Company.objects.filter(name="株式会社乙").exists()


@pytest.mark.parametrize(
    ("field", "value", "suggestion"),
    [
        ("email", "taro@@example.jp", None),
        ("phone", "03-1234-567", None),
        ("family_name_kana", "ヤマ-ダ", "ヤマーダ"),
        ("postal_code", "1000001x", None),
    ],
)
def test_a_bad_value_is_a_400_naming_the_field(api, field, value, suggestion):
    response = api.post(URL, {"family_name": "山田", field: value}, format="json")

    assert response.status_code == 400
    body = response.json()
    assert field in body
    assert isinstance(body[field], list) and body[field][0]
    if suggestion:
        assert body["suggestions"][field] == suggestion
    assert not Person.objects.exists()


def test_a_malformed_email_is_a_400_naming_email(api):
    response = api.post(URL, {"family_name": "山田", "email": "taro.example.jp"}, format="json")

    assert response.status_code == 400
    assert "email" in response.json()


def test_every_bad_field_is_named_at_once(api):
    response = api.post(
        URL,
        {"family_name": "山田", "phone": "abc", "email": "x@", "mobile_phone": "12"},
        format="json",
    )

    assert response.status_code == 400
    assert {"phone", "email", "mobile_phone"} <= set(response.json())


def test_an_unknown_custom_field_is_a_400_naming_it(api):
    response = api.post(URL, {"family_name": "山田", "custom": {"shoe_size": 27}}, format="json")

    assert response.status_code == 400
    assert "custom.shoe_size" in response.json()


def test_custom_values_are_cleaned_by_their_definition(api):
    CustomFieldFactory(key="hobby", kind=CustomField.Kind.CHOICE, choices=["ゴルフ", "釣り"])
    CustomFieldFactory(key="since", kind=CustomField.Kind.DATE)

    response = api.post(
        URL,
        {
            "family_name": "山田",
            "custom": {"hobby": "ゴルフ", "since": "令和2年4月1日"},
        },
        format="json",
    )

    assert response.status_code == 201, response.json()
    assert response.json()["custom"] == {"hobby": "ゴルフ", "since": "2020-04-01"}


def test_a_required_custom_field_is_required(api):
    CustomFieldFactory(key="rank", required=True)

    response = api.post(URL, {"family_name": "山田"}, format="json")

    assert response.status_code == 400
    assert "custom.rank" in response.json()


def test_a_user_code_outside_its_master_is_refused(api):
    UserCodeValueFactory(slot=1, code="A")

    ok = api.post(URL, {"family_name": "山田", "user_code_1": "A"}, format="json")
    bad = api.post(URL, {"family_name": "山田", "user_code_1": "Z"}, format="json")

    assert ok.status_code == 201
    assert bad.status_code == 400
    assert "user_code_1" in bad.json()


def test_type_codes_are_listed_in_the_masters_order(api):
    PersonTypeFactory(code="A-LAST", sort_order=2)
    PersonTypeFactory(code="Z-FIRST", sort_order=1)
    person = api.post(
        URL, {"family_name": "山田", "person_types": ["A-LAST", "Z-FIRST"]}, format="json"
    ).json()

    assert person["person_types"] == ["Z-FIRST", "A-LAST"]
    assert api.get(f"{URL}{person['id']}/").json()["person_types"] == ["Z-FIRST", "A-LAST"]
    listed = api.get(URL, {"q": "山田"}).json()["results"]
    assert [row["person_types"] for row in listed] == [["Z-FIRST", "A-LAST"]]
    assert [row["selection_types"] for row in listed] == [[]]


def test_types_are_written_and_read_as_codes(api):
    PersonTypeFactory(code="VIP")
    SelectionTypeFactory(code="NENGA")

    response = api.post(
        URL,
        {
            "family_name": "山田",
            "person_types": ["VIP"],
            "selection_types": ["NENGA"],
        },
        format="json",
    )

    assert response.status_code == 201
    assert response.json()["person_types"] == ["VIP"]
    assert response.json()["selection_types"] == ["NENGA"]


def test_an_unknown_type_code_is_a_400_naming_the_field(api):
    response = api.post(URL, {"family_name": "山田", "person_types": ["NOPE"]}, format="json")

    assert response.status_code == 400
    assert "person_types" in response.json()


def test_a_deactivated_type_cannot_be_newly_given_but_stays_where_held(api):
    PersonTypeFactory(code="OLD", is_active=False)
    holder = PersonFactory()
    holder.person_types.set(PersonTypeFactory._meta.model.objects.filter(code="OLD"))

    new = api.post(URL, {"family_name": "山田", "person_types": ["OLD"]}, format="json")
    kept = api.patch(f"{URL}{holder.pk}/", {"person_types": ["OLD"]}, format="json")

    assert new.status_code == 400
    assert kept.status_code == 200


def test_names_are_shown_beside_ids(api, employee):
    department = DepartmentFactory(name="営業部")
    person = PersonFactory(company=department.company, department=department, owner=employee)

    body = api.get(f"{URL}{person.pk}/").json()

    assert body["company_name"] == department.company.name
    assert body["department_name"] == "営業部"
    assert body["owner_name"] == employee.name


def test_family_is_written_as_a_list_and_replaced_as_a_whole(api):
    person = PersonFactory()
    kept = FamilyMemberFactory(person=person, name="山田花子")
    FamilyMemberFactory(person=person, name="山田次郎")

    response = api.patch(
        f"{URL}{person.pk}/",
        {
            "family": [
                {"id": kept.pk, "name": "山田 花子", "relation": "妻"},
                {"name": "山田三郎", "name_kana": "さぶろう", "relation": "子"},
            ]
        },
        format="json",
    )

    assert response.status_code == 200, response.json()
    family = response.json()["family"]
    assert [(m["name"], m["relation"]) for m in family] == [("山田 花子", "妻"), ("山田三郎", "子")]
    assert family[0]["id"] == kept.pk
    assert family[1]["name_kana"] == "サブロウ"


def test_a_family_member_reading_is_checked_like_a_persons(api):
    person = PersonFactory()

    response = api.patch(
        f"{URL}{person.pk}/",
        {"family": [{"name": "花子", "name_kana": "Hanako", "relation": "妻"}]},
        format="json",
    )

    assert response.status_code == 400
    assert "family.0.name_kana" in response.json()


def test_a_department_of_another_company_is_refused(api):
    department = DepartmentFactory()
    other = CompanyFactory()

    response = api.post(
        URL,
        {"family_name": "山田", "company": other.pk, "department": department.pk},
        format="json",
    )

    assert response.status_code == 400
    assert "department" in response.json()


def test_a_department_alone_brings_its_company(api):
    department = DepartmentFactory()

    response = api.post(URL, {"family_name": "山田", "department": department.pk}, format="json")

    assert response.json()["company"] == department.company_id


def test_the_email_invalid_flag_is_read_only(api):
    response = api.post(URL, {"family_name": "山田", "email_invalid": True}, format="json")

    assert response.json()["email_invalid"] is False


def test_empty_strings_are_stored_as_null(api):
    response = api.post(URL, {"family_name": "山田", "title": "  ", "phone": ""}, format="json")

    person = Person.objects.get(pk=response.json()["id"])
    assert person.title is None
    assert person.phone is None


def test_a_name_longer_than_its_column_after_normalisation_is_a_400(api):
    response = api.post(URL, {"family_name": "山" * 61}, format="json")

    assert response.status_code == 400
    assert "family_name" in response.json()


def test_what_a_client_reads_it_can_put_back_unchanged(api):
    department = DepartmentFactory()
    PersonTypeFactory(code="VIP")
    created = api.post(
        URL,
        {
            "family_name": "山田",
            "company": department.company_id,
            "department": department.pk,
            "title": "課長",
            "person_types": ["VIP"],
            "family": [{"name": "花子", "relation": "妻"}],
        },
        format="json",
    ).json()
    read = api.get(f"{URL}{created['id']}/").json()

    response = api.put(f"{URL}{created['id']}/", read, format="json")

    assert response.status_code == 200, response.json()
    again = response.json()
    assert {k: v for k, v in again.items() if k != "updated_at"} == {
        k: v for k, v in read.items() if k != "updated_at"
    }
    assert not CareerEntry.objects.exists()


def test_delete_removes_the_person(api):
    person = PersonFactory()

    assert api.delete(f"{URL}{person.pk}/").status_code == 204
    assert not Person.objects.filter(pk=person.pk).exists()


class TestFilters:
    def test_by_prefecture_any_of(self, api):
        PersonFactory(prefecture="東京都")
        PersonFactory(prefecture="大阪府")
        PersonFactory(prefecture="北海道", postal_code=None)

        response = api.get(URL, {"prefecture": "東京都,大阪府"})

        assert {p["prefecture"] for p in response.json()["results"]} == {"東京都", "大阪府"}

    def test_owner_me(self, api, employee):
        mine = PersonFactory(owner=employee)
        PersonFactory(owner=EmployeeFactory())

        ids = [p["id"] for p in api.get(URL, {"owner": "me"}).json()["results"]]

        assert ids == [mine.pk]

    def test_owner_must_be_an_id_or_me(self, api):
        response = api.get(URL, {"owner": "someone"})

        assert response.status_code == 400
        assert "owner" in response.json()

    def test_by_company_stage_and_rank(self, api):
        active = PersonFactory(company=CompanyFactory(stage="active", rank="A"))
        PersonFactory(company=CompanyFactory(stage="lost", rank="A"))

        ids = [p["id"] for p in api.get(URL, {"stage": "active", "rank": "A"}).json()["results"]]

        assert ids == [active.pk]

    def test_by_type_code_lists_each_person_once(self, api):
        vip, dm = PersonTypeFactory(code="VIP"), PersonTypeFactory(code="DM")
        both = PersonFactory()
        both.person_types.set([vip, dm])
        PersonFactory()

        response = api.get(URL, {"person_types": "VIP,DM"})

        assert [p["id"] for p in response.json()["results"]] == [both.pk]

    def test_by_user_code_and_opt_out(self, api):
        hit = PersonFactory(user_code_3="X", opt_out_mail=True)
        PersonFactory(user_code_3="X")
        PersonFactory(opt_out_mail=True)

        response = api.get(URL, {"user_code_3": "X", "opt_out_mail": "true"})

        assert [p["id"] for p in response.json()["results"]] == [hit.pk]

    def test_by_a_choice_custom_field(self, api):
        CustomFieldFactory(key="hobby", kind=CustomField.Kind.CHOICE, choices=["ゴルフ", "釣り"])
        golfer = PersonFactory(custom={"hobby": "ゴルフ"})
        PersonFactory(custom={"hobby": "釣り"})

        response = api.get(URL, {"custom__hobby": "ゴルフ"})

        assert [p["id"] for p in response.json()["results"]] == [golfer.pk]

    def test_by_a_multi_choice_custom_field(self, api):
        CustomFieldFactory(key="tags", kind=CustomField.Kind.MULTI_CHOICE, choices=["a", "b", "c"])
        tagged = PersonFactory(custom={"tags": ["a", "b"]})
        PersonFactory(custom={"tags": ["c"]})

        response = api.get(URL, {"custom__tags": "b"})

        assert [p["id"] for p in response.json()["results"]] == [tagged.pk]

    def test_by_a_number_custom_field_range(self, api):
        CustomFieldFactory(key="score", kind=CustomField.Kind.NUMBER)
        high = PersonFactory(custom={"score": 80})
        PersonFactory(custom={"score": 20})

        response = api.get(URL, {"custom__score__gte": "50"})

        assert [p["id"] for p in response.json()["results"]] == [high.pk]

    def test_an_unknown_custom_filter_is_a_400_naming_it(self, api):
        response = api.get(URL, {"custom__nope": "1"})

        assert response.status_code == 400
        assert "custom__nope" in response.json()

    def test_a_choice_filter_outside_the_choices_is_a_400(self, api):
        CustomFieldFactory(key="hobby", kind=CustomField.Kind.CHOICE, choices=["ゴルフ"])

        response = api.get(URL, {"custom__hobby": "テニス"})

        assert response.status_code == 400
        assert "custom__hobby" in response.json()


class TestOrderingAndPaging:
    def test_default_order_is_by_reading(self, api):
        PersonFactory(family_name_kana="ワタナベ")
        PersonFactory(family_name_kana="アベ")

        names = [p["family_name_kana"] for p in api.get(URL).json()["results"]]

        assert names == ["アベ", "ワタナベ"]

    def test_ordering_by_several_fields(self, api):
        old = PersonFactory(family_name_kana="サトウ")
        new = PersonFactory(family_name_kana="サトウ")
        first = PersonFactory(family_name_kana="アベ")

        response = api.get(URL, {"ordering": "family_name_kana,-updated_at"})

        assert [p["id"] for p in response.json()["results"]] == [first.pk, new.pk, old.pk]

    def test_a_page_reports_its_count_and_next(self, api):
        PersonFactory.create_batch(3)

        body = api.get(URL, {"page_size": 2}).json()

        assert body["count"] == 3
        assert body["count_capped"] is False
        assert len(body["results"]) == 2
        assert "page=2" in body["next"]
        assert api.get(body["next"]).json()["next"] is None

    def test_the_count_stops_at_the_cap(self, api, monkeypatch):
        from api.people.pagination import CappedCountPagination

        monkeypatch.setattr(CappedCountPagination, "count_cap", 3)
        PersonFactory.create_batch(5)

        body = api.get(URL, {"page_size": 2}).json()
        last = api.get(URL, {"page_size": 2, "page": 3}).json()

        assert (body["count"], body["count_capped"]) == (3, True)
        assert len(last["results"]) == 1
        assert last["next"] is None

    def test_a_page_past_the_end_is_a_404(self, api):
        PersonFactory()

        assert api.get(URL, {"page": 2}).status_code == 404

    def test_a_list_page_of_50_is_a_handful_of_queries(self, api, django_assert_max_num_queries):
        vip = PersonTypeFactory(code="VIP")
        company = CompanyFactory()
        department = DepartmentFactory(company=company)
        owner = EmployeeFactory()
        for person in PersonFactory.create_batch(
            60, company=company, department=department, owner=owner
        ):
            person.person_types.add(vip)
            FamilyMemberFactory(person=person)

        # auth token, page (with its type codes), count, family
        with django_assert_max_num_queries(5):
            response = api.get(URL)

        assert len(response.json()["results"]) == 50
        assert {tuple(row["person_types"]) for row in response.json()["results"]} == {("VIP",)}

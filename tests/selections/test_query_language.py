"""The query language: nesting, null-safe negation, each predicate, and errors that name
their place in the query."""

from __future__ import annotations

import datetime

import pytest

from api.core.errors import FieldErrors
from api.masters.models import CustomField
from api.selections.models import SelectionSet
from api.selections.query import compile_query
from api.selections.query.base import months_before, period_start
from tests.factories.masters import CustomFieldFactory
from tests.factories.people import CompanyFactory, PersonFactory
from tests.factories.selections import SelectionSetFactory

pytestmark = pytest.mark.django_db


def count(api, query) -> int:
    response = api.post("/api/v1/selection-sets/count/", {"query": query}, format="json")
    assert response.status_code == 200, response.json()
    return response.json()["count"]


def error(api, query) -> dict:
    response = api.post("/api/v1/selection-sets/count/", {"query": query}, format="json")
    assert response.status_code == 400, response.json()
    return response.json()


def test_an_unknown_category_names_its_place_in_the_query(api, world):
    body = error(api, {"all": [{"owner": "me"}, {"bought": {"category": "毛皮x"}}]})
    assert body == {"query.all[1].bought.category": ["unknown category '毛皮x'"]}


def test_every_error_in_a_query_is_reported_at_once(api, world):
    body = error(api, {"any": [{"prefecture": "東京"}, {"colour": "red"}, {"not": {"age": 5}}]})
    assert set(body) == {"query.any[0].prefecture", "query.any[1].colour", "query.any[2].not.age"}
    assert "write it in full" in body["query.any[0].prefecture"][0]
    assert "unknown condition" in body["query.any[1].colour"][0]


def test_the_service_error_message_reads_with_its_path(world, user):
    with pytest.raises(FieldErrors) as caught:
        compile_query({"all": [{"owner": "me"}, {"bought": {"category": "毛皮x"}}]}, user=user)
    assert caught.value.message == "query.all[1].bought.category: unknown category '毛皮x'"


@pytest.mark.parametrize(
    ("query", "path"),
    [
        ([], "query"),
        ({"all": []}, "query.all"),
        ({"all": [{"owner": "me", "prefecture": "東京都"}]}, "query.all[0]"),
        ({"user_code": {"slot": 11, "value": "A"}}, "query.user_code.slot"),
        ({"user_code": {"slot": 1, "value": "Z"}}, "query.user_code.value"),
        ({"bought": {"within": "a while"}}, "query.bought.within"),
        ({"bought": {"since": "2026-13-01"}}, "query.bought.since"),
        ({"bought": {"amount_min": 10, "amount_max": 5}}, "query.bought.amount_min"),
        ({"bought": {"colour": "red"}}, "query.bought.colour"),
        ({"owner": "E99999"}, "query.owner"),
        ({"received": {"mailing": "no such mailing"}}, "query.received.mailing"),
        ({"responded": {"type": "maybe"}}, "query.responded.type"),
        ({"in_set": 9999}, "query.in_set"),
        ({"company": {"stage": "booming"}}, "query.company.stage"),
        ({"custom": {"key": "nope", "equals": 1}}, "query.custom.key"),
    ],
)
def test_a_bad_value_is_a_400_naming_the_path(api, world, query, path):
    assert path in error(api, query)


def test_nothing_is_created_for_a_bad_query(api, world):
    response = api.post(
        "/api/v1/selection-sets/",
        {"name": "x", "query": {"bought": {"category": "毛皮x"}}},
        format="json",
    )
    assert response.status_code == 400
    assert not SelectionSet.objects.exists()


def test_too_deep_a_query_is_refused(api, world):
    query: dict = {"owner": "me"}
    for _ in range(25):
        query = {"not": query}
    assert any("nested deeper" in messages[0] for messages in error(api, query).values())


def test_not_counts_people_whose_field_is_empty(api, db, employee):
    PersonFactory(prefecture="東京都")
    PersonFactory(prefecture=None)
    PersonFactory(prefecture="大阪府")
    assert count(api, {"not": {"prefecture": "東京都"}}) == 2
    assert count(api, {"not": {"not": {"prefecture": "東京都"}}}) == 1


def test_all_any_and_not_nest(api, world):
    everyone = len(world.people)
    mine = count(api, {"owner": "me"})
    nenga = count(api, {"selection_type": "年賀状送付先"})
    both = count(api, {"all": [{"owner": "me"}, {"selection_type": "NENGA"}]})
    either = count(api, {"any": [{"owner": "me"}, {"selection_type": "NENGA"}]})
    assert either == mine + nenga - both
    assert count(api, {"not": {"any": [{"owner": "me"}, {"selection_type": "NENGA"}]}}) == (
        everyone - either
    )


def test_owner_null_is_nobody_owns(api, world):
    nobody = sum(1 for p in world.people if p.owner_id is None)
    assert count(api, {"owner": None}) == nobody


def test_me_without_an_employee_record_is_an_error(admin_user, db):
    from tests.conftest import client_for

    body = error(client_for(admin_user), {"owner": "me"})
    assert "employee record" in body["query.owner"][0]


def test_company_attributes(api, db, employee):
    active_a = CompanyFactory(stage="active", rank="A", industry="小売")
    PersonFactory(company=active_a)
    PersonFactory(company=CompanyFactory(stage="lost", rank="A"))
    PersonFactory(company=None)
    assert count(api, {"company": {"stage": "取引中", "rank": ["S", "A"]}}) == 1
    assert count(api, {"company": {"industry": "小売"}}) == 1
    assert count(api, {"not": {"company": {"stage": "active"}}}) == 2


def test_birthday_month_and_age(api, db, employee):
    today = datetime.date(2026, 11, 23)
    PersonFactory(birthday=datetime.date(1990, 4, 2))
    PersonFactory(birthday=datetime.date(1996, 11, 23))  # 30 today
    PersonFactory(birthday=datetime.date(1996, 11, 24))  # 29 until tomorrow
    PersonFactory(birthday=None)

    def n(query):
        from django.db import connection

        sql = compile_query(query, user=employee.user, today=today)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM people_person p WHERE {sql.text}", sql.params)
            return cursor.fetchone()[0]

    assert n({"birthday": {"month": [4, 5]}}) == 1
    assert n({"age": {"min": 30, "max": 39}}) == 2  # 36 and 30 today
    assert n({"age": {"max": 29}}) == 1
    assert n({"not": {"age": {"min": 0}}}) == 1


def test_custom_fields(api, db, employee):
    CustomFieldFactory(
        key="hobby", label="趣味", kind=CustomField.Kind.CHOICE, choices=["ゴルフ", "釣り", "囲碁"]
    )
    CustomFieldFactory(key="visits", label="来店回数", kind=CustomField.Kind.NUMBER)
    CustomFieldFactory(
        key="tags", label="タグ", kind=CustomField.Kind.MULTI_CHOICE, choices=["新規", "優良"]
    )
    PersonFactory(custom={"hobby": "ゴルフ", "visits": 12, "tags": ["優良"]})
    PersonFactory(custom={"hobby": "釣り", "visits": 3})
    PersonFactory(custom={})
    assert count(api, {"custom": {"key": "hobby", "in": ["ゴルフ", "囲碁"]}}) == 1
    assert count(api, {"custom": {"key": "visits", "min": 5}}) == 1
    assert count(api, {"custom": {"key": "tags", "equals": "優良"}}) == 1
    assert count(api, {"custom": {"key": "hobby", "set": False}}) == 1
    assert (
        "not one of the choices"
        in error(api, {"custom": {"key": "hobby", "equals": "テニス"}})["query.custom.equals"][0]
    )


def test_reachability_and_opt_outs(api, db, employee):
    company = CompanyFactory(
        postal_code="100-0005", address1="千代田区丸の内1-1", fax="03-1111-2222"
    )
    PersonFactory(postal_code=None, address1=None, company=company)  # company address
    PersonFactory(
        postal_code=None,
        address1=None,
        home_postal_code="150-0001",
        home_address1="渋谷区神宮前1-1",
    )  # home address
    PersonFactory(postal_code=None, address1=None, email="a@example.jp", email_invalid=True)
    PersonFactory(email="b@example.jp", opt_out_mail=True)
    assert count(api, {"has_address": True}) == 3
    assert count(api, {"has_address": False}) == 1
    assert count(api, {"has_email": True}) == 1
    assert count(api, {"has_fax": True}) == 1
    assert count(api, {"opted_out": "mail"}) == 1
    assert count(api, {"all": [{"has_address": True}, {"not": {"opted_out": ["mail"]}}]}) == 2


def test_in_set_by_number(api, db, employee):
    inside = PersonFactory()
    PersonFactory()
    selection = SelectionSetFactory(people=[inside])
    assert count(api, {"in_set": selection.code}) == 1
    assert count(api, {"not": {"in_set": selection.number}}) == 1


def test_bought_counts_and_totals(api, world):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM (SELECT person_id FROM sales_sale GROUP BY person_id "
            "HAVING count(*) >= 5 AND sum(amount) >= 100000) x"
        )
        (want,) = cursor.fetchone()
    assert want > 0
    assert count(api, {"bought": {"count_min": 5, "total_min": 100000}}) == want


def test_relative_periods():
    today = datetime.date(2026, 3, 31)
    assert period_start("12 months", "q", today) == datetime.date(2025, 3, 31)
    assert period_start("1 month", "q", today) == datetime.date(2026, 2, 28)
    assert period_start("30日", "q", today) == datetime.date(2026, 3, 1)
    assert period_start("2週間", "q", today) == datetime.date(2026, 3, 17)
    assert period_start("1年", "q", today) == datetime.date(2025, 3, 31)
    assert months_before(datetime.date(2024, 2, 29), 12) == datetime.date(2023, 2, 28)


def test_the_schema_documents_the_language_with_examples(api):
    response = api.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    text = response.content.decode()
    assert "unknown category" in text  # the reference in the query field's description
    assert "年賀状送付先" in text  # an example request
    assert "product_user_code" in text

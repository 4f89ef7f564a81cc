"""people/{id}/card-exchanges/ (名刺交換)."""

from __future__ import annotations

import pytest

from tests.factories.masters import EmployeeFactory
from tests.factories.people import CardExchangeFactory, PersonFactory

pytestmark = pytest.mark.django_db


def url(person) -> str:
    return f"/api/v1/people/{person.pk}/card-exchanges/"


def test_a_card_exchange_defaults_to_the_callers_employee(api, employee):
    person = PersonFactory()

    response = api.post(
        url(person), {"exchanged_on": "2025-04-01", "place": "ビッグサイト　展示会"}, format="json"
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["employee"], body["employee_name"]) == (employee.pk, employee.name)
    assert body["place"] == "ビッグサイト 展示会"


def test_a_caller_without_employee_record_must_name_one(admin_user):
    from tests.conftest import client_for

    response = client_for(admin_user).post(
        url(PersonFactory()), {"exchanged_on": "2025-04-01"}, format="json"
    )

    assert response.status_code == 400
    assert "employee" in response.json()


def test_the_list_is_newest_first_and_only_this_persons(api):
    person = PersonFactory()
    older = CardExchangeFactory(person=person, exchanged_on="2020-01-01")
    newer = CardExchangeFactory(
        person=person, exchanged_on="2024-01-01", employee=EmployeeFactory()
    )
    CardExchangeFactory()

    results = api.get(url(person)).json()["results"]

    assert [e["id"] for e in results] == [newer.pk, older.pk]


def test_a_date_is_required(api):
    response = api.post(url(PersonFactory()), {"place": "x"}, format="json")

    assert response.status_code == 400
    assert "exchanged_on" in response.json()

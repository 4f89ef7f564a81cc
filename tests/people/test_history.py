"""people/{id}/history/: one timeline of registered sources, newest first, paged."""

from __future__ import annotations

import datetime

import pytest

from api.people import services, timeline
from api.people.timeline import TimelineEntry
from tests.factories.masters import EmployeeFactory
from tests.factories.people import CardExchangeFactory, CompanyFactory, PersonFactory

pytestmark = pytest.mark.django_db


def history(client, person, **params):
    response = client.get(f"/api/v1/people/{person.pk}/history/", params)
    assert response.status_code == 200, response.json()
    return response.json()


@pytest.fixture
def sale_factory(db):
    from api.sales.models import Product, ProductCategory, Sale

    category = ProductCategory.objects.create(code="GIFT", name="ギフト", path="/")
    product = Product.objects.create(code="P1", name="お歳暮セット", category=category)

    def make(person, sold_on, amount=5000):
        return Sale.objects.create(person=person, product=product, sold_on=sold_on, amount=amount)

    return make


def test_the_issue_example_a_company_change_shows_in_history(api):
    person = PersonFactory(company=CompanyFactory(name="株式会社山田商事"))

    api.patch(f"/api/v1/people/{person.pk}/", {"company_name": "株式会社青空"}, format="json")

    entries = history(api, person)["results"]
    assert entries[0]["kind"] == "career"
    assert "株式会社山田商事" in entries[0]["title"]


def test_sources_are_merged_newest_first(api, user, sale_factory):
    person = PersonFactory(title="主任")
    seller = EmployeeFactory(name="鈴木")
    CardExchangeFactory(person=person, exchanged_on=datetime.date(2023, 5, 1), employee=seller)
    sale_factory(person, datetime.date(2024, 12, 1), amount=12000)
    sale_factory(person, datetime.date(2022, 7, 1))
    services.person_update(person=person, data={"title": "係長"}, by=user)

    entries = history(api, person)["results"]

    assert [e["kind"] for e in entries] == ["career", "sale", "card_exchange", "sale"]
    sale = entries[1]
    assert sale["title"] == "販売: お歳暮セット × 1"
    assert "¥12,000" in sale["detail"]
    assert set(sale["ids"]) == {"product", "company", "employee"}
    assert entries[2]["title"] == "名刺交換: 鈴木"


def test_history_is_paged_without_gaps_or_repeats(api, sale_factory):
    person = PersonFactory()
    for day in range(1, 8):
        sale_factory(person, datetime.date(2024, 1, day))
        CardExchangeFactory(person=person, exchanged_on=datetime.date(2024, 2, day))

    seen = []
    page = history(api, person, page_size=4)
    seen += page["results"]
    while page["next"]:
        page = api.get(page["next"]).json()
        seen += page["results"]

    assert len(seen) == 14
    assert len({(e["kind"], e["id"]) for e in seen}) == 14
    assert [e["at"] for e in seen] == sorted((e["at"] for e in seen), reverse=True)


def test_a_registered_source_joins_the_timeline(api, monkeypatch):
    person = PersonFactory()
    monkeypatch.setattr(timeline, "SOURCES", dict(timeline.SOURCES))

    @timeline.timeline_source("probe")
    def probes(*, person, user, limit):
        return [
            TimelineEntry(
                kind="probe",
                id=1,
                at=datetime.datetime(2030, 1, 1, tzinfo=datetime.UTC),
                title=f"訪問 by {user.username}",
            )
        ]

    entries = history(api, person)["results"]

    assert entries[0]["kind"] == "probe"
    assert entries[0]["title"].startswith("訪問 by ")


def test_a_kind_cannot_be_registered_twice(monkeypatch):
    monkeypatch.setattr(timeline, "SOURCES", dict(timeline.SOURCES))

    with pytest.raises(ValueError, match="career"):
        timeline.timeline_source("career")(lambda *, person, user, limit: [])


def test_each_source_is_asked_only_for_what_the_page_needs(api, monkeypatch):
    person = PersonFactory()
    asked = []
    monkeypatch.setattr(
        timeline,
        "SOURCES",
        {
            "probe": lambda *, person, user, limit: asked.append(limit) or [],
        },
    )

    history(api, person, page=3, page_size=10)

    assert asked == [31]


def test_history_of_a_missing_person_is_a_404(api):
    assert api.get("/api/v1/people/999999/history/").status_code == 404

"""CareerEntry (職歴): written by person_update whenever company, department or title change."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from api.people import services
from api.people.models import CareerEntry
from tests.factories.people import (
    CareerEntryFactory,
    CompanyFactory,
    DepartmentFactory,
    PersonFactory,
)

pytestmark = pytest.mark.django_db


def test_changing_company_keeps_the_previous_affiliation(api, user):
    department = DepartmentFactory(name="営業部")
    old = department.company
    person = PersonFactory(company=old, department=department, title="課長")
    new = CompanyFactory()

    response = api.patch(f"/api/v1/people/{person.pk}/", {"company": new.pk}, format="json")

    assert response.status_code == 200
    # Leaving the company leaves its department too.
    assert response.json()["department"] is None
    entry = CareerEntry.objects.get(person=person)
    assert (entry.company_id, entry.company_name) == (old.pk, old.name)
    assert (entry.department_id, entry.department_name, entry.title) == (
        department.pk,
        "営業部",
        "課長",
    )
    assert entry.started_on == timezone.localdate(person.created_at)
    assert entry.ended_on == timezone.localdate()
    assert entry.changed_by == user


def test_a_new_title_is_a_career_change(db, user):
    person = PersonFactory(title="課長")

    services.person_update(person=person, data={"title": "部長"}, by=user)

    assert CareerEntry.objects.get(person=person).title == "課長"


def test_other_changes_write_no_career_entry(db, user):
    person = PersonFactory(company=CompanyFactory(), title="課長")

    services.person_update(person=person, data={"phone": "03-1234-5678", "title": "課長"}, by=user)

    assert not CareerEntry.objects.exists()


def test_the_period_starts_where_the_last_one_ended(db, user):
    person = PersonFactory(title="主任")
    CareerEntryFactory(person=person, ended_on=datetime.date(2024, 3, 31))

    services.person_update(person=person, data={"title": "係長"}, by=user)

    latest = CareerEntry.objects.filter(person=person).latest("id")
    assert latest.started_on == datetime.date(2024, 3, 31)


def test_the_snapshot_keeps_the_name_after_the_company_is_renamed(api, db, user):
    company = CompanyFactory(name="株式会社旧名")
    person = PersonFactory(company=company)
    services.person_update(person=person, data={"company": None}, by=user)

    services.company_update(company=company, data={"name": "株式会社新名"})

    body = api.get(f"/api/v1/people/{person.pk}/career/").json()
    assert body["results"][0]["company_name"] == "株式会社旧名"
    assert body["results"][0]["company"] == company.pk


def test_moving_by_company_name_writes_a_career_entry(api):
    person = PersonFactory(company=CompanyFactory(name="株式会社甲"))

    response = api.patch(f"/api/v1/people/{person.pk}/", {"company_name": "(株)乙"}, format="json")

    assert response.json()["company_name"] == "株式会社乙"
    assert CareerEntry.objects.get(person=person).company_name == "株式会社甲"


def test_career_lists_newest_first_with_names(api, user):
    person = PersonFactory(title="主任")
    services.person_update(person=person, data={"title": "係長"}, by=user)
    services.person_update(person=person, data={"title": "課長"}, by=user)

    body = api.get(f"/api/v1/people/{person.pk}/career/").json()

    assert [e["title"] for e in body["results"]] == ["係長", "主任"]
    assert body["results"][0]["changed_by_name"] == user.username


def test_career_of_a_missing_person_is_a_404(api):
    assert api.get("/api/v1/people/999999/career/").status_code == 404

"""Members by company: the index walk (api.selections.company_order) gives every page
exactly as the plain ordering would, ascending and descending, people without a company
last (first when descending), companies of the same name kept apart."""

from __future__ import annotations

import random

import pytest

from api.people.models import Person
from api.selections.selectors import selection_members
from tests.factories.people import CompanyFactory, PersonFactory
from tests.factories.selections import SelectionSetFactory

pytestmark = pytest.mark.django_db

KANA = ["アオキ", "イトウ", "ウエダ", "エンドウ", None]


def members_page(api, set_id: int, ordering: str, page: int, size: int) -> list[int]:
    response = api.get(
        f"/api/v1/selection-sets/{set_id}/members/",
        {"ordering": ordering, "page": page, "page_size": size},
    )
    assert response.status_code == 200, response.json()
    return [row["person"] for row in response.json()["results"]]


@pytest.mark.parametrize("ordering", ["company", "-company"])
def test_every_page_by_company_is_the_page_of_the_plain_ordering(api, ordering):
    rng = random.Random(7)
    companies = [
        CompanyFactory(name="株式会社同名", name_kana="ドウメイ"),
        CompanyFactory(name="株式会社同名", name_kana="ドウメイ"),
        CompanyFactory(name="アルファ株式会社", name_kana="アルファ"),
        CompanyFactory(name="名無し読み", name_kana=None),
        *CompanyFactory.create_batch(4),
    ]
    people = [
        PersonFactory(
            company=rng.choice([*companies, None, None]),
            family_name_kana=rng.choice(KANA),
            given_name_kana=rng.choice(KANA),
        )
        for _ in range(60)
    ]
    outsiders = PersonFactory.create_batch(10, company=companies[0])
    members = [p for p in people if rng.random() < 0.8]
    selection_set = SelectionSetFactory(people=members)

    expected = [
        m.person_id for m in selection_members(selection_set=selection_set, ordering=ordering)
    ]
    assert len(expected) == len(members)
    walked = []
    for page in range(1, 5):
        walked += members_page(api, selection_set.pk, ordering, page, 13)
    assert walked == expected
    assert not set(walked) & {p.pk for p in outsiders}
    unaffiliated = set(Person.objects.filter(company=None).values_list("pk", flat=True))
    ends = walked[-1] if ordering == "company" else walked[0]
    assert ends in unaffiliated

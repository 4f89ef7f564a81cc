"""A company's timeline page (contact-records/?company=): names beside ids, few queries."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.contacts.conftest import RECORDS, api_for
from tests.factories.people import PersonFactory


def _queries(client, params):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(RECORDS, params)
    assert response.status_code == 200
    return response.json(), len(captured)


def test_people_participants_and_report_recipients_are_named_in_their_own_order(
    world, create_record
):
    # given a second person whose reading sorts before 佐藤 (サトウ)
    ito = PersonFactory(
        family_name="伊藤", given_name=None, family_name_kana="イトウ", company=world.company
    )
    named = world.viewers["named"]
    create_record(
        people=[world.person.pk, ito.pk],
        participants=[named.pk],
        report_to=[named.pk, world.viewers["branch_mate"].pk],
    )

    row = api_for(world.author).get(RECORDS, {"company": world.company.pk}).json()["results"][0]

    assert row["people"] == [
        {"id": ito.pk, "name": "伊藤", "company": world.company.pk},
        {"id": world.person.pk, "name": "佐藤 健一", "company": world.company.pk},
    ]
    assert row["participants"] == [{"id": named.pk, "name": "指名 五郎"}]
    expected = sorted([named, world.viewers["branch_mate"]], key=lambda e: e.code)
    assert row["report_to"] == [{"id": e.pk, "name": e.name} for e in expected]


def test_a_page_takes_four_queries_whatever_it_shows(world, create_record):
    # auth token, the viewer's tokens, the page and (only when more pages follow) the count
    for _ in range(3):
        create_record(participants=[world.viewers["named"].pk])
    client = api_for(world.viewers["section_mate"])

    body, queries = _queries(client, {"company": world.company.pk, "page_size": 2})

    assert (body["count"], len(body["results"]), queries) == (3, 2, 4)


def test_the_last_page_counts_its_rows_without_a_count_query(world, create_record):
    for _ in range(3):
        create_record()
    client = api_for(world.viewers["outsider"])

    body, queries = _queries(client, {"company": world.company.pk})

    assert (body["count"], body["count_capped"], body["next"]) == (3, False, None)
    assert queries == 3

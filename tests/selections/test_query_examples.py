"""The examples of the product documents, checked against independent hand-written SQL.

Each query is counted (selection-sets/count/) and extracted into a set (POST selection-sets/
+ its job); both must give exactly the people the SQL below gives. The SQL walks the
category tree by ``parent_id`` (not the materialised path the compiler uses) and names the
masters by their Japanese names, so the two do not share a mistake.
"""

from __future__ import annotations

import pytest
from django.db import connection

from api.selections.models import SelectionMember
from tests.selections.conftest import one_year_before
from tests.selections.support import run_queued_jobs

pytestmark = pytest.mark.django_db

CATEGORY_SALES = """
    WITH RECURSIVE tree AS (
        SELECT id FROM sales_productcategory WHERE name = %s
        UNION ALL
        SELECT c.id FROM sales_productcategory c JOIN tree t ON c.parent_id = t.id
    )
    SELECT DISTINCT s.person_id FROM sales_sale s
    JOIN sales_product pr ON pr.id = s.product_id
    WHERE pr.category_id IN (SELECT id FROM tree) AND s.person_id IS NOT NULL
"""


def sql_ids(sql: str, params: tuple = ()) -> set[int]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {row[0] for row in cursor.fetchall()}


def expected(world, name: str) -> set[int]:
    me = world.me.pk
    if name == "mine":
        return sql_ids("SELECT id FROM people_person WHERE owner_id = %s", (me,))
    if name == "vip":
        return sql_ids(
            "SELECT p.id FROM people_person p JOIN masters_usercodevalue v ON v.entity = "
            "'person' AND v.slot = 1 AND v.code = p.user_code_1 WHERE v.name = 'VIP'"
        )
    if name == "nenga":
        return sql_ids(
            "SELECT t.person_id FROM people_person_selection_types t JOIN "
            "masters_selectiontype st ON st.id = t.selectiontype_id WHERE st.name = '年賀状送付先'"
        )
    if name == "fur":
        return sql_ids(CATEGORY_SALES, ("毛皮",))
    if name == "red_shoes":
        return sql_ids(
            CATEGORY_SALES.replace(
                "WHERE pr.category_id", "WHERE pr.user_code_3 = 'red' AND pr.category_id"
            ),
            ("靴",),
        )
    if name == "sold_last_year":
        return sql_ids(
            "SELECT DISTINCT person_id FROM sales_sale WHERE sold_by_id = %s AND sold_on >= %s "
            "AND sold_on <= %s AND person_id IS NOT NULL",
            (me, one_year_before(world.today), world.today),
        )
    if name == "fur_mine_12m":
        fur = expected(world, "fur_12m")
        return fur & expected(world, "mine")
    if name == "fur_12m":
        return sql_ids(
            CATEGORY_SALES.replace(
                "WHERE pr.category_id", "WHERE s.sold_on >= %s AND pr.category_id"
            ),
            ("毛皮", one_year_before(world.today)),
        )
    raise AssertionError(name)


QUERIES = {
    "mine": {"owner": "me"},
    "vip": {"user_code": {"slot": 1, "value": "VIP"}},
    "nenga": {"selection_type": "年賀状送付先"},
    "fur": {"bought": {"category": "毛皮"}},
    "red_shoes": {"bought": {"category": "靴", "product_user_code": {"slot": 3, "value": "red"}}},
    "sold_last_year": {"bought": {"sold_by": "me", "within": "1 year"}},
    "fur_mine_12m": {
        "all": [{"owner": "me"}, {"bought": {"category": "毛皮", "within": "12 months"}}]
    },
}


@pytest.mark.parametrize("name", list(QUERIES))
def test_the_example_query_counts_exactly_the_people_sql_finds(api, world, name):
    want = expected(world, name)
    assert 0 < len(want) < len(world.people), "the data must make the example meaningful"

    response = api.post("/api/v1/selection-sets/count/", {"query": QUERIES[name]}, format="json")

    assert response.status_code == 200, response.json()
    assert response.json()["count"] == len(want)


@pytest.mark.parametrize("name", list(QUERIES))
def test_the_example_query_extracts_exactly_the_people_sql_finds(api, world, name):
    response = api.post(
        "/api/v1/selection-sets/", {"name": f"例 {name}", "query": QUERIES[name]}, format="json"
    )
    assert response.status_code == 202, response.json()
    set_id = response.json()["selection_set"]["id"]

    (job,) = run_queued_jobs()

    assert job.state == "succeeded", job.error
    members = set(
        SelectionMember.objects.filter(selection_set_id=set_id).values_list("person_id", flat=True)
    )
    assert members == expected(world, name)
    detail = api.get(f"/api/v1/selection-sets/{set_id}/").json()
    assert detail["member_count"] == len(members)
    assert detail["state"] == "ready"


def test_the_edges_of_the_last_year_are_inclusive(api, world):
    query = {
        "all": [
            {"id": [world.people[0].pk, world.people[1].pk]},
            {"bought": {"sold_by": "me", "within": "1 year"}},
        ]
    }
    count = api.post("/api/v1/selection-sets/count/", {"query": query}, format="json").json()
    assert count["count"] == 1


def test_user_code_by_code_and_by_name_agree(api, world):
    by_code = api.post(
        "/api/v1/selection-sets/count/",
        {"query": {"user_code": {"slot": 1, "value": "A"}}},
        format="json",
    )
    by_name = api.post(
        "/api/v1/selection-sets/count/",
        {"query": {"user_code": {"slot": 1, "value": "VIP"}}},
        format="json",
    )
    assert by_code.json()["count"] == by_name.json()["count"] == len(expected(world, "vip"))

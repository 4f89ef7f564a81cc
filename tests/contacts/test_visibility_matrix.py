"""公開範囲: each of the five scopes against viewers in and out of it, on every read path."""

import csv
import io

import pytest

from tests.conftest import client_for
from tests.contacts.conftest import RECORDS, api_for
from tests.factories.masters import UserFactory

ALL = {"author", "outsider", "branch_mate", "section_mate", "named", "group_member"}

# scope → (scope ids chosen by the author, viewers who may read the record)
SCOPES = {
    "everyone": (lambda w: [], ALL),
    "branch": (lambda w: [w.b1.pk], {"author", "branch_mate"}),
    "department": (lambda w: [w.s1.pk], {"author", "section_mate"}),
    "employees": (lambda w: [w.viewers["named"].pk], {"author", "named"}),
    "groups": (lambda w: [w.g1.pk], {"author", "group_member"}),
}
SURFACES = (
    "list",
    "detail",
    "search",
    "company_timeline",
    "person_history",
    "stats",
    "follow_ups",
    "export",
    "comments",
)


def where_visible(client, world, record_id):
    """Which read paths show the record to this client."""

    def ids(response):
        assert response.status_code == 200, response.content
        return {row["id"] for row in response.json()["results"]}

    history = client.get(f"/api/v1/people/{world.person.pk}/history/")
    assert history.status_code == 200
    stats = client.get("/api/v1/stats/").json()
    export = b"".join(client.get(f"{RECORDS}export.csv").streaming_content).decode("utf-8-sig")
    exported = {int(row["ID"]) for row in csv.DictReader(io.StringIO(export))}
    return {
        "list": record_id in ids(client.get(RECORDS)),
        "detail": client.get(f"{RECORDS}{record_id}/").status_code == 200,
        "search": record_id in ids(client.get(RECORDS, {"q": "新工場"})),
        "company_timeline": record_id in ids(client.get(RECORDS, {"company": world.company.pk})),
        "person_history": any(
            entry["kind"] == "contact" and entry["id"] == record_id
            for entry in history.json()["results"]
        ),
        "stats": stats["contact_records"]["total"] == 1
        and stats["contact_records"]["by_method"] == {"visit": 1},
        "follow_ups": stats["follow_ups"]["open"] == 1,
        "export": record_id in exported,
        "comments": client.get(f"{RECORDS}{record_id}/comments/").status_code == 200,
    }


@pytest.mark.parametrize("viewer", sorted(ALL))
@pytest.mark.parametrize("scope", list(SCOPES))
def test_a_record_is_visible_exactly_within_its_scope(world, create_record, scope, viewer):
    scope_ids, allowed = SCOPES[scope]
    record = create_record(visibility=scope, scope_ids=scope_ids(world))

    seen = where_visible(api_for(world.viewers[viewer]), world, record["id"])

    expected = viewer in allowed
    assert seen == dict.fromkeys(SURFACES, expected)


@pytest.mark.parametrize("scope", list(SCOPES))
def test_a_superuser_sees_every_scope(world, create_record, scope):
    scope_ids, _ = SCOPES[scope]
    record = create_record(visibility=scope, scope_ids=scope_ids(world))
    admin = client_for(UserFactory(is_staff=True, is_superuser=True))

    assert where_visible(admin, world, record["id"]) == dict.fromkeys(SURFACES, True)


def test_a_draft_is_its_authors_only(world, create_record):
    record = create_record(state="draft")

    for name, employee in world.viewers.items():
        client = api_for(employee)
        listed = {row["id"] for row in client.get(RECORDS).json()["results"]}
        assert (record["id"] in listed) == (name == "author"), name
        status = client.get(f"{RECORDS}{record['id']}/").status_code
        assert status == (200 if name == "author" else 404), name


def test_an_out_of_scope_record_answers_exactly_like_a_missing_one(world, create_record):
    record = create_record(visibility="employees", scope_ids=[world.viewers["named"].pk])
    outsider = api_for(world.viewers["outsider"])

    hidden = outsider.get(f"{RECORDS}{record['id']}/")
    missing = outsider.get(f"{RECORDS}{record['id'] + 10_000}/")

    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()
    for path in ("comments/", "attachments/"):
        assert outsider.get(f"{RECORDS}{record['id']}/{path}").status_code == 404
        assert outsider.post(f"{RECORDS}{record['id']}/{path}", {}).status_code == 404
    assert outsider.patch(f"{RECORDS}{record['id']}/", {"content": "x"}).status_code == 404
    assert outsider.delete(f"{RECORDS}{record['id']}/").status_code == 404


def test_moving_an_employee_to_another_branch_changes_what_they_see(world, create_record):
    record = create_record(visibility="branch", scope_ids=[world.b1.pk])
    mover = world.viewers["outsider"]
    client = api_for(mover)
    assert client.get(f"{RECORDS}{record['id']}/").status_code == 404

    mover.branch = world.b1
    mover.save()

    assert client.get(f"{RECORDS}{record['id']}/").status_code == 200

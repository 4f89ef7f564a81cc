"""Imported people are searchable as soon as their range is committed: the commit merges the
search indexes' pending entries itself (importers.services.merge.gin_pending_merge)."""

from tests.factories.importers import csv_bytes
from tests.importers.helpers import commit, upload

HEADER = ["外部コード", "氏名", "フリガナ", "電話"]


def _found(api, q: str) -> set[str]:
    response = api.get("/api/v1/people/", {"q": q})
    assert response.status_code == 200, response.json()
    return {person["external_code"] for person in response.json()["results"]}


def test_imported_people_are_found_by_search_after_the_commit(api):
    data = [HEADER, ["S1", "榊原 一郎", "サカキバラ イチロウ", "03-5555-0101"]]
    imported = upload(api, csv_bytes(data), mode="upsert", match_key="external_code")

    assert commit(api, imported["id"])["state"] == "committed"

    assert _found(api, "榊原") == {"S1"}
    assert _found(api, "榊") == {"S1"}
    assert _found(api, "0355550101") == {"S1"}


def test_an_updated_phone_is_found_by_its_new_digits_only(api):
    data = [HEADER, ["S1", "榊原 一郎", "サカキバラ イチロウ", "03-5555-0101"]]
    commit(api, upload(api, csv_bytes(data), mode="upsert", match_key="external_code")["id"])
    data[1][3] = "03-5555-0202"

    commit(api, upload(api, csv_bytes(data), mode="upsert", match_key="external_code")["id"])

    assert _found(api, "0355550202") == {"S1"}
    assert _found(api, "0355550101") == set()

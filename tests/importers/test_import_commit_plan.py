"""The commit keeps the preview's plan while the register is as the preview saw it, and
plans again when a record it depends on was added or removed in between."""

from api.people.models import Person
from tests.factories.importers import csv_bytes
from tests.importers.helpers import commit, upload

HEADER = ["外部コード", "氏名", "電話"]


def test_an_unchanged_register_commits_what_the_preview_planned(api):
    Person.objects.create(family_name="既存", external_code="P1")
    data = [HEADER, ["P1", "榊原 一郎", "03-5555-0101"], ["P2", "柊 二郎", "03-5555-0102"]]
    record = upload(api, csv_bytes(data), mode="upsert", match_key="external_code")

    result = commit(api, record["id"])["counts"]

    assert (result["updated"], result["inserted"]) == (1, 1)
    assert Person.objects.get(external_code="P1").family_name == "榊原"


def test_a_record_registered_after_the_preview_is_not_inserted_again(api):
    data = [HEADER, ["P1", "榊原 一郎", "03-5555-0101"]]
    record = upload(api, csv_bytes(data))
    assert record["counts"]["insert"] == 1
    response = api.post(
        "/api/v1/people/", {"family_name": "榊原", "external_code": "P1"}, format="json"
    )
    assert response.status_code == 201, response.json()

    result = commit(api, record["id"])

    assert result["state"] == "committed"
    assert (result["counts"]["inserted"], result["counts"]["skipped"]) == (0, 1)
    assert Person.objects.filter(external_code="P1").count() == 1


def test_a_record_deleted_after_the_preview_is_added_by_the_upsert(api):
    person = Person.objects.create(family_name="既存", external_code="P1")
    data = [HEADER, ["P1", "榊原 一郎", "03-5555-0101"]]
    record = upload(api, csv_bytes(data), mode="upsert", match_key="external_code")
    assert record["counts"]["update"] == 1
    assert api.delete(f"/api/v1/people/{person.pk}/").status_code == 204

    result = commit(api, record["id"])["counts"]

    assert (result["updated"], result["inserted"]) == (0, 1)
    assert Person.objects.get(external_code="P1").family_name == "榊原"

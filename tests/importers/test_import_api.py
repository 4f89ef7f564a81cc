"""Imports through the API: upload → preview → commit."""

from api.people.models import Company, Person
from tests.factories.importers import PEOPLE_HEADER, csv_bytes, people_rows
from tests.importers.helpers import commit, rows, upload


def test_a_file_previews_without_touching_the_register_and_commits(api):
    data = csv_bytes([PEOPLE_HEADER, *people_rows(3)])
    record = upload(api, data, create_missing="true")
    assert record["state"] == "previewed", record["error"]
    assert record["counts"]["insert"] == 3
    assert Person.objects.count() == 0
    assert Company.objects.count() == 0

    done = commit(api, record["id"])
    assert done["state"] == "committed"
    assert done["counts"]["inserted"] == 3
    assert Person.objects.count() == 3
    assert set(Company.objects.values_list("name", flat=True)) == {
        "株式会社テスト0",
        "株式会社テスト1",
        "株式会社テスト2",
    }
    assert rows(api, record["id"])[0]["done"] is True

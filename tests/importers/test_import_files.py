"""Files that cannot be imported: a clear error on the job and the import, nothing written."""

import pytest
from django.db import connection

from api.jobs.models import Job
from api.people.models import Company, Person
from tests.factories.importers import PEOPLE_HEADER, csv_bytes, people_rows
from tests.importers.helpers import upload


def _staged_tables() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE tablename LIKE 'importers_stage_%'")
        return [row[0] for row in cursor.fetchall()]


def _assert_failed_and_nothing_written(record: dict, api, fragment: str) -> None:
    assert record["state"] == "failed"
    assert fragment in record["error"]
    job = Job.objects.get(pk=record["job"])
    assert job.state == Job.State.FAILED
    assert fragment in job.error
    assert Person.objects.count() == 0
    assert Company.objects.count() == 0
    assert _staged_tables() == []
    assert api.post(f"/api/v1/imports/{record['id']}/commit/").status_code == 409


GOOD = csv_bytes([PEOPLE_HEADER, *people_rows(3)])

BAD_FILES = {
    "empty": (b"", "the file is empty"),
    "header only": (csv_bytes([PEOPLE_HEADER]), "no data rows"),
    "cut inside a two-byte character": (GOOD + "髙".encode("cp932")[:1], "ends inside"),
    "a line broken inside a two-byte character": (
        GOOD.replace("山田".encode("cp932"), "山".encode("cp932") + b"\x93\n", 1),
        "line 2: bytes",
    ),
    "an unbalanced quote": (
        GOOD
        + '"山田 次郎,ヤマダ,株式会社X,営業部,課長,03-1234-5678,x@example.jp,100-0001,'
        "千代田区\r\n".encode("cp932"),
        "never closed",
    ),
    "a 10 MB single field": (
        GOOD + ('山田 次郎,ヤマダ,"' + "x" * (10 << 20) + '",営業部,課長,,,,\r\n').encode("cp932"),
        "longer than 32,767 characters",
    ),
    "a binary file named .csv": (bytes(range(256)) * 64, "binary"),
    "a ZIP that is not a workbook": (b"PK\x03\x04" + bytes(200), "ZIP archive"),
}


@pytest.mark.parametrize("case", BAD_FILES, ids=list(BAD_FILES))
def test_an_unreadable_file_fails_the_import_with_its_reason_and_writes_nothing(api, case):
    data, fragment = BAD_FILES[case]
    record = upload(api, data)
    _assert_failed_and_nothing_written(record, api, fragment)


def test_a_wrong_encoding_forced_by_the_user_fails_instead_of_importing_mojibake(api):
    utf8 = csv_bytes([PEOPLE_HEADER, *people_rows(3)], encoding="utf-8")
    record = upload(api, utf8, encoding="shift_jis")
    _assert_failed_and_nothing_written(record, api, "not Shift_JIS (CP932)")
    assert "looks like UTF-8" in record["error"]


def test_euc_jp_forced_on_a_shift_jis_file_is_refused(api):
    record = upload(api, GOOD, encoding="euc-jp")
    _assert_failed_and_nothing_written(record, api, "not EUC-JP")


def test_an_unknown_encoding_is_a_field_error_at_upload(api):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = api.post(
        "/api/v1/imports/",
        {"file": SimpleUploadedFile("a.csv", GOOD), "target": "people", "encoding": "klingon"},
        format="multipart",
    )
    assert response.status_code == 400
    assert "unknown encoding 'klingon'" in response.json()["encoding"][0]


def test_a_file_without_any_known_column_says_which_columns_it_has(api):
    record = upload(api, csv_bytes([["列A", "列B"], ["1", "2"]]))
    assert record["state"] == "failed"
    assert "none of the columns (列A, 列B)" in record["error"]


def test_an_insert_without_the_family_name_column_is_refused(api):
    record = upload(api, csv_bytes([["電話"], ["03-1234-5678"]]))
    assert record["state"] == "failed"
    assert "no column for 姓 (family_name)" in record["error"]


def test_the_preview_can_be_run_again_with_the_right_encoding(api):
    euc = csv_bytes([PEOPLE_HEADER, *people_rows(2)], encoding="euc_jp")
    record = upload(api, euc, encoding="cp932", create_missing="true")
    assert record["state"] == "failed"
    response = api.post(
        f"/api/v1/imports/{record['id']}/preview/", {"encoding": "euc-jp"}, format="json"
    )
    assert response.status_code == 202
    from tests.importers.helpers import run_job

    run_job(response.json()["job"])
    again = api.get(f"/api/v1/imports/{record['id']}/").json()
    assert again["state"] == "previewed"
    assert again["encoding"] == "euc_jp"
    assert again["counts"]["insert"] == 2

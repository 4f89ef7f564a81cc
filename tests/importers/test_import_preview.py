"""The preview: duplicates, errors, paging, commit policies, the errors file."""

from api.people.models import Person
from tests.factories.importers import PEOPLE_HEADER, csv_bytes, people_rows
from tests.importers.helpers import commit, rows, upload


def test_duplicates_in_the_file_and_in_the_register_are_skipped_on_insert(api):
    Person.objects.create(family_name="既存", given_name="花子", email="hanako@example.jp")
    data = csv_bytes(
        [
            ["氏名", "メール", "電話"],
            ["山田 太郎", "taro@example.jp", "03-1234-5678"],
            ["山田 太郎", "TARO@example.jp".lower(), "03-1234-5678"],  # same e-mail as row 2
            ["別人 花子", "hanako@example.jp", ""],  # in the register
            ["佐藤 一郎", "ichiro@example.jp", ""],
        ]
    )
    record = upload(api, data)
    assert record["counts"]["insert"] == 2
    assert record["counts"]["skip"] == 2
    skipped = {r["row"]: r["duplicates"] for r in rows(api, record["id"], status="skip")}
    assert {"key": "email", "label": "メール", "row": 2} in skipped[3]
    register = [d for d in skipped[4] if "id" in d]
    assert register[0]["key"] == "email"
    result = commit(api, record["id"])["counts"]
    assert (result["inserted"], result["skipped"]) == (2, 2)
    assert Person.objects.filter(email="taro@example.jp").count() == 1


def test_the_preview_pages_and_filters_rows(api):
    record = upload(api, csv_bytes([PEOPLE_HEADER, *people_rows(7)]), create_missing="true")
    page = api.get(f"/api/v1/imports/{record['id']}/rows/", {"page_size": 3, "page": 2}).json()
    assert page["count"] == 7
    assert [r["row"] for r in page["results"]] == [5, 6, 7]
    assert page["next"] and page["previous"]
    bad = api.get(f"/api/v1/imports/{record['id']}/rows/", {"status": "nonsense"})
    assert bad.status_code == 400


def test_all_or_nothing_refuses_a_file_with_errors(api):
    data = csv_bytes([["姓", "電話"], ["山田", "03-1234-5678"], ["佐藤", "12"]])
    record = upload(api, data)
    response = api.post(
        f"/api/v1/imports/{record['id']}/commit/", {"policy": "all_or_nothing"}, format="json"
    )
    assert response.status_code == 400
    assert "1 row(s) have errors" in response.json()["policy"][0]
    assert Person.objects.count() == 0
    done = commit(api, record["id"], policy="valid_only")
    assert done["counts"]["inserted"] == 1
    assert done["counts"]["failed"] == 1


def test_a_committed_import_cannot_be_committed_again(api):
    record = upload(api, csv_bytes([["姓"], ["山田"]]))
    commit(api, record["id"])
    again = api.post(f"/api/v1/imports/{record['id']}/commit/")
    assert again.status_code == 409
    assert Person.objects.count() == 1


def test_the_errors_file_holds_the_failing_original_rows_in_the_files_encoding(api):
    data = csv_bytes(
        [
            ["氏名", "電話", "メモ"],
            ["山田 太郎", "03-1234-5678", "ok"],
            ["髙橋 ①子", "0３-12", "=1+1"],
            ["佐藤 花子", "bad", "複数\r\n行"],
        ]
    )
    record = upload(api, data)
    response = api.get(f"/api/v1/imports/{record['id']}/errors.csv")
    assert response.status_code == 200
    assert "charset=shift_jis" in response["Content-Type"]
    text = b"".join(response.streaming_content).decode("cp932")
    lines = text.split("\r\n")
    assert lines[0] == "氏名,電話,メモ,エラー内容"
    assert lines[1].startswith("髙橋 ①子,0３-12,'=1+1,\"電話: not a valid phone number")
    assert '佐藤 花子,bad,"複数\r\n行",電話: not a phone number' in text
    assert "山田" not in text


def test_another_users_import_is_not_visible(api, other_api):
    record = upload(api, csv_bytes([["姓"], ["山田"]]))
    assert other_api.get(f"/api/v1/imports/{record['id']}/").status_code == 404
    assert other_api.post(f"/api/v1/imports/{record['id']}/commit/").status_code == 404


def test_an_import_can_be_deleted_with_its_staged_rows(api):
    from django.db import connection

    record = upload(api, csv_bytes([["姓"], ["山田"]]))
    assert api.delete(f"/api/v1/imports/{record['id']}/").status_code == 204
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [f"importers_stage_{record['id']}"])
        assert cursor.fetchone()[0] is None


def test_imports_need_authentication(anon):
    assert anon.get("/api/v1/imports/").status_code == 401

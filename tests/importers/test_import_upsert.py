"""Upsert: re-importing a changed file updates exactly the changed rows."""

from api.masters.models import CustomField
from api.people.models import CareerEntry, Company, Person
from tests.factories.importers import csv_bytes
from tests.factories.masters import CustomFieldFactory, PersonTypeFactory
from tests.factories.people import CompanyFactory
from tests.importers.helpers import commit, rows, upload

HEADER = ["外部コード", "姓", "名", "会社名", "役職", "電話", "個人タイプ", "メモ"]


def _rows(count: int) -> list[list[str]]:
    return [
        [
            f"C{n:03d}",
            "山田",
            f"太郎{n}",
            "株式会社テスト",
            "課長",
            f"03-1234-{n:04d}",
            "VIP",
            f"メモ{n}",
        ]
        for n in range(count)
    ]


def test_reimporting_a_changed_file_updates_exactly_the_changed_rows(api):
    PersonTypeFactory(code="VIP")
    CompanyFactory(name="株式会社テスト")
    original = _rows(10)
    first = upload(api, csv_bytes([HEADER, *original]), mode="upsert", match_key="external_code")
    assert commit(api, first["id"])["counts"]["inserted"] == 10
    before = {p.external_code: p.updated_at for p in Person.objects.all()}

    changed = [list(row) for row in original]
    changed[2][5] = "03-9999-0002"  # phone
    changed[5][7] = "新しいメモ"  # memo
    changed[7][6] = ""  # person types cleared
    second = upload(api, csv_bytes([HEADER, *changed]), mode="upsert", match_key="external_code")
    assert second["counts"]["update"] == 3
    assert second["counts"]["unchanged"] == 7
    updates = rows(api, second["id"], status="update")
    assert [r["row"] for r in updates] == [4, 7, 9]
    assert updates[0]["changes"] == {"phone": {"before": "03-1234-0002", "after": "03-9999-0002"}}
    result = commit(api, second["id"])["counts"]
    assert (result["updated"], result["unchanged"], result["inserted"]) == (3, 7, 0)
    after = {p.external_code: p for p in Person.objects.all()}
    assert len(after) == 10
    touched = {code for code, person in after.items() if person.updated_at != before[code]}
    assert touched == {"C002", "C005", "C007"}
    assert after["C002"].phone == "03-9999-0002"
    assert after["C005"].memo == "新しいメモ"
    assert list(after["C007"].person_types.all()) == []
    assert after["C008"].person_types.get().code == "VIP"


def test_an_affiliation_change_writes_a_career_entry(api):
    PersonTypeFactory(code="VIP")
    CompanyFactory(name="株式会社テスト")
    first = upload(api, csv_bytes([HEADER, *_rows(2)]), mode="upsert")
    commit(api, first["id"])
    changed = _rows(2)
    changed[0][3] = "株式会社新天地"
    changed[1][4] = "部長"
    second = upload(api, csv_bytes([HEADER, *changed]), mode="upsert", create_missing="true")
    result = commit(api, second["id"])["counts"]
    assert result["career_entries"] == 2
    moved = Person.objects.get(external_code="C000")
    assert moved.company.name == "株式会社新天地"
    entry = CareerEntry.objects.get(person=moved)
    assert (entry.company_name, entry.title) == ("株式会社テスト", "課長")
    assert entry.ended_on is not None
    promoted = CareerEntry.objects.get(person__external_code="C001")
    assert promoted.title == "課長"
    assert Person.objects.get(external_code="C001").title == "部長"
    assert Company.objects.filter(name="株式会社新天地").count() == 1


def test_custom_fields_are_checked_and_merged_into_the_record(api):
    CustomFieldFactory(
        key="rank", label="会員ランク", kind=CustomField.Kind.CHOICE, choices=["金", "銀"]
    )
    CustomFieldFactory(key="visits", label="来店回数", kind=CustomField.Kind.NUMBER)
    person = Person.objects.create(
        family_name="山田", external_code="X1", custom={"visits": 3, "other": "kept"}
    )
    data = csv_bytes(
        [
            ["外部コード", "姓", "会員ランク", "来店回数"],
            ["X1", "山田", "金", "１２"],
            ["X2", "佐藤", "銅", "x"],
        ]
    )
    record = upload(api, data, mode="upsert")
    [bad] = rows(api, record["id"], status="error")
    messages = {e["field"]: e["message"] for e in bad["errors"]}
    assert "'銅' is not one of the choices" in messages["custom.rank"]
    assert "expected a number" in messages["custom.visits"]
    commit(api, record["id"])
    person.refresh_from_db()
    assert person.custom == {"rank": "金", "visits": 12, "other": "kept"}


def test_upsert_by_email_that_matches_two_people_is_an_error_for_that_row(api):
    Person.objects.create(family_name="山田", email="same@example.jp")
    Person.objects.create(family_name="山田", email="same@example.jp")
    data = csv_bytes([["姓", "メール"], ["山田", "same@example.jp"]])
    record = upload(api, data, mode="upsert", match_key="email")
    [row] = rows(api, record["id"])
    assert row["action"] == "error"
    assert "matches 2 records" in row["errors"][0]["message"]


def test_upsert_by_id_refuses_an_id_that_does_not_exist(api):
    data = csv_bytes([["ID", "姓"], ["999999", "山田"]])
    record = upload(api, data, mode="upsert", match_key="id")
    [row] = rows(api, record["id"])
    assert "no 個人 has ID 999999" in row["errors"][0]["message"]

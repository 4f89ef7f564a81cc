"""Exports: CSV (UTF-8 with BOM, Shift_JIS) and .xlsx, columns, filters, order, jobs."""

import io

from openpyxl import load_workbook

from api.masters.models import CustomField
from api.people.models import Person
from tests.factories.masters import (
    CustomFieldFactory,
    PersonTypeFactory,
    SelectionTypeFactory,
)
from tests.factories.people import CompanyFactory, PersonFactory
from tests.importers.helpers import commit, run_job, upload


def _csv(response, encoding="utf-8-sig") -> list[str]:
    assert response.status_code == 200, getattr(response, "data", response)
    return b"".join(response.streaming_content).decode(encoding).split("\r\n")


def test_everyone_with_a_selection_type_ordered_by_reading_in_shift_jis(api):
    nenga = SelectionTypeFactory(code="NENGA", name="年賀状送付先")
    for family, kana in (("渡辺", "ワタナベ"), ("青木", "アオキ"), ("髙橋", "タカハシ")):
        PersonFactory(family_name=family, family_name_kana=kana).selection_types.add(nenga)
    PersonFactory(family_name="対象外", family_name_kana="アアア")
    response = api.get(
        "/api/v1/exports/people.csv",
        {
            "selection_types": "NENGA",
            "ordering": "kana",
            "encoding": "cp932",
            "columns": "family_name,family_name_kana,selection_types",
        },
    )
    lines = _csv(response, "cp932")
    assert lines[0] == "姓,セイ,選択タイプ"
    assert lines[1:4] == ["青木,アオキ,NENGA", "髙橋,タカハシ,NENGA", "渡辺,ワタナベ,NENGA"]
    assert "attachment" in response["Content-Disposition"]


def test_utf8_exports_start_with_one_bom(api):
    PersonFactory.create_batch(3)
    response = api.get("/api/v1/exports/people.csv", {"columns": "family_name"})
    data = b"".join(response.streaming_content)
    assert data.startswith(b"\xef\xbb\xbf") and data.count(b"\xef\xbb\xbf") == 1


def test_a_character_shift_jis_lacks_is_an_error_unless_replacement_is_asked(api):
    PersonFactory(family_name="𠮷田", given_name="〜子")
    refused = api.get(
        "/api/v1/exports/people.csv", {"encoding": "cp932", "columns": "family_name,given_name"}
    )
    assert refused.status_code == 400
    assert "'𠮷' (U+20BB7) cannot be written in Shift_JIS" in refused.json()["encoding"][0]
    replaced = api.get(
        "/api/v1/exports/people.csv",
        {"encoding": "cp932", "unencodable": "replace", "columns": "family_name,given_name"},
    )
    # 〜 (WAVE DASH) is written as the CP932 ～ every Japanese PC shows, not replaced.
    assert _csv(replaced, "cp932")[1] == "〓田,～子"


def test_cells_that_spreadsheets_would_run_are_neutralised(api):
    PersonFactory(family_name='=HYPERLINK("http://x")', memo="@SUM(A1)")
    lines = _csv(api.get("/api/v1/exports/people.csv", {"columns": "family_name,memo"}))
    assert lines[1] == '"\'=HYPERLINK(""http://x"")",\'@SUM(A1)'


def test_an_xlsx_export_holds_the_chosen_columns(api):
    PersonFactory(family_name="山田", phone="03-1234-5678")
    response = api.get("/api/v1/exports/people.xlsx", {"columns": "family_name,phone"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert [list(r) for r in sheet.iter_rows(values_only=True)] == [
        ["姓", "電話"],
        ["山田", "03-1234-5678"],
    ]


def test_an_unknown_column_or_ordering_is_a_field_error(api):
    bad = api.get("/api/v1/exports/people.csv", {"columns": "family_name,shoe_size"})
    assert bad.status_code == 400
    assert "shoe_size" in bad.json()["columns"][0]
    bad = api.get("/api/v1/exports/people.csv", {"ordering": "shoe_size"})
    assert "cannot order people by 'shoe_size'" in bad.json()["ordering"][0]


def test_a_large_export_runs_as_a_job_and_is_downloaded(api, other_api):
    PersonFactory.create_batch(5)
    response = api.post(
        "/api/v1/exports/",
        {
            "target": "people",
            "format": "csv",
            "encoding": "cp932",
            "columns": ["id", "family_name"],
            "ordering": ["-id"],
        },
        format="json",
    )
    assert response.status_code == 202
    job = run_job(response.json()["id"])
    assert job.state == "succeeded", job.error
    assert job.result["rows"] == 5
    download = api.get(f"/api/v1/exports/{job.pk}/download/")
    assert download.status_code == 200
    text = b"".join(download.streaming_content).decode("cp932").split("\r\n")
    ids = [int(line.split(",")[0]) for line in text[1:] if line]
    assert ids == sorted(ids, reverse=True)
    assert other_api.get(f"/api/v1/exports/{job.pk}/download/").status_code == 404


def test_an_export_of_given_ids_keeps_their_order(db):
    from importers.export.services import export_write

    first, _, third = PersonFactory.create_batch(3)
    out = io.BytesIO()
    result = export_write(
        target="people", out=out, ids=[third.id, first.id, 999999], columns=["id"]
    )
    assert result.rows == 2
    assert out.getvalue().decode("utf-8-sig").split("\r\n")[1:3] == [str(third.id), str(first.id)]


def test_an_export_reimports_cleanly(api):
    vip = PersonTypeFactory(code="VIP")
    CustomFieldFactory(
        key="rank", label="会員ランク", kind=CustomField.Kind.CHOICE, choices=["金", "銀"]
    )
    company = CompanyFactory(name="株式会社テスト")
    people = [
        PersonFactory(
            company=company,
            title="課長",
            phone="03-1234-5678",
            email="a@example.jp",
            memo="二行の\nメモ",
            custom={"rank": "金"},
            opt_out_mail=True,
            birthday="1980-01-02",
        ),
        PersonFactory(family_name="-山田", given_name="=太郎"),  # formula-looking values
    ]
    people[0].person_types.add(vip)
    exported = api.get("/api/v1/exports/people.csv", {"encoding": "cp932"})
    data = b"".join(exported.streaming_content)
    record = upload(api, data, mode="upsert", match_key="id")
    assert record["state"] == "previewed", record["error"]
    assert record["counts"]["unchanged"] == 2, record["counts"]
    result = commit(api, record["id"])["counts"]
    assert (result["updated"], result["inserted"], result["unchanged"]) == (0, 0, 2)
    assert Person.objects.count() == 2


def test_the_export_columns_are_listed(api):
    body = api.get("/api/v1/exports/columns/", {"target": "companies"}).json()
    assert {"name": "name", "label": "会社名"} in body

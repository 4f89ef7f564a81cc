import csv
import io

from tests.contacts.conftest import RECORDS, api_for


def _rows(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv"
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")  # so that Excel reads the Japanese
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


def test_the_export_has_japanese_names_and_follows_the_filters(world, create_record):
    wanted = create_record(participants=[world.viewers["named"].pk])
    create_record(method="phone")

    rows = _rows(api_for(world.author).get(f"{RECORDS}export.csv", {"method": "visit"}))

    assert [int(r["ID"]) for r in rows] == [wanted["id"]]
    row = rows[0]
    assert (row["企業"], row["相手先担当者"], row["記録者"], row["同行社員"]) == (
        "株式会社北斗精機",
        "佐藤 健一",
        "記録 太郎",
        "指名 五郎",
    )
    assert (row["対応形態"], row["結果"], row["公開範囲"], row["状態"]) == (
        "訪問",
        "継続",
        "全員",
        "確定",
    )
    assert row["内容"] == "佐藤様より新工場計画の説明を受けた。\n来月、概算見積を提出する。"


def test_cells_that_look_like_formulas_are_neutralised(world, create_record):
    create_record(
        content='=HYPERLINK("http://evil.example","click")',
        summary_text="+81 担当変更",
        deal_name="@SUM(A1)",
    )

    row = _rows(api_for(world.author).get(f"{RECORDS}export.csv"))[0]

    assert row["内容"] == '\'=HYPERLINK("http://evil.example","click")'
    assert row["内容概略(自由記述)"] == "'+81 担当変更"
    assert row["案件"] == "'@SUM(A1)"

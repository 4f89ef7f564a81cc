"""A messy Shift_JIS file: every value normalised by the input rules, no mojibake."""

from api.people.models import Company, Person
from tests.factories.importers import csv_bytes, xlsx_bytes
from tests.importers.helpers import commit, rows, upload

HEADER = ["氏名", "フリガナ", "会社名", "ＴＥＬ", "E-mail", "〒", "住所", "メモ"]
MESSY = [
    [
        "髙橋\u3000①子",
        "ﾀｶﾊｼ ｲﾁｺ",
        "㈱サンプル",
        "０３（１２３４）５６７８",
        "ichiko@Example.CO.JP",
        "１００－０００１",
        "千代田区千代田１－１",
        "1行目\r\n2行目",
    ],
    [
        "山﨑 太郎",
        "やまざき たろう",
        "（株）サンプル",
        "03-1234-5679",
        "taro@example.jp",
        "〒100-0001",
        "千代田区千代田2-2",
        "",
    ],
    [
        "佐藤 花子",
        "サトウ ハナコ",
        "サンプル(株)",
        "0312345670",
        "hanako@example.jp",
        "1000001",
        "",
        "",
    ],
]


def test_a_shift_jis_file_imports_with_every_value_normalised(api):
    data = csv_bytes([HEADER, *MESSY], encoding="cp932")
    record = upload(api, data, create_missing="true")
    assert record["state"] == "previewed", record["error"]
    assert record["encoding"] == "cp932"
    assert record["encoding_label"] == "Shift_JIS (CP932)"
    assert record["mapping"]["ＴＥＬ"] == "phone"
    assert record["mapping"]["E-mail"] == "email"
    commit(api, record["id"])

    takahashi = Person.objects.get(family_name="髙橋")
    assert (takahashi.given_name, takahashi.family_name_kana, takahashi.given_name_kana) == (
        "①子",
        "タカハシ",
        "イチコ",
    )
    assert takahashi.phone == "03-1234-5678"
    assert takahashi.email == "ichiko@example.co.jp"
    assert takahashi.postal_code == "100-0001"
    assert takahashi.prefecture == "東京都"  # filled from the postal code
    assert takahashi.address1 == "千代田区千代田1-1"
    assert takahashi.memo == "1行目\n2行目"
    yamazaki = Person.objects.get(family_name="山﨑")
    assert yamazaki.family_name_kana == "ヤマザキ"
    assert yamazaki.phone == "03-1234-5679"
    sato = Person.objects.get(family_name="佐藤")
    assert sato.phone == "03-1234-5670"
    assert sato.address1 == "千代田区千代田"  # filled from the postal code
    # (株), ㈱ and （株） are one company, written out; 後株 stays after the name.
    assert sorted(Company.objects.values_list("name", flat=True)) == [
        "サンプル株式会社",
        "株式会社サンプル",
    ]
    assert takahashi.company_id == yamazaki.company_id


def test_the_api_returns_the_imported_values_without_mojibake(api):
    record = upload(api, csv_bytes([HEADER, *MESSY], encoding="cp932"), create_missing="true")
    commit(api, record["id"])
    person = Person.objects.get(family_name="髙橋")
    body = api.get(f"/api/v1/people/{person.id}/").json()
    assert (body["family_name"], body["given_name"]) == ("髙橋", "①子")
    assert body["company_name"] == "株式会社サンプル"
    preview = rows(api, record["id"])
    assert preview[0]["values"]["family_name"] == "髙橋"
    assert preview[0]["normalised"]["phone"] == {
        "before": "０３（１２３４）５６７８",
        "after": "03-1234-5678",
    }


def test_a_value_the_rules_cannot_fix_is_a_row_error_with_a_suggestion(api):
    data = csv_bytes(
        [["氏名", "電話", "〒", "メール"], ["山田 太郎", "312345678", "1000001", "taro@gmial.com"]]
    )
    record = upload(api, data)
    assert record["counts"]["error"] == 1
    [row] = rows(api, record["id"], status="error")
    by_field = {e["field"]: e for e in row["errors"]}
    assert by_field["phone"]["column"] == "電話"
    assert by_field["phone"]["value"] == "312345678"
    assert by_field["phone"]["suggestion"] == "03-1234-5678"
    assert by_field["email"]["suggestion"] == "taro@gmail.com"
    assert "postal_code" not in by_field


def test_an_xlsx_workbook_imports_like_a_csv(api):
    data = xlsx_bytes(
        [["氏名", "電話", "生年月日"], ["山田 太郎", "03-1234-5678", "昭和55年1月2日"]]
    )
    record = upload(api, data, name="people.xlsx")
    assert record["file_kind"] == "xlsx"
    commit(api, record["id"])
    person = Person.objects.get()
    assert str(person.birthday) == "1980-01-02"


def test_a_tab_separated_utf8_file_with_bom_is_read(api):
    data = csv_bytes(
        [["姓", "名", "携帯"], ["山田", "太郎", "090-1234-5678"]],
        encoding="utf-8",
        delimiter="\t",
        bom=True,
    )
    record = upload(api, data, name="people.tsv")
    assert (record["encoding"], record["delimiter"]) == ("utf-8-sig", "\t")
    commit(api, record["id"])
    assert Person.objects.get().mobile_phone == "090-1234-5678"

"""Headers mapped to fields: Japanese and English variants, splits, explicit and saved."""

import pytest

from api.core.errors import FieldErrors
from api.masters.models import CustomField
from importers.mapping import header_key, mapping_resolve
from importers.services.targets import TARGETS
from tests.factories.importers import ImportFormatFactory, csv_bytes
from tests.factories.masters import CustomFieldFactory
from tests.importers.helpers import upload

PEOPLE = TARGETS["people"]


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("姓", "family_name"),
        ("氏名", "full_name"),
        ("お名前", "full_name"),
        ("フリガナ", "full_name_kana"),
        ("ﾌﾘｶﾞﾅ", "full_name_kana"),
        ("姓（カナ）", "family_name_kana"),
        ("セイ", "family_name_kana"),
        ("〒", "postal_code"),
        ("郵便番号", "postal_code"),
        ("TEL", "phone"),
        ("ＴＥＬ", "phone"),
        ("電話番号", "phone"),
        ("E-mail", "email"),
        ("e-mail", "email"),
        ("メールアドレス", "email"),
        ("会社名", "company"),
        ("勤務先", "company"),
        ("携帯番号", "mobile_phone"),
        ("FAX番号", "fax"),
        ("住所", "address1"),
        ("住所１", "address1"),
        ("建物名", "address2"),
        ("自宅住所", "home_address1"),
        ("生年月日", "birthday"),
        ("選択タイプ", "selection_types"),
        ("備考", "memo"),
        ("Last Name", "family_name"),
        ("first_name", "given_name"),
    ],
)
def test_common_headers_map_to_their_field(db, header, field):
    mapping = mapping_resolve(target=PEOPLE, header=[header])
    assert mapping.columns == (field,)


def test_header_keys_fold_width_case_and_brackets():
    assert header_key("Ｅ－ＭＡＩＬ") == header_key("e-mail") == "email"
    assert header_key("姓（カナ）") == "姓カナ"
    assert header_key("メール") == "メール"


def test_an_unknown_header_is_ignored_and_a_second_column_for_one_field_too(db):
    mapping = mapping_resolve(target=PEOPLE, header=["電話", "TEL", "列X"])
    assert mapping.columns == ("phone", "", "")


def test_family_and_given_columns_win_over_a_whole_name_column(db):
    mapping = mapping_resolve(target=PEOPLE, header=["氏名", "姓", "名"])
    assert mapping.columns == ("", "family_name", "given_name")


def test_custom_fields_map_by_label_or_key(db):
    CustomFieldFactory(key="rank", label="会員ランク", kind=CustomField.Kind.TEXT)
    mapping = mapping_resolve(target=PEOPLE, header=["会員ランク", "RANK"])
    assert mapping.columns == ("custom.rank", "")


def test_a_mapping_in_the_request_wins(db):
    mapping = mapping_resolve(
        target=PEOPLE, header=["電話", "連絡先"], given={"電話": "", "連絡先": "phone"}
    )
    assert mapping.columns == ("", "phone")


def test_a_mapping_to_an_unknown_field_is_a_field_error(db):
    with pytest.raises(FieldErrors) as caught:
        mapping_resolve(target=PEOPLE, header=["x"], given={"x": "nickname"})
    assert "unknown field(s) nickname" in caught.value.errors["mapping"][0]


def test_mapping_two_columns_to_one_field_is_refused(db):
    with pytest.raises(FieldErrors) as caught:
        mapping_resolve(target=PEOPLE, header=["a", "b"], given={"a": "phone", "b": "phone"})
    assert "'a' and 'b' both map to phone" in caught.value.errors["mapping"][0]


def test_an_upload_with_a_bad_mapping_is_a_400_naming_the_field(api):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = api.post(
        "/api/v1/imports/",
        {
            "file": SimpleUploadedFile("a.csv", b"x\r\n1\r\n"),
            "target": "people",
            "mapping": '{"x": "nickname"}',
        },
        format="multipart",
    )
    assert response.status_code == 400
    assert "nickname" in response.json()["mapping"][0]


def test_a_whole_name_without_a_space_stays_the_family_name(api):
    from api.people.models import Person
    from tests.importers.helpers import commit

    record = upload(api, csv_bytes([["氏名", "フリガナ"], ["山田太郎", "ヤマダタロウ"]]))
    commit(api, record["id"])
    person = Person.objects.get()
    assert (person.family_name, person.given_name) == ("山田太郎", None)


def test_a_saved_format_maps_an_odd_file(api):
    ImportFormatFactory(
        name="展示会名簿", mapping={"お客様": "full_name", "連絡先": "phone"}, encoding="cp932"
    )
    data = csv_bytes([["お客様", "連絡先"], ["山田 太郎", "0312345678"]])
    record = upload(api, data, format="展示会名簿")
    assert record["format"] == "展示会名簿"
    assert record["mapping"] == {"お客様": "full_name", "連絡先": "phone"}
    assert record["counts"]["insert"] == 1


def test_an_import_is_saved_as_a_format_and_listed(api):
    data = csv_bytes([["お客様", "連絡先"], ["山田 太郎", "0312345678"]])
    record = upload(api, data, mapping='{"お客様": "full_name", "連絡先": "phone"}')
    response = api.post(
        "/api/v1/import-formats/", {"name": "展示会", "from_import": record["id"]}, format="json"
    )
    assert response.status_code == 201, response.json()
    saved = response.json()
    assert saved["target"] == "people"
    assert saved["mapping"] == {"お客様": "full_name", "連絡先": "phone"}
    assert saved["columns"] == ["お客様", "連絡先"]
    clash = api.post(
        "/api/v1/import-formats/", {"name": "展示会", "target": "people"}, format="json"
    )
    assert clash.status_code == 400
    assert "name" in clash.json()
    listed = api.get("/api/v1/import-formats/?target=people").json()
    assert [f["name"] for f in listed["results"]] == ["展示会"]


def test_the_fields_of_a_target_are_listed_for_mapping_screens(api):
    body = api.get("/api/v1/imports/fields/", {"target": "people"}).json()
    names = {f["name"] for f in body["fields"]}
    assert {"family_name", "full_name", "person_types", "user_code_10"} <= names
    assert [k["name"] for k in body["match_keys"]][:2] == ["external_code", "id"]

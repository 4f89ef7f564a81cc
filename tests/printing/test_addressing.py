"""Japanese address blocks: honorifics, sensible line breaks, kanji numerals."""

from mailing.renderers.addressing import (
    Addressee,
    AddresseeMode,
    Honorifics,
    address_block,
    address_breaks,
    break_line,
    kanji_numerals,
    name_breaks,
    postal_code_format,
)

PERSON = Addressee(
    id=1,
    name="山田 太郎",
    company="株式会社テスト商事",
    department="営業部",
    title="部長",
    postal_code="1000001",
    prefecture="東京都",
    address1="千代田区千代田1-1-1",
    address2="皇居前ビル5F",
)


def test_a_person_gets_sama_after_the_name_and_no_onchu():
    block = address_block(PERSON)

    assert block.name == "山田 太郎 様"
    assert block.company == "株式会社テスト商事"
    assert block.department == "営業部 部長"
    assert "御中" not in block.company + block.department + block.name


def test_a_department_without_a_person_gets_onchu_and_no_name_or_title():
    block = address_block(PERSON, mode=AddresseeMode.DEPARTMENT)

    assert block.name == "営業部 御中"
    assert block.company == "株式会社テスト商事"
    assert block.department == ""
    assert "様" not in block.name and "部長" not in block.name


def test_a_company_without_a_person_gets_onchu():
    block = address_block(PERSON, mode=AddresseeMode.COMPANY)

    assert block.name == "株式会社テスト商事 御中"
    assert block.company == "" and block.department == ""


def test_department_mode_falls_back_to_the_company_when_there_is_no_department():
    block = address_block(
        Addressee(id=2, name="佐藤 花子", company="有限会社山田製作所"),
        mode=AddresseeMode.DEPARTMENT,
    )

    assert block.name == "有限会社山田製作所 御中"


def test_someone_at_a_private_address_is_always_addressed_by_name():
    block = address_block(Addressee(id=3, name="鈴木 一郎"), mode=AddresseeMode.COMPANY)

    assert block.name == "鈴木 一郎 様"


def test_honorifics_are_configurable():
    block = address_block(PERSON, honorifics=Honorifics(person="先生", organisation="ご担当者様"))
    company = address_block(
        PERSON, mode=AddresseeMode.COMPANY, honorifics=Honorifics(organisation="ご担当者様")
    )

    assert block.name == "山田 太郎 先生"
    assert company.name == "株式会社テスト商事 ご担当者様"


def test_a_name_that_already_has_an_honorific_gets_no_second_one():
    block = address_block(Addressee(id=4, name="ご担当者様", company="株式会社テスト商事"))

    assert block.name == "ご担当者様"


def test_the_address_is_prefecture_and_street_then_the_building():
    block = address_block(PERSON)

    assert block.address == ("東京都千代田区千代田1-1-1", "皇居前ビル5F")
    assert block.postal_code == "100-0001"


def test_a_prefecture_already_in_the_address_is_not_repeated():
    block = address_block(
        Addressee(id=5, prefecture="大阪府", address1="大阪府大阪市北区梅田3-1-3")
    )

    assert block.address == ("大阪府大阪市北区梅田3-1-3",)


def test_postal_codes_are_formatted_with_a_hyphen():
    assert postal_code_format("１０００００１") == "100-0001"
    assert postal_code_format("100-0001") == "100-0001"


def test_an_address_breaks_between_the_block_number_and_the_building():
    text = "東京都千代田区丸の内一丁目1番1号パレスビル5階"

    lines = break_line(text, fits=lambda part: len(part) <= 18)

    assert lines == ["東京都千代田区丸の内一丁目1番1号", "パレスビル5階"]


def test_an_address_breaks_before_the_block_number_rather_than_inside_it():
    text = "北海道札幌市中央区北一条西二丁目123-4567"

    lines = break_line(text, fits=lambda part: len(part) <= 16)

    assert lines == ["北海道札幌市中央区北一条西二丁目", "123-4567"]


def test_numbers_and_latin_words_are_never_split():
    breaks = dict(address_breaks("港区1-2-3 ABCタワー"))

    assert not {3, 4, 5, 6} & breaks.keys()  # inside 1-2-3
    assert not {9, 10, 12, 13} & breaks.keys()  # inside ABC and タワー
    assert breaks[2] == 2  # before the block number
    assert breaks[7] == 0  # at the space


def test_a_company_name_breaks_after_its_legal_form():
    lines = break_line(
        "株式会社ながいながい名前の会社", fits=lambda part: len(part) <= 11, breaks=name_breaks
    )

    assert lines == ["株式会社", "ながいながい名前の会社"]


def test_vertical_addresses_use_kanji_numerals():
    assert kanji_numerals("千代田区千代田1-2-3") == "千代田区千代田一－二－三"
    assert kanji_numerals("サンシャイン60 101号室") == "サンシャイン六〇\u3000一〇一号室"
    assert kanji_numerals("皇居前ビル5F") == "皇居前ビル五階"
    assert kanji_numerals("ABCタワー") == "ＡＢＣタワー"

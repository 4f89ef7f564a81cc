"""Input rules (api.core.normalise): pure functions, no database."""

from __future__ import annotations

import pickle
import random
import re
import threading

import pandas as pd
import pytest

from api.core import normalise as n
from api.core.normalise import (
    NormaliseError,
    address_check,
    company_name,
    corporate_number,
    email,
    kana,
    phone,
    phone_digits,
    postal_code,
    postal_lookup,
    text,
)

EMPTY = [None, "", "   ", "\u3000", float("nan"), pd.NA]


def error_of(fn, value) -> NormaliseError:
    with pytest.raises(NormaliseError) as info:
        fn(value)
    return info.value


# --- text ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("ＡＢＣ１２３", "ABC123"),
        ("山田\u3000太郎", "山田 太郎"),
        ("ｱｲｳ", "アイウ"),
        ("ｶﾞｷﾞﾊﾟｳﾞ", "ガギパヴ"),
        ("  東京   支店\t本部\n ", "東京 支店 本部"),
        ("か\u3099", "が"),  # decomposed as macOS writes it
        ("（株）", "(株)"),
        (1.0, "1"),
        (42, "42"),
    ],
)
def test_text_folds_width_and_collapses_whitespace(value, expected):
    assert text(value) == expected


@pytest.mark.parametrize("value", ["①②", "髙橋", "山﨑", "神", "ハイツⅡ", "㈱山田"])
def test_text_keeps_characters_that_nfkc_would_rewrite(value):
    # ① → 1, Ⅱ → II, 神 (U+FA19) → 神 under NFKC; in names and addresses they are data.
    assert text(value) == value


@pytest.mark.parametrize("value", EMPTY)
def test_empty_values_are_none(value):
    assert text(value) is None
    assert kana(value) is None
    assert company_name(value) is None
    assert phone(value) is None
    assert postal_code(value) is None
    assert email(value) is None
    assert corporate_number(value) is None


# --- kana ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("ﾔﾏﾀﾞ", "ヤマダ"),
        ("やまだ たろう", "ヤマダ タロウ"),
        ("やまだ\u3000\u3000たろう", "ヤマダ タロウ"),
        ("ｻﾄｳ ｼﾞｭﾝｲﾁﾛｰ", "サトウ ジュンイチロー"),
        ("ジョン・スミス", "ジョン・スミス"),
        ("きょうこ", "キョウコ"),
        ("ゔぃ", "ヴィ"),
    ],
)
def test_kana_is_full_width_katakana(value, expected):
    assert kana(value) == expected


def test_kana_refuses_kanji():
    error = error_of(kana, "山田 タロウ")
    assert "山田" in error.message
    assert error.suggestion is None


def test_kana_suggests_the_long_vowel_mark_for_a_dash():
    assert error_of(kana, "ﾀﾛ-").suggestion == "タロー"


# --- company names -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("(株)山田商事", "株式会社山田商事"),
        ("山田商事(株)", "山田商事株式会社"),
        ("㈱山田商事", "株式会社山田商事"),
        ("（株）山田商事", "株式会社山田商事"),
        ("山田商事 （株）", "山田商事株式会社"),
        ("( 株 ) 山田商事", "株式会社山田商事"),
        ("株式会社 山田商事", "株式会社山田商事"),
        ("㍿山田商事", "株式会社山田商事"),
        ("(有)山田", "有限会社山田"),
        ("山田㈲", "山田有限会社"),
        ("(合)山田", "合同会社山田"),
        ("(資)山田", "合資会社山田"),
        ("(名)山田", "合名会社山田"),
        ("(社)日本協会", "社団法人日本協会"),
        ("(財)日本財団", "財団法人日本財団"),
        ("(医)山田会", "医療法人山田会"),
        ("(一社)日本協会", "一般社団法人日本協会"),
        ("ＡＢＣ(株)", "ABC株式会社"),
        ("山田商事", "山田商事"),
    ],
)
def test_company_legal_form_is_written_out_where_it_stands(value, expected):
    assert company_name(value) == expected


# --- phone numbers -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("０３（１２３４）５６７８", "03-1234-5678"),
        ("0312345678", "03-1234-5678"),
        ("03ー1234ー5678", "03-1234-5678"),
        ("+81-3-1234-5678", "03-1234-5678"),
        ("+81 (0)3 1234 5678", "03-1234-5678"),
        ("09012345678", "090-1234-5678"),
        ("0120123456", "0120-123-456"),
        ("0800-123-4567", "0800-123-4567"),
        ("05012345678", "050-1234-5678"),
        ("0466123456", "0466-12-3456"),
        ("0126712345", "01267-1-2345"),
        ("+1 650 253 0000", "+1 650-253-0000"),
    ],
)
def test_phone_is_canonical(value, expected):
    assert phone(value) == expected


@pytest.mark.parametrize(
    ("value", "suggestion"),
    [
        ("312345678", "03-1234-5678"),  # a spreadsheet dropped the leading 0
        (312345678, "03-1234-5678"),
        ("TEL 03-1234-5678", "03-1234-5678"),
        ("03-1234-5678 内線 12", "03-1234-5678"),
        ("03-12", None),
        ("03-1234-5678 / 03-1234-5679", None),
    ],
)
def test_phone_refuses_what_it_would_have_to_guess(value, suggestion):
    assert error_of(phone, value).suggestion == suggestion


def test_phone_fast_path_agrees_with_phonenumbers():
    rng = random.Random(7)
    numbers = [
        "0" + str(rng.randint(1, 9)) + "".join(rng.choice("0123456789") for _ in range(length))
        for length in (8, 9)
        for _ in range(1500)
    ]
    numbers = [d for d in numbers if n._JP_NATIONAL.fullmatch(d)]
    fast = [d for d in numbers if n._jp_fast(d) is not None]
    assert len(fast) > 500
    for digits in fast:
        assert n._jp_fast(digits) == n._phonenumbers_format(digits), digits


@pytest.mark.parametrize(
    ("value", "expected"),
    [("03-1234-5678", "0312345678"), ("1234-5678", "12345678"), ("+81 3-1234-5678", "0312345678")],
)
def test_phone_digits_are_what_search_compares(value, expected):
    assert phone_digits(value) == expected


# --- postal codes and addresses ------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "1000001",
        "100-0001",
        "〒100-0001",
        "１００－０００１",
        "100ー0001",
        "100−0001",
        "100‐0001",
        1000001,
    ],
)
def test_postal_code_is_nnn_nnnn(value):
    assert postal_code(value) == "100-0001"


def test_postal_code_suggests_the_leading_zero_a_spreadsheet_dropped():
    assert error_of(postal_code, 600000).suggestion == "060-0000"


def test_postal_code_without_seven_digits_is_an_error():
    error = error_of(postal_code, "10000")
    assert "7 digits" in error.message
    assert error.suggestion is None


def test_postal_lookup_knows_the_area():
    assert postal_lookup("100-0001") == ("東京都", "千代田区千代田")
    assert postal_lookup("9999999") is None
    assert postal_lookup("4980000") is None  # straddles 愛知県 and 三重県


def test_postal_lookup_works_outside_the_importing_thread():
    found = []
    worker = threading.Thread(target=lambda: found.append(n._postal_areas.__wrapped__("5300001")))
    worker.start()
    worker.join()
    assert found == [(("大阪府", "大阪市北区", "梅田"),)]


def test_address_check_fills_prefecture_and_city():
    assert address_check(postal_code="100-0001", prefecture=None, address1=None) == (
        "東京都",
        "千代田区千代田",
    )
    assert address_check(postal_code="100-0001", prefecture="東京都", address1="丸の内1-1") == (
        "東京都",
        "丸の内1-1",
    )


def test_address_check_refuses_a_contradicting_prefecture():
    with pytest.raises(NormaliseError) as info:
        address_check(postal_code="100-0001", prefecture="大阪府", address1=None)
    assert info.value.message == "postal code 100-0001 is in 東京都, not 大阪府"
    assert info.value.suggestion == "東京都"


def test_address_check_accepts_either_prefecture_of_a_border_code():
    assert address_check(postal_code="498-0000", prefecture="三重県", address1=None) == (
        "三重県",
        None,
    )


# --- e-mail --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (" Taro.Yamada@Example.CO.JP ", "Taro.Yamada@example.co.jp"),
        ("taro＠example.com", "taro@example.com"),
        ("taro..yamada.@docomo.ne.jp", "taro..yamada.@docomo.ne.jp"),
        (".taro@ezweb.ne.jp", ".taro@ezweb.ne.jp"),
        ("taro.@au.com", "taro.@au.com"),
        ("a..b@i.softbank.jp", "a..b@i.softbank.jp"),
        ("a..b@softbank.ne.jp", "a..b@softbank.ne.jp"),
        ("a..b@d.vodafone.ne.jp", "a..b@d.vodafone.ne.jp"),
    ],
)
def test_email_is_trimmed_and_domain_lower_cased(value, expected):
    assert email(value) == expected


@pytest.mark.parametrize(
    ("value", "suggestion"),
    [
        ("taro@example,com", "taro@example.com"),
        ("taro@gmail.con", "taro@gmail.com"),
        ("taro@gmial.com", "taro@gmail.com"),
        ("taro@yahoo.co.jo", "taro@yahoo.co.jp"),
        ("taro@example.com.", "taro@example.com"),
        ("taro(at)example.com", "taro@example.com"),
        ("ta ro@example.com", "taro@example.com"),
        ("mailto:taro@example.com", "taro@example.com"),
        ("a..b@example.com", None),  # only carriers allowed that
        ("taro@example", None),
        ("a@b@example.com", None),
        ("@example.com", None),
        ("山田@example.com", None),
    ],
)
def test_email_errors_say_what_is_wrong_and_suggest_a_fix(value, suggestion):
    error = error_of(email, value)
    assert error.message
    assert error.suggestion == suggestion


def test_email_fast_path_agrees_with_the_full_check():
    addresses = ["a@b.co", "taro.yamada+news@mail.example.co.jp", "x_y-z@sub-1.example.com"]
    for address in addresses:
        assert n._EMAIL_FAST.fullmatch(address)
        assert n._email_checked(address) == address


# --- 法人番号 (corporate number) ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("7000012050002", "7000012050002"),  # 国税庁
        ("1180301018771", "1180301018771"),  # トヨタ自動車株式会社
        ("1-1803-0101-8771", "1180301018771"),
        ("１１８０３０１０１８７７１", "1180301018771"),
        (1180301018771.0, "1180301018771"),
    ],
)
def test_corporate_number_with_a_right_check_digit(value, expected):
    assert corporate_number(value) == expected


def test_corporate_number_names_the_expected_check_digit():
    error = error_of(corporate_number, "2180301018771")
    assert "should be 1" in error.message
    assert error.suggestion is None


def test_corporate_number_suggests_the_check_digit_for_a_register_number():
    assert error_of(corporate_number, "180301018771").suggestion == "1180301018771"


def test_corporate_number_of_the_wrong_length():
    assert "13 digits" in error_of(corporate_number, "12345").message


# --- errors --------------------------------------------------------------------------------------


def test_error_keeps_its_suggestion_through_pickle():
    error = pickle.loads(pickle.dumps(NormaliseError("bad", suggestion="good")))
    assert (error.message, error.suggestion) == ("bad", "good")


# --- columns -------------------------------------------------------------------------------------

MIXED = [
    *EMPTY,
    "ＡＢＣ１２３",
    "ｶﾞｷﾞ ﾔﾏﾀﾞ",
    "やまだ　たろう",
    "ヤマダ タロウ",
    "山田 太郎",
    "①髙﨑",
    "(株)山田商事",
    "山田商事 (株)",
    "㈱山田商事",
    "山田商事",
    "ﾀﾛ-",
    "０３（１２３４）５６７８",
    "03-1234-5678",
    "0312345678",
    "03ー1234ー5678",
    "+81-3-1234-5678",
    "090-1234-5678",
    "09012345678",
    "0120-123-456",
    "050-1234-5678",
    "0466-12-3456",
    "312345678",
    "03-12",
    "TEL 03-1234-5678",
    "03-1234-5678 内線12",
    "+1 650 253 0000",
    "1000001",
    "100-0001",
    "〒100-0001",
    "１００－０００１",
    "100ー0001",
    "600000",
    "10000",
    "100-0001 東京都",
    "Taro@Example.COM",
    "taro@example.com",
    " taro@example.com ",
    "taro..yamada.@docomo.ne.jp",
    "a..b@example.com",
    "taro@example,com",
    "taro@gmail.con",
    "taro@example.com.",
    "taro＠example.com",
    "taro",
    "a@b@c.com",
    "1180301018771",
    "山田商事(株)",  # repeated values share one result
    "03-1234-5678",
    "taro@example.com",
    1000001,
    312345678,
    12.5,
]

SERIES = [
    (n.text_series, text),
    (n.company_name_series, company_name),
    (n.kana_series, kana),
    (n.phone_series, phone),
    (n.postal_code_series, postal_code),
    (n.email_series, email),
]


def per_value(fn, value):
    try:
        return fn(value), None
    except NormaliseError as e:
        return None, (e.message, e.suggestion)


@pytest.mark.parametrize(("series_fn", "fn"), SERIES, ids=lambda f: getattr(f, "__name__", ""))
@pytest.mark.parametrize("as_text", [True, False], ids=["str-column", "mixed-column"])
def test_series_give_exactly_the_per_value_results(series_fn, fn, as_text):
    values = [v for v in MIXED if isinstance(v, str) or v is None] if as_text else MIXED
    s = pd.Series(values, index=range(100, 100 + len(values)), dtype=object)

    result = series_fn(s)

    got_values, got_errors = result if isinstance(result, tuple) else (result, None)
    assert got_values.index.equals(s.index)
    for i, value in zip(s.index, values, strict=True):
        expected_value, expected_error = per_value(fn, value)
        assert got_values[i] == expected_value, value
        if got_errors is None:
            assert expected_error is None
            continue
        error = got_errors[i]
        assert (None if error is None else (error.message, error.suggestion)) == expected_error


def _random_phones(count: int) -> list[str]:
    """Numbers as people type them: full-width digits, every separator, stray text around."""
    rng = random.Random(11)
    separators = [*" -‐‑‒–—―−ー().\u00a0\t（）－　ｰ", "", "", ""]
    out = []
    for _ in range(count):
        length = rng.choice([9, 10, 10, 11, 11, 12])
        digits = "0" if rng.random() < 0.9 else rng.choice("+123456789")
        digits += "".join(rng.choice("0123456789") for _ in range(length - 1))
        value = ""
        for char in digits:
            if rng.random() < 0.1:
                value += rng.choice(separators)
            wide = rng.random() < 0.2 and char.isdigit()
            value += chr(ord(char) + 0xFEE0) if wide else char
        if rng.random() < 0.05:
            value = rng.choice([" ", "\n", "TEL ", "\x1c", "①", "\u3000"]) + value
        if rng.random() < 0.05:
            value += rng.choice([" ", "\n", " 内線12", "\x1f", "x", "\U0001ccf1"])
        out.append(value)
    return out


def _random_emails(count: int) -> list[str]:
    rng = random.Random(12)
    local_parts = [
        *("taro", "Taro.Yamada", "a", "x_y-z", "taro..yamada.", ".taro", "a+b", "ｔａｒｏ"),
        *("t a", "山田", "x" * 64, "x" * 65, "mailto:a", "a,b", "o'neil"),
    ]
    domains = [
        *("example.co.jp", "Example.CO.JP", "gmail.com", "gmail.co", "GMAIL.CO", "a.b"),
        *("example.con", "docomo.ne.jp", "example,com", "example.com.", ".example.com"),
        *("ｅｘａｍｐｌｅ．ｃｏｍ", "例え.jp", "xn--r8jz45g.jp", "a-.com", "sub-1.example.com"),
        *("example.cojp", "yahoo.co.jo", "b" * 250 + ".com", "exa mple.com", "K.com"),
    ]
    out = []
    for _ in range(count):
        at = rng.choice(["@"] * 8 + ["＠", "@@", " @", ""])
        value = rng.choice(local_parts) + str(rng.randint(0, 99)) + at + rng.choice(domains)
        if rng.random() < 0.1:
            value = rng.choice([" ", "\n", "　", "\u00a0"]) + value
        if rng.random() < 0.1:
            value += rng.choice([" ", "\n", "　", "."])
        out.append(value)
    return out


def _random_texts(count: int) -> list[str]:
    rng = random.Random(13)
    parts = ["山田", "太郎", "髙橋", "①子", "ﾔﾏﾀﾞ", "ＡＢＣ", "abc", "か\u3099", "(株)", "ビル3階"]
    spaces = [*(" ", "  ", "\u3000", "\u3000\u3000", "", "")] * 3
    spaces += ["\t", "\n", "\xa0", "\u2003", "\x1c"]
    out = []
    for _ in range(count):
        value = rng.choice(spaces) if rng.random() < 0.2 else ""
        for _ in range(rng.randint(1, 3)):
            value += rng.choice(parts) + rng.choice(spaces)
        out.append(value)
    return [*out, "", " ", "\u3000"]


@pytest.mark.parametrize(
    ("column", "fn", "values"),
    [
        (n._phone_column, phone, _random_phones(20_000)),
        (n._email_column, email, _random_emails(20_000)),
        (n._text_column, text, _random_texts(20_000)),
    ],
    ids=["phone", "email", "text"],
)
def test_column_forms_give_the_per_value_result_where_they_decide(column, fn, values):
    distinct = list(dict.fromkeys(values))

    decided = column(pd.Series(distinct, dtype=object).to_numpy())

    assert sum(v is not None for v in decided) > len(distinct) // 10
    for value, got in zip(distinct, decided, strict=True):
        if got is not None:
            assert per_value(fn, value) == (got, None), value


def test_the_text_column_leaves_every_other_white_space_to_the_rule():
    spaces = {chr(c) for c in range(0x110000) if chr(c).isspace()} - {" ", "\u3000"}
    assert all(re.fullmatch(f"[{n._TEXT_OTHER_SPECIAL}]", c) for c in spaces)


def test_series_accept_a_string_dtype_column():
    s = pd.Series(["ﾔﾏﾀﾞ", None, "やまだ"], dtype="string")
    values, errors = n.kana_series(s)
    assert values.tolist() == ["ヤマダ", None, "ヤマダ"]
    assert errors.tolist() == [None, None, None]


@pytest.mark.parametrize(
    "fn", [fn for _, fn in SERIES] + [corporate_number], ids=lambda f: f.__name__
)
def test_results_and_suggestions_are_already_canonical(fn):
    for value in MIXED:
        result, error = per_value(fn, value)
        canonical = result if error is None else error[1]
        if canonical is not None:
            assert fn(canonical) == canonical, value

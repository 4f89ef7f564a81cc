"""mailing.email.compose: Japanese headers, CRLF, merge rules, unsubscribe and tracking."""

from __future__ import annotations

import email
from email import policy
from email.header import decode_header, make_header

import pytest

from mailing.email.compose import (
    Composer,
    Content,
    Envelope,
    RecipientData,
    html_links,
    template_parse,
)
from mailing.email.mime import jis_substitutions
from mailing.email.tokens import token_recipient, verp_token

SUBJECT = "{{family_name}}様 2026年 新年のご挨拶【株式会社メイボ】"
TEXT = "{{company|個人のお客様}}\n{{recipient_name}} 様\n\n{{title|ご担当者}}\n.で始まる行\n"
HTML = '<html><body><p>{{recipient_name}} 様</p><a href="https://shop.example.jp/sale">セール</a></body></html>'


def composer(charset: str = "utf-8", **envelope) -> Composer:
    return Composer(
        content=Content(
            subject=SUBJECT, body_text=TEXT, body_html=HTML, links=tuple(html_links(HTML))
        ),
        envelope=Envelope(
            mailing_id=7,
            mailing_name="2026年 年賀メール",
            from_address="info@meibo.example.jp",
            from_name="株式会社メイボ 営業部",
            charset=charset,
            public_url="https://meibo.example.jp",
            bounce_domain="bounce.meibo.example.jp",
            **envelope,
        ),
    )


YAMADA = RecipientData(
    id=123,
    email="taro..yamada@docomo.ne.jp",
    full_name="山田 太郎",
    family_name="山田",
    given_name="太郎",
    company="株式会社青空商事",
)


def parsed(data: bytes):
    return email.message_from_bytes(data, policy=policy.default)


@pytest.mark.parametrize("charset", ["utf-8", "iso-2022-jp"])
def test_the_japanese_subject_and_names_decode(charset):
    message = composer(charset).message(YAMADA)
    mail = parsed(message.data)
    assert mail["subject"] == "山田様 2026年 新年のご挨拶【株式会社メイボ】"
    assert str(make_header(decode_header(mail["subject"]))) == mail["subject"]
    assert mail["to"].addresses[0].display_name == "山田 太郎 様"
    assert mail["from"].addresses[0].display_name == "株式会社メイボ 営業部"
    assert mail.get_body(("plain",)).get_content_charset() == charset


def test_headers_are_encoded_words_no_raw_japanese():
    data = composer().message(YAMADA).data
    head = data.split(b"\r\n\r\n", 1)[0]
    assert head.isascii()
    assert b"=?UTF-8?B?" in head


def test_every_line_ends_in_crlf_and_fits_smtp():
    data = composer().message(YAMADA).data
    assert b"\n" not in data.replace(b"\r\n", b"")
    assert data.endswith(b"\r\n")
    assert max(len(line) for line in data.split(b"\r\n")) <= 998


def test_iso_2022_jp_body_is_seven_bit_and_readable():
    message = composer("iso-2022-jp").message(YAMADA)
    body = message.data.split(b"\r\n\r\n", 1)[1]
    assert all(byte < 128 for byte in body)
    assert "山田 太郎 様" in parsed(message.data).get_body(("plain",)).get_content()


def test_missing_values_take_the_fallback_or_nothing_never_a_placeholder():
    text = parsed(composer().message(YAMADA).data).get_body(("plain",)).get_content()
    assert "株式会社青空商事" in text and "ご担当者" in text
    no_company = RecipientData(id=5, email="a@example.jp", full_name="佐藤 花子")
    text = parsed(composer().message(no_company).data).get_body(("plain",)).get_content()
    assert "個人のお客様" in text
    assert "{{" not in text and "}}" not in text


def test_unknown_fields_and_open_braces_are_refused():
    assert template_parse("{{company}}")[1] == []
    assert template_parse("{{会社名}}")[0][0].key == "company"
    assert "is not a merge field" in template_parse("{{compnay}}")[1][0]
    assert "not closed" in template_parse("こんにちは {{company")[1][0]
    assert template_parse("{{custom.rank}}", custom_keys={"rank"})[1] == []
    assert template_parse("{{custom.nope}}", custom_keys={"rank"})[1]


def test_the_message_id_is_stable_and_the_return_path_names_the_recipient():
    first = composer().message(YAMADA)
    again = composer().message(YAMADA)
    assert first.message_id == again.message_id == "<meibo.7.123@bounce.meibo.example.jp>"
    assert parsed(first.data)["message-id"] == first.message_id
    assert first.mail_from.startswith("bounce+123-")
    assert first.mail_from.endswith("@bounce.meibo.example.jp")
    assert verp_token(first.mail_from) == 123
    assert verp_token(first.mail_from.upper()) == 123  # mail systems may fold case


def test_one_click_unsubscribe_headers_and_a_link_in_both_bodies():
    message = composer().message(YAMADA)
    mail = parsed(message.data)
    url = mail["list-unsubscribe"].strip("<>")
    assert url.startswith("https://meibo.example.jp/api/v1/email/unsubscribe/123-")
    assert token_recipient(url.rstrip("/").rsplit("/", 1)[1]) == 123
    assert mail["list-unsubscribe-post"] == "List-Unsubscribe=One-Click"
    assert url in mail.get_body(("plain",)).get_content()
    assert url in mail.get_body(("html",)).get_content()


def test_values_are_escaped_in_html_only():
    risky = RecipientData(id=9, email="a@example.jp", full_name="A&B <script>")
    mail = parsed(composer().message(risky).data)
    assert "A&amp;B &lt;script&gt;" in mail.get_body(("html",)).get_content()
    assert "A&B <script>" in mail.get_body(("plain",)).get_content()


def test_tracking_is_off_by_default():
    html = parsed(composer().message(YAMADA).data).get_body(("html",)).get_content()
    assert 'href="https://shop.example.jp/sale"' in html
    assert "/email/o/" not in html


def test_tracking_rewrites_links_and_adds_a_pixel_when_on():
    message = composer(track_opens=True, track_clicks=True).message(YAMADA)
    html = parsed(message.data).get_body(("html",)).get_content()
    assert "https://shop.example.jp/sale" not in html
    assert "https://meibo.example.jp/api/v1/email/c/123-" in html
    assert "/api/v1/email/o/123-" in html and html.index("/email/o/") < html.index("</body>")


def test_jis_replaces_what_it_cannot_carry():
    person = RecipientData(id=1, email="a@ezweb.ne.jp", full_name="髙橋 ｶﾞｸ ①")
    text = parsed(composer("iso-2022-jp").message(person).data).get_body(("plain",)).get_content()
    assert "〓橋 ガク 1" in text
    assert jis_substitutions("髙橋①") == ["髙", "①"]


def test_custom_fields_fill_including_multiple_choices():
    comp = Composer(
        content=Content(subject="ご案内", body_text="{{custom.rank}} / {{custom.hobbies}}"),
        envelope=Envelope(mailing_id=1, mailing_name="x", from_address="a@example.jp"),
    )
    person = RecipientData(
        id=1, email="b@example.jp", custom={"rank": "VIP", "hobbies": ["ゴルフ", "釣り"]}
    )
    text = parsed(comp.message(person).data).get_body(("plain",)).get_content()
    assert "VIP / ゴルフ、釣り" in text


def test_a_forged_token_names_nobody():
    message = composer().message(YAMADA)
    token = message.mail_from.split("+", 1)[1].split("@")[0]
    assert token_recipient(token) == 123
    assert token_recipient(token.replace("123-", "124-")) is None
    assert token_recipient("123") is None

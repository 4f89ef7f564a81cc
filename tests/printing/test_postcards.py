"""Vertical postcards (官製はがき): the postal code in the seven boxes, the address read top to
bottom, right to left, in kanji numerals."""

import io

import pdfplumber
from reportlab.lib.units import mm

from mailing.renderers.addressing import Addressee
from mailing.renderers.fonts import font_set
from mailing.renderers.merge import Sender
from mailing.renderers.postcards import (
    BOX_HEIGHT,
    BOX_LEFTS,
    BOX_TOP,
    BOX_WIDTH,
    CARD_WIDTH,
    PostcardOptions,
    render_postcards,
)

PERSON = Addressee(
    id=1,
    name="山田 太郎",
    company="株式会社テスト商事",
    department="営業部",
    title="部長",
    postal_code="100-0001",
    prefecture="東京都",
    address1="千代田区千代田1-2-3",
    address2="皇居前ビル5F",
)
SENDER = Sender(name="鈴木 一郎", postal_code="150-0002", address="東京都渋谷区渋谷2-24-12")


def card_chars(people, **options) -> list[list[dict]]:
    out = io.BytesIO()
    render_postcards(
        addressees=people, options=PostcardOptions(**options), fonts=font_set("mincho"), out=out
    )
    with pdfplumber.open(io.BytesIO(out.getvalue())) as pdf:
        return [page.chars for page in pdf.pages]


def columns_right_to_left(chars: list[dict]) -> list[str]:
    """Group characters into columns by their horizontal centre (a small kana sits a
    little right of the centre line), right to left; each column's characters top to
    bottom."""
    columns: list[list[dict]] = []
    for char in sorted(chars, key=lambda c: -(c["x0"] + c["x1"]) / 2):
        centre = (char["x0"] + char["x1"]) / 2
        if columns and abs(columns[-1][0]["centre"] - centre) < char["size"] * 0.4:
            columns[-1].append({**char, "centre": columns[-1][0]["centre"]})
        else:
            columns.append([{**char, "centre": centre}])
    return [
        "".join(c["text"] for c in sorted(column, key=lambda c: c["top"])) for column in columns
    ]


def test_the_seven_postal_digits_lie_inside_the_seven_official_boxes():
    # Japan Post's boxes: 5.7 × 8 mm, 12 mm from the top, the last ending 8 mm from the
    # right edge, gaps 1.3 / 1.9 / 1.1 mm.
    assert round(CARD_WIDTH - (BOX_LEFTS[-1] + BOX_WIDTH), 2) == 8.0
    assert round(BOX_LEFTS[-1] + BOX_WIDTH - BOX_LEFTS[0], 2) == 47.7

    chars = card_chars([PERSON])[0]

    digits = [c for c in chars if c["top"] < (BOX_TOP + BOX_HEIGHT + 1) * mm]
    assert "".join(c["text"] for c in sorted(digits, key=lambda c: c["x0"])) == "1000001"
    for digit, left in zip(sorted(digits, key=lambda c: c["x0"]), BOX_LEFTS, strict=True):
        assert left * mm <= digit["x0"] and digit["x1"] <= (left + BOX_WIDTH) * mm
        assert BOX_TOP * mm <= digit["top"] and digit["bottom"] <= (BOX_TOP + BOX_HEIGHT) * mm


def test_the_address_reads_top_to_bottom_and_right_to_left_in_kanji_numerals():
    chars = card_chars([PERSON])[0]

    below_boxes = [c for c in chars if c["top"] > (BOX_TOP + BOX_HEIGHT + 1) * mm]
    columns = columns_right_to_left(below_boxes)

    assert columns[:5] == [
        "東京都千代田区千代田一－二－三",
        "皇居前ビル五階",
        "株式会社テスト商事",
        "営業部部長",
        "山田太郎様",
    ]


def test_each_address_column_runs_downwards_and_the_next_stands_to_its_left():
    chars = [c for c in card_chars([PERSON])[0] if c["top"] > (BOX_TOP + BOX_HEIGHT) * mm]
    street = chars[: len("東京都千代田区千代田一－二－三")]
    building = chars[len(street) : len(street) + len("皇居前ビル五階")]

    assert "".join(c["text"] for c in building) == "皇居前ビル五階"
    tops = [c["top"] for c in street]
    assert tops == sorted(tops)  # drawn in reading order, each below the last
    assert max(c["x1"] for c in building) < min(c["x0"] for c in street)


def test_a_long_address_shrinks_then_breaks_into_another_column():
    person = Addressee(
        id=2,
        name="佐藤 花子",
        postal_code="060-0001",
        prefecture="北海道",
        address1="札幌市中央区北一条西二丁目三番地グランドメゾン札幌ステーションフロントタワー",
        address2="1203号室",
    )

    chars = card_chars([person])[0]
    below_boxes = [c for c in chars if c["top"] > (BOX_TOP + BOX_HEIGHT + 1) * mm]
    columns = columns_right_to_left(below_boxes)

    assert "".join(columns[:3]) == (
        "北海道札幌市中央区北一条西二丁目三番地グランドメゾン札幌ステーションフロントタワー"
        "一二〇三号室"
    )
    assert all(c["bottom"] < 140 * mm for c in below_boxes)


def test_the_sender_stands_at_the_bottom_left():
    chars = card_chars([PERSON], sender=SENDER)[0]

    sender = [c for c in chars if c["x1"] < 36 * mm]
    text = "".join(columns_right_to_left([c for c in sender if c["top"] < 136 * mm]))
    assert "東京都渋谷区渋谷二－二四－一二" in text
    assert "鈴木一郎" in text
    assert "150-0002" in "".join(c["text"] for c in sender if c["top"] > 136 * mm)


def test_one_card_per_recipient():
    assert len(card_chars([PERSON, PERSON, PERSON])) == 3

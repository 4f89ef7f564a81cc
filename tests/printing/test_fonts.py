"""Fonts: glyph coverage from the embedded font's own cmap, fallbacks, and the report of a
character no font can draw."""

import io

import pdfplumber

from mailing.renderers.addressing import Addressee
from mailing.renderers.fonts import FACES, face_load, font_set
from mailing.renderers.labels import LabelOptions, render_labels
from tests.printing.test_labels import A4_24


def test_the_shipped_fonts_cover_everyday_names_and_addresses():
    fonts = font_set("gothic")

    assert fonts.missing("髙橋 﨑山 德川 〒100-0001 ㈱ 一〇一号室 ①") == []


def test_a_character_missing_from_every_font_is_reported():
    fonts = font_set("mincho")

    # 𠮷 (つちよし, U+20BB7) is outside IPAex's character set.
    assert fonts.missing("𠮷野家 𠮷田") == ["𠮷"]


def test_a_character_the_primary_font_lacks_is_drawn_with_the_fallback():
    fonts = font_set("gothic")
    primary = face_load(str(FACES["gothic"]))
    assert ord("ğ") not in primary.codepoints  # IPAex has no Turkish ğ
    out = io.BytesIO()

    render_labels(
        addressees=[Addressee(id=1, name="Yiğit Özdemir")],
        options=LabelOptions(sheet=A4_24),
        fonts=fonts,
        out=out,
    )

    with pdfplumber.open(io.BytesIO(out.getvalue())) as pdf:
        chars = pdf.pages[0].chars
    by_text = {c["text"]: c["fontname"] for c in chars}
    assert "".join(c["text"] for c in chars).startswith("Yiğit")
    assert "Vera" in by_text["ğ"]
    assert "IPAex" in by_text["Y"]


def test_spaces_need_no_glyph():
    assert font_set("gothic").missing("山田\u3000太郎 様\t") == []

"""Cover letters and fax cover sheets: merge fields in DOCX templates and the built-in PDF
layout; one combined file or one file per recipient; dates in 和暦 and 西暦."""

import datetime
import io
import zipfile

import pdfplumber
import pytest
from docx import Document

from mailing.renderers.addressing import Addressee, AddresseeMode
from mailing.renderers.fax import FAX_LAYOUT, draw_fax
from mailing.renderers.fonts import font_set
from mailing.renderers.letters import (
    LetterOptions,
    PdfLayout,
    render_docx_fragment,
    render_pdf,
    render_separate,
    wrap_text,
)
from mailing.renderers.merge import Sender, date_format
from mailing.renderers.wordml import DocxTemplate, TemplateError
from tests.factories.printing import addressees, docx_template_bytes

SENDER = Sender(
    company="株式会社名簿商事",
    department="営業部",
    name="鈴木 一郎",
    phone="03-5555-0001",
    fax="03-5555-0002",
)
DAY = datetime.date(2026, 11, 23)
YAMADA = Addressee(
    id=1,
    name="山田 太郎",
    company="株式会社テスト商事",
    department="営業部",
    title="部長",
    fax="03-1234-5679",
)


@pytest.mark.parametrize(
    ("day", "style", "expected"),
    [
        (datetime.date(2026, 11, 23), "wareki", "令和8年11月23日"),
        (datetime.date(2019, 5, 1), "wareki", "令和元年5月1日"),
        (datetime.date(2019, 4, 30), "wareki", "平成31年4月30日"),
        (datetime.date(1989, 1, 7), "wareki", "昭和64年1月7日"),
        (datetime.date(2026, 11, 23), "seireki", "2026年11月23日"),
    ],
)
def test_dates_print_in_wareki_or_seireki(day, style, expected):
    assert date_format(day, style=style) == expected


def merged_docx(people, template: DocxTemplate, chunk: int = 0) -> Document:
    """People rendered as fragments of ``chunk`` letters each, combined as a worker does."""
    options = LetterOptions(sender=SENDER, day=DAY, docx=template)
    parts = []
    size = chunk or len(people)
    for first in range(0, len(people), size):
        buffer = io.BytesIO()
        render_docx_fragment(
            addressees=people[first : first + size], options=options, out=buffer, first_number=first
        )
        parts.append(buffer.getvalue())
    out = io.BytesIO()
    template.write(out, parts)
    return Document(io.BytesIO(out.getvalue()))


def test_a_docx_template_with_split_runs_and_mergefields_is_filled_per_recipient():
    template = DocxTemplate(docx_template_bytes(split_runs=True, mergefield=True))

    document = merged_docx([YAMADA], template)

    text = "\n".join(p.text for p in document.paragraphs)
    assert "令和8年11月23日" in text
    assert "株式会社テスト商事" in text
    assert "営業部 部長" in text
    assert "山田 太郎 様" in text
    assert "株式会社名簿商事" in text
    assert "{{" not in text and "«" not in text


def test_a_merged_docx_has_one_section_per_letter_across_chunks():
    template = DocxTemplate(docx_template_bytes())
    people = addressees(25)

    document = merged_docx(people, template, chunk=10)

    assert len(document.sections) == 25  # each letter starts a new page
    text = "\n".join(p.text for p in document.paragraphs)
    assert text.count("拝啓") == 25
    assert text.startswith("令和8年11月23日")  # no blank page before the first letter


def test_a_company_addressed_letter_says_onchu():
    template = DocxTemplate(docx_template_bytes(mergefield=False))
    options = LetterOptions(sender=SENDER, day=DAY, docx=template, mode=AddresseeMode.COMPANY)
    buffer = io.BytesIO()
    render_docx_fragment(addressees=[YAMADA], options=options, out=buffer, first_number=0)
    out = io.BytesIO()
    template.write(out, [buffer.getvalue()])

    text = "\n".join(p.text for p in Document(io.BytesIO(out.getvalue())).paragraphs)
    assert "株式会社テスト商事 御中" in text
    assert "様" not in text.replace("皆様", "")


def test_values_are_escaped_and_line_breaks_kept():
    template = DocxTemplate(docx_template_bytes(mergefield=False))
    person = Addressee(id=9, name="A&B <テスト> 太郎", company="R&D株式会社")

    document = merged_docx([person], template)

    text = "\n".join(p.text for p in document.paragraphs)
    assert "A&B <テスト> 太郎 様" in text
    assert "R&D株式会社" in text


def test_an_unknown_merge_field_is_refused_at_upload():
    with pytest.raises(TemplateError, match="不明な差し込み項目: 誕生日"):
        DocxTemplate(docx_template_bytes(extra="{{誕生日}}"))


def test_a_file_that_is_not_a_docx_is_refused():
    with pytest.raises(TemplateError, match="Word"):
        DocxTemplate(b"%PDF-1.4 not a word file")


def test_separate_files_are_one_docx_per_recipient_in_a_zip():
    template = DocxTemplate(docx_template_bytes())
    options = LetterOptions(sender=SENDER, day=DAY, docx=template)
    out = io.BytesIO()

    render_separate(
        addressees=addressees(3),
        options=options,
        fonts=font_set("mincho"),
        out=out,
        first_number=10,
    )

    with zipfile.ZipFile(out) as archive:
        names = archive.namelist()
        first = Document(io.BytesIO(archive.read(names[0])))
    assert [name.split("_")[0] for name in names] == ["00011", "00012", "00013"]
    assert all(name.endswith(".docx") for name in names)
    assert len(first.sections) == 1


def pdf_text(data: bytes) -> list[str]:
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return [page.extract_text() for page in pdf.pages]


def test_the_built_in_letter_layout_fills_its_texts():
    options = LetterOptions(
        sender=SENDER,
        day=DAY,
        date_style="seireki",
        layout=PdfLayout(title="{{mailing_name}}のご案内", items=("{{subject}} 1部",)),
        extra={"mailing_name": "2026年 お歳暮", "subject": "カタログ"},
    )
    out = io.BytesIO()

    render_pdf(addressees=[YAMADA, YAMADA], options=options, fonts=font_set("mincho"), out=out)

    pages = pdf_text(out.getvalue())
    assert len(pages) == 2
    text = pages[0].replace(" ", "")
    for expected in (
        "2026年11月23日",
        "株式会社テスト商事",
        "山田太郎様",
        "2026年お歳暮のご案内",
        "拝啓",
        "敬具",
        "記",
        "1.カタログ1部",
        "以上",
        "株式会社名簿商事",
    ):
        assert expected in text


def test_the_fax_cover_sheet_shows_fax_numbers_pages_and_requests():
    options = LetterOptions(
        sender=SENDER,
        day=DAY,
        layout=FAX_LAYOUT,
        extra={
            "subject": "お見積書送付の件",
            "pages": "3",
            "please_review": "true",
            "message": "よろしくお願いいたします。",
        },
    )
    out = io.BytesIO()

    render_pdf(
        addressees=[YAMADA], options=options, fonts=font_set("gothic"), out=out, draw=draw_fax
    )

    text = pdf_text(out.getvalue())[0].replace(" ", "")
    for expected in (
        "FAX送付状",
        "令和8年11月23日",
        "山田太郎様",
        "FAX:03-1234-5679",
        "FAX:03-5555-0002",
        "お見積書送付の件",
        "3枚(本紙を含む)",
        "■ご確認ください",
        "□至急",
        "よろしくお願いいたします。",
    ):
        assert expected in text


def test_japanese_text_wraps_without_starting_a_line_with_punctuation():
    fonts = font_set("mincho")
    text = "あ" * 9 + "。いう"

    lines = wrap_text(fonts, text, size=10, width=fonts.width("あ" * 9, 10) + 1)

    assert lines[0] == "あ" * 8
    assert lines[1].startswith("あ。")

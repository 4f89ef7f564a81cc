"""Cover letters (送り状・添え状): from an uploaded DOCX template, or the built-in A4 layout.

The built-in layout is a Japanese business letter: the date at the top right, the
recipient at the top left (会社名 / 部署 役職 / 氏名 様, or 御中), the sender under it on
the right, a centred title, the body (拝啓 … 敬具), then 記 with the enclosed items and 以上.
Every text of the layout may use merge fields (merge.MERGE_FIELDS).

Both engines render a slice of a mailing at a time (``first_number`` is the slice's offset),
so a large mailing is split into chunks on several workers and combined afterwards.
"""

from __future__ import annotations

import datetime
import io
import re
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import BinaryIO

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from mailing.renderers.addressing import (
    AddressBlock,
    Addressee,
    AddresseeMode,
    Honorifics,
    address_block,
    name_breaks,
)
from mailing.renderers.fonts import FontSet
from mailing.renderers.labels import RenderResult
from mailing.renderers.layout import LineSpec, fit_lines
from mailing.renderers.merge import Sender, fill, merge_values
from mailing.renderers.wordml import DocxTemplate

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 20 * mm

# 禁則: a line never starts with closing punctuation or a small kana, never ends with an
# opening bracket.
NO_LINE_START = set(
    "、。，．・：；？！ー）」』】〕〉》ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ々"
) | set(",.)]}!?:;")
NO_LINE_END = set("（「『【〔〈《([{")
_LATIN_WORD = re.compile(r"[A-Za-z0-9@._\-]+")


@dataclass(frozen=True)
class PdfLayout:
    """The texts of the built-in layout; each may contain merge fields."""

    title: str = "書類送付のご案内"
    body: str = (
        "拝啓　時下ますますご清栄のこととお慶び申し上げます。平素は格別のお引き立てを賜り、"
        "厚く御礼申し上げます。\n"
        "さて、下記の書類をお送りいたしますので、ご査収のほどよろしくお願い申し上げます。"
    )
    closing: str = "敬具"
    items: tuple[str, ...] = ()

    @classmethod
    def from_dict(cls, data: dict | None, *, default: PdfLayout | None = None) -> PdfLayout:
        base = default or cls()
        data = data or {}
        return cls(
            title=str(data.get("title", base.title)),
            body=str(data.get("body", base.body)),
            closing=str(data.get("closing", base.closing)),
            items=tuple(str(item) for item in data.get("items", base.items)),
        )

    def texts(self) -> list[str]:
        return [self.title, self.body, self.closing, *self.items]


@dataclass(frozen=True)
class LetterOptions:
    mode: AddresseeMode = AddresseeMode.PERSON
    honorifics: Honorifics = field(default_factory=Honorifics)
    sender: Sender = field(default_factory=Sender)
    day: datetime.date = field(default_factory=datetime.date.today)
    date_style: str = "wareki"
    layout: PdfLayout = field(default_factory=PdfLayout)
    docx: DocxTemplate | None = None
    # mailing_name, subject, pages, message, and fax check boxes (urgent, …).
    extra: dict[str, str] = field(default_factory=dict)
    title: str = "送り状"


def letter_values(addressee: Addressee, options: LetterOptions) -> tuple[dict, AddressBlock]:
    block = address_block(addressee, mode=options.mode, honorifics=options.honorifics)
    values = merge_values(
        addressee=addressee,
        block=block,
        sender=options.sender,
        day=options.day,
        date_style=options.date_style,
        extra=options.extra,
    )
    return values, block


def wrap_text(fonts: FontSet, text: str, *, size: float, width: float) -> list[str]:
    """Japanese line breaking: between any two characters, but not before closing
    punctuation nor after an opening bracket, and never inside a Latin word or number."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        tokens = [m.group(0) for m in re.finditer(rf"{_LATIN_WORD.pattern}|.", paragraph)]
        line = ""
        for token in tokens:
            candidate = line + token
            if line and fonts.width(candidate, size) > width:
                if token[0] in NO_LINE_START or line[-1] in NO_LINE_END:
                    # Carry the last character down with the one that may not start a line.
                    carry, line = line[-1], line[:-1]
                    lines.append(line)
                    line = carry + token
                else:
                    lines.append(line)
                    line = token.lstrip() if token.isspace() else token
            else:
                line = candidate
        lines.append(line)
    return lines


def draw_paragraphs(
    canvas: Canvas,
    fonts: FontSet,
    text: str,
    *,
    x: float,
    y: float,
    width: float,
    size: float,
    leading: float = 1.7,
) -> float:
    """Draw wrapped text from baseline ``y`` downwards; returns the next free baseline."""
    for line in wrap_text(fonts, text, size=size, width=width):
        fonts.draw(canvas, x, y, line, size)
        y -= size * leading
    return y


def draw_block(
    canvas: Canvas,
    fonts: FontSet,
    specs: list[LineSpec],
    *,
    left: float,
    top: float,
    width: float,
    height: float,
    max_size: float,
) -> None:
    for line in fit_lines(fonts, specs, width=width, height=height, max_size=max_size):
        fonts.draw(canvas, left + line.x, top - line.baseline, line.text, line.size)


def recipient_specs(block: AddressBlock, *, with_address: bool) -> list[LineSpec]:
    specs: list[LineSpec] = []
    if with_address:
        if block.postal_code:
            specs.append(LineSpec(f"〒{block.postal_code}", 0.85))
        specs += [LineSpec(line, 0.9) for line in block.address]
    specs.append(LineSpec(block.company, 1.0, name_breaks, gap_before=0.3 if specs else 0))
    specs.append(LineSpec(block.department, 0.95, name_breaks))
    specs.append(LineSpec(block.name, 1.25, name_breaks))
    return specs


def draw_letter(
    canvas: Canvas, fonts: FontSet, values: dict, block: AddressBlock, options: LetterOptions
) -> None:
    layout = options.layout
    top = PAGE_HEIGHT - MARGIN
    date = values["date"]
    size = 10.5
    fonts.draw(canvas, PAGE_WIDTH - MARGIN - fonts.width(date, size), top - size, date, size)
    draw_block(
        canvas,
        fonts,
        recipient_specs(block, with_address=False),
        left=MARGIN,
        top=top - 8 * mm,
        width=95 * mm,
        height=30 * mm,
        max_size=12.5,
    )
    sender = [LineSpec(line, 1.0, name_breaks) for line in options.sender.lines()]
    draw_block(
        canvas,
        fonts,
        sender,
        left=PAGE_WIDTH - MARGIN - 75 * mm,
        top=top - 42 * mm,
        width=75 * mm,
        height=28 * mm,
        max_size=9.5,
    )
    title = fill(layout.title, values)
    title_size = 16.0
    fonts.draw(
        canvas, (PAGE_WIDTH - fonts.width(title, title_size)) / 2, top - 86 * mm, title, title_size
    )
    body_width = PAGE_WIDTH - 2 * MARGIN
    y = draw_paragraphs(
        canvas,
        fonts,
        fill(layout.body, values),
        x=MARGIN,
        y=top - 102 * mm,
        width=body_width,
        size=10.5,
    )
    closing = fill(layout.closing, values)
    if closing:
        fonts.draw(canvas, PAGE_WIDTH - MARGIN - fonts.width(closing, 10.5), y, closing, 10.5)
        y -= 10.5 * 2.4
    items = [fill(item, values) for item in layout.items if fill(item, values).strip()]
    if items:
        fonts.draw(canvas, (PAGE_WIDTH - fonts.width("記", 10.5)) / 2, y, "記", 10.5)
        y -= 10.5 * 2.2
        for number, item in enumerate(items, start=1):
            y = draw_paragraphs(
                canvas,
                fonts,
                f"{number}. {item}",
                x=MARGIN + 12 * mm,
                y=y,
                width=body_width - 24 * mm,
                size=10.5,
            )
        fonts.draw(canvas, PAGE_WIDTH - MARGIN - fonts.width("以上", 10.5), y - 4, "以上", 10.5)


Draw = Callable[[Canvas, FontSet, dict, AddressBlock, LetterOptions], None]


def render_pdf(
    *,
    addressees: Iterable[Addressee],
    options: LetterOptions,
    fonts: FontSet,
    out: BinaryIO,
    draw: Draw = draw_letter,
) -> RenderResult:
    """One page per addressee, all in one PDF."""
    canvas = Canvas(out, pagesize=A4, pageCompression=1)
    canvas.setTitle(options.title)
    canvas.setCreator("Meibo")
    count = 0
    for addressee in addressees:
        if count:
            canvas.showPage()
        values, block = letter_values(addressee, options)
        draw(canvas, fonts, values, block, options)
        count += 1
    if not count:
        canvas.drawString(0, 0, "")
    canvas.save()
    return RenderResult(documents=count, pages=max(count, 1))


def document_name(addressee: Addressee, number: int, extension: str) -> str:
    """A file name for one recipient's document inside a zip: number, then the name."""
    who = addressee.name or addressee.department or addressee.company or str(addressee.id)
    safe = re.sub(r'[\\/:*?"<>|\s]+', "_", who).strip("_")[:40] or str(addressee.id)
    return f"{number + 1:05d}_{safe}.{extension}"


def render_separate(
    *,
    addressees: Iterable[Addressee],
    options: LetterOptions,
    fonts: FontSet,
    out: BinaryIO,
    first_number: int,
    draw: Draw = draw_letter,
) -> RenderResult:
    """A zip with one file per addressee (DOCX when the template is a DOCX, else PDF).

    Entries are stored, not compressed again: DOCX and PDF are compressed already."""
    count = 0
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED, allowZip64=True) as archive:
        for offset, addressee in enumerate(addressees):
            number = first_number + offset
            buffer = io.BytesIO()
            if options.docx is not None:
                options.docx.write_one(buffer, letter_values(addressee, options)[0])
                name = document_name(addressee, number, "docx")
            else:
                render_pdf(
                    addressees=[addressee], options=options, fonts=fonts, out=buffer, draw=draw
                )
                name = document_name(addressee, number, "pdf")
            archive.writestr(name, buffer.getvalue())
            count += 1
    return RenderResult(documents=count, pages=count)


def render_docx_fragment(
    *,
    addressees: Iterable[Addressee],
    options: LetterOptions,
    out: BinaryIO,
    first_number: int,
) -> RenderResult:
    """The body XML of letters ``first_number``… of a merged DOCX, to be combined with the
    other chunks' fragments by ``DocxTemplate.write``."""
    if options.docx is None:
        raise ValueError("a DOCX fragment needs a DOCX template")
    count = 0

    def rows():
        nonlocal count
        for addressee in addressees:
            count += 1
            yield letter_values(addressee, options)[0]

    for piece in options.docx.letters(rows(), first_number=first_number):
        out.write(piece.encode())
    return RenderResult(documents=count, pages=count)

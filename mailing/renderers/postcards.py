"""Vertical (縦書き) address sides of postcards (官製はがき, 100 × 148 mm), e.g. 年賀状.

The seven digits of the postal code go into the seven red boxes printed on the card, at
Japan Post's positions: boxes 5.7 mm wide and 8.0 mm high, their top 12.0 mm below the
card's top edge and the last box's right edge 8.0 mm from the card's right edge, with gaps
of 1.3 mm between the first three boxes, 1.9 mm between the third and the fourth, and
1.1 mm between the last four (47.7 mm in all).

Columns read top to bottom and follow each other right to left: the address (kanji
numerals, the building on a second column that starts a little lower), the company, the
department with the title, then the name, largest, down the middle of the card. The sender
(差出人) stands small at the bottom left, with the sender's postal code below it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import BinaryIO

from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas

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
from mailing.renderers.fonts import FontSet
from mailing.renderers.labels import RenderResult
from mailing.renderers.merge import Sender

CARD_WIDTH = 100.0
CARD_HEIGHT = 148.0
BOX_WIDTH = 5.7
BOX_HEIGHT = 8.0
BOX_TOP = 12.0
# Left edges of the seven boxes, in mm from the card's left edge (see the module doc).
BOX_LEFTS = (44.3, 51.3, 58.3, 65.9, 72.7, 79.5, 86.3)

# Characters turned a quarter clockwise in a vertical column (long vowel mark, dashes,
# brackets, tilde), and punctuation that sits in the top right quarter of its cell.
ROTATED = set("ー－-‐―—–~～〜…‥（）()「」『』【】［］[]｛｝{}〈〉《》＝=→←")
SHIFTED = set("、。，．")
SMALL_KANA = set("ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ")


@dataclass(frozen=True)
class PostcardOptions:
    mode: AddresseeMode = AddresseeMode.PERSON
    honorifics: Honorifics = field(default_factory=Honorifics)
    sender: Sender | None = None
    draw_boxes: bool = False  # for plain paper; 官製はがき have the boxes printed
    title: str = "はがき宛名"


@dataclass(frozen=True)
class Column:
    text: str
    x: float  # centre, mm from the left edge
    top: float  # mm from the top edge
    size: float  # points
    pitch: float  # advance per character, points


def _fit_column(
    text: str, *, length: float, size: float, min_scale: float = 0.75, breaks=address_breaks
) -> tuple[list[str], float]:
    """Columns for ``text`` within ``length`` mm: shrink first, then break."""
    available = length * mm
    if len(text) * size <= available:
        return [text], size
    if len(text) * size * min_scale <= available:
        return [text], available / len(text)
    pieces = break_line(
        text, fits=lambda part: len(part) * size * min_scale <= available, breaks=breaks
    )
    longest = max(len(piece) for piece in pieces)
    return pieces, min(size, available / longest)


def card_columns(addressee: Addressee, options: PostcardOptions) -> list[Column]:
    """The recipient's columns, right to left."""
    block = address_block(addressee, mode=options.mode, honorifics=options.honorifics)
    columns: list[Column] = []
    x = 88.5
    address = [kanji_numerals(line) for line in block.address]
    for index, line in enumerate(address):
        # The building line starts two characters lower, as a hand-written card would.
        top = 27.0 if index == 0 else 34.0
        pieces, size = _fit_column(line, length=126.0 - top, size=14.0)
        for piece in pieces:
            columns.append(Column(piece, x, top, size, size))
            x -= size / mm * 1.45
    x -= 1.5
    for text in (block.company, block.department):
        if not text:
            continue
        pieces, size = _fit_column(kanji_numerals(text), length=86.0, size=12.0, breaks=name_breaks)
        for piece in pieces:
            columns.append(Column(piece, x, 36.0, size, size))
            x -= size / mm * 1.45
    name = kanji_numerals(block.name).replace("\u3000", " ")
    # The name goes down the middle unless the columns above reach past it.
    size = min(26.0, (x - 34.0) * mm / 1.2, 90.0 * mm / max(len(name), 1))
    pitch = min(size * 1.5, 90.0 * mm / max(len(name), 1))
    centre = min(50.0, x - size / mm * 0.75)
    columns.append(Column(name.replace(" ", "\u3000"), centre, 30.0, size, pitch))
    return columns


def sender_columns(sender: Sender) -> list[Column]:
    """The sender block, bottom-aligned at the card's bottom left, right to left."""
    columns: list[Column] = []
    x = 33.0
    entries = [
        (kanji_numerals(sender.address), 8.5),
        (kanji_numerals(sender.company), 8.5),
        (sender.department, 8.5),
        (sender.name, 12.0),
    ]
    bottom = 134.0
    for text, size in entries:
        if not text:
            continue
        pieces, size = _fit_column(text.replace(" ", "\u3000"), length=62.0, size=size)
        for piece in pieces:
            columns.append(Column(piece, x, bottom - len(piece) * size / mm, size, size))
            x -= size / mm * 1.4
    return columns


def draw_column(canvas: Canvas, fonts: FontSet, column: Column) -> None:
    """Draw one vertical column; each character is centred in its square cell."""
    x_centre = column.x * mm
    top = (CARD_HEIGHT - column.top) * mm
    size = column.size
    for index, ch in enumerate(column.text):
        if ch.isspace():
            continue
        cell_top = top - index * column.pitch
        cell_bottom = cell_top - size
        face = fonts.face_for(ch)
        width = pdfmetrics.stringWidth(ch, face.name, size)
        canvas.setFont(face.name, size)
        if ch in ROTATED:
            canvas.saveState()
            canvas.translate(x_centre, cell_bottom + size / 2)
            canvas.rotate(-90)
            canvas.drawString(-width / 2, -size * (face.ascent - face.descent) / 2, ch)
            canvas.restoreState()
        elif ch in SHIFTED:
            canvas.drawString(
                x_centre - width / 2 + size * 0.55,
                cell_bottom + face.descent * size + size * 0.55,
                ch,
            )
        elif ch in SMALL_KANA:
            canvas.drawString(
                x_centre - width / 2 + size * 0.1,
                cell_bottom + face.descent * size + size * 0.1,
                ch,
            )
        else:
            canvas.drawString(x_centre - width / 2, cell_bottom + face.descent * size, ch)


def draw_postal_code(canvas: Canvas, fonts: FontSet, digits: str, *, boxes: bool) -> None:
    """One digit centred in each of the seven boxes."""
    size = 15.0
    for left, digit in zip(BOX_LEFTS, digits[:7], strict=False):
        box_bottom = (CARD_HEIGHT - BOX_TOP - BOX_HEIGHT) * mm
        if boxes:
            canvas.setStrokeColorRGB(0.85, 0.2, 0.2)
            canvas.setLineWidth(0.5 * mm if left < 60 else 0.3 * mm)
            canvas.rect(left * mm, box_bottom, BOX_WIDTH * mm, BOX_HEIGHT * mm)
        width = fonts.width(digit, size)
        # Centred on the digit's own height (the cap height), not the em box.
        baseline = box_bottom + (BOX_HEIGHT * mm - size * 0.72) / 2
        fonts.draw(canvas, (left + BOX_WIDTH / 2) * mm - width / 2, baseline, digit, size)
    if boxes:
        y = (CARD_HEIGHT - BOX_TOP - BOX_HEIGHT / 2) * mm
        canvas.setLineWidth(0.5 * mm)
        canvas.line((58.3 + BOX_WIDTH + 0.3) * mm, y, (65.9 - 0.3) * mm, y)


def render_postcards(
    *,
    addressees: Iterable[Addressee],
    options: PostcardOptions,
    fonts: FontSet,
    out: BinaryIO,
) -> RenderResult:
    """One card per addressee."""
    canvas = Canvas(out, pagesize=(CARD_WIDTH * mm, CARD_HEIGHT * mm), pageCompression=1)
    canvas.setTitle(options.title)
    canvas.setCreator("Meibo")
    sender = sender_columns(options.sender) if options.sender else []
    sender_postal = postal_code_format(options.sender.postal_code) if options.sender else ""
    count = 0
    for addressee in addressees:
        if count:
            canvas.showPage()
        block_digits = "".join(ch for ch in addressee.postal_code if ch.isdigit())
        draw_postal_code(
            canvas, fonts, block_digits.translate(_ASCII_DIGITS), boxes=options.draw_boxes
        )
        canvas.setFillGray(0)
        for column in card_columns(addressee, options):
            draw_column(canvas, fonts, column)
        for column in sender:
            draw_column(canvas, fonts, column)
        if sender_postal:
            fonts.draw(canvas, 9 * mm, (CARD_HEIGHT - 140.0) * mm, sender_postal, 9.0)
        count += 1
    if not count:
        canvas.drawString(0, 0, "")
    canvas.save()
    return RenderResult(documents=count, pages=max(count, 1))


_ASCII_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")

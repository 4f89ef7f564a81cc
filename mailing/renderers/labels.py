"""Address labels on sheets (宛名ラベル): any sheet geometry, from any start position.

Each label holds 〒 and the postal code, the address over one or two lines, the company,
the department with the title, and the name with its honorific, fitted into the label
(minus its padding) by layout.fit_lines: long names shrink, then wrap, never overflow.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import BinaryIO

from reportlab.lib.units import mm

from mailing.renderers.addressing import (
    Addressee,
    AddresseeMode,
    Honorifics,
    address_block,
    name_breaks,
)
from mailing.renderers.fonts import FontSet
from mailing.renderers.layout import LineSpec, fit_lines
from mailing.renderers.pdfwriter import PdfFile, PdfPart


@dataclass(frozen=True)
class SheetGeometry:
    """A label sheet in millimetres: the page, the top-left label's position, the label
    size and the pitch from one label to the next (label size + gap)."""

    page_width: float
    page_height: float
    margin_top: float
    margin_left: float
    columns: int
    rows: int
    label_width: float
    label_height: float
    pitch_x: float
    pitch_y: float
    padding: float = 2.5

    @property
    def per_sheet(self) -> int:
        return self.columns * self.rows

    def cell(self, slot: int) -> tuple[float, float]:
        """The top-left corner of label ``slot`` (0-based, row by row), in mm from the
        page's top-left corner."""
        row, column = divmod(slot % self.per_sheet, self.columns)
        return self.margin_left + column * self.pitch_x, self.margin_top + row * self.pitch_y

    def problems(self) -> dict[str, str]:
        """Why this geometry cannot be printed, by field; empty when it can."""
        found: dict[str, str] = {}
        if self.columns < 1 or self.rows < 1:
            found["columns" if self.columns < 1 else "rows"] = "1以上を指定してください"
            return found
        if self.pitch_x < self.label_width:
            found["pitch_x"] = "横ピッチはラベルの幅以上にしてください"
        if self.pitch_y < self.label_height:
            found["pitch_y"] = "縦ピッチはラベルの高さ以上にしてください"
        right = self.margin_left + (self.columns - 1) * self.pitch_x + self.label_width
        bottom = self.margin_top + (self.rows - 1) * self.pitch_y + self.label_height
        if right > self.page_width + 0.05:
            found["columns"] = f"ラベルが用紙の右端を {right - self.page_width:.1f}mm はみ出します"
        if bottom > self.page_height + 0.05:
            found["rows"] = f"ラベルが用紙の下端を {bottom - self.page_height:.1f}mm はみ出します"
        if 2 * self.padding >= min(self.label_width, self.label_height):
            found["padding"] = "余白がラベルより大きくなっています"
        return found


@dataclass(frozen=True)
class LabelOptions:
    sheet: SheetGeometry
    start_position: int = 1  # 1-based slot of the first label on the first sheet
    mode: AddresseeMode = AddresseeMode.PERSON
    honorifics: Honorifics = field(default_factory=Honorifics)
    outline: bool = False  # draw each label's edge, for a test print on plain paper
    title: str = "宛名ラベル"


@dataclass(frozen=True)
class RenderResult:
    documents: int
    pages: int


def label_lines(addressee: Addressee, options: LabelOptions) -> list[LineSpec]:
    block = address_block(addressee, mode=options.mode, honorifics=options.honorifics)
    lines = [LineSpec(f"〒{block.postal_code}", 0.85)] if block.postal_code else []
    lines += [LineSpec(line, 0.92) for line in block.address]
    lines.append(LineSpec(block.company, 1.0, name_breaks, gap_before=0.35))
    lines.append(LineSpec(block.department, 0.92, name_breaks))
    lines.append(LineSpec(block.name, 1.2, name_breaks, align="center", gap_before=0.2))
    return lines


def render_labels(
    *,
    addressees: Iterable[Addressee],
    options: LabelOptions,
    fonts: FontSet,
    out: BinaryIO,
    part: bool = False,
) -> RenderResult:
    """Draw one label per addressee, filling sheets row by row from the start position.
    With ``part``, write the pages as a part of a run (pdfwriter.PdfPart), to be combined
    with the run's other parts into one PDF."""
    sheet = options.sheet
    page_height = sheet.page_height * mm
    inner_width = (sheet.label_width - 2 * sheet.padding) * mm
    inner_height = (sheet.label_height - 2 * sheet.padding) * mm
    # About seven lines of text fit a label at the largest size; never above 13pt.
    max_size = min(13.0, inner_height / 7.2)
    pages = (
        PdfPart(out, fonts=fonts)
        if part
        else PdfFile(out, fonts=fonts, page_size=label_page_size(sheet), title=options.title)
    )
    slot = options.start_position - 1
    count = 0
    for addressee in addressees:
        if count and slot % sheet.per_sheet == 0:
            pages.end_page()
        left_mm, top_mm = sheet.cell(slot)
        left = (left_mm + sheet.padding) * mm
        top = page_height - (top_mm + sheet.padding) * mm
        if options.outline:
            pages.round_rect(
                left_mm * mm,
                page_height - (top_mm + sheet.label_height) * mm,
                sheet.label_width * mm,
                sheet.label_height * mm,
                2 * mm,
            )
        placed = fit_lines(
            fonts,
            label_lines(addressee, options),
            width=inner_width,
            height=inner_height,
            max_size=max_size,
            valign="middle",
        )
        for line in placed:
            pages.text(left + line.x, top - line.baseline, line.text, line.size)
        slot += 1
        count += 1
    pages.close()
    first = options.start_position - 1
    return RenderResult(documents=count, pages=max(1, math.ceil((first + count) / sheet.per_sheet)))


def label_page_size(sheet: SheetGeometry) -> tuple[float, float]:
    return sheet.page_width * mm, sheet.page_height * mm

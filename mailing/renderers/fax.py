"""Fax cover sheets (FAX送付状): the built-in A4 layout, or an uploaded DOCX template.

The sheet says, at a glance from a fax tray: FAX送付状, the date, to whom (company,
department, name with 様 or 御中, their fax number), from whom (company, name, phone and
fax), the subject, how many pages including this one, what is asked (至急 / ご確認ください /
ご返信ください / ご参考まで), and the message in a box.
"""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from mailing.renderers.addressing import AddressBlock, name_breaks
from mailing.renderers.fonts import FontSet
from mailing.renderers.layout import LineSpec
from mailing.renderers.letters import (
    MARGIN,
    PAGE_HEIGHT,
    PAGE_WIDTH,
    LetterOptions,
    PdfLayout,
    draw_block,
    draw_paragraphs,
    recipient_specs,
)
from mailing.renderers.merge import fill

# The requests a sender ticks, in the order printed.
REQUESTS = {
    "urgent": "至急",
    "please_review": "ご確認ください",
    "please_reply": "ご返信ください",
    "for_reference": "ご参考まで",
}

FAX_LAYOUT = PdfLayout(
    title="FAX送付状",
    body=(
        "いつもお世話になっております。\n"
        "下記のとおりFAXをお送りいたします。ご確認のほどよろしくお願いいたします。"
    ),
    closing="",
)


def draw_fax(
    canvas: Canvas, fonts: FontSet, values: dict, block: AddressBlock, options: LetterOptions
) -> None:
    layout = options.layout
    top = PAGE_HEIGHT - MARGIN
    width = PAGE_WIDTH - 2 * MARGIN
    title = fill(layout.title, values) or "FAX送付状"
    fonts.draw(canvas, (PAGE_WIDTH - fonts.width(title, 22)) / 2, top - 22, title, 22)
    canvas.setLineWidth(1.2)
    canvas.line(MARGIN, top - 30, PAGE_WIDTH - MARGIN, top - 30)
    date = values["date"]
    fonts.draw(canvas, PAGE_WIDTH - MARGIN - fonts.width(date, 10.5), top - 46, date, 10.5)

    # To (left) and from (right), each in its own box.
    box_top = top - 56
    box_height = 42 * mm
    half = (width - 6 * mm) / 2
    canvas.setLineWidth(0.6)
    for left in (MARGIN, MARGIN + half + 6 * mm):
        canvas.rect(left, box_top - box_height, half, box_height)
    fonts.draw(canvas, MARGIN + 3 * mm, box_top - 13, "宛先", 9)
    fonts.draw(canvas, MARGIN + half + 9 * mm, box_top - 13, "送信元", 9)
    to_specs = recipient_specs(block, with_address=False)
    if values["fax"]:
        to_specs.append(LineSpec(f"FAX: {values['fax']}", 0.85, gap_before=0.4))
    draw_block(
        canvas,
        fonts,
        to_specs,
        left=MARGIN + 3 * mm,
        top=box_top - 18,
        width=half - 6 * mm,
        height=box_height - 22,
        max_size=12,
    )
    sender = options.sender
    from_specs = [
        LineSpec(sender.company, 1.0, name_breaks),
        LineSpec(" ".join(p for p in (sender.department, sender.name) if p), 1.0, name_breaks),
        LineSpec(f"TEL: {sender.phone}" if sender.phone else "", 0.85, gap_before=0.4),
        LineSpec(f"FAX: {sender.fax}" if sender.fax else "", 0.85),
        LineSpec(sender.email, 0.85),
    ]
    draw_block(
        canvas,
        fonts,
        from_specs,
        left=MARGIN + half + 9 * mm,
        top=box_top - 18,
        width=half - 6 * mm,
        height=box_height - 22,
        max_size=11,
    )

    y = box_top - box_height - 24
    pages = values.get("pages") or "1"
    for label, value in (
        ("件名", values.get("subject", "")),
        ("送信枚数", f"{pages}枚 (本紙を含む)"),
    ):
        fonts.draw(canvas, MARGIN, y, f"{label}:", 11)
        draw_block(
            canvas,
            fonts,
            [LineSpec(value, 1.0, name_breaks)],
            left=MARGIN + 22 * mm,
            top=y + 11 * 0.88,
            width=width - 22 * mm,
            height=16,
            max_size=11,
        )
        canvas.setLineWidth(0.4)
        canvas.line(MARGIN, y - 5, PAGE_WIDTH - MARGIN, y - 5)
        y -= 26

    x = MARGIN
    for key, label in REQUESTS.items():
        mark = "■" if str(options.extra.get(key, "")).lower() in {"1", "true", "yes"} else "□"
        text = f"{mark} {label}"
        fonts.draw(canvas, x, y, text, 11)
        x += fonts.width(text, 11) + 8 * mm
    y -= 18

    message_top = y
    message_bottom = MARGIN + 10 * mm
    canvas.setLineWidth(0.6)
    canvas.rect(MARGIN, message_bottom, width, message_top - message_bottom)
    fonts.draw(canvas, MARGIN + 3 * mm, message_top - 14, "通信欄", 9)
    text = "\n".join(
        part for part in (fill(layout.body, values), values.get("message", "")) if part
    )
    draw_paragraphs(
        canvas, fonts, text, x=MARGIN + 5 * mm, y=message_top - 32, width=width - 10 * mm, size=10.5
    )

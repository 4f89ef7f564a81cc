"""Label sheets: every label's text inside its cell, measured from the PDF's own text."""

import io
from collections import defaultdict

import pdfplumber
import pytest
from reportlab.lib.units import mm

from mailing.renderers.addressing import Addressee, address_block
from mailing.renderers.fonts import font_set
from mailing.renderers.labels import LabelOptions, SheetGeometry, render_labels
from tests.factories.printing import LONG, addressees

# The shipped "a4-24" sheet: A4, 3 × 8 labels of 70 × 33.9 mm.
A4_24 = SheetGeometry(
    page_width=210,
    page_height=297,
    margin_top=12.9,
    margin_left=0,
    columns=3,
    rows=8,
    label_width=70,
    label_height=33.9,
    pitch_x=70,
    pitch_y=33.9,
)


def render(people, **options) -> bytes:
    out = io.BytesIO()
    render_labels(
        addressees=people,
        options=LabelOptions(sheet=A4_24, **options),
        fonts=font_set("gothic"),
        out=out,
    )
    return out.getvalue()


def cell_of(sheet: SheetGeometry, char: dict) -> tuple[int, tuple[float, float, float, float]]:
    """The slot whose label holds the character's centre, and that label's box (points,
    from the page's top-left, as pdfplumber measures)."""
    cx = (char["x0"] + char["x1"]) / 2 / mm
    cy = (char["top"] + char["bottom"]) / 2 / mm
    column = int((cx - sheet.margin_left) // sheet.pitch_x)
    row = int((cy - sheet.margin_top) // sheet.pitch_y)
    left = (sheet.margin_left + column * sheet.pitch_x) * mm
    top = (sheet.margin_top + row * sheet.pitch_y) * mm
    return row * sheet.columns + column, (
        left,
        top,
        left + sheet.label_width * mm,
        top + sheet.label_height * mm,
    )


def labels_text(pdf_bytes: bytes, sheet: SheetGeometry) -> tuple[dict, list]:
    """Each label's text in reading order, keyed by (page, slot); and every character
    that is not wholly inside the label it stands on."""
    by_label = defaultdict(list)
    outside = []
    with pdfplumber.open(io.BytesIO(pdf_bytes)) as pdf:
        for page_number, page in enumerate(pdf.pages):
            for char in page.chars:
                slot, (left, top, right, bottom) = cell_of(sheet, char)
                eps = 0.01
                if not (
                    char["x0"] >= left - eps
                    and char["x1"] <= right + eps
                    and char["top"] >= top - eps
                    and char["bottom"] <= bottom + eps
                ):
                    outside.append((page_number, slot, char["text"]))
                by_label[(page_number, slot)].append(char)
    texts = {
        key: "".join(c["text"] for c in sorted(chars, key=lambda c: (round(c["top"], 1), c["x0"])))
        for key, chars in by_label.items()
    }
    return texts, outside


def test_a_thousand_labels_on_a4_24_up_all_lie_inside_their_cells():
    # Given 1,000 recipients, every 37th with a name, company, department and address
    # longer than a label
    people = addressees(1000)

    # When they are printed on A4 24-up sheets
    pdf = render(people)

    # Then every character lies inside its own label, and each label says who it is for
    texts, outside = labels_text(pdf, A4_24)
    assert outside == []
    assert len(texts) == 1000
    for index, person in enumerate(people):
        text = texts[divmod(index, 24)].replace(" ", "")
        block = address_block(person)
        assert block.name.replace(" ", "") in text
        assert block.postal_code in text
        assert person.address1.replace(" ", "") in text


def test_names_and_addresses_longer_than_a_cell_shrink_then_wrap():
    person = Addressee.from_row(
        {"id": 1, "postal_code": "530-0001", "prefecture": "大阪府", **LONG}
    )

    pdf = render([person])

    with pdfplumber.open(io.BytesIO(pdf)) as page_pdf:
        chars = page_pdf.pages[0].chars
    lines = {round(c["top"], 1) for c in chars}
    sizes = {round(c["size"], 1) for c in chars}
    texts, outside = labels_text(pdf, A4_24)
    assert outside == []
    assert len(lines) > 6  # wrapped: more lines than the block has parts
    assert min(sizes) >= 3.5  # shrunk, still legible with a loupe, and nothing cut off
    assert (LONG["full_name"] + "様") in texts[(0, 0)].replace(" ", "")


def test_printing_starts_at_the_requested_position_on_the_first_sheet():
    pdf = render(addressees(30), start_position=23)

    texts, _ = labels_text(pdf, A4_24)
    assert sorted(texts)[:3] == [(0, 22), (0, 23), (1, 0)]
    assert len(texts) == 30


def test_a_sheet_geometry_that_does_not_fit_its_page_is_refused():
    too_wide = SheetGeometry(
        page_width=210,
        page_height=297,
        margin_top=10,
        margin_left=10,
        columns=3,
        rows=8,
        label_width=70,
        label_height=33.9,
        pitch_x=70,
        pitch_y=33.9,
    )

    assert "columns" in too_wide.problems()
    assert A4_24.problems() == {}


@pytest.mark.parametrize("face", ["gothic", "mincho"])
def test_the_font_is_embedded_as_a_subset(face):
    out = io.BytesIO()
    render_labels(
        addressees=addressees(3), options=LabelOptions(sheet=A4_24), fonts=font_set(face), out=out
    )

    with pdfplumber.open(io.BytesIO(out.getvalue())) as pdf:
        fonts = {c["fontname"] for c in pdf.pages[0].chars}
    assert all("+IPAex" in name for name in fonts)  # ABCDEF+IPAexGothic: a subset
    assert b"/FontFile2" in out.getvalue()  # the TrueType program is in the file

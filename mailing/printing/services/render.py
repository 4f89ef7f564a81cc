"""From a print run's stored options to files: renderer options, the glyph check, one
chunk's part, and the parts combined into the artifact.

Renderers are chosen from one table (RENDERERS) by the run's kind and engine, so adding a
kind of printed mailing is one renderer module and one line here.
"""

from __future__ import annotations

import datetime
import re
import tempfile
import uuid
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import IO, Any

from django.core.files import File
from django.core.files.storage import default_storage
from pypdf import PdfWriter

from mailing.printing.models import PrintChunk, PrintRun, PrintRunRecipient
from mailing.printing.services.formats import sheet_geometry
from mailing.printing.services.templates import docx_template_load
from mailing.renderers.addressing import Addressee, AddresseeMode, Honorifics, kanji_numerals
from mailing.renderers.fax import FAX_LAYOUT, REQUESTS, draw_fax
from mailing.renderers.fonts import FontSet, font_set
from mailing.renderers.labels import LabelOptions, RenderResult, label_page_size, render_labels
from mailing.renderers.letters import (
    LetterOptions,
    PdfLayout,
    draw_letter,
    render_docx_fragment,
    render_pdf,
    render_separate,
)
from mailing.renderers.merge import Sender
from mailing.renderers.pdfwriter import PdfFile
from mailing.renderers.postcards import PostcardOptions, render_postcards

# The snapshot columns of MailingRecipient that a renderer prints.
RECIPIENT_FIELDS = (
    "full_name",
    "full_name_kana",
    "company_name",
    "department_name",
    "title",
    "postal_code",
    "prefecture",
    "address1",
    "address2",
    "fax",
)
DEFAULT_FACE = {"label": "gothic", "postcard": "mincho", "letter": "mincho", "fax": "gothic"}


@dataclass(frozen=True)
class RenderContext:
    run: PrintRun
    fonts: FontSet
    engine: str  # pdf or docx
    label: LabelOptions | None = None
    postcard: PostcardOptions | None = None
    letter: LetterOptions | None = None

    @property
    def separate(self) -> bool:
        return self.run.output == PrintRun.Output.SEPARATE

    @property
    def part_extension(self) -> str:
        if self.separate:
            return "zip"
        if self.label is not None:
            return "pages"  # pdfwriter.PdfPart
        return "xml" if self.engine == "docx" else "pdf"

    @property
    def artifact_extension(self) -> str:
        if self.separate:
            return "zip"
        return self.engine


def run_engine(run: PrintRun) -> str:
    if run.kind in (PrintRun.Kind.LETTER, PrintRun.Kind.FAX) and run.template_id:
        return run.template.engine
    return "pdf"


def render_context(run: PrintRun) -> RenderContext:
    """Renderer options from the run's options, its format or template and its mailing."""
    options = run.options
    mode = AddresseeMode(options.get("addressee", AddresseeMode.PERSON))
    honorifics = Honorifics(
        person=options.get("person_honorific", "様"),
        organisation=options.get("organisation_honorific", "御中"),
    )
    fonts = font_set(options.get("font") or DEFAULT_FACE[run.kind])
    engine = run_engine(run)
    sender = Sender.from_dict(options.get("sender"))
    if run.kind == PrintRun.Kind.LABEL:
        label = LabelOptions(
            sheet=sheet_geometry(run.label_format),
            start_position=run.start_position,
            mode=mode,
            honorifics=honorifics,
            outline=bool(options.get("outline")),
            title=run.title,
        )
        return RenderContext(run=run, fonts=fonts, engine=engine, label=label)
    if run.kind == PrintRun.Kind.POSTCARD:
        postcard = PostcardOptions(
            mode=mode,
            honorifics=honorifics,
            title=run.title,
            sender=sender if sender.printed_text() else None,
            draw_boxes=bool(options.get("draw_boxes")),
        )
        return RenderContext(run=run, fonts=fonts, engine=engine, postcard=postcard)
    template = run.template
    default_layout = FAX_LAYOUT if run.kind == PrintRun.Kind.FAX else PdfLayout()
    layout = PdfLayout.from_dict(template.layout if template else {}, default=default_layout)
    if options.get("items") is not None:
        layout = PdfLayout.from_dict({"items": options["items"]}, default=layout)
    extra = {
        "mailing_name": run.mailing.name,
        "subject": options.get("subject", ""),
        "message": options.get("message", ""),
        "pages": str(options.get("pages", 1)),
        **{key: "true" for key in REQUESTS if options.get(key)},
    }
    letter = LetterOptions(
        mode=mode,
        honorifics=honorifics,
        sender=sender,
        day=datetime.date.fromisoformat(options["date"]),
        date_style=options.get("date_style") or (template.date_style if template else "wareki"),
        layout=layout,
        docx=docx_template_load(template) if engine == "docx" else None,
        extra=extra,
        title=run.title,
    )
    return RenderContext(run=run, fonts=fonts, engine=engine, letter=letter)


def printed_fields(row: dict[str, Any], *, vertical: bool) -> dict[str, str]:
    """The texts of one recipient that will be drawn, by field (vertical cards draw the
    address with kanji numerals and full-width letters)."""
    texts = {field: row.get(field) or "" for field in RECIPIENT_FIELDS if field != "full_name_kana"}
    if vertical:
        texts = {field: kanji_numerals(text) for field, text in texts.items()}
    return texts


def glyph_problems(
    rows: Iterator[dict[str, Any]], *, fonts: FontSet, vertical: bool
) -> list[dict[str, Any]]:
    """Recipients with characters no font can draw, each with its fields and characters."""
    problems = []
    for row in rows:
        texts = printed_fields(row, vertical=vertical)
        # Nearly every recipient is drawn in the primary face alone: one look at all fields.
        if fonts.covers("".join(texts.values())):
            continue
        fields = {field: chars for field, text in texts.items() if (chars := fonts.missing(text))}
        if fields:
            problems.append(
                {
                    "recipient": row["id"],
                    "person": row["person_id"],
                    "name": row.get("full_name") or row.get("company_name") or "",
                    "fields": fields,
                }
            )
    return problems


def _addressees(run: PrintRun, chunk: PrintChunk) -> Iterator[Addressee]:
    rows = (
        PrintRunRecipient.objects.filter(
            print_run=run, position__gte=chunk.first, position__lt=chunk.first + chunk.count
        )
        .order_by("position")
        .values("recipient_id", "person_id", *(f"recipient__{f}" for f in RECIPIENT_FIELDS))
    )
    for row in rows.iterator(chunk_size=2000):
        yield Addressee.from_row(
            {
                "id": row["recipient_id"],
                "person_id": row["person_id"],
                **{field: row[f"recipient__{field}"] for field in RECIPIENT_FIELDS},
            }
        )


Renderer = Callable[[RenderContext, Iterator[Addressee], IO[bytes], int], RenderResult]


def _labels(ctx: RenderContext, people: Iterator[Addressee], out: IO[bytes], first: int):
    # A chunk after the first starts on a fresh sheet (see runs._chunks_create).
    slot = (ctx.label.start_position - 1 + first) % ctx.label.sheet.per_sheet
    options = replace(ctx.label, start_position=slot + 1)
    return render_labels(addressees=people, options=options, fonts=ctx.fonts, out=out, part=True)


def _postcards(ctx: RenderContext, people: Iterator[Addressee], out: IO[bytes], first: int):
    return render_postcards(addressees=people, options=ctx.postcard, fonts=ctx.fonts, out=out)


def _documents(draw):
    def render(ctx: RenderContext, people: Iterator[Addressee], out: IO[bytes], first: int):
        if ctx.separate:
            return render_separate(
                addressees=people,
                options=ctx.letter,
                fonts=ctx.fonts,
                out=out,
                first_number=first,
                draw=draw,
            )
        if ctx.engine == "docx":
            return render_docx_fragment(
                addressees=people, options=ctx.letter, out=out, first_number=first
            )
        return render_pdf(
            addressees=people, options=ctx.letter, fonts=ctx.fonts, out=out, draw=draw
        )

    return render


RENDERERS: dict[str, Renderer] = {
    PrintRun.Kind.LABEL: _labels,
    PrintRun.Kind.POSTCARD: _postcards,
    PrintRun.Kind.LETTER: _documents(draw_letter),
    PrintRun.Kind.FAX: _documents(draw_fax),
}


def chunk_render(ctx: RenderContext, chunk: PrintChunk) -> tuple[str, RenderResult]:
    """Render one chunk into a part file of its own (a unique name per attempt, so two
    workers that both rendered a chunk after a lease ran out never overwrite each other)."""
    with tempfile.TemporaryFile() as scratch:
        result = RENDERERS[ctx.run.kind](ctx, _addressees(ctx.run, chunk), scratch, chunk.first)
        scratch.seek(0)
        name = (
            f"printing/parts/{ctx.run.pk}/{chunk.index:05d}-{uuid.uuid4().hex[:8]}"
            f".{ctx.part_extension}"
        )
        return default_storage.save(name, File(scratch, name=name)), result


def _part_bytes(name: str, block: int = 1 << 20) -> Iterator[bytes]:
    with default_storage.open(name, "rb") as handle:
        while data := handle.read(block):
            yield data


def combine(ctx: RenderContext, parts: list[str], out: IO[bytes]) -> None:
    """The parts, in order, as one file: a merged PDF, a DOCX with every letter in its own
    section, or one zip of every recipient's document."""
    if ctx.separate:
        with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED, allowZip64=True) as archive:
            for name in parts:
                with default_storage.open(name, "rb") as handle, zipfile.ZipFile(handle) as part:
                    for info in part.infolist():
                        with (
                            part.open(info) as source,
                            archive.open(info.filename, "w", force_zip64=True) as target,
                        ):
                            while data := source.read(1 << 20):
                                target.write(data)
        return
    if ctx.engine == "docx":
        ctx.letter.docx.write(out, (data for name in parts for data in _part_bytes(name)))
        return
    if ctx.label is not None:
        pdf = PdfFile(
            out, fonts=ctx.fonts, page_size=label_page_size(ctx.label.sheet), title=ctx.run.title
        )
        for name in parts:
            with default_storage.open(name, "rb") as handle:
                pdf.add_part(handle)
        pdf.close()
        return
    if len(parts) == 1:
        for data in _part_bytes(parts[0]):
            out.write(data)
        return
    writer = PdfWriter()
    for name in parts:
        with default_storage.open(name, "rb") as handle:
            writer.append(handle)
    writer.add_metadata({"/Title": ctx.run.title, "/Creator": "Meibo"})
    writer.write(out)


def artifact_name(run: PrintRun, extension: str) -> str:
    base = f"{run.mailing.name}_{run.get_kind_display()}{'_再印刷' if run.reprint else ''}"
    return re.sub(r'[\\/:*?"<>|\s]+', "_", base).strip("_") + f"_{run.pk}.{extension}"

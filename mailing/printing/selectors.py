"""Reads of the printing app."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from mailing.models import Mailing, MailingRecipient
from mailing.printing.models import DocumentTemplate, LabelFormat, PrintRun
from mailing.printing.services.render import RECIPIENT_FIELDS, glyph_problems
from mailing.renderers.fonts import font_set


def label_format_list() -> QuerySet[LabelFormat]:
    return LabelFormat.objects.all()


def document_template_list() -> QuerySet[DocumentTemplate]:
    return DocumentTemplate.objects.all()


def print_run_list(*, mailing_id: int | None = None) -> QuerySet[PrintRun]:
    runs = PrintRun.objects.select_related(
        "mailing", "label_format", "template", "job", "created_by"
    )
    if mailing_id is not None:
        runs = runs.filter(mailing_id=mailing_id)
    return runs


def print_run_get(pk: int) -> PrintRun | None:
    return (
        PrintRun.objects.select_related("mailing", "label_format", "template").filter(pk=pk).first()
    )


def print_glyph_report(*, mailing: Mailing, font: str = "gothic") -> list[dict[str, Any]]:
    """Before printing: the recipients whose characters no font can draw, by recipient
    and field (read straight from the mailing's snapshot, one streamed pass)."""
    rows = (
        MailingRecipient.objects.filter(mailing=mailing)
        .exclude(state=MailingRecipient.State.CANCELLED)
        .values("id", "person_id", *RECIPIENT_FIELDS)
        .order_by("id")
    )
    return glyph_problems(
        rows.iterator(chunk_size=5000),
        fonts=font_set(font),
        vertical=mailing.channel == Mailing.Channel.POSTCARD,
    )

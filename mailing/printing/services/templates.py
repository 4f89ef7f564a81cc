"""Letter and fax templates (送り状・FAX送付状): an uploaded DOCX with merge fields, or the
built-in PDF layout with its own texts. A template is checked when it is saved, so that a
print run never finds an unknown merge field halfway through 30,000 letters."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import ProtectedError

from api.core.errors import Conflict, FieldErrors
from mailing.printing.models import DocumentTemplate
from mailing.renderers.fonts import font_set
from mailing.renderers.letters import PdfLayout
from mailing.renderers.merge import Sender, unknown_fields
from mailing.renderers.wordml import DocxTemplate, TemplateError

MAX_TEMPLATE_BYTES = 10 * 1024 * 1024


def _check(template: DocumentTemplate, upload: UploadedFile | None) -> None:
    errors: dict[str, list[str]] = {}
    if template.engine == DocumentTemplate.Engine.DOCX:
        if upload is None and not template.file:
            errors["file"] = ["Word (DOCX) のテンプレートファイルを添付してください"]
        elif upload is not None:
            if upload.size > MAX_TEMPLATE_BYTES:
                errors["file"] = ["テンプレートファイルは10MBまでです"]
            else:
                try:
                    parsed = DocxTemplate(upload.read())
                except TemplateError as exc:
                    errors["file"] = [str(exc)]
                else:
                    template.fields = parsed.fields
                upload.seek(0)
    else:
        layout = PdfLayout.from_dict(template.layout)
        unknown = sorted({name for text in layout.texts() for name in unknown_fields(text)})
        if unknown:
            errors["layout"] = ["不明な差し込み項目: " + ", ".join(unknown)]
        missing = font_set("mincho").missing("".join(layout.texts()))
        if missing:
            errors.setdefault("layout", []).append(
                "フォントにない文字があります: " + "".join(missing)
            )
    missing = font_set("mincho").missing(Sender.from_dict(template.sender).printed_text())
    if missing and template.engine == DocumentTemplate.Engine.PDF:
        errors["sender"] = ["フォントにない文字があります: " + "".join(missing)]
    if errors:
        raise FieldErrors(errors)


def document_template_create(
    *, user: Any, data: dict[str, Any], upload: UploadedFile | None = None
) -> DocumentTemplate:
    template = DocumentTemplate(**data, created_by=user)
    _check(template, upload)
    with transaction.atomic(durable=True):
        if upload is not None:
            template.file.save(upload.name, upload, save=False)
        template.save()
    return template


def document_template_update(
    *, template: DocumentTemplate, data: dict[str, Any], upload: UploadedFile | None = None
) -> DocumentTemplate:
    for name, value in data.items():
        setattr(template, name, value)
    _check(template, upload)
    with transaction.atomic(durable=True):
        if upload is not None:
            template.file.save(upload.name, upload, save=False)
        template.save()
    return template


def document_template_delete(*, template: DocumentTemplate) -> None:
    try:
        with transaction.atomic(durable=True):
            template.delete()
    except ProtectedError as exc:
        raise Conflict("印刷に使われたテンプレートは削除できません") from exc


def docx_template_load(template: DocumentTemplate) -> DocxTemplate:
    """The parsed DOCX of a template, once per process and version of the file."""
    return _docx_load(template.file.name, template.updated_at.isoformat())


@lru_cache(maxsize=8)
def _docx_load(name: str, version: str) -> DocxTemplate:
    from django.core.files.storage import default_storage

    with default_storage.open(name, "rb") as handle:
        return DocxTemplate(handle.read())

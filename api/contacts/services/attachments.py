"""Attachments (添付ファイル): at most five per record, size and type checked, kept in Django's
default storage under a generated name (the original Japanese file name is kept in the row)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from api.contacts.models import ContactAttachment, ContactRecord
from api.contacts.services.records import require_editor
from api.core.errors import ServiceError

MAX_PER_RECORD = 5


# Extension → (content type, check of the first bytes). The bytes are checked too, because the
# name is whatever the uploader typed: an .exe renamed to .pdf is refused.
def _starts(*signatures: bytes) -> Callable[[bytes], bool]:
    return lambda head: head.startswith(signatures)


def _webp(head: bytes) -> bool:
    return head[:4] == b"RIFF" and head[8:12] == b"WEBP"


def _heic(head: bytes) -> bool:
    # iPhone photos: an ISO media box "ftyp" with a HEIF brand.
    return head[4:8] == b"ftyp" and head[8:12] in (b"heic", b"heix", b"mif1", b"msf1")


def _text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    for encoding in ("utf-8", "cp932"):
        try:
            head.decode(encoding)
        except UnicodeDecodeError as exc:
            # The 4 KiB cut may split a multi-byte character; that tail is no evidence.
            if exc.start >= len(head) - 3:
                return True
            continue
        return True
    return False


_ZIP = _starts(b"PK\x03\x04")
_OLE = _starts(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")
ALLOWED_TYPES: dict[str, tuple[str, Callable[[bytes], bool]]] = {
    ".pdf": ("application/pdf", _starts(b"%PDF-")),
    ".jpg": ("image/jpeg", _starts(b"\xff\xd8\xff")),
    ".jpeg": ("image/jpeg", _starts(b"\xff\xd8\xff")),
    ".png": ("image/png", _starts(b"\x89PNG\r\n\x1a\n")),
    ".gif": ("image/gif", _starts(b"GIF87a", b"GIF89a")),
    ".webp": ("image/webp", _webp),
    ".heic": ("image/heic", _heic),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", _ZIP),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", _ZIP),
    ".pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", _ZIP),
    ".doc": ("application/msword", _OLE),
    ".xls": ("application/vnd.ms-excel", _OLE),
    ".ppt": ("application/vnd.ms-powerpoint", _OLE),
    ".msg": ("application/vnd.ms-outlook", _OLE),
    ".zip": ("application/zip", _ZIP),
    ".txt": ("text/plain", _text),
    ".csv": ("text/csv", _text),
}


def contact_attachment_add(
    *, record: ContactRecord, user: Any, upload: UploadedFile
) -> ContactAttachment:
    """Attach a file to a record (its author or a superuser).

    1. Type and size are checked before anything is stored.
    2. The record row is locked, so two uploads at once cannot make a sixth attachment.
    3. The file is written to storage, then the row; a failed row removes the file again.
    """
    require_editor(record=record, user=user)
    name = PurePath(upload.name or "").name
    content_type = _checked_type(upload=upload, name=name)
    with transaction.atomic(durable=True):
        ContactRecord.objects.select_for_update().filter(pk=record.pk).first()
        if ContactAttachment.objects.filter(record=record).count() >= MAX_PER_RECORD:
            raise ServiceError(
                f"添付ファイルは1件につき{MAX_PER_RECORD}個までです: at most {MAX_PER_RECORD}",
                field="file",
                code="too_many",
            )
        stored = default_storage.save(
            f"contacts/{record.pk}/{uuid.uuid4().hex}{PurePath(name).suffix.lower()}", upload
        )
        try:
            return ContactAttachment.objects.create(
                record=record,
                file=stored,
                name=name,
                content_type=content_type,
                size=upload.size,
                uploaded_by=user,
            )
        except Exception:
            default_storage.delete(stored)
            raise


def contact_attachment_delete(*, attachment: ContactAttachment, user: Any) -> None:
    require_editor(record=attachment.record, user=user)
    stored = attachment.file.name
    with transaction.atomic(durable=True):
        attachment.delete()
        # The file goes only once the row is surely gone.
        transaction.on_commit(lambda: default_storage.delete(stored))


def _checked_type(*, upload: UploadedFile, name: str) -> str:
    max_bytes = settings.MEIBO_ATTACHMENT_MAX_MB * 1024 * 1024
    if not upload.size:
        raise ServiceError("空のファイルです: the file is empty", field="file", code="empty")
    if upload.size > max_bytes:
        raise ServiceError(
            f"ファイルが大きすぎます({upload.size / 1024 / 1024:.1f} MB): "
            f"the limit is {settings.MEIBO_ATTACHMENT_MAX_MB} MB",
            field="file",
            code="too_large",
        )
    suffix = PurePath(name).suffix.lower()
    if suffix not in ALLOWED_TYPES:
        raise ServiceError(
            f"この種類のファイルは添付できません({suffix or '拡張子なし'}): allowed are "
            f"{', '.join(sorted(ALLOWED_TYPES))}",
            field="file",
            code="type",
        )
    content_type, looks_right = ALLOWED_TYPES[suffix]
    upload.seek(0)
    head = upload.read(4096)
    upload.seek(0)
    if not looks_right(head):
        raise ServiceError(
            f"ファイルの中身が{suffix}ではありません: the content is not a {suffix} file",
            field="file",
            code="type",
        )
    return content_type

"""The preview job: read, normalise, stage and plan a file; the register is not touched."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from api.core.errors import FieldErrors, ServiceError
from importers.mapping import Mapping, custom_fields, mapping_resolve
from importers.models import ImportJob, Mode
from importers.readers import (
    CarefulParseNeeded,
    ImportFileError,
    Sniffed,
    read_chunks,
    sniff,
)
from importers.services.base import Target
from importers.services.imports import Timings, header_of, local_file, plan_spec, transient
from importers.services.plan import (
    key_applies,
    model_field,
    plan_build,
    plan_snapshot,
)
from importers.services.refs import refs_resolve
from importers.services.targets import target_get
from importers.staging import (
    stage_copy,
    stage_create,
    stage_drop,
    stage_index,
)
from importers.validation import chunk_validate

log = logging.getLogger(__name__)


def _max_lengths(target: Target) -> dict[str, int]:
    out: dict[str, int] = {}
    for field in target.fields:
        if field.column and field.ref is None and field.kind != "codes":
            limit = getattr(model_field(target, field.column), "max_length", None)
            if limit:
                out[field.name] = limit
    return out


def _mapping_check_file(*, target: Target, record: ImportJob, mapping: Mapping) -> None:
    """File-level mapping problems: nothing mapped, a field every row needs not in the file."""
    if not mapping.fields():
        raise ImportFileError(
            f"none of the columns ({', '.join(record.header)}) is recognised as a field of "
            f"{target.label}; give a mapping (column → field)"
        )
    spec = plan_spec(record, target, mapping)
    if record.mode == Mode.INSERT:
        missing = []
        for name in target.required:
            field = target.field(name)
            column = field.column
            given = [
                f.name
                for f in target.fields
                if f.name in spec.mapped
                and (f.name == name or (column is not None and f.column == column))
            ]
            if not given:
                missing.append(f"{field.label} ({name})")
        if missing:
            raise ImportFileError(
                f"the file has no column for {', '.join(missing)}, which every new "
                f"{target.label} needs; add the column or map one to it"
            )
    if spec.match_key is not None and not key_applies(spec.match_key, spec):
        if not record.match_key:
            raise ImportFileError(
                "an upsert needs a column to find each record by: "
                + ", ".join(k.label for k in target.match_keys)
            )
        needed = [
            " or ".join(target.field(name).label for name in need.split("|"))
            for need in spec.match_key.needs
        ]
        raise ImportFileError(
            f"upsert by {spec.match_key.label} needs the column(s) {', '.join(needed)} in the file"
        )


def _stage_file(
    *,
    record: ImportJob,
    path: Path,
    sniffed: Sniffed,
    target: Target,
    mapping: Mapping,
    progress: Any,
    careful: bool,
    timings: Timings,
) -> int:
    customs = custom_fields(target)
    keys = sorted(customs)
    stage_create(import_id=record.pk, target=target, custom_keys=keys)
    max_lengths = _max_lengths(target)
    rows = 0
    chunks = read_chunks(path, sniffed, careful=careful)
    while True:
        with timings.measure("read"):
            chunk = next(chunks, None)
        if chunk is None:
            break
        with timings.measure("normalise"):
            staged = chunk_validate(
                chunk=chunk,
                target=target,
                mapping=mapping,
                header=sniffed.header,
                customs=customs,
                max_lengths=max_lengths,
            )
        with timings.measure("references"):
            refs_resolve(
                staged=staged,
                target=target,
                mapping=mapping,
                header=sniffed.header,
                create_missing=record.create_missing,
            )
        with timings.measure("copy"):
            rows += stage_copy(import_id=record.pk, staged=staged)
        progress.update(rows)
    return rows


def import_preview(*, import_id: int, progress: Any) -> dict[str, Any]:
    """The preview job: read, normalise, stage and plan the file; the register is not
    touched. A file that cannot be read fails the import with the reason, and leaves no
    staged rows behind.

    1. Sniff the kind, encoding, delimiter and header; resolve the mapping.
    2. Stage every chunk: input rules, references, COPY (a malformed row sends the whole
       file through the careful reader, from the start).
    3. Index the staging table and build the plan; record the counts.
    """
    record = ImportJob.objects.filter(pk=import_id).first()
    if record is None or record.state != ImportJob.State.PREVIEWING:
        log.info("import #%s is gone or not previewing; nothing to do", import_id)
        return {}
    target = target_get(record.target)
    timings = Timings()
    try:
        with local_file(record) as path:
            sniffed = sniff(path, filename=record.filename, encoding=record.requested_encoding)
            record.file_kind = sniffed.kind
            record.encoding = sniffed.encoding or ""
            record.detected_encoding = sniffed.detected_encoding or ""
            record.delimiter = sniffed.delimiter
            record.header = sniffed.header
            saved = record.format.mapping if record.format else None
            mapping = mapping_resolve(
                target=target,
                header=sniffed.header,
                given=record.requested_mapping,
                saved=saved,
            )
            record.mapping = mapping.as_dict(sniffed.header)
            _mapping_check_file(target=target, record=record, mapping=mapping)
            careful = False
            try:
                rows = _stage_file(
                    record=record,
                    path=path,
                    sniffed=sniffed,
                    target=target,
                    mapping=mapping,
                    progress=progress,
                    careful=False,
                    timings=timings,
                )
            except CarefulParseNeeded as exc:
                log.info("import #%s: %s; reading it again carefully", import_id, exc)
                careful = True
                rows = _stage_file(
                    record=record,
                    path=path,
                    sniffed=sniffed,
                    target=target,
                    mapping=mapping,
                    progress=progress,
                    careful=True,
                    timings=timings,
                )
        if rows == 0:
            raise ImportFileError("the file has a header but no data rows")
        with timings.measure("plan"), transaction.atomic():
            stage_index(import_id=record.pk)
            record.planned_snapshot = plan_snapshot()
            counts = plan_build(
                spec=plan_spec(record, target, mapping), header_of=header_of(record, target)
            )
    except ServiceError as exc:
        _fail(record, exc.message if not isinstance(exc, FieldErrors) else _flatten(exc))
        raise ServiceError(record.error) from exc
    except Exception as exc:
        if not transient(exc):
            _fail(record, f"{type(exc).__name__}: {exc}")
        raise
    # The errors file must read the rows the way the preview did (same row numbers).
    spec = plan_spec(record, target, mapping)
    record.counts = {
        **counts,
        "careful": careful,
        "match_key": spec.match_key.name if spec.match_key else "",
    }
    record.state = ImportJob.State.PREVIEWED
    record.previewed_at = timezone.now()
    record.error = ""
    record.save()
    return {"import_id": record.pk, **counts, "seconds": timings.as_dict()}


def _flatten(exc: FieldErrors) -> str:
    return "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in exc.errors.items())


def _fail(record: ImportJob, message: str) -> None:
    """Mark the import failed and drop its staged rows (nothing half-written stays)."""
    stage_drop(import_id=record.pk)
    ImportJob.objects.filter(pk=record.pk).update(
        state=ImportJob.State.FAILED,
        error=message,
        updated_at=timezone.now(),
        encoding=record.encoding,
        detected_encoding=record.detected_encoding,
        header=record.header,
        mapping=record.mapping,
        file_kind=record.file_kind,
        delimiter=record.delimiter,
    )
    record.state, record.error = ImportJob.State.FAILED, message


# ---------------------------------------------------------------------------------------------
# Commit
# ---------------------------------------------------------------------------------------------

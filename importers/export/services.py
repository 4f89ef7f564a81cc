"""Exporting people, companies, departments, products and sales to CSV or .xlsx.

The interface other areas use (selection sets export their members through it)::

    from importers.export.services import export_write

    result = export_write(
        target="people",                 # people | companies | departments | products | sales
        out=binary_file,                 # any writable binary file object
        fmt="csv",                       # "csv" | "xlsx"
        encoding="cp932",                # "utf-8-sig" (UTF-8 with BOM) | "cp932" (Shift_JIS)
        columns=["family_name", "given_name", "postal_code", "address1"],  # None: all
        ids=[12, 7, 99],                 # these rows, in this order …
        # queryset=Person.objects.filter(...).order_by("family_name_kana"),  # … or these
        unencodable="replace",           # "error" (default) | "replace" (writes 〓)
        progress=callback,               # optional: called with the rows written so far
    )
    result.rows, result.columns, result.replaced

Give exactly one of ``ids`` (kept in the given order; ids that no longer exist are skipped)
or ``queryset`` (a queryset of the target's model, already filtered and ordered). Column
names are the import field names (``export_columns(target=...)`` lists them with their
Japanese headers; ``custom.<key>`` for custom fields); headers are the Japanese labels the
importer recognises, so an exported file re-imports onto the same fields. Rows are read in
chunks (server-side cursor, or 2,000 ids at a time), so memory does not grow with the export.

Long exports run as a job (``export_start`` → kind ``export``, the file kept in Django's
default storage under ``exports/<job id>/``); short ones stream from the request
(``export_stream``).
"""

from __future__ import annotations

import datetime
import os
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, BinaryIO

from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from api.core.errors import FieldErrors, ServiceError
from api.jobs.models import Job
from api.jobs.services import job_create
from importers.export.columns import ExportColumn, export_columns_pick
from importers.export.writers import (
    BATCH,
    ENCODINGS,
    FORMATS,
    UNENCODABLE,
    CsvSink,
    RowSink,
    XlsxSink,
)
from importers.services.targets import target_get

ID_CHUNK = 2000
# A direct download (GET exports/people.csv) holds at most this many rows; more is a job.
STREAM_MAX_ROWS = 50_000
STREAM_BLOCK = 1 << 16
CONTENT_TYPES = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass(frozen=True)
class ExportResult:
    rows: int
    columns: list[str]
    replaced: int


def export_options_check(*, target: str, fmt: str, encoding: str, unencodable: str) -> None:
    """Refuse unknown options with the field to fix."""
    errors: dict[str, list[str]] = {}
    try:
        target_get(target)
    except KeyError as exc:
        errors["target"] = [str(exc.args[0])]
    if fmt not in FORMATS:
        errors["format"] = [f"'{fmt}' is not a format; choose {' or '.join(FORMATS)}"]
    if encoding not in ENCODINGS:
        errors["encoding"] = [f"'{encoding}' is not offered; choose {' or '.join(ENCODINGS)}"]
    if unencodable not in UNENCODABLE:
        errors["unencodable"] = [f"choose {' or '.join(UNENCODABLE)}"]
    if errors:
        raise FieldErrors(errors)


def _rows_of_queryset(queryset: QuerySet, columns: list[ExportColumn]) -> Iterator[list[str]]:
    aliases = {f"c{index}": column.expression for index, column in enumerate(columns)}
    formats = [(f"c{index}", column.format) for index, column in enumerate(columns)]
    for values in queryset.values(**aliases).iterator(chunk_size=BATCH):
        yield [fmt(values[alias]) for alias, fmt in formats]


def _rows_of_ids(
    model: Any, ids: Sequence[int], columns: list[ExportColumn]
) -> Iterator[list[str]]:
    aliases = {f"c{index}": column.expression for index, column in enumerate(columns)}
    formats = [(f"c{index}", column.format) for index, column in enumerate(columns)]
    for start in range(0, len(ids), ID_CHUNK):
        chunk = [int(pk) for pk in ids[start : start + ID_CHUNK]]
        found = {
            values["row_pk"]: values
            for values in model.objects.filter(pk__in=chunk)
            .order_by()
            .values(row_pk=F("pk"), **aliases)
        }
        for pk in chunk:
            values = found.get(pk)
            if values is not None:
                yield [fmt(values[alias]) for alias, fmt in formats]


def export_write(
    *,
    target: str,
    out: BinaryIO,
    fmt: str = "csv",
    encoding: str = "utf-8-sig",
    columns: Sequence[str] | None = None,
    queryset: QuerySet | None = None,
    ids: Sequence[int] | None = None,
    unencodable: str = "error",
    progress: Callable[[int], None] | None = None,
) -> ExportResult:
    """Write the rows of ``queryset`` (or ``ids``, in that order) to ``out``; see the module
    docstring. Raises ServiceError naming row, column and character when a CP932 export
    meets a character CP932 lacks and ``unencodable`` is "error"."""
    export_options_check(target=target, fmt=fmt, encoding=encoding, unencodable=unencodable)
    if (queryset is None) == (ids is None):
        raise ValueError("give exactly one of queryset or ids")
    spec = target_get(target)
    picked = export_columns_pick(target=target, names=list(columns or []))
    labels = [column.label for column in picked]
    sink: RowSink
    if fmt == "xlsx":
        sink = XlsxSink(out, title=spec.label)
    else:
        sink = CsvSink(out, encoding=encoding, unencodable=unencodable, labels=labels)
    sink.write_header(labels)
    rows = (
        _rows_of_ids(spec.model, ids, picked)
        if ids is not None
        else _rows_of_queryset(queryset, picked)  # type: ignore[arg-type]
    )
    written = 0
    batch: list[list[str]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == BATCH:
            sink.write_rows(batch, first_row=written + 2)
            written += len(batch)
            batch = []
            if progress is not None:
                progress(written)
    if batch:
        sink.write_rows(batch, first_row=written + 2)
        written += len(batch)
    sink.close()
    if progress is not None:
        progress(written)
    return ExportResult(
        rows=written, columns=[column.name for column in picked], replaced=sink.replaced
    )


def export_stream(
    *,
    target: str,
    fmt: str,
    queryset: QuerySet,
    columns: Sequence[str] | None,
    encoding: str,
    unencodable: str,
) -> Iterator[bytes]:
    """A small export for a direct download: written to a spooled file first, so a
    character CP932 lacks is a 400 before the response starts, then sent in blocks."""
    scratch = tempfile.SpooledTemporaryFile(max_size=16 << 20)  # noqa: SIM115 - closed below
    try:
        export_write(
            target=target,
            out=scratch,
            fmt=fmt,
            encoding=encoding,
            columns=columns,
            queryset=queryset,
            unencodable=unencodable,
        )
    except BaseException:
        scratch.close()
        raise
    scratch.seek(0)
    return _blocks(scratch)


def _blocks(scratch: Any) -> Iterator[bytes]:
    with scratch:
        while block := scratch.read(STREAM_BLOCK):
            yield block


def export_filename(*, target: str, fmt: str, at: datetime.datetime | None = None) -> str:
    """The name a download is offered under: people-20260105-0930.csv."""
    stamp = timezone.localtime(at or timezone.now()).strftime("%Y%m%d-%H%M")
    return f"{target}-{stamp}.{fmt}"


def export_start(
    *,
    user: Any,
    target: str,
    fmt: str,
    encoding: str,
    columns: list[str] | None,
    filters: dict[str, Any],
    ordering: list[str],
    unencodable: str,
    ids: list[int] | None = None,
) -> Job:
    """Queue an export job; its result names the stored file (see ``export_run``)."""
    export_options_check(target=target, fmt=fmt, encoding=encoding, unencodable=unencodable)
    export_columns_pick(target=target, names=columns)
    with transaction.atomic(durable=True):
        return job_create(
            kind="export",
            created_by=user,
            params={
                "target": target,
                "format": fmt,
                "encoding": encoding,
                "columns": columns or [],
                "filters": filters,
                "ordering": ordering,
                "unencodable": unencodable,
                "ids": ids,
            },
        )


def export_run(*, job: Job, progress: Any) -> dict[str, Any]:
    """The body of an export job: write to a temporary file, then store it.

    Re-running it (a redelivered task) writes the file again under the same name, so a
    retry leaves one file.
    """
    from importers.export.selectors import export_queryset

    params = job.params
    target, fmt = params["target"], params["format"]
    ids = params.get("ids")
    queryset = None
    if ids is None:
        queryset = export_queryset(
            target=target,
            filters=params["filters"],
            ordering=params["ordering"],
            user=job.created_by,
        )
        progress.set_total(queryset.count())
    else:
        progress.set_total(len(ids))
    # One fixed name per job: a redelivered job replaces its file instead of adding one.
    name = f"exports/{job.pk}/{target}.{fmt}"
    with tempfile.TemporaryFile() as scratch:
        result = export_write(
            target=target,
            out=scratch,
            fmt=fmt,
            encoding=params["encoding"],
            columns=params["columns"] or None,
            queryset=queryset,
            ids=ids,
            unencodable=params["unencodable"],
            progress=lambda done: progress.update(done),
        )
        scratch.seek(0)
        if default_storage.exists(name):
            default_storage.delete(name)
        stored = default_storage.save(name, File(scratch, name=os.path.basename(name)))
    return {
        "file": stored,
        "filename": export_filename(target=target, fmt=fmt, at=job.created_at),
        "content_type": CONTENT_TYPES[fmt],
        "rows": result.rows,
        "columns": result.columns,
        "replaced": result.replaced,
    }


def export_file_open(*, job: Job) -> tuple[BinaryIO, str, str]:
    """(file, download name, content type) of a finished export job."""
    if job.kind != "export" or job.state != Job.State.SUCCEEDED or not job.result.get("file"):
        raise ServiceError(f"job #{job.pk} is not a finished export", field="job")
    path = job.result["file"]
    if not default_storage.exists(path):
        raise ServiceError("the exported file is no longer stored; export again", field="job")
    return default_storage.open(path, "rb"), job.result["filename"], job.result["content_type"]

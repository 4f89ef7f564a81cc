"""The errors file (errors.csv): each failing original row with its messages."""

from __future__ import annotations

import io
from collections.abc import Iterator

from django.db import connection

from api.core.errors import Conflict
from importers.export.writers import CsvSink
from importers.models import ImportJob
from importers.readers import (
    Sniffed,
    read_chunks,
)
from importers.services.imports import local_file
from importers.staging import (
    json_value,
    plan_table,
    stage_exists,
    stage_table,
)


def _error_messages(record: ImportJob) -> dict[int, str]:
    """Row → its messages, for the rows whose action is error."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT s.row_no, coalesce(s.errors, '[]'::jsonb) || coalesce(p.db_errors, "
            f"'[]'::jsonb) FROM {stage_table(record.pk)} s JOIN {plan_table(record.pk)} p "
            f"USING (row_no) WHERE p.action = 'error' ORDER BY s.row_no"
        )
        out = {}
        for row_no, raw in cursor.fetchall():
            items = json_value(raw)
            out[row_no] = " / ".join(
                (f"{e['column']}: " if e.get("column") else "")
                + e["message"]
                + (f" (→ {e['suggestion']})" if e.get("suggestion") else "")
                for e in items
            )
        return out


ERRORS_HEADER = "エラー内容"


def import_errors_iter(*, record: ImportJob) -> Iterator[bytes]:
    """The errors file, produced as it is sent: each failing row of the original file, its
    cells as they were, and its messages, in the file's own encoding (an .xlsx upload gets
    UTF-8 with BOM) and delimiter, so the user fixes those rows and uploads only them."""
    if record.state == ImportJob.State.PREVIEWING or not stage_exists(import_id=record.pk):
        raise Conflict("the import has no previewed rows", field="state")
    messages = _error_messages(record)
    header = [*record.header, ERRORS_HEADER]
    buffer = io.BytesIO()
    sink = CsvSink(
        buffer,
        encoding=record.encoding or "utf-8-sig",
        unencodable="replace",
        labels=header,
        delimiter=record.delimiter or ",",
    )
    sink.write_header(header)
    return _errors_rows(record, messages, sink, buffer)


def _errors_rows(
    record: ImportJob, messages: dict[int, str], sink: CsvSink, buffer: io.BytesIO
) -> Iterator[bytes]:
    yield _drain(buffer)
    if not messages:
        return
    sniffed = Sniffed(
        record.file_kind or "csv",
        record.encoding or None,
        record.delimiter or ",",
        list(record.header),
        None,
    )
    # The careful reader when the preview needed it: the same rows, the same numbers.
    careful = bool(record.counts.get("careful"))
    with local_file(record) as path:
        for chunk in read_chunks(path, sniffed, careful=careful):
            rows = [
                ["" if v is None else str(v) for v in chunk.frame.iloc[i].tolist()]
                + [messages[int(row)]]
                for i, row in enumerate(chunk.rows)
                if int(row) in messages
            ]
            if rows:
                sink.write_rows(rows, first_row=0)
                yield _drain(buffer)


def _drain(buffer: io.BytesIO) -> bytes:
    data = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return data

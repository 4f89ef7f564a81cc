"""Recording responses (選択セット応答登録): one at a time, or a whole CSV at once."""

from __future__ import annotations

import csv
import datetime
import io
from typing import Any

from django.db import connection, transaction
from django.db.models import Q

from api.core.errors import FieldErrors
from api.people.models import Person
from mailing.models import Mailing, MailingRecipient, MailingResponse, ResponseType

PERSON = Person._meta.db_table
RECIPIENT = MailingRecipient._meta.db_table
RESPONSE = MailingResponse._meta.db_table
RESPONSE_TYPE = ResponseType._meta.db_table

# Header names accepted for each column (English field name or the Japanese label).
HEADERS = {
    "person_id": ("person_id", "person", "個人ID", "ID", "id"),
    "external_code": ("external_code", "外部コード", "コード"),
    "type": ("type", "response", "応答", "応答種別"),
    "responded_on": ("responded_on", "応答日"),
    "note": ("note", "メモ", "備考"),
}
MAX_REPORTED_ERRORS = 100


def response_type_get(*, value: str, field: str = "type") -> ResponseType:
    found = ResponseType.objects.filter(Q(code=value) | Q(name=value), is_active=True).first()
    if found is None:
        known = ", ".join(
            ResponseType.objects.filter(is_active=True).values_list("code", flat=True)
        )
        raise FieldErrors({field: [f"unknown response type '{value}' (known: {known})"]})
    return found


def mailing_response_record(
    *,
    mailing: Mailing,
    person_id: int,
    response_type: str,
    user: Any,
    responded_on: datetime.date | None = None,
    note: str = "",
) -> tuple[MailingResponse, bool]:
    """Record one response of a recipient; recording the same type again updates it."""
    kind = response_type_get(value=response_type)
    recipient = MailingRecipient.objects.filter(mailing=mailing, person_id=person_id).first()
    if recipient is None:
        raise FieldErrors({"person": [f"person {person_id} is not a recipient of this mailing"]})
    with transaction.atomic(durable=True):
        response, created = MailingResponse.objects.update_or_create(
            recipient=recipient,
            response_type=kind,
            defaults={"responded_on": responded_on, "note": note},
            create_defaults={
                "mailing": mailing,
                "person_id": person_id,
                "responded_on": responded_on,
                "note": note,
                "created_by": user if user.pk else None,
            },
        )
    return response, created


def mailing_response_delete(*, response: MailingResponse) -> None:
    with transaction.atomic(durable=True):
        response.delete()


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp932")
    except UnicodeDecodeError as exc:
        raise FieldErrors({"file": ["the file is neither UTF-8 nor Shift_JIS (CP932)"]}) from exc


def _columns(header: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, raw in enumerate(header):
        name = raw.strip()
        for column, names in HEADERS.items():
            if name in names and column not in found:
                found[column] = index
    if "person_id" not in found and "external_code" not in found:
        raise FieldErrors(
            {
                "file": [
                    "the first line must name a person column: person_id (個人ID) or external_code "
                    f"(外部コード); found: {', '.join(header) or '(empty)'}"
                ]
            }
        )
    return found


def _date(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text.strip().replace("/", "-"))


def _parse(text: str, default_type: str | None) -> tuple[list[tuple[Any, ...]], list[str]]:
    """(rows for COPY, errors) from the CSV text: line, person id, external code, type,
    date, note."""
    reader = csv.reader(io.StringIO(text))
    header = next(reader, [])
    columns = _columns(header)
    if "type" not in columns and not default_type:
        raise FieldErrors({"type": ["give a type for every row, or a type column in the file"]})
    rows: list[tuple[Any, ...]] = []
    errors: list[str] = []

    def cell(record: list[str], column: str) -> str:
        index = columns.get(column)
        return record[index].strip() if index is not None and index < len(record) else ""

    for line, record in enumerate(reader, start=2):
        if not any(value.strip() for value in record):
            continue
        person_id: int | None = None
        raw_id = cell(record, "person_id")
        if raw_id:
            if not raw_id.isdigit():
                errors.append(f"line {line}: person id '{raw_id}' is not a number")
                continue
            person_id = int(raw_id)
        code = cell(record, "external_code") or None
        if person_id is None and code is None:
            errors.append(f"line {line}: no person id or external code")
            continue
        raw_date = cell(record, "responded_on")
        try:
            responded_on = _date(raw_date) if raw_date else None
        except ValueError:
            errors.append(f"line {line}: '{raw_date}' is not a date such as 2026-01-15")
            continue
        kind = cell(record, "type") or default_type or ""
        rows.append((line, person_id, code, kind, responded_on, cell(record, "note")))
    return rows, errors


def mailing_responses_import(
    *, mailing: Mailing, data: bytes, user: Any, default_type: str | None = None
) -> dict[str, int]:
    """Record the responses listed in a CSV, all or nothing.

    Steps:
    1. decode (UTF-8, with or without BOM, else Shift_JIS) and parse; the header names a
       person column (``person_id``/個人ID or ``external_code``/外部コード) and optionally
       ``type``/応答 (code or name; else ``default_type`` for every row), ``responded_on``/応答日
       and ``note``/メモ;
    2. COPY the rows into a temporary table and resolve people, recipients and types by joins;
    3. any line naming an unknown person, a non-recipient or an unknown type is reported with
       its line number, and nothing is written;
    4. one INSERT … SELECT … ON CONFLICT upsert (the last line wins for the same recipient and
       type), so importing the same file again changes nothing.
    """
    if default_type:
        response_type_get(value=default_type, field="type")
    rows, errors = _parse(_decode(data), default_type)
    if errors:
        raise FieldErrors({"file": errors[:MAX_REPORTED_ERRORS]})
    if not rows:
        raise FieldErrors({"file": ["the file has no rows"]})
    with transaction.atomic(durable=True), connection.cursor() as cursor:
        # ON COMMIT DROP cleans up; the DROP covers a test's never-committed transaction.
        cursor.execute("DROP TABLE IF EXISTS pg_temp.response_import")
        cursor.execute(
            "CREATE TEMPORARY TABLE response_import (line int, person_id bigint, "
            "external_code text, type text, responded_on date, note text, type_id bigint, "
            "recipient_id bigint) ON COMMIT DROP"
        )
        with cursor.copy(
            "COPY response_import (line, person_id, external_code, type, responded_on, note) "
            "FROM STDIN"
        ) as copy:
            for row in rows:
                copy.write_row(row)
        # People by external code, then recipients, then types by code and else by name.
        for statement in (
            f"UPDATE response_import t SET person_id = p.id FROM {PERSON} p "
            "WHERE t.person_id IS NULL AND p.external_code = t.external_code",
            f"UPDATE response_import t SET recipient_id = r.id FROM {RECIPIENT} r "
            "WHERE r.mailing_id = %(m)s AND r.person_id = t.person_id",
            f"UPDATE response_import t SET type_id = rt.id FROM {RESPONSE_TYPE} rt "
            "WHERE rt.is_active AND rt.code = t.type",
            f"UPDATE response_import t SET type_id = rt.id FROM {RESPONSE_TYPE} rt "
            "WHERE t.type_id IS NULL AND rt.is_active AND rt.name = t.type",
        ):
            cursor.execute(statement, {"m": mailing.pk} if "%(m)s" in statement else None)
        cursor.execute(
            """
            SELECT line, CASE
                WHEN person_id IS NULL THEN 'unknown external code ''' || external_code || ''''
                WHEN recipient_id IS NULL THEN 'person ' || person_id || ' is not a recipient'
                ELSE 'unknown response type ''' || type || '''' END
            FROM response_import
            WHERE recipient_id IS NULL OR type_id IS NULL
            ORDER BY line LIMIT %s
            """,
            (MAX_REPORTED_ERRORS,),
        )
        problems = [f"line {line}: {message}" for line, message in cursor.fetchall()]
        if problems:
            raise FieldErrors({"file": problems})
        cursor.execute(
            f"""
            WITH written AS (
                INSERT INTO {RESPONSE} AS x (mailing_id, recipient_id, person_id,
                    response_type_id, responded_on, note, created_by_id, created_at)
                SELECT DISTINCT ON (recipient_id, type_id)
                       %(m)s, recipient_id, person_id, type_id, responded_on, note, %(u)s, now()
                FROM response_import
                ORDER BY recipient_id, type_id, line DESC
                ON CONFLICT (recipient_id, response_type_id) DO UPDATE
                SET responded_on = coalesce(EXCLUDED.responded_on, x.responded_on),
                    note = CASE WHEN EXCLUDED.note <> '' THEN EXCLUDED.note ELSE x.note END
                RETURNING (x.xmax = 0) AS created
            )
            SELECT count(*) FILTER (WHERE created), count(*) FILTER (WHERE NOT created)
            FROM written
            """,
            {"m": mailing.pk, "u": user.pk if user.pk else None},
        )
        created, updated = cursor.fetchone()
    return {"rows": len(rows), "created": created, "updated": updated}

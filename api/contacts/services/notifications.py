"""Reports (報告): in-app notifications of a record to its recipients, and their e-mail.

Idempotency lives in the database: a Notification row is unique per (record, recipient), and
rows are written with ``ON CONFLICT DO NOTHING RETURNING id``. The ids returned are exactly the
recipients never notified of this record before — those, and only those, are reported, however
often the record is saved, and whichever of two racing saves wins.
"""

from __future__ import annotations

import smtplib
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import connection, transaction
from django.utils import timezone

from api.contacts.models import ContactRecord, Notification
from api.masters.models import Employee

# Worth another try later: the server was unreachable or hung up, not a refused message.
TRANSIENT_EMAIL_ERRORS = (
    smtplib.SMTPConnectError,
    smtplib.SMTPServerDisconnected,
    ConnectionError,
    TimeoutError,
)


def notifications_create_for_record(*, record: ContactRecord) -> list[int]:
    """Notify the record's report recipients who were not notified of it before (inside the
    caller's transaction); the author is never reported their own record. Returns the new
    notification ids; their e-mails are queued after commit when e-mail is configured."""
    report_to = ContactRecord.report_to.through._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {Notification._meta.db_table} (record_id, recipient_id, created_at)
            SELECT r.contactrecord_id, e.user_id, now()
            FROM {report_to} r JOIN {Employee._meta.db_table} e ON e.id = r.employee_id
            WHERE r.contactrecord_id = %s AND e.id <> %s
            ON CONFLICT (record_id, recipient_id) DO NOTHING
            RETURNING id
            """,
            [record.pk, record.author_id],
        )
        ids = [row[0] for row in cursor.fetchall()]
    if ids and settings.EMAIL_HOST:
        transaction.on_commit(lambda: _publish_emails(notification_ids=ids))
    return ids


def _publish_emails(*, notification_ids: list[int]) -> None:
    from workers.tasks.contacts import email_notifications

    email_notifications.delay(notification_ids)


def notification_mark_read(*, notification: Notification, read: bool = True) -> Notification:
    notification.read_at = timezone.now() if read else None
    notification.save(update_fields=["read_at"])
    return notification


def notifications_mark_all_read(*, user: Any) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def notification_emails_send(*, notification_ids: list[int]) -> int:
    """E-mail each notification at most once. Each is claimed (``emailed_at`` set and
    committed) before SMTP, so a redelivered task skips it; a transient SMTP failure releases
    the claim and re-raises for the task's retry. Returns how many were sent."""
    sent = 0
    pending = (
        Notification.objects.filter(pk__in=notification_ids, emailed_at__isnull=True)
        .select_related(
            "recipient",
            "recipient__employee",
            "record__author",
            "record__company",
            "record__method",
            "record__result",
            "record__summary",
        )
        .order_by("pk")
    )
    for notification in pending:
        claimed = Notification.objects.filter(pk=notification.pk, emailed_at__isnull=True).update(
            emailed_at=timezone.now()
        )
        address = _address(notification.recipient)
        if not claimed or not address:
            continue
        subject, body = _compose(notification.record)
        try:
            send_mail(subject, body, None, [address])
        except TRANSIENT_EMAIL_ERRORS:
            Notification.objects.filter(pk=notification.pk).update(emailed_at=None)
            raise
        sent += 1
    return sent


def _address(user: Any) -> str:
    employee = getattr(user, "employee", None)
    return (employee.email if employee is not None else "") or user.email


def _compose(record: ContactRecord) -> tuple[str, str]:
    local = timezone.localtime(record.started_at)
    customer = record.company.name if record.company else "(個人)"
    summary = " ".join(
        part
        for part in (record.summary.name if record.summary else None, record.summary_text)
        if part
    )
    subject = f"【報告】{customer} {record.method.name} {local:%Y-%m-%d} ({record.author.name})"
    lines = [
        f"記録者: {record.author.name}",
        f"日時: {local:%Y-%m-%d %H:%M}",
        f"顧客: {customer}",
        f"対応形態: {record.method.name}",
        f"結果: {record.result.name if record.result else ''}",
        f"内容概略: {summary}",
        "",
        record.content,
        "",
        f"記録ID: {record.pk}",
    ]
    return subject, "\n".join(lines)

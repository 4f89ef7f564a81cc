"""What comes back from recipients: unsubscribes (one-click and by link), bounces (SMTP
refusals, the bounce mailbox, a provider's webhook) and, when a mailing tracks them, opens
and clicks.

Opt-out takes effect at once: the person is flagged, their queued e-mails in every mailing
are cancelled now, and a recipient already claimed by a worker is refused by the check
read just before its message's final dot (services.lane).
"""

from __future__ import annotations

import logging
import re
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q

from api.core.errors import ServiceError
from api.jobs.models import Job
from api.jobs.services import job_create
from api.people.models import Person
from mailing.email.bounces import (
    BounceReport,
    bounce_parse,
    mailbox_messages,
    mailbox_waiting,
)
from mailing.email.models import EmailBounce, EmailEvent, EmailMailing, EmailUnsubscribe
from mailing.email.tokens import token_recipient, verp_token
from mailing.models import Mailing, MailingRecipient

log = logging.getLogger(__name__)

R = MailingRecipient._meta.db_table
M = Mailing._meta.db_table
P = Person._meta.db_table
OPTED_OUT = "cancelled: the person opted out of e-mail"
# Permanent failures that say the address itself is wrong (RFC 3463): bad mailbox, bad
# domain, bad syntax, no MX, mailbox disabled. Other permanent failures (5.7.x policy, spam
# blocks, 5.2.2 mailbox full) say nothing against the address.
ADDRESS_STATUS = re.compile(r"^5\.(1\.\d+|2\.1)$")
ADDRESS_CODES = (550, 551, 553)


def bounce_kind(*, status: str, code: int) -> str:
    if status:
        if ADDRESS_STATUS.match(status):
            return EmailBounce.Kind.HARD
        return EmailBounce.Kind.SOFT
    return EmailBounce.Kind.HARD if code in ADDRESS_CODES else EmailBounce.Kind.SOFT


def _cancel_queued(cursor: Any, person_id: int, reason: str) -> int:
    cursor.execute(
        f"UPDATE {R} r SET state = 'cancelled', error = %s, updated_at = now() FROM {M} m "
        "WHERE r.person_id = %s AND r.state = 'queued' AND m.id = r.mailing_id "
        "AND m.channel = 'email'",
        [reason, person_id],
    )
    return cursor.rowcount


def email_unsubscribe(*, token: str, method: str) -> EmailUnsubscribe | None:
    """Stop e-mail to the person a message was sent to. Repeating it changes nothing.
    Returns None for the token of a test message (it names no recipient)."""
    recipient_id = token_recipient(token)
    if recipient_id is None:
        raise ServiceError("this unsubscribe link is not valid", field="token", code="not_found")
    if recipient_id == 0:
        return None
    with transaction.atomic(durable=True):
        recipient = MailingRecipient.objects.filter(pk=recipient_id).first()
        if recipient is None:
            raise ServiceError(
                "this unsubscribe link is no longer valid", field="token", code="not_found"
            )
        unsubscribe, _ = EmailUnsubscribe.objects.get_or_create(
            recipient=recipient,
            defaults={"person_id": recipient.person_id, "email": recipient.email, "method": method},
        )
        Person.objects.filter(pk=recipient.person_id, opt_out_email=False).update(
            opt_out_email=True
        )
        with connection.cursor() as cursor:
            _cancel_queued(cursor, recipient.person_id, OPTED_OUT)
    return unsubscribe


def email_bounce_record(
    *,
    recipient_id: int,
    email: str,
    status: str,
    diagnostic: str,
    source: str,
    reference: str,
    kind: str | None = None,
    code: int = 0,
) -> EmailBounce | None:
    """Record a bounce once (None when this report was recorded before).

    1. the report is stored, classified hard / soft / complaint;
    2. a hard bounce fails the recipient (a message thought sent came back) and marks the
       person's address invalid, if it is still the address that bounced — later queries
       and mailings leave the person out;
    3. a complaint ("this is spam") unsubscribes the person.
    """
    kind = kind or bounce_kind(status=status, code=code)
    with transaction.atomic(durable=True):
        recipient = MailingRecipient.objects.filter(pk=recipient_id).first()
        if recipient is None:
            return None
        email = email or recipient.email
        bounce, created = EmailBounce.objects.get_or_create(
            recipient=recipient,
            source=source,
            reference=reference,
            defaults={
                "person_id": recipient.person_id,
                "email": email,
                "kind": kind,
                "status": status[:20],
                "diagnostic": diagnostic,
            },
        )
        if not created:
            return None
        if kind == EmailBounce.Kind.HARD:
            MailingRecipient.objects.filter(
                pk=recipient.pk, state=MailingRecipient.State.SENT
            ).update(state=MailingRecipient.State.FAILED, error=f"bounced: {diagnostic or status}")
            address = email.lower()
            Person.objects.filter(pk=recipient.person_id, email_invalid=False).filter(
                Q(email__iexact=address) | Q(mobile_email__iexact=address)
            ).update(email_invalid=True)
        elif kind == EmailBounce.Kind.COMPLAINT:
            Person.objects.filter(pk=recipient.person_id).update(opt_out_email=True)
            with connection.cursor() as cursor:
                _cancel_queued(cursor, recipient.person_id, OPTED_OUT)
    return bounce


def _report_recipient(report: BounceReport) -> int | None:
    if report.recipient_id is not None:
        return report.recipient_id
    mailing_id, recipient_id = report.message_ref
    exists = MailingRecipient.objects.filter(pk=recipient_id, mailing_id=mailing_id).exists()
    return recipient_id if exists else None


def email_bounce_mailbox_job(
    *, created_by: Any = None, only_when_waiting: bool = False
) -> Job | None:
    """A job reading the bounce mailbox (MEIBO_EMAIL_BOUNCE_MAILBOX), or the one already
    queued or running. With ``only_when_waiting`` — beat's periodic look — None unless the
    mailbox may hold something new, so the dashboard is not filled with empty runs."""
    path = settings.MEIBO_EMAIL_BOUNCE_MAILBOX
    if not path:
        raise ServiceError("no bounce mailbox is configured (MEIBO_EMAIL_BOUNCE_MAILBOX)")
    jobs = Job.objects.filter(kind="email_bounces")
    busy = jobs.filter(state__in=[Job.State.QUEUED, Job.State.RUNNING]).first()
    if busy is not None:
        return busy
    if only_when_waiting:
        last = jobs.filter(state=Job.State.SUCCEEDED).order_by("-started_at").first()
        try:
            waiting = mailbox_waiting(path, since=last.started_at if last else None)
        except FileNotFoundError:
            log.warning("bounce mailbox %s does not exist", path)
            return None
        if not waiting:
            return None
    return job_create(kind="email_bounces", params={"path": path}, created_by=created_by)


def email_bounce_mailbox_process(*, path: str, progress: Any = None) -> dict[str, int]:
    """Read the bounce mailbox (a Maildir directory or an mbox file) and record each
    bounce. Messages that are not bounces are counted and left alone; processing the
    same mailbox again records nothing twice."""
    counts = {"recorded": 0, "duplicates": 0, "delayed": 0, "ignored": 0}
    try:
        messages = list(mailbox_messages(path))
    except FileNotFoundError as exc:
        raise ServiceError(f"no mailbox at {path}", field="path") from exc
    if progress is not None:
        progress.set_total(len(messages))
    for data, done in messages:
        report = bounce_parse(data)
        recipient_id = _report_recipient(report) if report else None
        if report is None or recipient_id is None:
            counts["ignored"] += 1
        elif report.delayed:
            counts["delayed"] += 1
        else:
            bounce = email_bounce_record(
                recipient_id=recipient_id,
                email=report.email,
                status=report.status,
                code=report.code,
                diagnostic=report.diagnostic,
                source=EmailBounce.Source.MAILBOX,
                reference=report.reference,
            )
            counts["recorded" if bounce else "duplicates"] += 1
        done()
        if progress is not None:
            progress.advance()
    return counts


def email_bounces_webhook(*, events: list[dict[str, Any]]) -> dict[str, int]:
    """Record the events a sending provider posts. Each names the recipient by its VERP
    address or token (``recipient``) and gives ``type`` (hard, soft, complaint),
    ``status``, ``diagnostic`` and its own ``id``; an event naming nobody we know is counted,
    not refused, so that the provider does not retry it forever."""
    counts = {"recorded": 0, "duplicates": 0, "unknown": 0}
    for event in events:
        name = str(event.get("recipient", ""))
        recipient_id = verp_token(name) if "@" in name else token_recipient(name)
        if not recipient_id:
            counts["unknown"] += 1
            continue
        bounce = email_bounce_record(
            recipient_id=recipient_id,
            email=str(event.get("email", "")),
            status=str(event.get("status", "")),
            diagnostic=str(event.get("diagnostic", ""))[:2000],
            kind=event.get("type"),
            source=EmailBounce.Source.WEBHOOK,
            reference=str(event.get("id", ""))[:250],
        )
        if bounce is None and not MailingRecipient.objects.filter(pk=recipient_id).exists():
            counts["unknown"] += 1
        else:
            counts["recorded" if bounce else "duplicates"] += 1
    return counts


def email_event_record(*, token: str, kind: str, link: int = -1) -> str | None:
    """Record an open or a click when the recipient's mailing tracks it; for a click,
    returns the link's URL (None: no such link). Only the first of each is stored."""
    recipient_id = token_recipient(token)
    if not recipient_id:
        return None
    row = MailingRecipient.objects.filter(pk=recipient_id).values("person_id", "mailing_id").first()
    email = (
        EmailMailing.objects.filter(mailing_id=row["mailing_id"])
        .select_related("template_version")
        .first()
        if row
        else None
    )
    if email is None:
        return None
    url = None
    if kind == EmailEvent.Kind.CLICK:
        links = email.template_version.links
        if not 0 <= link < len(links):
            return None
        url = links[link]
    tracked = email.track_clicks if kind == EmailEvent.Kind.CLICK else email.track_opens
    if tracked:
        EmailEvent.objects.bulk_create(
            [
                EmailEvent(
                    recipient_id=recipient_id,
                    person_id=row["person_id"],
                    kind=kind,
                    link=link if kind == EmailEvent.Kind.CLICK else -1,
                )
            ],
            ignore_conflicts=True,
        )
    return url

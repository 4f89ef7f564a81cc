"""A mailing on the e-mail channel: its settings, and start (now or at a scheduled time),
pause, resume and cancel.

States (Mailing.State): ready (prepared, not started or scheduled) → running → done; running
⇄ paused; ready, running or paused → cancelled. A start is a job (``email_dispatch``) on the
``mail`` queue; a scheduled start is the same job with ``scheduled_for``, published by beat
when due.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from api.core import normalise
from api.core.errors import Conflict, FieldErrors, ServiceError
from api.jobs.models import Job
from api.jobs.services import job_create
from mailing.email.models import EmailMailing, EmailTemplate
from mailing.email.services.batches import UNCONFIRMED, batches_recover
from mailing.email.services.relay import server_config
from mailing.models import Mailing, MailingRecipient

# Fields that make the message: frozen once the first message has gone out.
CONTENT = (
    "template_version",
    "from_name",
    "from_address",
    "reply_to",
    "charset",
    "track_opens",
    "track_clicks",
)
RATES = ("rate_per_second", "rate_per_hour", "domain_rates", "domain_rate_default")
CLOSED = (Mailing.State.DONE, Mailing.State.CANCELLED, Mailing.State.FAILED)
CANCELLED_BY_STAFF = "cancelled: the mailing was cancelled"


def _email_mailing(mailing: Mailing) -> None:
    if mailing.channel != Mailing.Channel.EMAIL:
        raise ServiceError(
            f"mailing #{mailing.pk} is on the {mailing.get_channel_display()} channel, not e-mail",
            field="mailing",
            code="wrong_channel",
        )


def _address(value: str, field: str) -> str:
    try:
        address = normalise.email(value)
    except normalise.NormaliseError as exc:
        raise FieldErrors({field: [str(exc)]}) from exc
    if not address:
        raise FieldErrors({field: ["an address is required"]})
    return address


def _domain_rates(rates: Any) -> dict[str, int]:
    if not isinstance(rates, dict):
        raise FieldErrors({"domain_rates": ['give {"domain": messages per minute, …}']})
    clean: dict[str, int] = {}
    for domain, rate in rates.items():
        name = str(domain).strip().lower()
        if not name or "@" in name or "." not in name:
            raise FieldErrors(
                {"domain_rates": [f"'{domain}' is not a domain such as docomo.ne.jp"]}
            )
        if not isinstance(rate, int) or isinstance(rate, bool) or rate < 1:
            raise FieldErrors(
                {"domain_rates": [f"{domain}: give a whole number of messages per minute ≥ 1"]}
            )
        clean[name] = rate
    return clean


def email_settings_save(*, mailing: Mailing, data: dict[str, Any], user: Any) -> EmailMailing:
    """Create or change the e-mail settings of a mailing.

    ``template`` (its current version is taken and frozen) or ``template_version``; the
    message fields change only until the first message has gone out, the rates at any time,
    the scheduled start while the mailing is not running."""
    _email_mailing(mailing)
    data = dict(data)
    if "template" in data:
        template: EmailTemplate = data.pop("template")
        data["template_version"] = template.versions.order_by("-number").first()
    for field in ("from_address", "reply_to"):
        if data.get(field):
            data[field] = _address(data[field], field)
    if "domain_rates" in data:
        data["domain_rates"] = _domain_rates(data["domain_rates"])
    with transaction.atomic(durable=True):
        mailing = Mailing.objects.select_for_update().get(pk=mailing.pk)
        if mailing.state in CLOSED:
            raise Conflict(
                f"mailing #{mailing.pk} is {mailing.get_state_display()}; it cannot change"
            )
        email = EmailMailing.objects.filter(mailing=mailing).first()
        if email is None:
            if not data.get("template_version"):
                raise FieldErrors({"template": ["choose the template to send"]})
            data.setdefault("from_address", settings.DEFAULT_FROM_EMAIL)
            email = EmailMailing(mailing=mailing, created_by=user if user.pk else None)
        changed = [f for f in CONTENT if f in data and data[f] != getattr(email, f)]
        if changed and email.started_at is not None:
            raise Conflict(
                "the first messages have gone out; what they say can no longer change: "
                + ", ".join(changed),
                field=changed[0],
            )
        rescheduled = data.get("scheduled_start", email.scheduled_start) != email.scheduled_start
        if rescheduled and (mailing.state == Mailing.State.RUNNING or _active_job(email)):
            raise Conflict(
                "the mailing is started or scheduled; pause it first to schedule it again",
                field="scheduled_start",
            )
        for field, value in data.items():
            setattr(email, field, value)
        email.save()
    return email


def _active_job(email: EmailMailing) -> Job | None:
    if email.job_id is None:
        return None
    return Job.objects.filter(
        pk=email.job_id, state__in=[Job.State.QUEUED, Job.State.RUNNING]
    ).first()


def email_mailing_start(*, mailing: Mailing, user: Any, at: datetime | None = None) -> EmailMailing:
    """Start sending now, or at ``at`` / the settings' scheduled start when in the future
    (a job scheduled for then; the mailing stays ready until it runs)."""
    _email_mailing(mailing)
    server_config()
    with transaction.atomic(durable=True):
        mailing = Mailing.objects.select_for_update().get(pk=mailing.pk)
        email = EmailMailing.objects.select_for_update().filter(mailing=mailing).first()
        if email is None:
            raise ServiceError("set up the e-mail first (template, sender)", field="template")
        if mailing.state not in (Mailing.State.READY, Mailing.State.PAUSED):
            raise Conflict(
                f"mailing #{mailing.pk} is {mailing.get_state_display()}; only a ready or "
                "paused mailing starts"
            )
        if _active_job(email) is not None:
            raise Conflict(f"mailing #{mailing.pk} is already scheduled (job #{email.job_id})")
        at = at or email.scheduled_start
        when = at if at is not None and at > timezone.now() else None
        job = job_create(
            kind="email_dispatch",
            params={"mailing_id": mailing.pk},
            created_by=user,
            scheduled_for=when,
            total=mailing.recipient_count,
        )
        email.job = job
        email.scheduled_start = at
        email.save(update_fields=["job", "scheduled_start", "updated_at"])
        mailing.scheduled_for = at
        mailing.save(update_fields=["scheduled_for", "updated_at"])
    return email


def email_mailing_pause(*, mailing: Mailing) -> Mailing:
    """Stop sending at the next message; what was not sent stays queued. A start that is
    still waiting for its time is withdrawn."""
    _email_mailing(mailing)
    with transaction.atomic(durable=True):
        mailing = Mailing.objects.select_for_update().get(pk=mailing.pk)
        email = EmailMailing.objects.filter(mailing=mailing).first()
        job = _active_job(email) if email else None
        if mailing.state == Mailing.State.READY and job is not None:
            Job.objects.filter(pk=job.pk).update(
                state=Job.State.CANCELLED, finished_at=timezone.now()
            )
        elif mailing.state != Mailing.State.RUNNING:
            raise Conflict(f"mailing #{mailing.pk} is {mailing.get_state_display()}, not sending")
        elif job is not None and job.state == Job.State.QUEUED:
            Job.objects.filter(pk=job.pk).update(
                state=Job.State.CANCELLED, finished_at=timezone.now()
            )
        mailing.state = Mailing.State.PAUSED
        mailing.save(update_fields=["state", "updated_at"])
    return mailing


def email_mailing_resume(*, mailing: Mailing, user: Any) -> EmailMailing:
    if mailing.state != Mailing.State.PAUSED:
        raise Conflict(f"mailing #{mailing.pk} is {mailing.get_state_display()}, not paused")
    return email_mailing_start(mailing=mailing, user=user, at=None)


def email_mailing_cancel(*, mailing: Mailing) -> dict[str, int]:
    """Cancel what is not sent yet: queued recipients now, those a worker holds at their
    next mark; the batches of dead workers are recovered at once. Returns the count
    cancelled now."""
    _email_mailing(mailing)
    with transaction.atomic(durable=True):
        mailing = Mailing.objects.select_for_update().get(pk=mailing.pk)
        if mailing.state in CLOSED:
            raise Conflict(f"mailing #{mailing.pk} is {mailing.get_state_display()} already")
        email = EmailMailing.objects.filter(mailing=mailing).first()
        job = _active_job(email) if email else None
        if job is not None:
            Job.objects.filter(pk=job.pk).update(
                state=Job.State.CANCELLED, finished_at=timezone.now()
            )
        mailing.state = Mailing.State.CANCELLED
        mailing.finished_at = timezone.now()
        mailing.save(update_fields=["state", "finished_at", "updated_at"])
        cancelled = MailingRecipient.objects.filter(
            mailing=mailing, state=MailingRecipient.State.QUEUED
        ).update(state=MailingRecipient.State.CANCELLED, error=CANCELLED_BY_STAFF)
    if email is not None:
        batches_recover(mailing_id=mailing.pk)
    return {"cancelled": cancelled}


def email_unconfirmed_resend(*, mailing: Mailing, user: Any) -> dict[str, int]:
    """Send the unconfirmed messages again (a person's decision: the server had them unless
    it refused them at that moment). They keep their Message-ID. The mailing runs again if
    it had finished."""
    _email_mailing(mailing)
    with transaction.atomic(durable=True):
        mailing = Mailing.objects.select_for_update().get(pk=mailing.pk)
        if mailing.state == Mailing.State.CANCELLED:
            raise Conflict(f"mailing #{mailing.pk} is cancelled")
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {MailingRecipient._meta.db_table} SET state = 'queued', error = '', "
                "message_id = '', sent_at = NULL, updated_at = now() "
                "WHERE mailing_id = %s AND state = 'sent' AND error = %s",
                [mailing.pk, UNCONFIRMED],
            )
            count = cursor.rowcount
        if count and mailing.state == Mailing.State.DONE:
            mailing.state = Mailing.State.PAUSED
            mailing.finished_at = None
            mailing.save(update_fields=["state", "finished_at", "updated_at"])
    if count and mailing.state == Mailing.State.PAUSED:
        email_mailing_start(mailing=mailing, user=user)
    return {"queued": count}

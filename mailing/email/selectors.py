"""Reads of mass e-mail: templates, a mailing's e-mail status, its unconfirmed recipients
and bounces."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet

from mailing.email.models import (
    EmailBounce,
    EmailDeferral,
    EmailEvent,
    EmailMailing,
    EmailTemplate,
    EmailTemplateVersion,
    EmailUnsubscribe,
)
from mailing.email.services.batches import UNCONFIRMED
from mailing.models import Mailing, MailingRecipient
from mailing.selectors import mailing_state_counts


def email_template_list() -> QuerySet[EmailTemplate]:
    return EmailTemplate.objects.select_related("created_by").annotate(
        version_count=Count("versions")
    )


def email_template_versions(*, template: EmailTemplate) -> QuerySet[EmailTemplateVersion]:
    return template.versions.select_related("created_by").order_by("-number")


def email_template_current(*, template: EmailTemplate) -> EmailTemplateVersion:
    return template.versions.order_by("-number").first()


def email_mailing_get(*, mailing: Mailing) -> EmailMailing | None:
    return (
        EmailMailing.objects.select_related("mailing", "template_version__template", "job")
        .filter(mailing=mailing)
        .first()
    )


def email_status(*, mailing: Mailing) -> dict[str, Any]:
    """Counts per recipient state, plus what e-mail adds: unconfirmed sends, retries
    waiting, bounces, unsubscribes, opens and clicks."""
    recipients = MailingRecipient.objects.filter(mailing=mailing)
    bounces = EmailBounce.objects.filter(recipient__mailing=mailing).aggregate(
        hard=Count("pk", filter=Q(kind=EmailBounce.Kind.HARD)),
        soft=Count("pk", filter=Q(kind=EmailBounce.Kind.SOFT)),
        complaint=Count("pk", filter=Q(kind=EmailBounce.Kind.COMPLAINT)),
    )
    events = EmailEvent.objects.filter(recipient__mailing=mailing).aggregate(
        opened=Count("recipient", filter=Q(kind=EmailEvent.Kind.OPEN), distinct=True),
        clicked=Count("recipient", filter=Q(kind=EmailEvent.Kind.CLICK), distinct=True),
    )
    return {
        "counts": mailing_state_counts(mailing=mailing),
        "unconfirmed": recipients.filter(
            state=MailingRecipient.State.SENT, error=UNCONFIRMED
        ).count(),
        "waiting_retry": EmailDeferral.objects.filter(
            recipient__mailing=mailing, recipient__state=MailingRecipient.State.QUEUED
        ).count(),
        "bounces": bounces,
        "unsubscribed": EmailUnsubscribe.objects.filter(recipient__mailing=mailing).count(),
        **events,
    }


def email_unconfirmed(*, mailing: Mailing) -> QuerySet[MailingRecipient]:
    return MailingRecipient.objects.filter(
        mailing=mailing, state=MailingRecipient.State.SENT, error=UNCONFIRMED
    ).order_by("id")


def email_bounces(*, mailing: Mailing) -> QuerySet[EmailBounce]:
    return (
        EmailBounce.objects.filter(recipient__mailing=mailing)
        .select_related("recipient")
        .order_by("-created_at", "-id")
    )

"""Reads of mailings: lists, recipients, exclusions, responses, counts per state."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, QuerySet

from mailing.models import Mailing, MailingExclusion, MailingRecipient, MailingResponse


def mailing_list(*, user: Any) -> QuerySet[Mailing]:
    return Mailing.objects.select_related("created_by", "job")


def mailing_state_counts(*, mailing: Mailing) -> dict[str, int]:
    counts = dict.fromkeys(MailingRecipient.State.values, 0)
    rows = (
        MailingRecipient.objects.filter(mailing=mailing)
        .values("state")
        .order_by()
        .annotate(n=Count("pk"))
    )
    for row in rows:
        counts[row["state"]] = row["n"]
    return counts


def mailing_recipients(*, mailing: Mailing, state: str | None = None) -> QuerySet:
    recipients = MailingRecipient.objects.filter(mailing=mailing)
    if state:
        recipients = recipients.filter(state=state)
    return recipients.order_by("id")


def mailing_exclusions(*, mailing: Mailing, reason: str | None = None) -> QuerySet:
    exclusions = MailingExclusion.objects.filter(mailing=mailing).select_related(
        "person", "kept_person"
    )
    if reason:
        exclusions = exclusions.filter(reason=reason)
    return exclusions.order_by("reason", "person_id")


def mailing_responses(*, mailing: Mailing) -> QuerySet[MailingResponse]:
    return (
        MailingResponse.objects.filter(mailing=mailing)
        .select_related("response_type", "recipient")
        .order_by("-created_at", "-id")
    )

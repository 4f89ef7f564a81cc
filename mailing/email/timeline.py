"""E-mail events in a person's history (people/{id}/history/): bounces, unsubscribes and,
when tracked, the first open and click. The mailing itself, its state and its time are
mailing.timeline's ``mailing`` entries (one recipient row per mailing)."""

from __future__ import annotations

from typing import Any

from api.people.models import Person
from api.people.timeline import TimelineEntry, timeline_source
from mailing.email.models import EmailBounce, EmailEvent, EmailUnsubscribe


@timeline_source("email_bounce")
def bounce_entries(*, person: Person, user: Any, limit: int) -> list[TimelineEntry]:
    rows = (
        EmailBounce.objects.filter(person=person)
        .select_related("recipient__mailing")
        .order_by("-created_at", "-id")[:limit]
    )
    return [
        TimelineEntry(
            kind="email_bounce",
            id=row.id,
            at=row.created_at,
            title=f"メール不達({row.get_kind_display()}): {row.recipient.mailing.name}",
            detail=" ".join(p for p in (row.email, row.status, row.diagnostic) if p),
            ids={"mailing": row.recipient.mailing_id},
        )
        for row in rows
    ]


@timeline_source("email_unsubscribe")
def unsubscribe_entries(*, person: Person, user: Any, limit: int) -> list[TimelineEntry]:
    rows = (
        EmailUnsubscribe.objects.filter(person=person)
        .select_related("recipient__mailing")
        .order_by("-created_at", "-id")[:limit]
    )
    return [
        TimelineEntry(
            kind="email_unsubscribe",
            id=row.id,
            at=row.created_at,
            title=f"メール配信停止: {row.recipient.mailing.name}",
            detail=f"{row.email} ({row.get_method_display()})",
            ids={"mailing": row.recipient.mailing_id},
        )
        for row in rows
    ]


@timeline_source("email_event")
def event_entries(*, person: Person, user: Any, limit: int) -> list[TimelineEntry]:
    rows = (
        EmailEvent.objects.filter(person=person)
        .select_related("recipient__mailing")
        .order_by("-created_at", "-id")[:limit]
    )
    return [
        TimelineEntry(
            kind="email_event",
            id=row.id,
            at=row.created_at,
            title=f"メール{row.get_kind_display()}: {row.recipient.mailing.name}",
            detail="" if row.link < 0 else f"リンク {row.link + 1}",
            ids={"mailing": row.recipient.mailing_id},
        )
        for row in rows
    ]

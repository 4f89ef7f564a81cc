"""Mailings and responses in a person's history (people/{id}/history/)."""

from __future__ import annotations

from typing import Any

from django.db.models.functions import Coalesce

from api.people.models import Person
from api.people.timeline import TimelineEntry, timeline_source
from mailing.models import MailingRecipient, MailingResponse


@timeline_source("mailing")
def mailing_entries(*, person: Person, user: Any, limit: int) -> list[TimelineEntry]:
    rows = (
        MailingRecipient.objects.filter(person=person)
        .select_related("mailing")
        .annotate(at=Coalesce("sent_at", "created_at"))
        .order_by("-at", "-id")[:limit]
    )
    return [
        TimelineEntry(
            kind="mailing",
            id=row.id,
            at=row.at,
            title=f"発送: {row.mailing.name} ({row.mailing.get_channel_display()})",
            detail=" ".join(
                part
                for part in (
                    row.get_state_display(),
                    " ".join(
                        p
                        for p in (row.postal_code, row.prefecture, row.address1, row.address2)
                        if p
                    ),
                    row.email,
                )
                if part
            ),
            ids={"mailing": row.mailing_id, "selection_set": row.mailing.selection_set_id},
        )
        for row in rows
    ]


@timeline_source("mailing_response")
def mailing_response_entries(*, person: Person, user: Any, limit: int) -> list[TimelineEntry]:
    rows = (
        MailingResponse.objects.filter(person=person)
        .select_related("mailing", "response_type")
        .order_by("-created_at", "-id")[:limit]
    )
    return [
        TimelineEntry(
            kind="mailing_response",
            id=row.id,
            at=row.created_at,
            title=f"応答: {row.response_type.name} — {row.mailing.name}",
            detail=" ".join(
                part
                for part in (
                    f"応答日 {row.responded_on.isoformat()}" if row.responded_on else "",
                    row.note,
                )
                if part
            ),
            ids={"mailing": row.mailing_id},
        )
        for row in rows
    ]

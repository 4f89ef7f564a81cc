"""A person's history (people/{id}/history/): one timeline merged from registered sources.

Each kind of event is a *source*: a function ``(*, person, user, limit) -> list[TimelineEntry]``
returning that person's newest ``limit`` events of its kind, newest first, as ``user`` may see
them (a source applies its own visibility: secret notes are the author's only, later contact
records by their 公開範囲). Adding a kind is one decorated function in the app that owns the
data, imported from that app's ``AppConfig.ready()``::

    @timeline_source("contact")
    def contacts(*, person, user, limit): ...

To serve page ``n`` every source is asked for its newest ``n × page_size + 1`` entries; the
merge of those lists is exact for that page, so no source ever reads a person's whole history.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.utils import timezone

from api.people.models import CardExchange, CareerEntry, Person, SecretNote
from api.sales.models import Sale


@dataclass(frozen=True)
class TimelineEntry:
    kind: str
    id: int  # of the row behind the entry, within its kind
    at: datetime.datetime
    title: str
    detail: str = ""
    # Related rows by name ({"product": 3, "employee": 7}), so a client can link to them.
    ids: dict[str, int | None] = field(default_factory=dict)


class TimelineSource(Protocol):
    def __call__(self, *, person: Person, user: Any, limit: int) -> list[TimelineEntry]: ...


SOURCES: dict[str, TimelineSource] = {}


def timeline_source(kind: str) -> Callable[[TimelineSource], TimelineSource]:
    def register(source: TimelineSource) -> TimelineSource:
        if kind in SOURCES and SOURCES[kind] is not source:
            raise ValueError(f"timeline source '{kind}' is already registered")
        SOURCES[kind] = source
        return source

    return register


def person_timeline(*, person: Person, user: Any, offset: int, limit: int) -> list[TimelineEntry]:
    """Entries ``offset`` to ``offset + limit`` of the merged timeline, newest first."""
    wanted = offset + limit
    entries = [
        entry
        for source in SOURCES.values()
        for entry in source(person=person, user=user, limit=wanted)
    ]
    # Ties (two events on one day) are ordered by kind and row id, so pages are stable.
    entries.sort(key=lambda e: (e.at, e.kind, e.id), reverse=True)
    return entries[offset:wanted]


def day_start(day: datetime.date) -> datetime.datetime:
    """A date-only event (a sale, a card exchange) placed at the start of its local day."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _names(*parts: str | None) -> str:
    return " ".join(part for part in parts if part)


@timeline_source("career")
def career_entries(*, person: Person, user: Any, limit: int) -> list[TimelineEntry]:
    rows = CareerEntry.objects.filter(person=person).order_by("-created_at", "-id")[:limit]
    return [
        TimelineEntry(
            kind="career",
            id=row.id,
            at=row.created_at,
            # The affiliation that ended: what the person was until this change.
            title="所属変更: "
            + (_names(row.company_name, row.department_name, row.title) or "(なし)"),
            detail=f"{row.started_on or ''}〜{row.ended_on or ''}",
            ids={"company": row.company_id, "department": row.department_id},
        )
        for row in rows
    ]


@timeline_source("card_exchange")
def card_exchange_entries(*, person: Person, user: Any, limit: int) -> list[TimelineEntry]:
    rows = (
        CardExchange.objects.filter(person=person)
        .select_related("employee")
        .order_by("-exchanged_on", "-id")[:limit]
    )
    return [
        TimelineEntry(
            kind="card_exchange",
            id=row.id,
            at=day_start(row.exchanged_on),
            title=f"名刺交換: {row.employee.name}",
            detail=_names(row.place, row.note),
            ids={"employee": row.employee_id},
        )
        for row in rows
    ]


@timeline_source("sale")
def sale_entries(*, person: Person, user: Any, limit: int) -> list[TimelineEntry]:
    rows = (
        Sale.objects.filter(person=person)
        .select_related("product", "sold_by")
        .order_by("-sold_on", "-id")[:limit]
    )
    return [
        TimelineEntry(
            kind="sale",
            id=row.id,
            at=day_start(row.sold_on),
            title=f"販売: {row.product.name} × {row.quantity}",
            detail=_names(f"¥{row.amount:,}", row.sold_by.name if row.sold_by else None),
            ids={"product": row.product_id, "company": row.company_id, "employee": row.sold_by_id},
        )
        for row in rows
    ]


@timeline_source("secret_note")
def secret_note_entries(*, person: Person, user: Any, limit: int) -> list[TimelineEntry]:
    # シークレット情報 appears in its author's timeline only.
    rows = SecretNote.objects.filter(person=person, author=user).order_by("-created_at", "-id")
    return [
        TimelineEntry(
            kind="secret_note",
            id=row.id,
            at=row.created_at,
            title="シークレット情報",
            detail=row.text,
        )
        for row in rows[:limit]
    ]

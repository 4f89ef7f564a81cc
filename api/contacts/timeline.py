"""Contact records in a person's history (people/{id}/history/), as the viewer may see them."""

from __future__ import annotations

from typing import Any

from api.contacts.models import ContactRecord
from api.contacts.visibility import contact_records_visible_to
from api.people.models import Person
from api.people.timeline import TimelineEntry, timeline_source


@timeline_source("contact")
def contact_record_entries(*, person: Person, user: Any, limit: int) -> list[TimelineEntry]:
    # Drafts are not contacts yet (see services/records.py), so no timeline shows them.
    rows = (
        contact_records_visible_to(user)
        .filter(people=person, state=ContactRecord.State.FINAL)
        .select_related("author", "company", "method", "result", "summary")
        .order_by("-started_at", "-id")[:limit]
    )
    return [
        TimelineEntry(
            kind="contact",
            id=row.id,
            at=row.started_at,
            title=_title(row),
            detail=row.content[:200],
            ids={"company": row.company_id, "employee": row.author_id},
        )
        for row in rows
    ]


def _title(row: ContactRecord) -> str:
    parts = [
        row.method.name,
        row.summary.name if row.summary else None,
        row.summary_text,
        f"({row.result.name})" if row.result else None,
        f"— {row.author.name}",
    ]
    return "接点: " + " ".join(part for part in parts if part)

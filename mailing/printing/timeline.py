"""Prints in a person's history (people/{id}/history/): "2026年 年賀状 宛名印刷", and each
reprint once more, marked as one."""

from __future__ import annotations

from typing import Any

from api.people.models import Person
from api.people.timeline import TimelineEntry, timeline_source
from mailing.printing.models import PrintRun, PrintRunRecipient


@timeline_source("print")
def print_entries(*, person: Person, user: Any, limit: int) -> list[TimelineEntry]:
    rows = (
        PrintRunRecipient.objects.filter(person=person, print_run__state=PrintRun.State.DONE)
        .select_related("print_run", "print_run__label_format", "print_run__template")
        .order_by("-print_run__finished_at", "-id")[:limit]
    )
    return [
        TimelineEntry(
            kind="print",
            id=row.id,
            at=row.print_run.finished_at,
            title=row.print_run.title + (" (再印刷)" if row.print_run.reprint else ""),
            detail=_detail(row.print_run),
            ids={"mailing": row.print_run.mailing_id, "print_run": row.print_run_id},
        )
        for row in rows
    ]


def _detail(run: PrintRun) -> str:
    used = run.label_format or run.template
    return " ".join(part for part in (run.get_kind_display(), str(used) if used else "") if part)

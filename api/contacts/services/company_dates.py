"""The two dates a company carries for its contact records."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import OuterRef, Subquery

from api.contacts.models import ContactRecord, FollowUp
from api.people.models import Company


def company_contact_dates_refresh(*, company_ids: Iterable[int | None]) -> None:
    """Set ``last_contact_at`` (the latest final record) and ``next_follow_up_at`` (the
    earliest open follow-up) of the given companies from their rows.

    Derived, never incremented: an edited date, a record moved to another company, a deleted
    record or a completed follow-up all leave the same answer as recomputing from scratch.
    One UPDATE, each value an index lookup (contact_company_time, followup_open_company).
    """
    ids = sorted({company_id for company_id in company_ids if company_id is not None})
    if not ids:
        return
    latest = (
        ContactRecord.objects.filter(company=OuterRef("pk"), state=ContactRecord.State.FINAL)
        .order_by("-started_at", "-id")
        .values("started_at")[:1]
    )
    earliest = (
        FollowUp.objects.filter(company=OuterRef("pk"), done_at__isnull=True)
        .order_by("due_at", "id")
        .values("due_at")[:1]
    )
    Company.objects.filter(pk__in=ids).update(
        last_contact_at=Subquery(latest), next_follow_up_at=Subquery(earliest)
    )

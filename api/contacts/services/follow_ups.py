"""Follow-ups: the 次回予定 of a final record, as a task with a due date."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from api.contacts.models import ContactRecord, FollowUp
from api.contacts.services.company_dates import company_contact_dates_refresh
from api.contacts.visibility import employee_of


def follow_up_sync(*, record: ContactRecord, active: bool) -> None:
    """Make the record's follow-up match its 次回予定 (inside the caller's transaction).

    No appointment (or a draft record): no follow-up. A moved appointment moves the
    follow-up and opens it again; an unchanged one keeps its done state.
    """
    existing = FollowUp.objects.filter(record=record).first()
    if not active or record.next_appointment_at is None:
        if existing is not None:
            existing.delete()
        return
    if existing is None:
        FollowUp.objects.create(
            record=record,
            company_id=record.company_id,
            assignee_id=record.author_id,
            due_at=record.next_appointment_at,
            note=record.next_appointment_note,
        )
        return
    if existing.due_at != record.next_appointment_at:
        existing.done_at = None
    existing.due_at = record.next_appointment_at
    existing.note = record.next_appointment_note
    existing.company_id = record.company_id
    existing.save(update_fields=["due_at", "note", "company", "done_at"])


def follow_up_complete(*, follow_up: FollowUp, user: Any, done: bool = True) -> FollowUp:
    """Mark a follow-up done (or open again); the company's next_follow_up_at follows."""
    employee = employee_of(user)
    allowed = user.is_superuser or (
        employee is not None and employee.pk in (follow_up.assignee_id, follow_up.record.author_id)
    )
    if not allowed:
        raise PermissionDenied(
            "担当者または記録者だけが完了にできます: only the assignee or author"
        )
    with transaction.atomic(durable=True):
        follow_up.done_at = timezone.now() if done else None
        follow_up.save(update_fields=["done_at"])
        company_contact_dates_refresh(company_ids=[follow_up.company_id])
    return follow_up

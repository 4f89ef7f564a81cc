"""Recording a contact (顧客接点記録): create, edit, delete, and what a final record sets off.

A draft (作業中保存) is the author's work in progress: it is visible to its author only and is
not a contact yet. Only a final record sets the company's ``last_contact_at``, opens the
follow-up of its 次回予定 and reports to its recipients (報告先). Finalising a draft does all of
that at once; a final record never goes back to draft, because others may already have read,
commented on or been notified of it.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Model

from api.contacts.models import SCOPE_TARGETS, ContactRecord, Visibility
from api.contacts.services.company_dates import company_contact_dates_refresh
from api.contacts.services.follow_ups import follow_up_sync
from api.contacts.services.notifications import notifications_create_for_record
from api.contacts.visibility import employee_of, user_tokens
from api.core import normalise
from api.core.errors import FieldErrors, ServiceError
from api.masters.models import Employee
from api.people.models import Person

M2M_FIELDS = ("people", "participants", "report_to")
TEXT_FIELDS = ("customer_participants", "summary_text", "deal_name", "next_appointment_note")
SCALAR_FIELDS = (
    "state",
    "started_at",
    "ended_at",
    "company",
    "department",
    "customer_participants",
    "method",
    "result",
    "summary",
    "summary_text",
    "content",
    "deal_name",
    "sale",
    "next_appointment_at",
    "next_appointment_note",
    "visibility",
    "scope_ids",
)


def contact_record_create(*, user: Any, data: dict[str, Any]) -> ContactRecord:
    """Record a contact by the signed-in employee.

    1. The author is the user's Employee; a user without one cannot record contacts.
    2. The fields are checked together (dates, customer, scope, report recipients).
    3. A final record then updates the company's dates, opens its follow-up and notifies
       its report recipients, all in the same transaction.
    """
    author = employee_of(user)
    if author is None:
        raise ServiceError(
            "記録するには社員(Employee)の登録が必要です: only an employee can record a contact",
            code="no_employee",
        )
    with transaction.atomic(durable=True):
        record = ContactRecord(author=author)
        _write(record=record, data=data, relations=_relations_for_new(data))
    return record


def contact_record_update(
    *, record: ContactRecord, user: Any, data: dict[str, Any]
) -> ContactRecord:
    """Change a record (its author or a superuser). Recipients added now are notified once;
    those notified before never again."""
    require_editor(record=record, user=user)
    with transaction.atomic(durable=True):
        # The row lock serialises two saves of one record, so a recipient added by both is
        # reported by exactly one of them (the unique notification row decides in any case).
        locked = ContactRecord.objects.select_for_update().get(pk=record.pk)
        if locked.state == ContactRecord.State.FINAL and data.get("state") == "draft":
            raise ServiceError(
                "確定済みの記録は作業中に戻せません: a final record cannot go back to draft",
                field="state",
            )
        relations = {
            name: data[name] if name in data else list(getattr(locked, name).all())
            for name in M2M_FIELDS
        }
        previous_company_id = locked.company_id
        _write(
            record=locked, data=data, relations=relations, previous_company_id=previous_company_id
        )
    return locked


def contact_record_delete(*, record: ContactRecord, user: Any) -> None:
    require_editor(record=record, user=user)
    # Not durable: the admin deletes inside its own transaction, and nothing is published.
    with transaction.atomic():
        company_id = record.company_id
        record.delete()
        company_contact_dates_refresh(company_ids=[company_id])


def require_editor(*, record: ContactRecord, user: Any) -> None:
    # Only reached for a record the user can see, so 403 reveals nothing new.
    if user.is_superuser:
        return
    author = employee_of(user)
    if author is None or author.pk != record.author_id:
        raise PermissionDenied(
            "この記録を変更できるのは記録者だけです: only the author may change it"
        )


def _relations_for_new(data: dict[str, Any]) -> dict[str, list[Model]]:
    return {name: list(data.get(name) or []) for name in M2M_FIELDS}


def _write(
    *,
    record: ContactRecord,
    data: dict[str, Any],
    relations: dict[str, list[Model]],
    previous_company_id: int | None = None,
) -> None:
    """Apply ``data``, check the whole record, save it and set off what a final record does."""
    for name in SCALAR_FIELDS:
        if name in data:
            setattr(record, name, data[name])
    _normalise_text(record)
    people: list[Person] = relations["people"]
    errors: dict[str, list[str]] = {}
    _fill_company(record=record, people=people, errors=errors)
    _check_dates(record=record, errors=errors)
    _check_customer(record=record, people=people, errors=errors)
    _check_scope(record=record, errors=errors)
    if errors:
        raise FieldErrors(errors)

    record.save()
    for name in M2M_FIELDS:
        getattr(record, name).set(relations[name])
    final = record.state == ContactRecord.State.FINAL
    if final:
        # audience is computed by PostgreSQL from the scope just saved; a draft's is its
        # author alone, so its recipients are checked when it is finalised.
        record.refresh_from_db(fields=["audience"])
        _check_recipients_can_read(record=record, recipients=relations["report_to"])
    follow_up_sync(record=record, active=final)
    company_contact_dates_refresh(company_ids=[previous_company_id, record.company_id])
    if final:
        notifications_create_for_record(record=record)


def _normalise_text(record: ContactRecord) -> None:
    # 入力ルール: full-width ASCII and half-width kana folded, so ?q= (folded the same way)
    # finds ＡＢＣ as abc. The content keeps its line breaks; each line is folded on its own.
    for name in TEXT_FIELDS:
        setattr(record, name, normalise.text(getattr(record, name)))
    lines = [normalise.text(line) or "" for line in (record.content or "").splitlines()]
    record.content = "\n".join(lines).strip("\n")


def _fill_company(
    *, record: ContactRecord, people: list[Person], errors: dict[str, list[str]]
) -> None:
    # Picking 山田太郎 of 山田商事 without the company means 山田商事: when every chosen person
    # belongs to one company, that is the record's customer.
    if record.company_id is not None or not people:
        return
    companies = {person.company_id for person in people}
    if len(companies) == 1 and None not in companies:
        record.company_id = companies.pop()


def _check_dates(*, record: ContactRecord, errors: dict[str, list[str]]) -> None:
    if record.ended_at and record.ended_at < record.started_at:
        errors["ended_at"] = [
            "終了日時は開始日時より後にしてください: must not be before started_at"
        ]
    if record.next_appointment_at and record.next_appointment_at < record.started_at:
        errors["next_appointment_at"] = [
            "次回予定は開始日時より後にしてください: must not be before started_at"
        ]
    if record.next_appointment_note and not record.next_appointment_at:
        errors["next_appointment_at"] = ["次回予定の日時を入力してください: give the date and time"]


def _check_customer(
    *, record: ContactRecord, people: list[Person], errors: dict[str, list[str]]
) -> None:
    if record.department_id is not None:
        if record.company_id is None:
            errors["department"] = ["部署を選ぶときは企業も選んでください: choose the company too"]
        elif record.department.company_id != record.company_id:
            errors["department"] = [
                f"部署「{record.department.name}」はこの企業の部署ではありません: "
                "the department belongs to another company"
            ]
    if record.state == ContactRecord.State.FINAL and record.company_id is None and not people:
        errors["company"] = [
            "顧客(企業または担当者)を選んでください: choose the company or at least one person"
        ]


def _check_scope(*, record: ContactRecord, errors: dict[str, list[str]]) -> None:
    """Normalise ``scope_ids`` for the chosen 公開範囲 and check that every id exists."""
    visibility = record.visibility
    if visibility == Visibility.EVERYONE:
        record.scope_ids = []
        return
    ids = sorted(set(record.scope_ids or []))
    if not ids and visibility in (Visibility.BRANCH, Visibility.DEPARTMENT):
        # "My branch" / "my department" is what a bare branch or department scope means.
        own = (
            record.author.branch_id
            if visibility == Visibility.BRANCH
            else (record.author.department_id)
        )
        if own is None:
            errors["scope_ids"] = [
                f"記録者に{Visibility(visibility).label}が登録されていません: choose the "
                f"{visibility} ids"
            ]
            return
        ids = [own]
    if not ids:
        errors["scope_ids"] = [
            f"公開先の{Visibility(visibility).label}を選んでください: choose at least one"
        ]
        return
    model = SCOPE_TARGETS[visibility]
    found = set(model.objects.filter(pk__in=ids).values_list("pk", flat=True))
    missing = [str(i) for i in ids if i not in found]
    if missing:
        errors["scope_ids"] = [
            f"存在しない{Visibility(visibility).label}のIDです: {', '.join(missing)}"
        ]
        return
    record.scope_ids = ids


def _check_recipients_can_read(*, record: ContactRecord, recipients: list[Employee]) -> None:
    # A report the recipient could not open would be a dangling notification: the scope must
    # include every recipient. Raising rolls back the whole save.
    audience = set(record.audience)
    blind = [
        employee.name
        for employee in Employee.objects.filter(
            pk__in=[employee.pk for employee in recipients]
        ).select_related("user")
        if not employee.user.is_superuser and not audience & set(user_tokens(employee.user))
    ]
    if blind:
        raise FieldErrors(
            {
                "report_to": [
                    f"公開範囲の外にいる報告先です: {', '.join(blind)} "
                    "(widen the 公開範囲 or remove them)"
                ]
            }
        )

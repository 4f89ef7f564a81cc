"""Reads of contact records. Every query starts from ``contact_records_visible_to(user)``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.contrib.postgres.aggregates import StringAgg
from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import (
    CharField,
    F,
    Func,
    Model,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, Concat, JSONObject, Lower, NullIf
from django.http import Http404
from django.utils import timezone

from api.contacts.models import (
    ContactComment,
    ContactRecord,
    FollowUp,
    ListColumns,
    Notification,
    SavedSearch,
    Visibility,
)
from api.contacts.services.preferences import DEFAULT_COLUMNS
from api.contacts.visibility import contact_records_visible_to
from api.core import normalise

# pg_trgm needs three characters to look anything up in its index; shorter queries still match
# correctly but read the rows instead (see the report and the benchmark).
TRIGRAM = 3


def contact_record_list(*, user: Any) -> QuerySet[ContactRecord]:
    """The visible records with what the list and detail show beside ids."""
    return (
        contact_records_visible_to(user)
        .select_related("author", "company", "department", "method", "result", "summary")
        # Only what the serializer shows of each related row: a page of 50 records otherwise
        # loads and parses every column of six tables (JSONB included) for nothing.
        .only(
            *(f.name for f in ContactRecord._meta.concrete_fields if f.name != "audience"),
            "author__name",
            "company__name",
            "department__name",
            "method__code",
            "method__name",
            "result__code",
            "result__name",
            "summary__code",
            "summary__name",
        )
        # The people and employees beside each record come in the page's own query, as
        # ready-made {id, name} lists: prefetching them cost three more queries and, in
        # Django's per-record prefetch bookkeeping, more CPU than the rest of the page.
        .annotate(
            people_refs=_refs(
                ContactRecord.people.through,
                "person",
                name=Func(
                    Value(" "),
                    NullIf("person__family_name", Value("")),
                    NullIf("person__given_name", Value("")),
                    function="concat_ws",
                    output_field=CharField(),
                ),
                company=F("person__company_id"),
            ),
            participant_refs=_refs(
                ContactRecord.participants.through, "employee", name=F("employee__name")
            ),
            report_to_refs=_refs(
                ContactRecord.report_to.through, "employee", name=F("employee__name")
            ),
        )
        .order_by("-started_at", "-id")
    )


def _refs(through: type[Model], target: str, **fields: Any) -> ArraySubquery:
    """The record's ``target`` rows of the ``through`` table as a list of {id, **fields},
    in the target model's own order (as a prefetch would list them)."""
    ordering = through._meta.get_field(target).related_model._meta.ordering
    rows = (
        through.objects.filter(contactrecord_id=OuterRef("pk"))
        .order_by(*(f"{target}__{name}" for name in ordering))
        .values(ref=JSONObject(id=F(f"{target}_id"), **fields))
    )
    return ArraySubquery(rows)


def contact_record_get(*, user: Any, pk: Any) -> ContactRecord:
    """One visible record; anything else, existing or not, is the same 404."""
    try:
        return (
            contact_record_list(user=user)
            .prefetch_related(
                "attachments", Prefetch("comments", ContactComment.objects.select_related("author"))
            )
            .get(pk=int(pk))
        )
    except (ContactRecord.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("No contact record matches the given query.") from exc


def contact_search_text(q: str) -> str:
    """The query as the indexes hold the text: width-folded (入力ルール) and lower-cased."""
    return (normalise.text(q) or "").lower()


def contact_records_matching(*, queryset: QuerySet, q: str) -> QuerySet:
    """Records whose content or free summary contains ``q`` (any substring, Japanese
    included). The conditions are written on lower(content) / lower(summary_text) exactly as
    the trigram expression indexes are, so PostgreSQL answers them from the index."""
    text = contact_search_text(q)
    if not text:
        return queryset
    return queryset.alias(
        content_lower=Lower("content"), summary_lower=Lower("summary_text")
    ).filter(Q(content_lower__contains=text) | Q(summary_lower__contains=text))


def follow_up_list(*, user: Any) -> QuerySet[FollowUp]:
    """Follow-ups of the records the user can see."""
    return (
        FollowUp.objects.filter(record__in=contact_records_visible_to(user).values("pk"))
        .select_related("company", "assignee", "record")
        .order_by("due_at", "id")
    )


def notification_list(*, user: Any) -> QuerySet[Notification]:
    """The user's own notifications of records they can (still) see."""
    return (
        Notification.objects.filter(
            recipient=user, record__in=contact_records_visible_to(user).values("pk")
        )
        .select_related("record__author", "record__company", "record__method")
        .order_by("-created_at", "-id")
    )


def saved_search_list(*, user: Any) -> QuerySet[SavedSearch]:
    return SavedSearch.objects.filter(owner=user).order_by("name")


def list_columns_get(*, user: Any) -> list[str]:
    chosen = ListColumns.objects.filter(owner=user).values_list("columns", flat=True).first()
    return list(chosen or DEFAULT_COLUMNS)


# --- export -------------------------------------------------------------------------------------

EXPORT_HEADER = (
    "ID",
    "状態",
    "開始日時",
    "終了日時",
    "企業",
    "部署",
    "相手先担当者",
    "先方出席者",
    "記録者",
    "同行社員",
    "対応形態",
    "結果",
    "内容概略",
    "内容概略(自由記述)",
    "内容",
    "案件",
    "次回予定日時",
    "次回予定内容",
    "公開範囲",
    "更新日時",
)


def contact_export_rows(*, queryset: QuerySet[ContactRecord]) -> Iterator[list[Any]]:
    """The rows of the CSV export of ``queryset`` (already visible-only and filtered),
    streamed from a server-side cursor; names are joined in SQL, not per row."""
    people = ContactRecord.people.through.objects.filter(contactrecord_id=OuterRef("pk"))
    participants = ContactRecord.participants.through.objects.filter(
        contactrecord_id=OuterRef("pk")
    )
    person_name = Concat(
        "person__family_name", Value(" "), Coalesce("person__given_name", Value(""))
    )
    rows = (
        queryset.order_by("-started_at", "-id")
        .prefetch_related(None)
        .annotate(
            people_names=Subquery(
                people.order_by()
                .values("contactrecord_id")
                .annotate(names=StringAgg(person_name, ", ", order_by="person_id"))
                .values("names")
            ),
            participant_names=Subquery(
                participants.order_by()
                .values("contactrecord_id")
                .annotate(names=StringAgg(F("employee__name"), ", ", order_by="employee_id"))
                .values("names")
            ),
        )
        .values_list(
            "pk",
            "state",
            "started_at",
            "ended_at",
            "company__name",
            "department__name",
            "people_names",
            "customer_participants",
            "author__name",
            "participant_names",
            "method__name",
            "result__name",
            "summary__name",
            "summary_text",
            "content",
            "deal_name",
            "next_appointment_at",
            "next_appointment_note",
            "visibility",
            "updated_at",
        )
    )
    states = dict(ContactRecord.State.choices)
    scopes = dict(Visibility.choices)
    for row in rows.iterator(chunk_size=2000):
        values = list(row)
        values[1] = states.get(values[1], values[1])
        values[18] = scopes.get(values[18], values[18])
        for index in (2, 3, 16, 19):
            if values[index] is not None:
                values[index] = timezone.localtime(values[index]).strftime("%Y-%m-%d %H:%M")
        yield values

"""Each user's saved searches and chosen list columns for the contact-record list."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction

from api.contacts.models import ListColumns, SavedSearch
from api.core.errors import Conflict, ServiceError

# The columns a client may show in the list, in their default order.
LIST_COLUMNS = (
    "started_at",
    "ended_at",
    "company",
    "department",
    "people",
    "author",
    "participants",
    "method",
    "result",
    "summary",
    "summary_text",
    "content",
    "deal_name",
    "next_appointment_at",
    "visibility",
    "state",
    "updated_at",
)
DEFAULT_COLUMNS = ("started_at", "company", "people", "author", "method", "result", "summary")


def saved_search_save(
    *, user: Any, name: str, params: dict[str, Any], saved: SavedSearch | None = None
) -> SavedSearch:
    """Create or rename/redefine a saved search; the name is unique per user."""
    saved = saved or SavedSearch(owner=user)
    saved.name = name.strip()
    saved.params = params
    try:
        with transaction.atomic(durable=True):
            saved.save()
    except IntegrityError as exc:
        raise Conflict(
            f"同じ名前の検索条件があります: '{saved.name}' already exists", field="name"
        ) from exc
    return saved


def saved_search_delete(*, saved: SavedSearch) -> None:
    saved.delete()


def list_columns_set(*, user: Any, columns: list[str]) -> ListColumns:
    unknown = [column for column in columns if column not in LIST_COLUMNS]
    if unknown:
        raise ServiceError(
            f"不明な列です: {', '.join(unknown)}; choose from {', '.join(LIST_COLUMNS)}",
            field="columns",
        )
    if not columns:
        raise ServiceError("列を1つ以上選んでください: choose at least one", field="columns")
    deduplicated = list(dict.fromkeys(columns))
    chosen, _ = ListColumns.objects.update_or_create(owner=user, defaults={"columns": deduplicated})
    return chosen

"""Comments (コメント) on a record by anyone who can read it."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction

from api.contacts.models import ContactComment, ContactRecord
from api.core.errors import ServiceError


def contact_comment_create(*, record: ContactRecord, user: Any, text: str) -> ContactComment:
    """``record`` comes from the caller's visible records, so reading it was already allowed."""
    text = (text or "").strip()
    if not text:
        raise ServiceError("コメントを入力してください: the comment is empty", field="text")
    with transaction.atomic(durable=True):
        return ContactComment.objects.create(record=record, author=user, text=text)


def contact_comment_delete(*, comment: ContactComment, user: Any) -> None:
    if not (user.is_superuser or comment.author_id == user.pk):
        raise PermissionDenied("自分のコメントだけ削除できます: only your own comments")
    comment.delete()

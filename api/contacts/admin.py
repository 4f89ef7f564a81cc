from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from api.contacts.models import (
    ContactAttachment,
    ContactComment,
    ContactMethod,
    ContactRecord,
    ContactResult,
    ContactSummary,
    FollowUp,
    Notification,
    SavedSearch,
)
from api.contacts.selectors import contact_records_matching
from api.contacts.services.records import contact_record_delete
from api.contacts.visibility import contact_records_visible_to


@admin.register(ContactMethod, ContactResult, ContactSummary)
class CodeMasterAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "sort_order", "is_active"]
    list_editable = ["sort_order", "is_active"]
    search_fields = ["code", "name"]


class AttachmentInline(admin.TabularInline):
    model = ContactAttachment
    extra = 0
    fields = ["name", "content_type", "size", "uploaded_by", "created_at"]
    readonly_fields = fields


class CommentInline(admin.TabularInline):
    model = ContactComment
    extra = 0
    fields = ["author", "text", "created_at"]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ContactRecord)
class ContactRecordAdmin(admin.ModelAdmin):
    """Staff see in the admin exactly the records the API shows them (公開範囲)."""

    list_display = ["started_at", "company", "author", "method", "result", "visibility", "state"]
    list_filter = ["state", "visibility", "method", "result", "started_at"]
    list_select_related = ["company", "author", "method", "result"]
    search_fields = ["content"]
    search_help_text = "内容・内容概略の部分一致"
    date_hierarchy = "started_at"
    raw_id_fields = ["company", "department", "people", "participants", "report_to", "sale"]
    readonly_fields = ["author", "audience", "created_at", "updated_at"]
    inlines = [AttachmentInline, CommentInline]
    show_full_result_count = False

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return contact_records_visible_to(request.user)

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet, search_term: str
    ) -> tuple[QuerySet, bool]:
        # The API's indexed substring search, not the admin's default UPPER(...) LIKE scan.
        return contact_records_matching(queryset=queryset, q=search_term), False

    # A record is written by its author through the API, whose services also notify, open
    # follow-ups and keep the company's dates; the admin reviews, and deletes through the
    # same service.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def delete_model(self, request: HttpRequest, obj: ContactRecord) -> None:
        contact_record_delete(record=obj, user=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        for record in queryset:
            contact_record_delete(record=record, user=request.user)


@admin.register(FollowUp)
class FollowUpAdmin(admin.ModelAdmin):
    list_display = ["due_at", "company", "assignee", "note", "done_at"]
    list_filter = ["done_at"]
    raw_id_fields = ["record", "company", "assignee"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        visible = contact_records_visible_to(request.user).values("pk")
        return super().get_queryset(request).filter(record__in=visible)


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "recipient", "record", "read_at", "emailed_at"]
    raw_id_fields = ["record", "recipient"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        visible = contact_records_visible_to(request.user).values("pk")
        return super().get_queryset(request).filter(record__in=visible)


@admin.register(ContactComment)
class ContactCommentAdmin(admin.ModelAdmin):
    list_display = ["created_at", "author", "record", "text"]
    raw_id_fields = ["record", "author"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        visible = contact_records_visible_to(request.user).values("pk")
        return super().get_queryset(request).filter(record__in=visible)


@admin.register(SavedSearch)
class SavedSearchAdmin(admin.ModelAdmin):
    list_display = ["owner", "name", "updated_at"]

    def get_queryset(self, request: HttpRequest) -> Any:
        rows = super().get_queryset(request)
        return rows if request.user.is_superuser else rows.filter(owner=request.user)

from __future__ import annotations

import datetime
from typing import Any

from django.urls import reverse
from rest_framework import serializers

from api.contacts.filters import ContactRecordFilter
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
    Visibility,
)
from api.contacts.services.preferences import LIST_COLUMNS
from api.masters.models import Employee
from api.people.models import Company, Department, Person
from api.sales.models import Sale


def _code_field(model: type, **kwargs: Any) -> serializers.SlugRelatedField:
    return serializers.SlugRelatedField(
        slug_field="code", queryset=model.objects.filter(is_active=True), **kwargs
    )


class ContactRecordInputSerializer(serializers.Serializer):
    """What a client sends; the service checks the rules that span fields."""

    state = serializers.ChoiceField(choices=ContactRecord.State.choices, required=False)
    started_at = serializers.DateTimeField()
    ended_at = serializers.DateTimeField(required=False, allow_null=True)
    company = serializers.PrimaryKeyRelatedField(
        queryset=Company.objects.all(), required=False, allow_null=True
    )
    department = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.all(), required=False, allow_null=True
    )
    people = serializers.PrimaryKeyRelatedField(
        queryset=Person.objects.all(), many=True, required=False
    )
    customer_participants = serializers.CharField(
        max_length=500, required=False, allow_blank=True, allow_null=True
    )
    participants = serializers.PrimaryKeyRelatedField(
        queryset=Employee.objects.all(), many=True, required=False
    )
    method = _code_field(ContactMethod)
    result = _code_field(ContactResult, required=False, allow_null=True)
    summary = _code_field(ContactSummary, required=False, allow_null=True)
    summary_text = serializers.CharField(
        max_length=200, required=False, allow_blank=True, allow_null=True
    )
    content = serializers.CharField(required=False, allow_blank=True)
    deal_name = serializers.CharField(
        max_length=200, required=False, allow_blank=True, allow_null=True
    )
    sale = serializers.PrimaryKeyRelatedField(
        queryset=Sale.objects.all(), required=False, allow_null=True
    )
    next_appointment_at = serializers.DateTimeField(required=False, allow_null=True)
    next_appointment_note = serializers.CharField(
        max_length=200, required=False, allow_blank=True, allow_null=True
    )
    report_to = serializers.PrimaryKeyRelatedField(
        queryset=Employee.objects.select_related("user"), many=True, required=False
    )
    visibility = serializers.ChoiceField(choices=Visibility.choices, required=False)
    scope_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1), required=False, max_length=500
    )


def _ref(obj: Any, name: str = "name") -> dict[str, Any] | None:
    return None if obj is None else {"id": obj.pk, "name": getattr(obj, name)}


_DATETIME = serializers.DateTimeField()


def _datetime(value: datetime.datetime | None) -> str | None:
    return None if value is None else _DATETIME.to_representation(value)


class ContactRecordSerializer(serializers.ModelSerializer):
    """A record as the list shows it: ids with names beside them."""

    author = serializers.SerializerMethodField()
    company_name = serializers.CharField(source="company.name", default=None, read_only=True)
    department_name = serializers.CharField(source="department.name", default=None, read_only=True)
    people = serializers.SerializerMethodField()
    participants = serializers.SerializerMethodField()
    report_to = serializers.SerializerMethodField()
    method = serializers.CharField(source="method.code", read_only=True)
    method_name = serializers.CharField(source="method.name", read_only=True)
    result = serializers.CharField(source="result.code", default=None, read_only=True)
    result_name = serializers.CharField(source="result.name", default=None, read_only=True)
    summary = serializers.CharField(source="summary.code", default=None, read_only=True)
    summary_name = serializers.CharField(source="summary.name", default=None, read_only=True)

    class Meta:
        model = ContactRecord
        fields = [
            "id",
            "state",
            "started_at",
            "ended_at",
            "company",
            "company_name",
            "department",
            "department_name",
            "people",
            "customer_participants",
            "author",
            "participants",
            "method",
            "method_name",
            "result",
            "result_name",
            "summary",
            "summary_name",
            "summary_text",
            "content",
            "deal_name",
            "sale",
            "next_appointment_at",
            "next_appointment_note",
            "report_to",
            "visibility",
            "scope_ids",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def to_representation(self, record: ContactRecord) -> dict[str, Any]:
        # Built by hand, same keys and formats as the declared fields (which document the
        # schema): a page renders 50 records, and DRF's per-field lookups cost more than the
        # SQL behind the page.
        company, department = record.company, record.department
        method, result, summary = record.method, record.result, record.summary
        return {
            "id": record.id,
            "state": record.state,
            "started_at": _datetime(record.started_at),
            "ended_at": _datetime(record.ended_at),
            "company": record.company_id,
            "company_name": company.name if company else None,
            "department": record.department_id,
            "department_name": department.name if department else None,
            "people": self.get_people(record),
            "customer_participants": record.customer_participants,
            "author": self.get_author(record),
            "participants": self.get_participants(record),
            "method": method.code,
            "method_name": method.name,
            "result": result.code if result else None,
            "result_name": result.name if result else None,
            "summary": summary.code if summary else None,
            "summary_name": summary.name if summary else None,
            "summary_text": record.summary_text,
            "content": record.content,
            "deal_name": record.deal_name,
            "sale": record.sale_id,
            "next_appointment_at": _datetime(record.next_appointment_at),
            "next_appointment_note": record.next_appointment_note,
            "report_to": self.get_report_to(record),
            "visibility": record.visibility,
            "scope_ids": record.scope_ids,
            "created_at": _datetime(record.created_at),
            "updated_at": _datetime(record.updated_at),
        }

    def get_author(self, record: ContactRecord) -> dict[str, Any] | None:
        return _ref(record.author)

    # The lists come ready-made with the record (see selectors.contact_record_list).
    def get_people(self, record: ContactRecord) -> list[dict[str, Any]]:
        return record.people_refs  # type: ignore[attr-defined]

    def get_participants(self, record: ContactRecord) -> list[dict[str, Any]]:
        return record.participant_refs  # type: ignore[attr-defined]

    def get_report_to(self, record: ContactRecord) -> list[dict[str, Any]]:
        return record.report_to_refs  # type: ignore[attr-defined]


class ContactAttachmentSerializer(serializers.ModelSerializer):
    download = serializers.SerializerMethodField()

    class Meta:
        model = ContactAttachment
        fields = ["id", "name", "content_type", "size", "uploaded_by", "created_at", "download"]
        read_only_fields = fields

    def get_download(self, attachment: ContactAttachment) -> str:
        return reverse(
            "contact-attachment-download",
            kwargs={"record_pk": attachment.record_id, "pk": attachment.pk},
        )


class AttachmentUploadSerializer(serializers.Serializer):
    file = serializers.FileField(allow_empty_file=True)


class ContactCommentSerializer(serializers.ModelSerializer):
    author = serializers.SerializerMethodField()

    class Meta:
        model = ContactComment
        fields = ["id", "record", "author", "text", "created_at"]
        read_only_fields = ["id", "record", "author", "created_at"]

    def get_author(self, comment: ContactComment) -> dict[str, Any]:
        user = comment.author
        employee = getattr(user, "employee", None)
        return {
            "id": user.pk,
            "username": user.get_username(),
            "name": employee.name if employee else user.get_full_name() or user.get_username(),
        }


class FollowUpSerializer(serializers.ModelSerializer):
    company_name = serializers.CharField(source="company.name", default=None, read_only=True)
    assignee = serializers.SerializerMethodField()
    done = serializers.SerializerMethodField()

    class Meta:
        model = FollowUp
        fields = [
            "id",
            "record",
            "company",
            "company_name",
            "assignee",
            "due_at",
            "note",
            "done",
            "done_at",
            "created_at",
        ]
        read_only_fields = fields

    def get_assignee(self, follow_up: FollowUp) -> dict[str, Any] | None:
        return _ref(follow_up.assignee)

    def get_done(self, follow_up: FollowUp) -> bool:
        return follow_up.done_at is not None


class ContactRecordDetailSerializer(ContactRecordSerializer):
    attachments = ContactAttachmentSerializer(many=True, read_only=True)
    comments = ContactCommentSerializer(many=True, read_only=True)
    follow_up = serializers.SerializerMethodField()

    class Meta(ContactRecordSerializer.Meta):
        fields = [*ContactRecordSerializer.Meta.fields, "attachments", "comments", "follow_up"]
        read_only_fields = fields

    def to_representation(self, record: ContactRecord) -> dict[str, Any]:
        return {
            **super().to_representation(record),
            "attachments": ContactAttachmentSerializer(record.attachments.all(), many=True).data,
            "comments": ContactCommentSerializer(record.comments.all(), many=True).data,
            "follow_up": self.get_follow_up(record),
        }

    def get_follow_up(self, record: ContactRecord) -> dict[str, Any] | None:
        follow_up = (
            FollowUp.objects.filter(record=record).select_related("company", "assignee").first()
        )
        return FollowUpSerializer(follow_up).data if follow_up else None


class NotificationSerializer(serializers.ModelSerializer):
    author = serializers.CharField(source="record.author.name", read_only=True)
    company_name = serializers.CharField(source="record.company.name", default=None, read_only=True)
    method_name = serializers.CharField(source="record.method.name", read_only=True)
    started_at = serializers.DateTimeField(source="record.started_at", read_only=True)
    read = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = [
            "id",
            "record",
            "author",
            "company_name",
            "method_name",
            "started_at",
            "created_at",
            "read",
            "read_at",
        ]
        read_only_fields = fields

    def get_read(self, notification: Notification) -> bool:
        return notification.read_at is not None


class SavedSearchSerializer(serializers.ModelSerializer):
    class Meta:
        model = SavedSearch
        fields = ["id", "name", "params", "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]
        # (owner, name) is unique; the service answers a duplicate with 409 naming ``name``.
        validators: list = []

    def validate_params(self, params: Any) -> dict[str, Any]:
        """The same parameters (and values) that contact-records/ accepts."""
        if not isinstance(params, dict):
            raise serializers.ValidationError("検索条件はオブジェクトで指定してください: an object")
        unknown = sorted(set(params) - set(ContactRecordFilter.base_filters))
        if unknown:
            raise serializers.ValidationError(
                f"不明な検索条件です: {', '.join(unknown)}; "
                f"allowed: {', '.join(ContactRecordFilter.base_filters)}"
            )
        cleaned = {
            key: ",".join(map(str, value)) if isinstance(value, list) else str(value)
            for key, value in params.items()
            if value not in (None, "", [])
        }
        check = ContactRecordFilter(data=cleaned, queryset=ContactRecord.objects.none())
        if not check.is_valid():
            raise serializers.ValidationError(
                [f"{field}: {' '.join(messages)}" for field, messages in check.errors.items()]
            )
        return cleaned


class ListColumnsSerializer(serializers.Serializer):
    columns = serializers.ListField(child=serializers.CharField(max_length=40))
    available = serializers.ListField(
        child=serializers.CharField(), read_only=True, default=list(LIST_COLUMNS)
    )

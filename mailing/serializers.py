"""Shapes of mailings, recipients, exclusions and responses in the API."""

from __future__ import annotations

from rest_framework import serializers

from api.jobs.serializers import JobSerializer
from mailing.models import (
    Mailing,
    MailingExclusion,
    MailingRecipient,
    MailingResponse,
    ResponseType,
)


class _JobBrief(JobSerializer):
    class Meta(JobSerializer.Meta):
        fields = ["id", "kind", "state", "done", "total", "percent", "error", "result"]
        read_only_fields = fields


class MailingSerializer(serializers.ModelSerializer):
    channel_label = serializers.CharField(source="get_channel_display", read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    created_by_name = serializers.CharField(
        source="created_by.username", read_only=True, default=None
    )
    job = _JobBrief(read_only=True)
    counts = serializers.SerializerMethodField(help_text="recipients per state")
    artifact_url = serializers.SerializerMethodField()

    class Meta:
        model = Mailing
        fields = [
            "id",
            "name",
            "selection_set",
            "selection_set_label",
            "channel",
            "channel_label",
            "medium",
            "state",
            "state_label",
            "options",
            "created_by",
            "created_by_name",
            "created_at",
            "scheduled_for",
            "prepared_at",
            "finished_at",
            "recipient_count",
            "excluded",
            "counts",
            "job",
            "artifact_url",
        ]
        read_only_fields = fields

    def get_counts(self, mailing: Mailing) -> dict[str, int]:
        counts = self.context.get("counts")
        if counts is None:
            return {}
        return counts

    def get_artifact_url(self, mailing: Mailing) -> str | None:
        return mailing.artifact.url if mailing.artifact else None


class MailingExecutedSerializer(serializers.Serializer):
    mailing = MailingSerializer()
    job = _JobBrief(allow_null=True)
    created = serializers.BooleanField(
        help_text="false when this request repeated an earlier one (same key, double click)"
    )


class RecipientSerializer(serializers.ModelSerializer):
    artifact_url = serializers.SerializerMethodField()

    class Meta:
        model = MailingRecipient
        fields = [
            "id",
            "person",
            "state",
            "full_name",
            "full_name_kana",
            "company_name",
            "department_name",
            "title",
            "address_source",
            "postal_code",
            "prefecture",
            "address1",
            "address2",
            "email",
            "fax",
            "attempts",
            "error",
            "sent_at",
            "artifact_url",
        ]
        read_only_fields = fields

    def get_artifact_url(self, recipient: MailingRecipient) -> str | None:
        return recipient.artifact.url if recipient.artifact else None


class ExclusionSerializer(serializers.ModelSerializer):
    person_name = serializers.SerializerMethodField()
    kept_person_name = serializers.SerializerMethodField()
    reason_label = serializers.CharField(source="get_reason_display", read_only=True)

    class Meta:
        model = MailingExclusion
        fields = [
            "person",
            "person_name",
            "reason",
            "reason_label",
            "kept_person",
            "kept_person_name",
            "matched_on",
        ]
        read_only_fields = fields

    def get_person_name(self, exclusion: MailingExclusion) -> str:
        return exclusion.person.full_name

    def get_kept_person_name(self, exclusion: MailingExclusion) -> str | None:
        return exclusion.kept_person.full_name if exclusion.kept_person_id else None


class ResponseTypeSerializer(serializers.ModelSerializer):
    class Meta:
        model = ResponseType
        fields = ["id", "code", "name", "undeliverable", "sort_order", "is_active"]
        read_only_fields = fields


class ResponseSerializer(serializers.ModelSerializer):
    type = serializers.CharField(source="response_type.code", read_only=True)
    type_name = serializers.CharField(source="response_type.name", read_only=True)
    person_name = serializers.CharField(source="recipient.full_name", read_only=True)

    class Meta:
        model = MailingResponse
        fields = [
            "id",
            "person",
            "person_name",
            "type",
            "type_name",
            "responded_on",
            "note",
            "created_by",
            "created_at",
        ]
        read_only_fields = fields


class ResponseCreateSerializer(serializers.Serializer):
    person = serializers.IntegerField(min_value=1)
    type = serializers.CharField(help_text="response type code or name (出席, returned, …)")
    responded_on = serializers.DateField(required=False, allow_null=True, default=None)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ResponseImportSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text="CSV: person_id (個人ID) or external_code (外部コード), optional type (応答), "
        "responded_on (応答日), note (メモ)"
    )
    type = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="the response for rows without a type column",
    )


class ResponseImportResultSerializer(serializers.Serializer):
    rows = serializers.IntegerField()
    created = serializers.IntegerField()
    updated = serializers.IntegerField()

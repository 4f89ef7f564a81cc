"""Request and response shapes of imports, import formats, exports and the duplicate list."""

from __future__ import annotations

import json
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.reverse import reverse

from importers.export.writers import ENCODINGS, FORMATS, UNENCODABLE
from importers.models import ImportFormat, ImportJob, Mode, Target
from importers.readers import ENCODING_LABELS
from importers.selectors import import_errors_first
from importers.services.targets import TARGETS


@extend_schema_field(serializers.ListField(child=serializers.CharField()))
class ListOrCommaField(serializers.Field):
    """A list given as JSON (["email","kana_phone"]), as "a,b", or repeated in a form."""

    def to_internal_value(self, data: Any) -> list[str]:
        if isinstance(data, list):
            items = data
        elif isinstance(data, str):
            text = data.strip()
            if text.startswith("["):
                try:
                    items = json.loads(text)
                except ValueError as exc:
                    raise serializers.ValidationError(f"not a JSON list: {exc}") from exc
            else:
                items = [part.strip() for part in text.split(",") if part.strip()]
        else:
            raise serializers.ValidationError("expected a list of names")
        if not all(isinstance(item, str) for item in items):
            raise serializers.ValidationError("expected a list of names")
        return items

    def to_representation(self, value: Any) -> list[str]:
        return list(value)


class MappingField(serializers.JSONField):
    """Column header → field name, as a JSON object (a string of JSON in a multipart form)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(binary=True, **kwargs)

    def to_internal_value(self, data: Any) -> dict[str, str]:
        value = super().to_internal_value(data)
        if not isinstance(value, dict) or not all(
            isinstance(k, str) and isinstance(v, str | type(None)) for k, v in value.items()
        ):
            raise serializers.ValidationError(
                'expected an object of column → field, e.g. {"氏名": "full_name"}'
            )
        return {k: v or "" for k, v in value.items()}

    def to_representation(self, value: Any) -> Any:
        return value


class ImportCreateSerializer(serializers.Serializer):
    # An empty file is accepted here so that its import fails with the same kind of message
    # as any other unreadable file.
    file = serializers.FileField(allow_empty_file=True)
    target = serializers.ChoiceField(choices=Target.choices)
    mode = serializers.ChoiceField(choices=Mode.choices, required=False, default="")
    match_key = serializers.CharField(required=False, allow_blank=True, default="")
    duplicate_keys = ListOrCommaField(required=False, default=None)
    encoding = serializers.CharField(required=False, allow_blank=True, default="")
    mapping = MappingField(required=False, default=None)
    format = serializers.CharField(required=False, allow_blank=True, default="")
    create_missing = serializers.BooleanField(required=False, default=False)
    policy = serializers.ChoiceField(
        choices=ImportJob.Policy.choices, required=False, default=ImportJob.Policy.VALID_ONLY
    )


class ImportRepreviewSerializer(serializers.Serializer):
    encoding = serializers.CharField(required=False, allow_blank=True)
    mapping = MappingField(required=False)
    duplicate_keys = ListOrCommaField(required=False)
    mode = serializers.ChoiceField(choices=Mode.choices, required=False)
    match_key = serializers.CharField(required=False, allow_blank=True)
    create_missing = serializers.BooleanField(required=False)


class ImportCommitSerializer(serializers.Serializer):
    policy = serializers.ChoiceField(choices=ImportJob.Policy.choices, required=False)


class ImportJobSerializer(serializers.ModelSerializer):
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    encoding_label = serializers.SerializerMethodField()
    format = serializers.CharField(source="format.name", default=None, read_only=True)
    created_by = serializers.CharField(source="created_by.username", default=None, read_only=True)
    job = serializers.SerializerMethodField()
    errors = serializers.SerializerMethodField()
    links = serializers.SerializerMethodField()
    match_key = serializers.SerializerMethodField()

    class Meta:
        model = ImportJob
        fields = [
            "id",
            "target",
            "mode",
            "match_key",
            "duplicate_keys",
            "create_missing",
            "policy",
            "filename",
            "size",
            "file_kind",
            "encoding",
            "encoding_label",
            "detected_encoding",
            "requested_encoding",
            "delimiter",
            "header",
            "mapping",
            "format",
            "state",
            "state_label",
            "error",
            "counts",
            "errors",
            "job",
            "preview_job",
            "commit_job",
            "created_by",
            "created_at",
            "previewed_at",
            "committed_at",
            "links",
        ]
        read_only_fields = fields

    def get_encoding_label(self, record: ImportJob) -> str | None:
        return ENCODING_LABELS.get(record.encoding) if record.encoding else None

    def get_match_key(self, record: ImportJob) -> str:
        """The upsert key asked for, or the one the preview chose from the file's columns."""
        return record.match_key or record.counts.get("match_key", "")

    def get_job(self, record: ImportJob) -> int | None:
        """The job doing the import's current work (the commit once it started)."""
        return record.commit_job_id or record.preview_job_id

    def get_errors(self, record: ImportJob) -> list[dict[str, Any]]:
        if not self.context.get("detail") or record.state not in (
            ImportJob.State.PREVIEWED,
            ImportJob.State.COMMITTING,
            ImportJob.State.COMMITTED,
        ):
            return []
        return import_errors_first(record=record)

    def get_links(self, record: ImportJob) -> dict[str, str]:
        request = self.context.get("request")
        job = self.get_job(record)
        return {
            "self": reverse("import-detail", args=[record.pk], request=request),
            "rows": reverse("import-rows", args=[record.pk], request=request),
            "commit": reverse("import-commit", args=[record.pk], request=request),
            "errors_csv": reverse("import-errors-csv", args=[record.pk], request=request),
            "preview": reverse("import-preview", args=[record.pk], request=request),
            "job": reverse("job-detail", args=[job], request=request) if job else None,
        }


class ImportRowSerializer(serializers.Serializer):
    row = serializers.IntegerField(help_text="the spreadsheet row number (the header is 1)")
    action = serializers.ChoiceField(choices=["insert", "update", "unchanged", "skip", "error"])
    done = serializers.BooleanField()
    target_id = serializers.IntegerField(allow_null=True)
    values = serializers.DictField()
    normalised = serializers.DictField(help_text="field → {before, after} of normalising")
    changes = serializers.DictField(help_text="field → {before, after} in the matched record")
    errors = serializers.ListField(child=serializers.DictField())
    duplicates = serializers.ListField(child=serializers.DictField())


class ImportFormatSerializer(serializers.ModelSerializer):
    created_by = serializers.CharField(source="created_by.username", default=None, read_only=True)
    from_import = serializers.IntegerField(
        write_only=True,
        required=False,
        help_text="save the mapping and options of this import under the name",
    )
    mapping = MappingField(required=False)

    class Meta:
        model = ImportFormat
        fields = [
            "id",
            "name",
            "target",
            "mapping",
            "columns",
            "encoding",
            "mode",
            "match_key",
            "created_by",
            "created_at",
            "updated_at",
            "from_import",
        ]
        read_only_fields = ["id", "created_by", "created_at", "updated_at"]
        extra_kwargs = {"target": {"required": False}}


class FieldInfoSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()
    kind = serializers.CharField()
    aliases = serializers.ListField(child=serializers.CharField())
    required = serializers.BooleanField()


class ExportRequestSerializer(serializers.Serializer):
    target = serializers.ChoiceField(choices=list(TARGETS))
    format = serializers.ChoiceField(choices=list(FORMATS), default="csv")
    encoding = serializers.ChoiceField(choices=list(ENCODINGS), default="utf-8-sig")
    unencodable = serializers.ChoiceField(choices=list(UNENCODABLE), default="error")
    columns = ListOrCommaField(required=False, default=None)
    filters = serializers.DictField(required=False, default=dict)
    ordering = ListOrCommaField(required=False, default=None)
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1), required=False, default=None
    )


class DuplicateMergeSerializer(serializers.Serializer):
    keep = serializers.IntegerField(min_value=1)
    merge = serializers.ListField(child=serializers.IntegerField(min_value=1), min_length=1)
    fill_empty = serializers.BooleanField(
        default=True, help_text="copy values the kept record lacks from the merged ones"
    )

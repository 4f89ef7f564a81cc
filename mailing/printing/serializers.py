from __future__ import annotations

import json
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, extend_schema_field, extend_schema_serializer
from rest_framework import serializers
from rest_framework.reverse import reverse

from mailing.models import Mailing
from mailing.printing.models import DocumentTemplate, LabelFormat, PrintRun
from mailing.renderers.addressing import AddresseeMode
from mailing.renderers.fonts import FACES
from mailing.renderers.merge import MERGE_FIELDS


class JSONObjectField(serializers.JSONField):
    """A JSON object, sent as JSON or — in a multipart upload — as a JSON string."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, str | bytes):
            try:
                data = json.loads(data or "{}")
            except ValueError:
                self.fail("invalid")
        if not isinstance(data, dict):
            raise serializers.ValidationError("JSONオブジェクトを指定してください")
        return data


class LabelFormatSerializer(serializers.ModelSerializer):
    per_sheet = serializers.IntegerField(read_only=True)

    class Meta:
        model = LabelFormat
        fields = [
            "id",
            "code",
            "name",
            "manufacturer",
            "product_number",
            "page_width",
            "page_height",
            "margin_top",
            "margin_left",
            "columns",
            "rows",
            "label_width",
            "label_height",
            "pitch_x",
            "pitch_y",
            "padding",
            "per_sheet",
            "builtin",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["builtin", "created_at", "updated_at"]
        extra_kwargs = {"code": {"validators": []}}


class SenderSerializer(serializers.Serializer):
    company = serializers.CharField(max_length=200, required=False, allow_blank=True)
    department = serializers.CharField(max_length=200, required=False, allow_blank=True)
    name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    postal_code = serializers.CharField(max_length=10, required=False, allow_blank=True)
    address = serializers.CharField(max_length=300, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=30, required=False, allow_blank=True)
    fax = serializers.CharField(max_length=30, required=False, allow_blank=True)
    email = serializers.CharField(max_length=254, required=False, allow_blank=True)


class DocumentTemplateSerializer(serializers.ModelSerializer):
    layout = JSONObjectField(required=False)
    sender = JSONObjectField(required=False)
    file = serializers.FileField(write_only=True, required=False)
    has_file = serializers.SerializerMethodField()
    merge_fields = serializers.SerializerMethodField()

    class Meta:
        model = DocumentTemplate
        fields = [
            "id",
            "name",
            "kind",
            "engine",
            "file",
            "has_file",
            "layout",
            "fields",
            "sender",
            "date_style",
            "merge_fields",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["fields", "created_at", "updated_at"]

    def get_has_file(self, template: DocumentTemplate) -> bool:
        return bool(template.file)

    def get_merge_fields(self, template: DocumentTemplate) -> dict[str, str]:
        """Every merge field a template may use, by name → its Japanese name."""
        return MERGE_FIELDS

    def validate_sender(self, value: dict) -> dict:
        serializer = SenderSerializer(data=value)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data


class PrintOptionsSerializer(serializers.Serializer):
    addressee = serializers.ChoiceField(
        choices=[(m.value, m.value) for m in AddresseeMode],
        required=False,
        help_text="person: 会社・部署・役職・氏名 様 / department: 部署 御中 / company: 会社 御中",
    )
    person_honorific = serializers.CharField(
        max_length=10, required=False, help_text="個人の敬称 (既定: 様)"
    )
    organisation_honorific = serializers.CharField(
        max_length=10, required=False, help_text="会社・部署の敬称 (既定: 御中)"
    )
    font = serializers.ChoiceField(choices=list(FACES), required=False)
    date = serializers.DateField(required=False, help_text="送り状の日付 (既定: 今日)")
    date_style = serializers.ChoiceField(choices=["wareki", "seireki"], required=False)
    sender = SenderSerializer(required=False)
    subject = serializers.CharField(max_length=200, required=False, allow_blank=True)
    message = serializers.CharField(max_length=4000, required=False, allow_blank=True)
    pages = serializers.IntegerField(min_value=1, max_value=999, required=False)
    items = serializers.ListField(
        child=serializers.CharField(max_length=200),
        max_length=20,
        required=False,
        help_text="送り状の「記」に並べる同封物",
    )
    urgent = serializers.BooleanField(required=False)
    please_review = serializers.BooleanField(required=False)
    please_reply = serializers.BooleanField(required=False)
    for_reference = serializers.BooleanField(required=False)
    outline = serializers.BooleanField(required=False, help_text="ラベルの枠を印刷 (試し刷り)")
    draw_boxes = serializers.BooleanField(required=False, help_text="郵便番号枠を印刷 (無地の用紙)")
    on_missing_glyph = serializers.ChoiceField(
        choices=["fail", "skip"],
        required=False,
        help_text="フォントにない文字を含む宛先: fail=印刷しない (既定) / skip=除外して印刷",
    )

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        value = super().to_internal_value(data)
        if "date" in value:
            value["date"] = value["date"].isoformat()
        return value


@extend_schema_field(OpenApiTypes.STR)
class LabelFormatRefField(serializers.Field):
    """A label format by id or by code (``a4-24``, ``avery-l7160``)."""

    default_error_messages = {"missing": "ラベル用紙「{value}」はありません"}

    def to_internal_value(self, data: Any) -> LabelFormat:
        lookup = {"pk": data} if str(data).isdigit() else {"code": str(data)}
        found = LabelFormat.objects.filter(**lookup).first()
        if found is None:
            self.fail("missing", value=data)
        return found

    def to_representation(self, value: LabelFormat) -> int:
        return value.pk


@extend_schema_serializer(
    examples=[
        OpenApiExample("年賀状の宛名 (縦書き)", value={"sort": "postal_code"}),
        OpenApiExample(
            "ラベル 24面, 3枚目から",
            value={
                "label_format": "a4-24",
                "start_position": 3,
                "sort": "reading",
                "options": {"addressee": "person"},
            },
        ),
        OpenApiExample(
            "FAX送付状",
            value={
                "template": 1,
                "options": {"subject": "お見積書送付の件", "pages": 3, "please_review": True},
            },
        ),
    ]
)
class PrintRequestSerializer(serializers.Serializer):
    label_format = LabelFormatRefField(required=False)
    template = serializers.PrimaryKeyRelatedField(
        queryset=DocumentTemplate.objects.all(), required=False
    )
    start_position = serializers.IntegerField(min_value=1, required=False)
    sort = serializers.ChoiceField(choices=PrintRun.Sort.choices, required=False)
    output = serializers.ChoiceField(choices=PrintRun.Output.choices, required=False)
    recipients = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        allow_empty=False,
        required=False,
        help_text="この発送の宛先 (発送先ID) の一部だけを印刷する (例: 汚れたラベルの再印刷)",
    )
    options = PrintOptionsSerializer(required=False)


class PrintRunCreateSerializer(PrintRequestSerializer):
    mailing = serializers.PrimaryKeyRelatedField(queryset=Mailing.objects.all())


class PrintRunSerializer(serializers.ModelSerializer):
    mailing_name = serializers.CharField(source="mailing.name", read_only=True)
    label_format_name = serializers.CharField(
        source="label_format.name", default=None, read_only=True
    )
    template_name = serializers.CharField(source="template.name", default=None, read_only=True)
    job = serializers.SerializerMethodField()
    download = serializers.SerializerMethodField()

    class Meta:
        model = PrintRun
        fields = [
            "id",
            "mailing",
            "mailing_name",
            "kind",
            "title",
            "reprint",
            "label_format",
            "label_format_name",
            "template",
            "template_name",
            "start_position",
            "sort",
            "output",
            "options",
            "recipient_ids",
            "state",
            "job",
            "download",
            "documents",
            "pages",
            "problems",
            "skipped",
            "error",
            "created_at",
            "finished_at",
        ]
        read_only_fields = fields

    def get_job(self, run: PrintRun) -> dict[str, Any] | None:
        if run.job is None:
            return None
        return {
            "id": run.job_id,
            "state": run.job.state,
            "done": run.job.done,
            "total": run.job.total,
            "url": reverse("job-detail", args=[run.job_id], request=self.context.get("request")),
        }

    def get_download(self, run: PrintRun) -> str | None:
        if run.state != PrintRun.State.DONE or not run.artifact:
            return None
        return reverse("print-run-download", args=[run.pk], request=self.context.get("request"))


class GlyphProblemSerializer(serializers.Serializer):
    recipient = serializers.IntegerField()
    person = serializers.IntegerField()
    name = serializers.CharField()
    fields = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))

"""Shapes of e-mail templates, a mailing's e-mail settings and status, previews and
bounces in the API."""

from __future__ import annotations

from rest_framework import serializers

from api.jobs.serializers import JobSerializer
from mailing.email.compose import MERGE_FIELDS
from mailing.email.models import EmailBounce, EmailMailing, EmailTemplate, EmailTemplateVersion

MERGE_HELP = (
    "merge fields: {{key}} or {{日本語名}}, with a fallback for an empty value as "
    "{{title|ご担当者}}; keys: "
    + ", ".join(f"{key} ({label})" for key, label in MERGE_FIELDS.items())
    + ", custom.<key> (a person custom field)"
)


class EmailJobBriefSerializer(JobSerializer):
    class Meta(JobSerializer.Meta):
        fields = ["id", "state", "done", "total", "percent", "scheduled_for", "error", "result"]
        read_only_fields = fields


class TemplateVersionSerializer(serializers.ModelSerializer):
    created_by_name = serializers.CharField(
        source="created_by.username", read_only=True, default=None
    )

    class Meta:
        model = EmailTemplateVersion
        fields = [
            "id",
            "number",
            "subject",
            "body_text",
            "body_html",
            "fields",
            "links",
            "created_by_name",
            "created_at",
        ]
        read_only_fields = fields


class TemplateSerializer(serializers.ModelSerializer):
    """A template with its current version. Writing subject or bodies makes a new version."""

    subject = serializers.CharField(max_length=300, write_only=True, help_text=MERGE_HELP)
    body_text = serializers.CharField(write_only=True, trim_whitespace=False)
    body_html = serializers.CharField(
        write_only=True, required=False, allow_blank=True, default="", trim_whitespace=False
    )
    current = serializers.SerializerMethodField()
    version_count = serializers.IntegerField(read_only=True, default=None)

    class Meta:
        model = EmailTemplate
        fields = [
            "id",
            "name",
            "description",
            "subject",
            "body_text",
            "body_html",
            "current",
            "version_count",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "current", "version_count", "created_at", "updated_at"]
        extra_kwargs = {"name": {"validators": []}}

    def get_current(self, template: EmailTemplate) -> dict | None:
        version = template.versions.order_by("-number").first()
        return TemplateVersionSerializer(version).data if version else None


class TemplateVersionBriefSerializer(serializers.ModelSerializer):
    template_name = serializers.CharField(source="template.name", read_only=True)

    class Meta:
        model = EmailTemplateVersion
        fields = ["id", "template", "template_name", "number", "subject"]
        read_only_fields = fields


class StatusSerializer(serializers.Serializer):
    counts = serializers.DictField(
        child=serializers.IntegerField(), help_text="recipients per state"
    )
    unconfirmed = serializers.IntegerField(
        help_text="handed to the SMTP server by a worker that died before its reply was "
        "recorded: counted as sent, not resent (see resend-unconfirmed)"
    )
    waiting_retry = serializers.IntegerField(help_text="queued after a temporary failure")
    bounces = serializers.DictField(child=serializers.IntegerField())
    unsubscribed = serializers.IntegerField()
    opened = serializers.IntegerField()
    clicked = serializers.IntegerField()


class EmailSettingsSerializer(serializers.ModelSerializer):
    template_version = TemplateVersionBriefSerializer(read_only=True)
    state = serializers.CharField(source="mailing.state", read_only=True)
    job = EmailJobBriefSerializer(read_only=True)
    status = serializers.SerializerMethodField()

    class Meta:
        model = EmailMailing
        fields = [
            "mailing",
            "state",
            "template_version",
            "from_name",
            "from_address",
            "reply_to",
            "charset",
            "scheduled_start",
            "rate_per_second",
            "rate_per_hour",
            "domain_rates",
            "domain_rate_default",
            "track_opens",
            "track_clicks",
            "job",
            "started_at",
            "status",
        ]
        read_only_fields = fields

    def get_status(self, email: EmailMailing) -> dict:
        return StatusSerializer(self.context["status"]).data


class EmailSettingsWriteSerializer(serializers.Serializer):
    template = serializers.PrimaryKeyRelatedField(
        queryset=EmailTemplate.objects.all(),
        required=False,
        help_text="send this template's current version (frozen on the mailing)",
    )
    template_version = serializers.PrimaryKeyRelatedField(
        queryset=EmailTemplateVersion.objects.all(), required=False
    )
    from_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    from_address = serializers.CharField(max_length=254, required=False)
    reply_to = serializers.CharField(max_length=254, required=False, allow_blank=True)
    charset = serializers.ChoiceField(choices=EmailMailing.Charset.choices, required=False)
    scheduled_start = serializers.DateTimeField(required=False, allow_null=True)
    rate_per_second = serializers.IntegerField(min_value=1, required=False, allow_null=True)
    rate_per_hour = serializers.IntegerField(min_value=1, required=False, allow_null=True)
    domain_rates = serializers.JSONField(
        required=False, help_text='messages per minute by domain: {"docomo.ne.jp": 600}'
    )
    domain_rate_default = serializers.IntegerField(min_value=1, required=False, allow_null=True)
    track_opens = serializers.BooleanField(required=False)
    track_clicks = serializers.BooleanField(required=False)


class StartSerializer(serializers.Serializer):
    at = serializers.DateTimeField(
        required=False,
        allow_null=True,
        help_text="start then (default: the scheduled start, or now)",
    )


class PreviewSerializer(serializers.Serializer):
    mail_from = serializers.CharField(help_text="the VERP return path")
    to = serializers.CharField()
    subject = serializers.CharField()
    headers = serializers.DictField(child=serializers.CharField())
    text = serializers.CharField()
    html = serializers.CharField()
    empty_fields = serializers.ListField(child=serializers.CharField())
    substituted = serializers.ListField(
        child=serializers.CharField(), help_text="characters ISO-2022-JP cannot carry"
    )
    size = serializers.IntegerField()


class TestSendSerializer(serializers.Serializer):
    to = serializers.EmailField(required=False, help_text="default: your account's address")
    recipient = serializers.IntegerField(required=False, help_text="fill for this recipient")


class TemplateTestSendSerializer(serializers.Serializer):
    to = serializers.EmailField(required=False, help_text="default: your account's address")
    person = serializers.IntegerField(required=False, help_text="fill for this person")


class TestSentSerializer(serializers.Serializer):
    to = serializers.CharField()
    message_id = serializers.CharField()
    reply = serializers.CharField()


class BounceSerializer(serializers.ModelSerializer):
    person = serializers.IntegerField(source="person_id", read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = EmailBounce
        fields = [
            "id",
            "recipient",
            "person",
            "email",
            "kind",
            "kind_label",
            "status",
            "diagnostic",
            "source",
            "created_at",
        ]
        read_only_fields = fields


class WebhookEventSerializer(serializers.Serializer):
    recipient = serializers.CharField(help_text="the VERP address bounce+<token>@… or the token")
    type = serializers.ChoiceField(choices=EmailBounce.Kind.choices)
    status = serializers.CharField(required=False, allow_blank=True, default="")
    diagnostic = serializers.CharField(required=False, allow_blank=True, default="")
    email = serializers.CharField(required=False, allow_blank=True, default="")
    id = serializers.CharField(help_text="the provider's event id: an event is recorded once")


class WebhookSerializer(serializers.Serializer):
    events = WebhookEventSerializer(many=True)


class WebhookResultSerializer(serializers.Serializer):
    recorded = serializers.IntegerField()
    duplicates = serializers.IntegerField()
    unknown = serializers.IntegerField()

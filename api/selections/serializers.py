"""Shapes of selection sets in the API, with the query language documented in the schema."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiExample, extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from api.jobs.models import Job
from api.jobs.serializers import JobSerializer
from api.selections.models import SelectionMember, SelectionSet
from api.selections.query import query_reference
from api.selections.services.duplicates import KEEP_RULE

EXAMPLE_QUERIES: dict[str, tuple[str, dict[str, Any]]] = {
    "mine": ("自分が担当する全員 (everyone I own)", {"owner": "me"}),
    "vip": ("ユーザ定義コード1 (VIP) が A", {"user_code": {"slot": 1, "value": "A"}}),
    "nenga": ("選択タイプ 年賀状送付先", {"selection_type": "年賀状送付先"}),
    "fur": ("毛皮 (下位分類を含む) を購入", {"bought": {"category": "毛皮"}}),
    "red_shoes": (
        "赤い靴を購入 (商品ユーザ定義コード3 = 赤, 分類 靴)",
        {"bought": {"category": "靴", "product_user_code": {"slot": 3, "value": "red"}}},
    ),
    "sold_last_year": (
        "過去1年に自分が販売した顧客",
        {"bought": {"sold_by": "me", "within": "1 year"}},
    ),
    "fur_mine_12m": (
        "自分の担当で、過去12ヶ月に毛皮を購入",
        {"all": [{"owner": "me"}, {"bought": {"category": "毛皮", "within": "12 months"}}]},
    ),
    "oseibo_lapsed": (
        "2025年のお歳暮は受け取ったが2026年は未送付",
        {
            "all": [
                {"received": {"mailing": "2025年 お歳暮送付"}},
                {"not": {"received": {"mailing": "2026年 お歳暮送付"}}},
            ]
        },
    ),
    "nenga_returned": (
        "2025年の年賀状が宛先不明で返送された",
        {"responded": {"mailing": "2025年 年賀状送付", "type": "宛先不明で返送"}},
    ),
    "reachable": (
        "東京都・神奈川県の A/S ランク取引先の担当者で、郵送可能",
        {
            "all": [
                {"prefecture": ["東京都", "神奈川県"]},
                {"company": {"stage": "active", "rank": ["S", "A"]}},
                {"has_address": True},
                {"not": {"opted_out": "mail"}},
            ]
        },
    ),
}


def _examples(wrap: Any) -> list[OpenApiExample]:
    return [
        OpenApiExample(key, summary=summary, value=wrap(query), request_only=True)
        for key, (summary, query) in EXAMPLE_QUERIES.items()
    ]


@extend_schema_field(
    {
        "type": "object",
        "description": query_reference(),
        "additionalProperties": True,
        "example": EXAMPLE_QUERIES["fur_mine_12m"][1],
    }
)
class QueryField(serializers.JSONField):
    """A selection query; compiled (and its errors named by path) by the services."""


class JobBriefSerializer(JobSerializer):
    class Meta(JobSerializer.Meta):
        fields = ["id", "kind", "state", "done", "total", "percent", "error", "result"]
        read_only_fields = fields


class SelectionSetSerializer(serializers.ModelSerializer):
    code = serializers.CharField(read_only=True, help_text="the number shown as 0001")
    owner_name = serializers.CharField(source="owner.username", read_only=True, default=None)
    state = serializers.SerializerMethodField(
        help_text="building while a job changes the members, failed if the last job failed"
    )
    job = JobBriefSerializer(read_only=True)
    query = QueryField(allow_null=True, required=False)

    class Meta:
        model = SelectionSet
        fields = [
            "id",
            "number",
            "code",
            "name",
            "description",
            "owner",
            "owner_name",
            "query",
            "origin",
            "origin_detail",
            "member_count",
            "state",
            "job",
            "extracted_at",
            "last_change",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "id",
            "number",
            "owner",
            "origin",
            "origin_detail",
            "member_count",
            "extracted_at",
            "last_change",
            "created_at",
            "updated_at",
        ]

    def get_state(self, selection_set: SelectionSet) -> str:
        job = selection_set.job
        if job is None or job.state == Job.State.SUCCEEDED:
            return "ready"
        if job.state in (Job.State.QUEUED, Job.State.RUNNING):
            return "building"
        return job.state


@extend_schema_serializer(examples=_examples(lambda q: {"name": "2026年 お歳暮送付先", "query": q}))
class SelectionSetCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    query = QueryField(
        required=False,
        allow_null=True,
        default=None,
        help_text="without a query the set starts empty and is filled by hand",
    )


class SelectionSetUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    query = QueryField(required=False, allow_null=True)


@extend_schema_serializer(examples=_examples(lambda q: {"query": q}))
class QuerySerializer(serializers.Serializer):
    query = QueryField()


class CountSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    milliseconds = serializers.IntegerField()


class MemberChangeSerializer(serializers.Serializer):
    person_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        max_length=100_000,
        allow_empty=False,
    )
    query = QueryField(required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if ("person_ids" in attrs) == ("query" in attrs):
            raise serializers.ValidationError({"person_ids": ["give person_ids or query"]})
        return attrs


class MemberChangeResultSerializer(serializers.Serializer):
    added = serializers.IntegerField(required=False)
    removed = serializers.IntegerField(required=False)
    member_count = serializers.IntegerField()


class MemberSerializer(serializers.ModelSerializer):
    person = serializers.IntegerField(source="person_id", read_only=True)
    family_name = serializers.CharField(source="person.family_name", read_only=True)
    given_name = serializers.CharField(source="person.given_name", read_only=True)
    family_name_kana = serializers.CharField(source="person.family_name_kana", read_only=True)
    given_name_kana = serializers.CharField(source="person.given_name_kana", read_only=True)
    company = serializers.IntegerField(source="person.company_id", read_only=True)
    company_name = serializers.CharField(source="person.company.name", read_only=True, default=None)
    department_name = serializers.CharField(
        source="person.department.name", read_only=True, default=None
    )
    title = serializers.CharField(source="person.title", read_only=True)
    postal_code = serializers.CharField(source="person.postal_code", read_only=True)
    prefecture = serializers.CharField(source="person.prefecture", read_only=True)
    address1 = serializers.CharField(source="person.address1", read_only=True)
    address2 = serializers.CharField(source="person.address2", read_only=True)
    email = serializers.CharField(source="person.email", read_only=True)

    class Meta:
        model = SelectionMember
        fields = [
            "person",
            "family_name",
            "given_name",
            "family_name_kana",
            "given_name_kana",
            "company",
            "company_name",
            "department_name",
            "title",
            "postal_code",
            "prefecture",
            "address1",
            "address2",
            "email",
            "manual",
            "added_at",
            "duplicate_of",
            "duplicate_matched_on",
        ]
        read_only_fields = fields


class DuplicateSerializer(MemberSerializer):
    """A member flagged by 名寄せ, with the record kept in its place and why."""

    kept = serializers.SerializerMethodField()
    rule = serializers.SerializerMethodField()

    class Meta(MemberSerializer.Meta):
        fields = [*MemberSerializer.Meta.fields, "kept", "rule"]
        read_only_fields = fields

    def get_kept(self, member: SelectionMember) -> dict[str, Any] | None:
        return self.context.get("kept", {}).get(member.duplicate_of)

    def get_rule(self, member: SelectionMember) -> str:
        return KEEP_RULE


class CopySerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False)


class MergeSerializer(serializers.Serializer):
    sets = serializers.ListField(
        child=serializers.IntegerField(),
        min_length=2,
        help_text="ids of the sets; for difference, the first minus all the others",
    )
    operation = serializers.ChoiceField(choices=["union", "intersection", "difference"])
    name = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")


class SetWithJobSerializer(serializers.Serializer):
    selection_set = SelectionSetSerializer()
    job = JobBriefSerializer(allow_null=True)


class CompareSerializer(serializers.Serializer):
    a = serializers.IntegerField()
    b = serializers.IntegerField()
    only_a = serializers.IntegerField()
    only_b = serializers.IntegerField()
    both = serializers.IntegerField()


class ExecuteSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200, help_text="e.g. 2026年 年賀状送付")
    channel = serializers.CharField(default="record_only")
    medium = serializers.CharField(
        required=False,
        allow_null=True,
        default=None,
        help_text="post, email or fax (record-only: default post)",
    )
    options = serializers.DictField(required=False, default=dict)


class ExportQuerySerializer(serializers.Serializer):
    columns = serializers.CharField(
        required=False, default="", help_text="comma-separated column names, in order"
    )
    encoding = serializers.ChoiceField(choices=["utf-8-sig", "cp932"], default="utf-8-sig")
    ordering = serializers.CharField(required=False, default="kana")
    unencodable = serializers.ChoiceField(choices=["error", "replace"], default="error")

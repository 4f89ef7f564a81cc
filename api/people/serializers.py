"""Shapes of the register in the API.

Serializers check types only (a date is a date, an id exists); text arrives as typed and the
services apply the input rules, so a length or format is judged on the normalised value
(（株） is 3 characters, 株式会社 is 4). Related rows are written by id and read with their
names beside them (``company`` + ``company_name``) so a page reads without further calls.
"""

from __future__ import annotations

from django.db import models
from rest_framework import serializers

from api.masters.models import CompanyClassification, Employee, PersonType, SelectionType
from api.people.models import (
    USER_CODE_SLOTS,
    USER_NAME_SLOTS,
    CardExchange,
    CareerEntry,
    Company,
    Department,
    FamilyMember,
    Person,
    SecretNote,
)


class TypedOnlyModelSerializer(serializers.ModelSerializer):
    """A ModelSerializer whose text fields carry no length, format or uniqueness checks:
    those are the services' job, after normalisation."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.URLField: serializers.CharField,
        models.EmailField: serializers.CharField,
    }

    def build_standard_field(self, field_name: str, model_field: models.Field) -> tuple:
        field_class, kwargs = super().build_standard_field(field_name, model_field)
        if issubclass(field_class, serializers.CharField):
            for key in ("max_length", "min_length", "validators"):
                kwargs.pop(key, None)
        return field_class, kwargs

    def get_unique_together_validators(self) -> list:
        return []


class CodeListField(serializers.ManyRelatedField):
    """The codes of a many-to-many master relation. Read from ``<field>_codes`` where the
    list query annotates it (see selectors.person_list), from the relation otherwise."""

    def get_attribute(self, instance: models.Model) -> object:
        codes = getattr(instance, f"{self.source}_codes", None)
        return codes if codes is not None else super().get_attribute(instance)

    def to_representation(self, iterable: object) -> list:
        return [
            code if isinstance(code, str) else self.child_relation.to_representation(code)
            for code in iterable
        ]


def _codes(model: type[models.Model]) -> serializers.ManyRelatedField:
    return CodeListField(
        child_relation=serializers.SlugRelatedField(
            slug_field="code", queryset=model.objects.all()
        ),
        required=False,
    )


def _name_of(source: str) -> serializers.CharField:
    return serializers.CharField(source=source, read_only=True, allow_null=True)


class CompanyNameField(serializers.CharField):
    """Read: the name of the person's company. Write (when ``company`` is not sent): the
    company to find by its normalised name, or to create."""

    def get_attribute(self, instance: Person) -> str | None:
        return instance.company.name if instance.company_id else None


class FamilyMemberSerializer(TypedOnlyModelSerializer):
    id = serializers.IntegerField(required=False, allow_null=True)

    class Meta:
        model = FamilyMember
        fields = ["id", "name", "name_kana", "relation", "birthday", "memo"]


class PersonSerializer(TypedOnlyModelSerializer):
    company = serializers.PrimaryKeyRelatedField(
        queryset=Company.objects.all(), allow_null=True, required=False
    )
    company_name = CompanyNameField(required=False, allow_null=True, allow_blank=True)
    department = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.all(), allow_null=True, required=False
    )
    department_name = _name_of("department.name")
    owner = serializers.PrimaryKeyRelatedField(
        queryset=Employee.objects.all(), allow_null=True, required=False
    )
    owner_name = _name_of("owner.name")
    person_types = _codes(PersonType)
    selection_types = _codes(SelectionType)
    family = FamilyMemberSerializer(many=True, required=False)
    custom = serializers.JSONField(required=False)

    class Meta:
        model = Person
        fields = [
            "id",
            "family_name",
            "given_name",
            "family_name_kana",
            "given_name_kana",
            "external_code",
            "company",
            "company_name",
            "department",
            "department_name",
            "title",
            "phone",
            "mobile_phone",
            "fax",
            "email",
            "mobile_email",
            "postal_code",
            "prefecture",
            "address1",
            "address2",
            "home_postal_code",
            "home_prefecture",
            "home_address1",
            "home_address2",
            "home_phone",
            "birthday",
            "owner",
            "owner_name",
            "person_types",
            "selection_types",
            *(f"user_code_{n}" for n in USER_CODE_SLOTS),
            *(f"user_name_{n}" for n in USER_NAME_SLOTS),
            "custom",
            "memo",
            "opt_out_mail",
            "opt_out_email",
            "opt_out_fax",
            "email_invalid",
            "family",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["email_invalid", "created_at", "updated_at"]


class CompanySerializer(TypedOnlyModelSerializer):
    classifications = _codes(CompanyClassification)
    owner = serializers.PrimaryKeyRelatedField(
        queryset=Employee.objects.all(), allow_null=True, required=False
    )
    owner_name = _name_of("owner.name")
    custom = serializers.JSONField(required=False)

    class Meta:
        model = Company
        fields = [
            "id",
            "name",
            "name_kana",
            "corporate_number",
            "external_code",
            "representative",
            "industry",
            "capital",
            "employee_count",
            "classifications",
            "services",
            "business_summary",
            "postal_code",
            "prefecture",
            "address1",
            "address2",
            "phone",
            "fax",
            "url",
            "stage",
            "rank",
            "expected_revenue",
            "probability",
            "expected_close_date",
            "last_contact_at",
            "next_follow_up_at",
            "owner",
            "owner_name",
            "custom",
            "memo",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]


class DepartmentSerializer(TypedOnlyModelSerializer):
    company_name = _name_of("company.name")
    parent = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.all(), allow_null=True, required=False
    )
    parent_name = _name_of("parent.name")
    custom = serializers.JSONField(required=False)

    class Meta:
        model = Department
        fields = [
            "id",
            "company",
            "company_name",
            "parent",
            "parent_name",
            "name",
            "name_kana",
            "external_code",
            "postal_code",
            "prefecture",
            "address1",
            "address2",
            "phone",
            "fax",
            "custom",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]


class CareerEntrySerializer(serializers.ModelSerializer):
    changed_by_name = _name_of("changed_by.username")

    class Meta:
        model = CareerEntry
        fields = [
            "id",
            "company",
            "company_name",
            "department",
            "department_name",
            "title",
            "started_on",
            "ended_on",
            "changed_by",
            "changed_by_name",
            "created_at",
        ]
        read_only_fields = fields


class CardExchangeSerializer(TypedOnlyModelSerializer):
    employee = serializers.PrimaryKeyRelatedField(
        queryset=Employee.objects.all(),
        required=False,
        allow_null=True,
        help_text="defaults to the caller's own employee record",
    )
    employee_name = _name_of("employee.name")

    class Meta:
        model = CardExchange
        fields = [
            "id",
            "employee",
            "employee_name",
            "exchanged_on",
            "place",
            "note",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]


class SecretNoteSerializer(TypedOnlyModelSerializer):
    class Meta:
        model = SecretNote
        fields = ["id", "person", "text", "author", "created_at", "updated_at"]
        read_only_fields = ["person", "author", "created_at", "updated_at"]


class TimelineEntrySerializer(serializers.Serializer):
    """One entry of people/{id}/history/ (api.people.timeline.TimelineEntry); read only."""

    kind = serializers.CharField()
    id = serializers.IntegerField()
    at = serializers.DateTimeField()
    title = serializers.CharField()
    detail = serializers.CharField()
    ids = serializers.DictField(child=serializers.IntegerField(allow_null=True))

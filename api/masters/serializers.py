from __future__ import annotations

from django.contrib.auth.validators import UnicodeUsernameValidator
from rest_framework import serializers

from api.masters.models import (
    Branch,
    CodeMaster,
    CustomField,
    Employee,
    Section,
    UserCodeValue,
)

CODE_MASTER_FIELDS = ["id", "code", "name", "sort_order", "is_active", "created_at", "updated_at"]


def code_master_serializer(model: type[CodeMaster]) -> type[serializers.ModelSerializer]:
    """One serializer class per code master, so that the OpenAPI schema names each."""
    meta = type(
        "Meta",
        (),
        {
            "model": model,
            "fields": CODE_MASTER_FIELDS,
            "read_only_fields": ["id", "created_at", "updated_at"],
        },
    )
    return type(f"{model.__name__}Serializer", (serializers.ModelSerializer,), {"Meta": meta})


class UserCodeValueSerializer(serializers.ModelSerializer):
    slot = serializers.IntegerField(min_value=1, max_value=10)

    class Meta:
        model = UserCodeValue
        fields = ["id", "entity", "slot", "code", "name", "sort_order", "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]
        # (entity, slot, code) uniqueness is checked by the service, which names ``code``.
        validators: list = []


class CustomFieldSerializer(serializers.ModelSerializer):
    choices = serializers.ListField(child=serializers.CharField(), required=False)

    class Meta:
        model = CustomField
        fields = [
            "id",
            "entity",
            "key",
            "label",
            "kind",
            "choices",
            "required",
            "sort_order",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]
        validators: list = []


class GroupNamesField(serializers.ListField):
    """The employee's login groups, read and written as a list of group names."""

    child = serializers.CharField()

    def get_attribute(self, employee: Employee) -> list[str]:
        return sorted(group.name for group in employee.user.groups.all())

    def to_representation(self, names: list[str]) -> list[str]:
        return names


class EmployeeSerializer(serializers.ModelSerializer):
    """Branch and department are written as master codes and read with their names."""

    username = serializers.CharField(
        source="user.username", max_length=150, validators=[UnicodeUsernameValidator()]
    )
    password = serializers.CharField(
        write_only=True, required=False, allow_blank=True, style={"input_type": "password"}
    )
    branch = serializers.SlugRelatedField(
        slug_field="code", queryset=Branch.objects.all(), required=False, allow_null=True
    )
    branch_name = serializers.CharField(source="branch.name", default=None, read_only=True)
    department = serializers.SlugRelatedField(
        slug_field="code", queryset=Section.objects.all(), required=False, allow_null=True
    )
    department_name = serializers.CharField(source="department.name", default=None, read_only=True)
    groups = GroupNamesField(required=False)
    is_staff = serializers.BooleanField(source="user.is_staff", read_only=True)

    class Meta:
        model = Employee
        fields = [
            "id",
            "code",
            "name",
            "name_kana",
            "email",
            "username",
            "password",
            "branch",
            "branch_name",
            "department",
            "department_name",
            "groups",
            "is_staff",
            "signature",
            "is_active",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]
        validators: list = []
        extra_kwargs = {"code": {"validators": []}}

    def validate(self, attrs: dict) -> dict:
        # The login cannot be swapped under an employee: sales and ownership follow the person.
        user = attrs.get("user")
        if self.instance is not None and user and user["username"] != self.instance.user.username:
            raise serializers.ValidationError(
                {"username": ["the login of an employee cannot be changed"]}
            )
        if self.instance is not None and attrs.get("password"):
            raise serializers.ValidationError(
                {"password": ["set passwords through the admin site"]}
            )
        return attrs

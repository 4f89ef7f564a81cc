"""Reads of the masters."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet

from api.masters.models import CodeMaster, CustomField, Employee, UserCodeValue


def code_master_list(*, model: type[CodeMaster]) -> QuerySet[CodeMaster]:
    return model.objects.all()


def user_code_value_list() -> QuerySet[UserCodeValue]:
    return UserCodeValue.objects.all()


def custom_field_list() -> QuerySet[CustomField]:
    return CustomField.objects.all()


def employee_list() -> QuerySet[Employee]:
    # A page shows each employee's branch, department and groups: fetched in three queries.
    return Employee.objects.select_related("user", "branch", "department").prefetch_related(
        "user__groups"
    )


def employee_get_for_user(*, user: AbstractBaseUser | AnonymousUser) -> Employee | None:
    return employee_list().filter(user_id=user.pk).first()

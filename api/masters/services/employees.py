"""Employees (社員) and their logins."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from api.core.errors import FieldErrors
from api.masters.models import (
    Branch,
    Employee,
    Section,
)
from api.masters.services.common import (
    EMPLOYEE_RULES,
    model_assign,
    model_save_unique,
    values_normalise,
)


def _groups(names: list[str]) -> list[Group]:
    groups = list(Group.objects.filter(name__in=names))
    missing = sorted(set(names) - {group.name for group in groups})
    if missing:
        raise FieldErrors({"groups": [f"unknown group(s): {', '.join(missing)}"]})
    return groups


def employee_create(
    *,
    username: str,
    code: str,
    name: str,
    name_kana: str = "",
    email: str = "",
    branch: Branch | None = None,
    department: Section | None = None,
    signature: str = "",
    is_active: bool = True,
    groups: list[str] | None = None,
    password: str | None = None,
) -> Employee:
    """Create an Employee and, when ``username`` is new, its login.

    1. An existing user that already is an employee is refused (one Employee per user).
    2. A new user gets ``password``, or an unusable one (set later through the admin).
    3. ``groups`` (names) replace the user's groups when given.
    """
    clean = values_normalise(
        data={"code": code, "name": name, "name_kana": name_kana, "email": email},
        rules=EMPLOYEE_RULES,
    )
    code, name, name_kana, email = (clean[k] for k in ("code", "name", "name_kana", "email"))
    user_model = get_user_model()
    user = user_model.objects.filter(username=username).first()
    if user is not None and Employee.objects.filter(user=user).exists():
        raise FieldErrors({"username": [f"user '{username}' already is an employee"]})
    if Employee.objects.filter(code=code).exists():
        raise FieldErrors({"code": [f"employee code '{code}' already exists"]})
    group_list = _groups(groups) if groups is not None else None
    with transaction.atomic(durable=True):
        if user is None:
            user = user_model(username=username, email=email)
            if password:
                user.set_password(password)
            else:
                user.set_unusable_password()
            user.save()
        employee = Employee(
            user=user,
            code=code,
            name=name,
            name_kana=name_kana,
            email=email,
            branch=branch,
            department=department,
            signature=signature,
            is_active=is_active,
        )
        model_save_unique(instance=employee, field_name="code")
        if group_list is not None:
            user.groups.set(group_list)
    return employee


def employee_update(*, employee: Employee, data: dict[str, Any]) -> Employee:
    data = values_normalise(data=data, rules=EMPLOYEE_RULES)
    group_names = data.pop("groups", None)
    group_list = _groups(group_names) if group_names is not None else None
    code = data.get("code", employee.code)
    if Employee.objects.filter(code=code).exclude(pk=employee.pk).exists():
        raise FieldErrors({"code": [f"employee code '{code}' already exists"]})
    with transaction.atomic(durable=True):
        model_assign(instance=employee, data=data)
        model_save_unique(instance=employee, field_name="code")
        if group_list is not None:
            employee.user.groups.set(group_list)
    return employee

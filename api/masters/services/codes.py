"""Code masters (個人タイプ, 選択タイプ, 顧客分類, 支店, 自社部署)."""

from __future__ import annotations

from typing import Any

from django.db import models, transaction

from api.core.errors import Conflict, FieldErrors
from api.masters.models import CodeMaster
from api.masters.services.common import (
    CODE_RULES,
    model_assign,
    model_save_unique,
    values_normalise,
)


def code_master_create(*, model: type[CodeMaster], data: dict[str, Any]) -> CodeMaster:
    data = values_normalise(data=data, rules=CODE_RULES)
    if model.objects.filter(code=data.get("code")).exists():
        raise FieldErrors({"code": [f"code '{data.get('code')}' already exists"]})
    instance = model(**data)
    with transaction.atomic(durable=True):
        model_save_unique(instance=instance, field_name="code")
    return instance


def code_master_update(*, instance: CodeMaster, data: dict[str, Any]) -> CodeMaster:
    data = values_normalise(data=data, rules=CODE_RULES)
    code = data.get("code", instance.code)
    if type(instance).objects.filter(code=code).exclude(pk=instance.pk).exists():
        raise FieldErrors({"code": [f"code '{code}' already exists"]})
    with transaction.atomic(durable=True):
        model_assign(instance=instance, data=data)
        model_save_unique(instance=instance, field_name="code")
    return instance


def code_master_delete(*, instance: CodeMaster) -> None:
    """Delete a code that nothing protects; one still referenced is a 409 (deactivate it)."""
    try:
        with transaction.atomic(durable=True):
            instance.delete()
    except models.ProtectedError as exc:
        raise Conflict(
            f"'{instance}' is still used by {len(exc.protected_objects)} record(s); "
            "set is_active to false instead"
        ) from exc

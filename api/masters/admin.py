"""Admin for the masters. Writes with rules go through the services (``ServiceAdmin``), so the
admin cannot store what the API would refuse."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin.options import csrf_protect_m
from django.db import models
from django.http import HttpRequest, HttpResponse

from api.core.errors import FieldErrors, ServiceError
from api.masters import services
from api.masters.models import (
    Branch,
    CodeMaster,
    CompanyClassification,
    CustomField,
    Employee,
    PersonType,
    Section,
    SelectionType,
    UserCodeValue,
)


class ServiceForm(forms.ModelForm):
    """Runs the admin's ``check`` in ``clean()`` and shows a ServiceError on its field."""

    check: Callable[..., None] | None = None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self.check is None or self.errors:
            return cleaned
        try:
            self.check(instance=self.instance, data=cleaned)
        except FieldErrors as exc:
            for name, messages in exc.errors.items():
                self.add_error(self._form_field(name), messages)
        except ServiceError as exc:
            self.add_error(self._form_field(exc.field), exc.message)
        return cleaned

    def _form_field(self, name: str | None) -> str | None:
        # "custom.colour" is shown on the custom field; an unknown field on the whole form.
        top = name.split(".", 1)[0] if name else None
        return top if top in self.fields else None


class ServiceAdmin(admin.ModelAdmin):
    """Saves and deletes through ``service_create`` / ``service_update`` / ``service_delete``.

    ``service_update`` gets the row as stored plus the changed fields only, as the API does.
    """

    form = ServiceForm

    def service_check(self, *, instance: models.Model, data: dict[str, Any]) -> None:
        """Validation that needs the services' rules; runs while the form is cleaned."""

    def service_create(self, *, data: dict[str, Any]) -> models.Model:
        raise NotImplementedError

    def service_update(self, *, instance: models.Model, data: dict[str, Any]) -> models.Model:
        raise NotImplementedError

    def service_delete(self, *, instance: models.Model) -> None:
        instance.delete()

    def service_delete_check(self, *, instance: models.Model) -> None:
        """Raise the ServiceError the delete service would raise, before anything is deleted."""

    def get_deleted_objects(self, objs: Any, request: HttpRequest) -> tuple:
        # A refusal is listed as "protected": the admin then explains instead of deleting.
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        protected = list(protected)
        for obj in objs:
            try:
                self.service_delete_check(instance=obj)
            except ServiceError as exc:
                protected.append(exc.message)
        return deleted, counts, perms_needed, protected

    # Django's admin wraps these views in a transaction; the services own theirs
    # (``atomic(durable=True)``), so the views run without one. The service's write and the
    # admin's log entry are then two commits, and a failed log entry leaves a correct write.
    @csrf_protect_m
    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        return self._changeform_view(request, object_id, form_url, extra_context)

    @csrf_protect_m
    def delete_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        return self._delete_view(request, object_id, extra_context)

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> type[forms.ModelForm]:
        form = super().get_form(request, obj, change=change, **kwargs)
        form.check = staticmethod(self.service_check)
        return form

    def save_model(
        self, request: HttpRequest, obj: models.Model, form: forms.ModelForm, change: bool
    ) -> None:
        if change:
            stored = type(obj)._default_manager.get(pk=obj.pk)
            data = {name: form.cleaned_data[name] for name in form.changed_data}
            saved = self.service_update(instance=stored, data=data)
        else:
            saved = self.service_create(data=dict(form.cleaned_data))
        obj.pk = saved.pk
        obj.refresh_from_db()

    def delete_model(self, request: HttpRequest, obj: models.Model) -> None:
        self.service_delete(instance=obj)


class CodeMasterAdmin(ServiceAdmin):
    list_display = ["code", "name", "sort_order", "is_active", "updated_at"]
    list_filter = ["is_active"]
    search_fields = ["code", "name"]
    ordering = ["sort_order", "code"]

    def service_create(self, *, data: dict[str, Any]) -> CodeMaster:
        return services.code_master_create(model=self.model, data=data)

    def service_update(self, *, instance: CodeMaster, data: dict[str, Any]) -> CodeMaster:
        return services.code_master_update(instance=instance, data=data)

    def service_delete(self, *, instance: CodeMaster) -> None:
        services.code_master_delete(instance=instance)


for model in (PersonType, SelectionType, CompanyClassification, Branch, Section):
    admin.site.register(model, CodeMasterAdmin)


@admin.register(UserCodeValue)
class UserCodeValueAdmin(ServiceAdmin):
    list_display = ["entity", "slot", "code", "name", "sort_order"]
    list_filter = ["entity", "slot"]
    search_fields = ["code", "name"]

    def service_check(self, *, instance: UserCodeValue, data: dict[str, Any]) -> None:
        if instance.pk is not None:
            services.user_code_value_change_check(value=instance, data=data)

    def service_create(self, *, data: dict[str, Any]) -> UserCodeValue:
        return services.user_code_value_create(**data)

    def service_update(self, *, instance: UserCodeValue, data: dict[str, Any]) -> UserCodeValue:
        return services.user_code_value_update(value=instance, data=data)

    def service_delete_check(self, *, instance: UserCodeValue) -> None:
        services.user_code_value_delete_check(value=instance)

    def service_delete(self, *, instance: UserCodeValue) -> None:
        services.user_code_value_delete(value=instance)


@admin.register(CustomField)
class CustomFieldAdmin(ServiceAdmin):
    list_display = ["entity", "key", "label", "kind", "required", "sort_order"]
    list_filter = ["entity", "kind", "required"]
    search_fields = ["key", "label"]

    def service_check(self, *, instance: CustomField, data: dict[str, Any]) -> None:
        services.custom_field_choices_clean(kind=data["kind"], choices=data.get("choices"))

    def service_create(self, *, data: dict[str, Any]) -> CustomField:
        return services.custom_field_create(**data)

    def service_update(self, *, instance: CustomField, data: dict[str, Any]) -> CustomField:
        return services.custom_field_update(field=instance, data=data)


@admin.register(Employee)
class EmployeeAdmin(ServiceAdmin):
    list_display = ["code", "name", "user", "branch", "department", "is_active"]
    list_filter = ["is_active", "branch", "department", "user__groups"]
    search_fields = ["code", "name", "name_kana", "email", "user__username"]
    autocomplete_fields = ["user", "branch", "department"]
    list_select_related = ["user", "branch", "department"]

    def service_check(self, *, instance: Employee, data: dict[str, Any]) -> None:
        services.values_normalise(data=data, rules=services.EMPLOYEE_RULES)

    def service_create(self, *, data: dict[str, Any]) -> Employee:
        return services.employee_create(username=data.pop("user").get_username(), **data)

    def service_update(self, *, instance: Employee, data: dict[str, Any]) -> Employee:
        return services.employee_update(employee=instance, data=data)

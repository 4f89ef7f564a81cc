"""Admin of the register. Every save and delete goes through the services, so the input rules,
career entries and secret-note privacy hold here exactly as in the API.

Django's admin wraps a POST in ``transaction.atomic``; the services open their own durable
transaction (STYLE rule 2), which cannot nest. ``RegisterAdmin`` therefore runs the POST views
without the outer block: the service's transaction covers every data write (inlines included,
they are passed to the same service call), and only the admin's LogEntry is written after it.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin.options import csrf_protect_m
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse

from api.core.errors import FieldErrors, ServiceError
from api.people import selectors, services
from api.people.models import (
    CardExchange,
    CareerEntry,
    Company,
    Department,
    FamilyMember,
    Person,
    PersonAccessLog,
    SecretNote,
)
from api.people.services import rules
from api.people.services.people import FAMILY_RULES


def _loosen_lengths(form: forms.BaseForm) -> None:
    """Text is judged after normalisation (（株） → 株式会社), as in the API: the model's
    max_length is checked by the service on the normalised value, not on what was typed."""
    for field in form.fields.values():
        if isinstance(field, forms.CharField) and field.max_length:
            field.max_length = None
            field.widget.attrs.pop("maxlength", None)
            field.validators = [
                v for v in field.validators if not isinstance(v, MaxLengthValidator)
            ]


def _show_errors(form: forms.BaseForm, exc: ServiceError) -> None:
    """Each error on its field ("custom.colour" on ``custom``), the suggestion beside it."""
    errors = exc.errors if isinstance(exc, FieldErrors) else {exc.field: [exc.message]}
    suggestions = exc.suggestions if isinstance(exc, FieldErrors) else {}
    for name, messages in errors.items():
        top = name.split(".", 1)[0] if name else None
        target = top if top in form.fields else None
        for message in messages:
            hint = f" (例: {suggestions[name]})" if name in suggestions else ""
            shown = message if target == name else f"{name}: {message}"
            form.add_error(target, shown + hint)


class RulesForm(forms.ModelForm):
    """Cleans through the admin's ``record_clean`` (the service's own clean step) and keeps
    the normalised values, so the admin shows what will be stored."""

    record_clean: Any = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _loosen_lengths(self)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self.record_clean is None or self.errors:
            return cleaned
        instance = self.instance if self.instance.pk else None
        try:
            normalised = self.record_clean(data=changed_data(self), instance=instance)
        except ServiceError as exc:
            _show_errors(self, exc)
            return cleaned
        cleaned.update({k: v for k, v in normalised.items() if k in self.fields})
        return cleaned


def changed_data(form: forms.ModelForm) -> dict[str, Any]:
    """What the service is given: every field on an add, the changed ones on a change. A key
    removed from ``custom`` is sent as None, which is how the services remove one."""
    names = form.changed_data if form.instance.pk else list(form.cleaned_data)
    data = {name: form.cleaned_data[name] for name in names if name in form.cleaned_data}
    if form.instance.pk and isinstance(data.get("custom"), dict):
        removed = set(form.instance.custom or {}) - set(data["custom"])
        data["custom"] = {**dict.fromkeys(removed), **data["custom"]}
    return data


class RegisterAdmin(admin.ModelAdmin):
    """Saves through ``record_create`` / ``record_update`` and deletes through
    ``record_delete``, all services; see the module docstring for the transaction."""

    form = RulesForm

    def record_clean(self, *, data: dict[str, Any], instance: Any) -> dict[str, Any]:
        return data

    def record_create(self, *, request: HttpRequest, data: dict[str, Any]) -> Any:
        raise NotImplementedError

    def record_update(self, *, request: HttpRequest, instance: Any, data: dict[str, Any]) -> Any:
        raise NotImplementedError

    def record_delete(self, *, request: HttpRequest, instance: Any) -> None:
        raise NotImplementedError

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> type[forms.ModelForm]:
        form = super().get_form(request, obj, change=change, **kwargs)
        form.record_clean = staticmethod(self.record_clean)
        return form

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

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        """Nothing yet: the write happens in ``save_related``, where the inlines are known,
        as one service call."""

    def inline_data(self, formsets: list[Any]) -> dict[str, Any]:
        """Extra service arguments from the inlines (a person's family)."""
        return {}

    def save_related(
        self, request: HttpRequest, form: Any, formsets: list[Any], change: bool
    ) -> None:
        data = {**changed_data(form), **self.inline_data(formsets)}
        if change:
            stored = self.get_queryset(request).get(pk=form.instance.pk)
            saved = self.record_update(request=request, instance=stored, data=data)
        else:
            saved = self.record_create(request=request, data=data)
        form.instance.pk = saved.pk
        form.instance.refresh_from_db()
        for formset in formsets:
            # construct_change_message reads what formset.save() would have recorded.
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []

    def delete_blockers(self, objs: Any) -> list[str]:
        """Why some of ``objs`` cannot be deleted (the service would refuse); shown by the
        admin the way it shows protected objects, and the delete is not offered."""
        return []

    def get_deleted_objects(self, objs: Any, request: HttpRequest) -> tuple:
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        return deleted, counts, perms_needed, [*protected, *self.delete_blockers(objs)]

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        self.record_delete(request=request, instance=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        # Admin bulk deletes are a page at most; each goes through the same refusal rules.
        for obj in queryset:
            self.record_delete(request=request, instance=obj)


class PrefectureFilter(admin.SimpleListFilter):
    """The 47 prefectures as a fixed list: no SELECT DISTINCT over a million rows."""

    title = "都道府県"
    parameter_name = "prefecture"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [(p, p) for p in rules.PREFECTURES]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        return queryset.filter(prefecture=self.value()) if self.value() else queryset


class IndexedSearchMixin:
    """The admin's search box uses the same indexed ``?q=`` search as the API, instead of
    ``icontains`` over every search field (a sequential scan of the whole register)."""

    search_fields = ["search_text"]  # enables the box; the query is the selector's
    search: Any = None

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet, search_term: str
    ) -> tuple[QuerySet, bool]:
        if not search_term.strip():
            return queryset, False
        return self.search(queryset=queryset, q=search_term), False


class DepartmentInline(admin.TabularInline):
    model = Department
    fk_name = "company"
    fields = ["name", "name_kana", "parent", "phone"]
    readonly_fields = fields
    extra = 0
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Company)
class CompanyAdmin(IndexedSearchMixin, RegisterAdmin):
    list_display = [
        "name",
        "name_kana",
        "corporate_number",
        "prefecture",
        "phone",
        "stage",
        "rank",
        "owner",
        "updated_at",
    ]
    list_filter = ["stage", "rank", "classifications", PrefectureFilter, "owner"]
    list_select_related = ["owner"]
    search = staticmethod(selectors.company_search)
    raw_id_fields = ["owner"]
    filter_horizontal = ["classifications"]
    inlines = [DepartmentInline]
    show_full_result_count = False
    readonly_fields = ["created_at", "updated_at"]

    def formfield_for_dbfield(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if isinstance(db_field, models.URLField):
            # Checked (and a missing https:// suggested) by the service, as in the API.
            return forms.CharField(label=db_field.verbose_name, required=False)
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def record_clean(self, *, data: dict[str, Any], instance: Any) -> dict[str, Any]:
        return services.company_clean(data=data, company=instance)

    def delete_blockers(self, objs: Any) -> list[str]:
        counts = (
            Company.objects.filter(pk__in=[o.pk for o in objs])
            .annotate(n=models.Count("people"))
            .filter(n__gt=0)
        )
        return [f"{c.name}: 所属する個人 {c.n} 人を先に移動してください" for c in counts]

    def record_create(self, *, request: HttpRequest, data: dict[str, Any]) -> Company:
        return services.company_create(data=data)

    def record_update(
        self, *, request: HttpRequest, instance: Company, data: dict[str, Any]
    ) -> Company:
        return services.company_update(company=instance, data=data)

    def record_delete(self, *, request: HttpRequest, instance: Company) -> None:
        services.company_delete(company=instance)


@admin.register(Department)
class DepartmentAdmin(RegisterAdmin):
    list_display = ["name", "company", "parent", "phone", "updated_at"]
    list_select_related = ["company", "parent"]
    search_fields = ["name", "name_kana", "company__name"]
    autocomplete_fields = ["company", "parent"]
    readonly_fields = ["created_at", "updated_at"]

    def record_clean(self, *, data: dict[str, Any], instance: Any) -> dict[str, Any]:
        return services.department_clean(data=data, department=instance)

    def delete_blockers(self, objs: Any) -> list[str]:
        counts = (
            Department.objects.filter(pk__in=[o.pk for o in objs])
            .annotate(
                n=models.Count("people", distinct=True), sub=models.Count("children", distinct=True)
            )
            .filter(models.Q(n__gt=0) | models.Q(sub__gt=0))
        )
        return [
            f"{d.name}: 所属する個人 {d.n} 人と下位部署 {d.sub} 件を先に移動してください"
            for d in counts
        ]

    def record_create(self, *, request: HttpRequest, data: dict[str, Any]) -> Department:
        return services.department_create(data=data)

    def record_update(
        self, *, request: HttpRequest, instance: Department, data: dict[str, Any]
    ) -> Department:
        return services.department_update(department=instance, data=data)

    def record_delete(self, *, request: HttpRequest, instance: Department) -> None:
        services.department_delete(department=instance)


class FamilyMemberForm(forms.ModelForm):
    """A family member by the same input rules as the API's ``family`` list."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _loosen_lengths(self)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        problems = rules.Problems()
        normalised = rules.apply_rules(data=cleaned, rules=FAMILY_RULES, problems=problems)
        rules.check_lengths(model=FamilyMember, data=normalised, problems=problems)
        try:
            problems.raise_any()
        except FieldErrors as exc:
            _show_errors(self, exc)
            return cleaned
        return normalised


class FamilyMemberInline(admin.TabularInline):
    model = FamilyMember
    form = FamilyMemberForm
    fields = ["name", "name_kana", "relation", "birthday", "memo"]
    extra = 0


class CareerEntryInline(admin.TabularInline):
    model = CareerEntry
    fk_name = "person"
    fields = ["company_name", "department_name", "title", "started_on", "ended_on", "changed_by"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Person)
class PersonAdmin(IndexedSearchMixin, RegisterAdmin):
    """No inline of secret notes: they are their author's alone (see SecretNoteAdmin)."""

    list_display = [
        "__str__",
        "family_name_kana",
        "given_name_kana",
        "company",
        "department",
        "title",
        "prefecture",
        "phone",
        "email",
        "owner",
        "updated_at",
    ]
    list_filter = [
        PrefectureFilter,
        "company__stage",
        "person_types",
        "selection_types",
        "opt_out_mail",
        "opt_out_email",
        "opt_out_fax",
        "email_invalid",
        "owner",
    ]
    list_select_related = ["company", "department", "owner"]
    search = staticmethod(selectors.person_search)
    autocomplete_fields = ["company", "department"]
    raw_id_fields = ["owner"]
    filter_horizontal = ["person_types", "selection_types"]
    inlines = [FamilyMemberInline, CareerEntryInline]
    readonly_fields = ["email_invalid", "created_at", "updated_at"]
    show_full_result_count = False

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).defer("search_text")

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        if request.method == "GET":
            person = self.get_object(request, object_id)
            if person is not None:
                services.person_access_record(person=person, user=request.user, via="admin")
        return super().change_view(request, object_id, form_url, extra_context)

    def record_clean(self, *, data: dict[str, Any], instance: Any) -> dict[str, Any]:
        return services.person_clean(data=data, person=instance)

    def inline_data(self, formsets: list[Any]) -> dict[str, Any]:
        for formset in formsets:
            if formset.model is FamilyMember and formset.has_changed():
                # The whole list, as the API's ``family``: members left out are removed.
                kept = [f for f in formset.forms if f.cleaned_data and not f.cleaned_data["DELETE"]]
                return {
                    "family": [
                        {"id": f.instance.pk}
                        | {name: f.cleaned_data[name] for name in FamilyMemberInline.fields}
                        for f in kept
                    ]
                }
        return {}

    def record_create(self, *, request: HttpRequest, data: dict[str, Any]) -> Person:
        return services.person_create(data=data, by=request.user)

    def record_update(
        self, *, request: HttpRequest, instance: Person, data: dict[str, Any]
    ) -> Person:
        return services.person_update(person=instance, data=data, by=request.user)

    def record_delete(self, *, request: HttpRequest, instance: Person) -> None:
        services.person_delete(person=instance)


@admin.register(CareerEntry)
class CareerEntryAdmin(admin.ModelAdmin):
    """Written by the person service only: read-only here."""

    list_display = [
        "person",
        "company_name",
        "department_name",
        "title",
        "started_on",
        "ended_on",
        "changed_by",
        "created_at",
    ]
    list_select_related = ["person", "changed_by"]
    date_hierarchy = "ended_on"
    raw_id_fields = ["person"]
    search_fields = ["company_name", "department_name", "title"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(CardExchange)
class CardExchangeAdmin(RegisterAdmin):
    list_display = ["person", "employee", "exchanged_on", "place"]
    list_select_related = ["person", "employee"]
    list_filter = ["employee"]
    date_hierarchy = "exchanged_on"
    autocomplete_fields = ["person"]
    raw_id_fields = ["employee"]
    search_fields = ["place", "note", "employee__name"]

    def record_create(self, *, request: HttpRequest, data: dict[str, Any]) -> CardExchange:
        person = data.pop("person")
        return services.card_exchange_create(person=person, data=data, by=request.user)

    def record_update(
        self, *, request: HttpRequest, instance: CardExchange, data: dict[str, Any]
    ) -> CardExchange:
        return services.card_exchange_update(exchange=instance, data=data)

    def record_delete(self, *, request: HttpRequest, instance: CardExchange) -> None:
        services.card_exchange_delete(exchange=instance)


@admin.register(SecretNote)
class SecretNoteAdmin(RegisterAdmin):
    """Only the signed-in user's own notes, superusers included: シークレット情報 is its
    author's alone, and the admin is no back door."""

    list_display = ["person", "short_text", "created_at", "updated_at"]
    list_select_related = ["person"]
    autocomplete_fields = ["person"]
    fields = ["person", "text"]
    search_fields = ["text"]

    @admin.display(description="内容")
    def short_text(self, obj: SecretNote) -> str:
        return obj.text[:40]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).filter(author_id=request.user.pk)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["person"] if obj is not None else []

    def record_create(self, *, request: HttpRequest, data: dict[str, Any]) -> SecretNote:
        return services.secret_note_create(
            person=data["person"], author=request.user, text=data.get("text")
        )

    def record_update(
        self, *, request: HttpRequest, instance: SecretNote, data: dict[str, Any]
    ) -> SecretNote:
        return services.secret_note_update(note=instance, text=data.get("text", instance.text))

    def record_delete(self, *, request: HttpRequest, instance: SecretNote) -> None:
        services.secret_note_delete(note=instance)


@admin.register(PersonAccessLog)
class PersonAccessLogAdmin(admin.ModelAdmin):
    """The audit trail: read-only, never edited or deleted from the admin."""

    list_display = ["accessed_at", "user", "person", "via"]
    list_filter = ["via", "user"]
    list_select_related = ["user", "person"]
    date_hierarchy = "accessed_at"
    raw_id_fields = ["person"]
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

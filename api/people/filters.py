"""``?field=`` filters and ``?q=`` search of the register's lists.

A comma-separated parameter (``?person_types=VIP,DM``) means "any of these". Many-to-many
filters are EXISTS subqueries, so a person with two matching types is listed once and the
page query needs no DISTINCT.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Exists, OuterRef, QuerySet
from rest_framework.exceptions import ValidationError
from rest_framework.filters import BaseFilterBackend
from rest_framework.request import Request

from api.people.models import USER_CODE_SLOTS, Company, Department, Person


def _values(raw: str) -> list[str]:
    return [part.strip() for part in raw.split(",") if part.strip()]


class CodesFilter(django_filters.CharFilter):
    """Rows holding any of the given master codes through the many-to-many ``field_name``."""

    def filter(self, qs: QuerySet, value: Any) -> QuerySet:
        codes = _values(value or "")
        if not codes:
            return qs
        relation = qs.model._meta.get_field(self.field_name)
        through = relation.remote_field.through
        source = relation.m2m_field_name()
        target = relation.m2m_reverse_field_name()
        held = through.objects.filter(**{source: OuterRef("pk"), f"{target}__code__in": codes})
        return qs.filter(Exists(held))


class AnyOfFilter(django_filters.CharFilter):
    """``?field=a,b``: the column equals any of the values."""

    def filter(self, qs: QuerySet, value: Any) -> QuerySet:
        values = _values(value or "")
        if not values:
            return qs
        return qs.filter(**{f"{self.field_name}__in": values})


class OwnerFilter(django_filters.CharFilter):
    """``?owner=<employee id>`` or ``?owner=me`` (the caller's own customers)."""

    def filter(self, qs: QuerySet, value: Any) -> QuerySet:
        if not value:
            return qs
        if value == "me":
            return qs.filter(**{f"{self.field_name}__user_id": self.parent.request.user.pk})
        try:
            return qs.filter(**{f"{self.field_name}_id": int(value)})
        except ValueError as exc:
            raise ValidationError(
                {self.field_name: [f"an employee id or 'me', not '{value}'"]}
            ) from exc


class PersonFilter(django_filters.FilterSet):
    prefecture = AnyOfFilter()
    company = django_filters.NumberFilter()
    department = django_filters.NumberFilter()
    owner = OwnerFilter()
    stage = AnyOfFilter(field_name="company__stage", label="企業ステージ")
    rank = AnyOfFilter(field_name="company__rank", label="企業ランク")
    person_types = CodesFilter()
    selection_types = CodesFilter()
    has_company = django_filters.BooleanFilter(
        field_name="company", lookup_expr="isnull", exclude=True
    )
    birthday_from = django_filters.DateFilter(field_name="birthday", lookup_expr="gte")
    birthday_to = django_filters.DateFilter(field_name="birthday", lookup_expr="lte")
    updated_since = django_filters.IsoDateTimeFilter(field_name="updated_at", lookup_expr="gte")

    class Meta:
        model = Person
        fields = [
            "postal_code",
            "email",
            "external_code",
            "opt_out_mail",
            "opt_out_email",
            "opt_out_fax",
            "email_invalid",
        ]


# user_code_1 … user_code_10, each "any of" like the other code filters.
PersonFilter.base_filters.update(
    {f"user_code_{n}": AnyOfFilter(field_name=f"user_code_{n}") for n in USER_CODE_SLOTS}
)


class CompanyFilter(django_filters.FilterSet):
    prefecture = AnyOfFilter()
    stage = AnyOfFilter()
    rank = AnyOfFilter()
    owner = OwnerFilter()
    classifications = CodesFilter()
    industry = AnyOfFilter()
    next_follow_up_before = django_filters.IsoDateTimeFilter(
        field_name="next_follow_up_at", lookup_expr="lte"
    )
    updated_since = django_filters.IsoDateTimeFilter(field_name="updated_at", lookup_expr="gte")

    class Meta:
        model = Company
        fields = ["corporate_number", "external_code"]


class DepartmentFilter(django_filters.FilterSet):
    company = django_filters.NumberFilter()
    parent = django_filters.NumberFilter()
    is_top = django_filters.BooleanFilter(field_name="parent", lookup_expr="isnull")

    class Meta:
        model = Department
        fields = ["external_code", "prefecture"]


class SearchBackend(BaseFilterBackend):
    """``?q=``: the view's ``search`` selector, e.g. ``selectors.person_search``."""

    def filter_queryset(self, request: Request, queryset: QuerySet, view: Any) -> QuerySet:
        q = request.query_params.get("q", "").strip()
        search = getattr(view, "search", None)
        if not q or search is None:
            return queryset
        return search(queryset=queryset, q=q)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        if getattr(view, "search", None) is None:
            return []
        return [
            {
                "name": "q",
                "required": False,
                "in": "query",
                "schema": {"type": "string"},
                "description": "substring of name, reading, company, address, phone (any format), "
                "postal code or e-mail",
            }
        ]

"""The query parameters of contact-records/ (and its export and saved searches)."""

from __future__ import annotations

import datetime

import django_filters
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from api.contacts.models import ContactRecord
from api.contacts.selectors import contact_records_matching


class CodeInFilter(django_filters.BaseInFilter, django_filters.CharFilter):
    """``?method=visit,phone``: any of these master codes."""


class NumberInFilter(django_filters.BaseInFilter, django_filters.NumberFilter):
    """``?company=1,2``: any of these ids."""


class ContactRecordFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label="内容の検索")
    company = NumberInFilter(field_name="company_id", label="企業")
    department = NumberInFilter(field_name="department_id", label="部署")
    person = django_filters.NumberFilter(method="filter_person", label="相手先担当者")
    author = NumberInFilter(field_name="author_id", label="記録者")
    employee = django_filters.NumberFilter(method="filter_employee", label="社員(記録者・同行)")
    method = CodeInFilter(field_name="method__code", label="対応形態")
    result = CodeInFilter(field_name="result__code", label="結果")
    summary = CodeInFilter(field_name="summary__code", label="内容概略")
    state = django_filters.ChoiceFilter(choices=ContactRecord.State.choices)
    visibility = django_filters.ChoiceFilter(
        choices=ContactRecord._meta.get_field("visibility").choices
    )
    date_from = django_filters.DateFilter(method="filter_date_from", label="開始日(から)")
    date_to = django_filters.DateFilter(method="filter_date_to", label="開始日(まで)")

    class Meta:
        model = ContactRecord
        fields: list[str] = []

    def filter_q(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return contact_records_matching(queryset=queryset, q=value)

    def filter_person(self, queryset: QuerySet, name: str, value: int) -> QuerySet:
        through = ContactRecord.people.through.objects.filter(
            contactrecord_id=OuterRef("pk"), person_id=value
        )
        return queryset.filter(Exists(through))

    def filter_employee(self, queryset: QuerySet, name: str, value: int) -> QuerySet:
        # The employee wrote the record or took part in it (同行).
        through = ContactRecord.participants.through.objects.filter(
            contactrecord_id=OuterRef("pk"), employee_id=value
        )
        return queryset.filter(Q(author_id=value) | Exists(through))

    # Dates are local (Asia/Tokyo) calendar days, both ends included.
    def filter_date_from(self, queryset: QuerySet, name: str, value: datetime.date) -> QuerySet:
        return queryset.filter(started_at__gte=_day_start(value))

    def filter_date_to(self, queryset: QuerySet, name: str, value: datetime.date) -> QuerySet:
        return queryset.filter(started_at__lt=_day_start(value + datetime.timedelta(days=1)))


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))

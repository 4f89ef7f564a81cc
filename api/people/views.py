"""REST adapters of the register: validate types, call one service or selector, serialise."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from api.core.filters import CustomFieldFilterBackend, StableOrderingFilter
from api.masters.models import CustomField
from api.people import selectors, services, timeline
from api.people.filters import CompanyFilter, DepartmentFilter, PersonFilter, SearchBackend
from api.people.models import CardExchange, CareerEntry, Person, SecretNote
from api.people.pagination import CappedCountPagination, TimelinePagination
from api.people.serializers import (
    CardExchangeSerializer,
    CareerEntrySerializer,
    CompanySerializer,
    DepartmentSerializer,
    PersonSerializer,
    SecretNoteSerializer,
    TimelineEntrySerializer,
)

LIST_FILTERS = [DjangoFilterBackend, CustomFieldFilterBackend, SearchBackend, StableOrderingFilter]


class RegisterViewSet(viewsets.ModelViewSet):
    """CRUD whose writes go through the services named by the subclass; the saved row is read
    back through the list queryset so the answer has every name and code a GET would."""

    pagination_class = CappedCountPagination
    filter_backends = LIST_FILTERS
    lookup_value_converter = "int"

    def create_service(self, *, data: dict[str, Any]) -> Any:
        raise NotImplementedError

    def update_service(self, *, instance: Any, data: dict[str, Any]) -> Any:
        raise NotImplementedError

    def delete_service(self, *, instance: Any) -> None:
        raise NotImplementedError

    def perform_create(self, serializer: BaseSerializer) -> None:
        created = self.create_service(data=serializer.validated_data)
        serializer.instance = self.get_queryset().get(pk=created.pk)

    def perform_update(self, serializer: BaseSerializer) -> None:
        updated = self.update_service(instance=serializer.instance, data=serializer.validated_data)
        serializer.instance = self.get_queryset().get(pk=updated.pk)

    def perform_destroy(self, instance: Any) -> None:
        self.delete_service(instance=instance)


class CompanyViewSet(RegisterViewSet):
    serializer_class = CompanySerializer
    filterset_class = CompanyFilter
    custom_field_entity = CustomField.Entity.COMPANY
    search = staticmethod(selectors.company_search)
    ordering_fields = [
        "name",
        "name_kana",
        "prefecture",
        "stage",
        "rank",
        "expected_revenue",
        "expected_close_date",
        "last_contact_at",
        "next_follow_up_at",
        "created_at",
        "updated_at",
        "id",
    ]

    def get_queryset(self) -> QuerySet:
        return selectors.company_list()

    def create_service(self, *, data: dict[str, Any]) -> Any:
        return services.company_create(data=data)

    def update_service(self, *, instance: Any, data: dict[str, Any]) -> Any:
        return services.company_update(company=instance, data=data)

    def delete_service(self, *, instance: Any) -> None:
        services.company_delete(company=instance)


class DepartmentViewSet(RegisterViewSet):
    serializer_class = DepartmentSerializer
    filterset_class = DepartmentFilter
    custom_field_entity = CustomField.Entity.DEPARTMENT
    search = staticmethod(selectors.department_search)
    ordering_fields = ["name", "name_kana", "company", "created_at", "updated_at", "id"]

    def get_queryset(self) -> QuerySet:
        return selectors.department_list()

    def create_service(self, *, data: dict[str, Any]) -> Any:
        return services.department_create(data=data)

    def update_service(self, *, instance: Any, data: dict[str, Any]) -> Any:
        return services.department_update(department=instance, data=data)

    def delete_service(self, *, instance: Any) -> None:
        services.department_delete(department=instance)


class PersonViewSet(RegisterViewSet):
    serializer_class = PersonSerializer
    filterset_class = PersonFilter
    custom_field_entity = CustomField.Entity.PERSON
    search = staticmethod(selectors.person_search)
    ordering_fields = [
        "family_name_kana",
        "given_name_kana",
        "family_name",
        "given_name",
        "postal_code",
        "prefecture",
        "birthday",
        "company__name_kana",
        "created_at",
        "updated_at",
        "id",
    ]

    def get_queryset(self) -> QuerySet:
        return selectors.person_list()

    @property
    def page_ids_first(self) -> bool:
        """Pages of search results join company, department and owner only for their own
        rows (see pagination._rows_by_ids_first); a plain list walks the reading index and
        joins just its page anyway."""
        return bool(self.request.query_params.get("q", "").strip())

    def order_page(self, *, queryset: QuerySet, count_capped: bool) -> QuerySet:
        """Called by the paginator once the count is known (see person_search_order)."""
        if not self.request.query_params.get("q", "").strip():
            return queryset
        return selectors.person_search_order(queryset=queryset, broad=count_capped)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        person = self.get_object()
        services.person_access_record(person=person, user=request.user, via="api")
        return Response(self.get_serializer(person).data)

    def create_service(self, *, data: dict[str, Any]) -> Any:
        return services.person_create(data=data, by=self.request.user)

    def update_service(self, *, instance: Any, data: dict[str, Any]) -> Any:
        return services.person_update(person=instance, data=data, by=self.request.user)

    def delete_service(self, *, instance: Any) -> None:
        services.person_delete(person=instance)


class PersonScoped(GenericAPIView):
    """A list under people/{person_pk}/ in its fixed order; a missing person is a 404."""

    pagination_class = CappedCountPagination
    filter_backends: list = []

    @property
    def person(self) -> Person:
        if not hasattr(self, "_person"):
            self._person = get_object_or_404(Person.objects.only("pk"), pk=self.kwargs["person_pk"])
        return self._person


class CareerViewSet(PersonScoped, mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = CareerEntrySerializer
    queryset = CareerEntry.objects.none()  # for the schema; rows come from get_queryset

    def get_queryset(self) -> QuerySet:
        return selectors.career_list(person=self.person)


class CardExchangeViewSet(
    PersonScoped, mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    serializer_class = CardExchangeSerializer
    queryset = CardExchange.objects.none()  # for the schema; rows come from get_queryset

    def get_queryset(self) -> QuerySet:
        return selectors.card_exchange_list(person=self.person)

    def perform_create(self, serializer: BaseSerializer) -> None:
        created = services.card_exchange_create(
            person=self.person, data=serializer.validated_data, by=self.request.user
        )
        serializer.instance = self.get_queryset().get(pk=created.pk)


class SecretNoteViewSet(PersonScoped, viewsets.ModelViewSet):
    """The caller's own シークレット情報 on a person; another user's note is a 404."""

    serializer_class = SecretNoteSerializer
    queryset = SecretNote.objects.none()  # for the schema; rows come from get_queryset
    lookup_value_converter = "int"

    def get_queryset(self) -> QuerySet:
        return selectors.secret_note_list(person=self.person, user=self.request.user)

    def get_object(self) -> Any:
        return selectors.secret_note_get(
            person=self.person, user=self.request.user, pk=self.kwargs["pk"]
        )

    def perform_create(self, serializer: BaseSerializer) -> None:
        serializer.instance = services.secret_note_create(
            person=self.person,
            author=self.request.user,
            text=serializer.validated_data.get("text"),
        )

    def perform_update(self, serializer: BaseSerializer) -> None:
        services.secret_note_update(
            note=serializer.instance,
            text=serializer.validated_data.get("text", serializer.instance.text),
        )

    def perform_destroy(self, instance: Any) -> None:
        services.secret_note_delete(note=instance)


class HistoryView(PersonScoped):
    """people/{id}/history/: career, card exchanges, sales and every registered source,
    newest first (see api.people.timeline)."""

    serializer_class = TimelineEntrySerializer
    pagination_class = TimelinePagination
    queryset = Person.objects.none()  # for the schema's {person_pk}

    @extend_schema(responses=TimelineEntrySerializer(many=True))
    def get(self, request: Request, person_pk: int) -> Response:
        paginator = self.paginator
        offset, size = paginator.page_bounds(request)
        entries = timeline.person_timeline(
            person=self.person, user=request.user, offset=offset, limit=size + 1
        )
        data = TimelineEntrySerializer(entries[:size], many=True).data
        return paginator.get_paginated_response(data, has_next=len(entries) > size)

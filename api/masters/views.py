from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from rest_framework import mixins, permissions, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.core.filters import StableOrderingFilter
from api.masters import selectors, services
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
from api.masters.serializers import (
    CustomFieldSerializer,
    EmployeeSerializer,
    UserCodeValueSerializer,
    code_master_serializer,
)


class IsStaffOrReadOnly(permissions.BasePermission):
    """Every signed-in user reads; only staff (is_staff) change master data."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        return request.method in permissions.SAFE_METHODS or request.user.is_staff


class SearchFilterSet(django_filters.FilterSet):
    """``?q=`` over the columns named in ``search_fields`` (substring, case-insensitive)."""

    search_fields: tuple[str, ...] = ("code", "name")
    q = django_filters.CharFilter(method="filter_q", label="検索")

    def filter_q(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        condition = Q()
        for field in self.search_fields:
            condition |= Q(**{f"{field}__icontains": value.strip()})
        return queryset.filter(condition)


def _code_master_viewset(model: type[CodeMaster]) -> type[viewsets.ModelViewSet]:
    filterset = type(
        f"{model.__name__}Filter",
        (SearchFilterSet,),
        {
            "Meta": type("Meta", (), {"model": model, "fields": ["is_active"]}),
        },
    )

    class CodeMasterViewSet(viewsets.ModelViewSet):
        permission_classes = [IsStaffOrReadOnly]
        serializer_class = code_master_serializer(model)
        filterset_class = filterset
        filter_backends = [django_filters.rest_framework.DjangoFilterBackend, StableOrderingFilter]
        ordering_fields = ["code", "name", "sort_order", "updated_at"]

        def get_queryset(self) -> QuerySet:
            return selectors.code_master_list(model=model)

        def perform_create(self, serializer: Any) -> None:
            serializer.instance = services.code_master_create(
                model=model, data=serializer.validated_data
            )

        def perform_update(self, serializer: Any) -> None:
            serializer.instance = services.code_master_update(
                instance=serializer.instance, data=serializer.validated_data
            )

        def perform_destroy(self, instance: CodeMaster) -> None:
            services.code_master_delete(instance=instance)

    CodeMasterViewSet.__name__ = CodeMasterViewSet.__qualname__ = f"{model.__name__}ViewSet"
    CodeMasterViewSet.__doc__ = f"{model._meta.verbose_name}: read by all, written by staff."
    return CodeMasterViewSet


PersonTypeViewSet = _code_master_viewset(PersonType)
SelectionTypeViewSet = _code_master_viewset(SelectionType)
CompanyClassificationViewSet = _code_master_viewset(CompanyClassification)
BranchViewSet = _code_master_viewset(Branch)
SectionViewSet = _code_master_viewset(Section)


class UserCodeValueFilter(SearchFilterSet):
    class Meta:
        model = UserCodeValue
        fields = ["entity", "slot"]


class UserCodeValueViewSet(viewsets.ModelViewSet):
    """ユーザ定義コード: the allowed values of each slot; ``?entity=person&slot=1``."""

    permission_classes = [IsStaffOrReadOnly]
    serializer_class = UserCodeValueSerializer
    filterset_class = UserCodeValueFilter
    ordering_fields = ["entity", "slot", "code", "sort_order"]

    def get_queryset(self) -> QuerySet[UserCodeValue]:
        return selectors.user_code_value_list()

    def perform_create(self, serializer: Any) -> None:
        serializer.instance = services.user_code_value_create(**serializer.validated_data)

    def perform_update(self, serializer: Any) -> None:
        serializer.instance = services.user_code_value_update(
            value=serializer.instance, data=serializer.validated_data
        )

    def perform_destroy(self, instance: UserCodeValue) -> None:
        services.user_code_value_delete(value=instance)


class CustomFieldFilter(SearchFilterSet):
    search_fields = ("key", "label")

    class Meta:
        model = CustomField
        fields = ["entity", "kind", "required"]


class CustomFieldViewSet(viewsets.ModelViewSet):
    """カスタム項目: the definitions that every write of ``custom`` is validated against."""

    permission_classes = [IsStaffOrReadOnly]
    serializer_class = CustomFieldSerializer
    filterset_class = CustomFieldFilter
    ordering_fields = ["entity", "key", "label", "sort_order"]

    def get_queryset(self) -> QuerySet[CustomField]:
        return selectors.custom_field_list()

    def perform_create(self, serializer: Any) -> None:
        serializer.instance = services.custom_field_create(**serializer.validated_data)

    def perform_update(self, serializer: Any) -> None:
        serializer.instance = services.custom_field_update(
            field=serializer.instance, data=serializer.validated_data
        )


class EmployeeFilter(SearchFilterSet):
    search_fields = ("code", "name", "name_kana", "email", "user__username")
    branch = django_filters.CharFilter(field_name="branch__code")
    department = django_filters.CharFilter(field_name="department__code")
    group = django_filters.CharFilter(field_name="user__groups__name")

    class Meta:
        model = Employee
        fields = ["is_active"]


class EmployeeViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """社員: listed for everyone; created and changed by staff (an employee is deactivated,
    never deleted, because sales and customers keep pointing at them)."""

    permission_classes = [IsStaffOrReadOnly]
    serializer_class = EmployeeSerializer
    filterset_class = EmployeeFilter
    ordering_fields = ["code", "name", "name_kana", "updated_at"]

    def get_queryset(self) -> QuerySet[Employee]:
        return selectors.employee_list()

    def perform_create(self, serializer: Any) -> None:
        data = dict(serializer.validated_data)
        data["username"] = data.pop("user")["username"]
        employee = services.employee_create(**data)
        serializer.instance = selectors.employee_list().get(pk=employee.pk)

    def perform_update(self, serializer: Any) -> None:
        data = dict(serializer.validated_data)
        data.pop("user", None)
        data.pop("password", None)
        employee = services.employee_update(employee=serializer.instance, data=data)
        serializer.instance = selectors.employee_list().get(pk=employee.pk)

    @action(detail=False, methods=["get"], permission_classes=[permissions.IsAuthenticated])
    def me(self, request: Request) -> Response:
        employee = selectors.employee_get_for_user(user=request.user)
        if employee is None:
            raise NotFound("you have no employee record")
        return Response(EmployeeSerializer(employee).data)

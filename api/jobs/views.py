import django_filters
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from api.jobs.models import Job
from api.jobs.selectors import job_list
from api.jobs.serializers import JobSerializer
from api.jobs.services import job_cancel, job_retry


class JobFilter(django_filters.FilterSet):
    created_after = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="lt")
    mine = django_filters.BooleanFilter(method="filter_mine")

    class Meta:
        model = Job
        fields = ["kind", "state"]

    def filter_mine(self, queryset, name, value):
        return queryset.filter(created_by=self.request.user) if value else queryset


class JobViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The task dashboard: every long operation with its progress, cancel and retry."""

    serializer_class = JobSerializer
    filterset_class = JobFilter
    ordering_fields = ["created_at", "started_at", "finished_at", "state", "kind"]

    def get_queryset(self):
        return job_list(user=self.request.user)

    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        job = job_cancel(job=self.get_object())
        return Response(JobSerializer(job).data)

    @action(detail=True, methods=["post"])
    def retry(self, request: Request, pk: str | None = None) -> Response:
        job = job_retry(job=self.get_object())
        return Response(JobSerializer(job).data, status=202)

"""selection-sets/: thin adapters over the selection services and selectors."""

from __future__ import annotations

import tempfile
import time
from typing import Any

import django_filters
from django.core.paginator import Paginator as DjangoPaginator
from django.db.models import QuerySet
from django.http import FileResponse
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from api.core.errors import FieldErrors
from api.core.pagination import Pagination
from api.selections import selectors
from api.selections.models import SelectionSet
from api.selections.serializers import (
    CompareSerializer,
    CopySerializer,
    CountSerializer,
    DuplicateSerializer,
    ExecuteSerializer,
    ExportQuerySerializer,
    JobBriefSerializer,
    MemberChangeResultSerializer,
    MemberChangeSerializer,
    MemberSerializer,
    MergeSerializer,
    QuerySerializer,
    SelectionSetCreateSerializer,
    SelectionSetSerializer,
    SelectionSetUpdateSerializer,
    SetWithJobSerializer,
)
from api.selections.services import sets as services
from importers.export.services import CONTENT_TYPES, export_start, export_write
from mailing.serializers import MailingExecutedSerializer
from mailing.services.execute import mailing_execute

# Sets up to this size download at once; a larger one is exported by a job.
EXPORT_INLINE_MAX = 20_000


class KnownCountPagination(Pagination):
    """Pages whose total is known beforehand (a set's member_count), so a page of a
    500,000-member set costs its 50 rows and no count(*)."""

    known_count: int | None = None

    def paginate_known(self, queryset: QuerySet, request: Request, view: Any, count: int) -> Any:
        self.known_count = count
        return self.paginate_queryset(queryset, request, view)

    def django_paginator_class(self, object_list: QuerySet, per_page: int) -> DjangoPaginator:
        paginator = DjangoPaginator(object_list, per_page)
        if self.known_count is not None:
            paginator.count = self.known_count
        return paginator


class SelectionSetFilter(django_filters.FilterSet):
    mine = django_filters.BooleanFilter(method="filter_mine")
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains")

    class Meta:
        model = SelectionSet
        fields = ["origin", "owner", "number"]

    def filter_mine(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        return queryset.filter(owner=self.request.user) if value else queryset


def _set_of(pk: Any, field: str) -> SelectionSet:
    try:
        return SelectionSet.objects.select_related("job").get(pk=int(pk))
    except (TypeError, ValueError, SelectionSet.DoesNotExist):
        raise FieldErrors({field: [f"no selection set with id {pk!r}"]}) from None


def _with_job(selection_set: SelectionSet, job: Any, code: int) -> Response:
    selection_set.refresh_from_db()
    return Response(
        SetWithJobSerializer({"selection_set": selection_set, "job": job}).data, status=code
    )


ORDERING_PARAM = OpenApiParameter(
    "ordering",
    str,
    description=f"one of {', '.join(selectors.MEMBER_ORDERINGS)}; '-' for descending",
)


class SelectionSetViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """選択セット: sets of people built from a query (see the `query` schema for the
    language), edited by hand, compared, merged and executed."""

    serializer_class = SelectionSetSerializer
    filterset_class = SelectionSetFilter
    ordering_fields = ["number", "name", "created_at", "updated_at", "member_count"]

    def get_queryset(self) -> QuerySet[SelectionSet]:
        return selectors.selection_set_list(user=self.request.user)

    @extend_schema(
        request=SelectionSetCreateSerializer,
        responses={202: SetWithJobSerializer, 201: SetWithJobSerializer},
    )
    def create(self, request: Request) -> Response:
        """A set from a query: 202, and a job extracts its members. Without a query: an
        empty set (201) to fill by hand."""
        data = _valid(SelectionSetCreateSerializer, request.data)
        selection_set, job = services.selection_set_create(user=request.user, **data)
        return _with_job(selection_set, job, status.HTTP_202_ACCEPTED if job else 201)

    @extend_schema(request=SelectionSetUpdateSerializer, responses=SelectionSetSerializer)
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        data = _valid(SelectionSetUpdateSerializer, request.data)
        selection_set = services.selection_set_update(
            selection_set=self.get_object(),
            user=request.user,
            name=data.get("name"),
            description=data.get("description"),
            query=data.get("query"),
            query_given="query" in data,
        )
        return Response(SelectionSetSerializer(selection_set).data)

    def destroy(self, request: Request, pk: str | None = None) -> Response:
        selection_set = self.get_object()
        if not selectors.selection_set_can_delete(selection_set=selection_set, user=request.user):
            raise PermissionDenied("only the set's owner or an administrator may delete it")
        services.selection_set_delete(selection_set=selection_set)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=QuerySerializer, responses=CountSerializer)
    @action(detail=False, methods=["post"])
    def count(self, request: Request) -> Response:
        """How many people a query selects; nothing is created."""
        data = _valid(QuerySerializer, request.data)
        started = time.monotonic()
        count = selectors.selection_count(query=data["query"], user=request.user)
        elapsed = round((time.monotonic() - started) * 1000)
        return Response({"count": count, "milliseconds": elapsed})

    @extend_schema(
        methods=["get"], parameters=[ORDERING_PARAM], responses=MemberSerializer(many=True)
    )
    @extend_schema(
        methods=["post"],
        request=MemberChangeSerializer,
        responses={200: MemberChangeResultSerializer, 202: SetWithJobSerializer},
    )
    @action(detail=True, methods=["get", "post"])
    def members(self, request: Request, pk: str | None = None) -> Response:
        """GET: a page of members. POST: add people by ``person_ids`` (at once) or by
        ``query`` (202 and a job)."""
        selection_set = self.get_object()
        if request.method == "GET":
            members = selectors.selection_member_pages(
                selection_set=selection_set, ordering=request.query_params.get("ordering")
            )
            paginator = KnownCountPagination()
            page = paginator.paginate_known(members, request, self, selection_set.member_count)
            return paginator.get_paginated_response(MemberSerializer(page, many=True).data)
        return self._change(selection_set, request, remove=False)

    @extend_schema(
        request=MemberChangeSerializer,
        responses={200: MemberChangeResultSerializer, 202: SetWithJobSerializer},
    )
    @action(detail=True, methods=["post"], url_path="members/remove")
    def members_remove(self, request: Request, pk: str | None = None) -> Response:
        """Remove people by ``person_ids`` (at once) or by ``query`` (202 and a job); a
        refresh of the set's query leaves them out."""
        return self._change(self.get_object(), request, remove=True)

    @extend_schema(responses={204: None})
    @action(detail=True, methods=["delete"], url_path=r"members/(?P<person_id>[0-9]+)")
    def member_delete(
        self, request: Request, pk: str | None = None, person_id: str = ""
    ) -> Response:
        removed = services.selection_members_remove(
            selection_set=self.get_object(), person_ids=[int(person_id)]
        )
        if not removed:
            raise NotFound(f"person {person_id} is not a member of this set")
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _change(self, selection_set: SelectionSet, request: Request, *, remove: bool) -> Response:
        data = _valid(MemberChangeSerializer, request.data)
        if "query" in data:
            job = services.selection_members_change_by_query(
                selection_set=selection_set,
                query=data["query"],
                remove=remove,
                user=request.user,
            )
            return _with_job(selection_set, job, status.HTTP_202_ACCEPTED)
        if remove:
            count = services.selection_members_remove(
                selection_set=selection_set, person_ids=data["person_ids"]
            )
            body = {"removed": count, "member_count": selection_set.member_count}
        else:
            count = services.selection_members_add(
                selection_set=selection_set, person_ids=data["person_ids"]
            )
            body = {"added": count, "member_count": selection_set.member_count}
        return Response(body)

    @extend_schema(request=None, responses={202: JobBriefSerializer})
    @action(detail=True, methods=["post"])
    def refresh(self, request: Request, pk: str | None = None) -> Response:
        """Re-run the set's query (job); the job's result and the set's ``last_change`` say
        who joined and who left. Hand-added people stay; hand-removed people stay out."""
        job = services.selection_set_refresh(selection_set=self.get_object(), user=request.user)
        return Response(JobBriefSerializer(job).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(request=CopySerializer, responses={202: SetWithJobSerializer})
    @action(detail=True, methods=["post"])
    def copy(self, request: Request, pk: str | None = None) -> Response:
        data = _valid(CopySerializer, request.data)
        copy, job = services.selection_set_copy(
            source=self.get_object(), name=data.get("name"), user=request.user
        )
        return _with_job(copy, job, status.HTTP_202_ACCEPTED)

    @extend_schema(request=MergeSerializer, responses={202: SetWithJobSerializer})
    @action(detail=False, methods=["post"])
    def merge(self, request: Request) -> Response:
        """A new set from two or more: union, intersection or difference (the first minus
        the others). Duplicates (名寄せ) among the result are flagged (see duplicates/)."""
        data = _valid(MergeSerializer, request.data)
        sources = [_set_of(pk, "sets") for pk in data["sets"]]
        merged, job = services.selection_sets_merge(
            sources=sources,
            operation=data["operation"],
            name=data["name"],
            description=data["description"],
            user=request.user,
        )
        return _with_job(merged, job, status.HTTP_202_ACCEPTED)

    @extend_schema(
        parameters=[
            OpenApiParameter("a", int, required=True),
            OpenApiParameter("b", int, required=True),
        ],
        responses=CompareSerializer,
    )
    @action(detail=False, methods=["get"])
    def compare(self, request: Request) -> Response:
        """How many people are only in A, only in B, in both."""
        a = _set_of(request.query_params.get("a"), "a")
        b = _set_of(request.query_params.get("b"), "b")
        return Response({"a": a.pk, "b": b.pk, **selectors.selection_compare(a=a, b=b)})

    @extend_schema(
        parameters=[
            OpenApiParameter("a", int, required=True),
            OpenApiParameter("b", int, required=True),
            OpenApiParameter("part", str, required=True, enum=list(selectors.COMPARE_PARTS)),
            ORDERING_PARAM,
        ],
        responses=MemberSerializer(many=True),
    )
    @action(detail=False, methods=["get"], url_path="compare/members")
    def compare_members(self, request: Request) -> Response:
        a = _set_of(request.query_params.get("a"), "a")
        b = _set_of(request.query_params.get("b"), "b")
        members = selectors.selection_compare_members(
            a=a,
            b=b,
            part=request.query_params.get("part", ""),
            ordering=request.query_params.get("ordering"),
        )
        page = self.paginate_queryset(members)
        return self.get_paginated_response(MemberSerializer(page, many=True).data)

    @extend_schema(parameters=[ORDERING_PARAM], responses=DuplicateSerializer(many=True))
    @action(detail=True, methods=["get"])
    def duplicates(self, request: Request, pk: str | None = None) -> Response:
        """Members flagged by 名寄せ (on merge): each with the record kept in its place, the
        key that matched (address, phone, email) and the rule that chose the record kept."""
        members = selectors.selection_members(
            selection_set=self.get_object(),
            ordering=request.query_params.get("ordering"),
            duplicates_only=True,
        )
        page = self.paginate_queryset(members)
        kept = selectors.people_brief(ids=[m.duplicate_of for m in page])
        data = DuplicateSerializer(page, many=True, context={"kept": kept}).data
        return self.get_paginated_response(data)

    @extend_schema(
        request=ExecuteSerializer,
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                str,
                OpenApiParameter.HEADER,
                description="the same key again returns the first mailing instead of a second",
            )
        ],
        responses={202: MailingExecutedSerializer, 200: MailingExecutedSerializer},
    )
    @action(detail=True, methods=["post"])
    def execute(self, request: Request, pk: str | None = None) -> Response:
        """Execute the set: a mailing on a channel (this release: ``record_only``), prepared
        by a job. Repeating the request (double click, retry, same Idempotency-Key) returns
        the first mailing with 200 instead of recording twice."""
        data = _valid(ExecuteSerializer, request.data)
        mailing, created = mailing_execute(
            selection_set=self.get_object(),
            user=request.user,
            idempotency_key=request.headers.get("Idempotency-Key"),
            **data,
        )
        body = MailingExecutedSerializer(
            {"mailing": mailing, "job": mailing.job, "created": created}
        ).data
        return Response(body, status=status.HTTP_202_ACCEPTED if created else status.HTTP_200_OK)

    @extend_schema(
        parameters=[ExportQuerySerializer, ORDERING_PARAM],
        responses={(200, "text/csv"): bytes, 202: JobBriefSerializer},
    )
    def export(self, request: Request, pk: str | None = None, fmt: str = "csv") -> Any:
        """The members as CSV (UTF-8 with BOM, or Shift_JIS) or .xlsx, with the chosen
        ``columns`` in their order (the people export's column names). A set larger than
        EXPORT_INLINE_MAX is exported by a job (202); its file comes with the job."""
        selection_set = self.get_object()
        options = _valid(ExportQuerySerializer, request.query_params)
        columns = [name.strip() for name in options["columns"].split(",") if name.strip()]
        people = selectors.selection_people(
            selection_set=selection_set, ordering=options["ordering"]
        )
        if selection_set.member_count > EXPORT_INLINE_MAX:
            job = export_start(
                user=request.user,
                target="people",
                fmt=fmt,
                encoding=options["encoding"],
                columns=columns or None,
                filters={},
                ordering=[],
                unencodable=options["unencodable"],
                ids=list(people.values_list("pk", flat=True)),
            )
            return Response(JobBriefSerializer(job).data, status=status.HTTP_202_ACCEPTED)
        out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 - closed by the response
        export_write(
            target="people",
            out=out,
            fmt=fmt,
            encoding=options["encoding"],
            columns=columns or None,
            queryset=people,
            unencodable=options["unencodable"],
        )
        out.seek(0)
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        return FileResponse(
            out,
            as_attachment=True,
            content_type=CONTENT_TYPES[fmt],
            filename=f"selection-{selection_set.code}-{stamp}.{fmt}",
        )


def _valid(serializer_class: type, data: Any) -> dict[str, Any]:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)

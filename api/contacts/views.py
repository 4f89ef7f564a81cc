"""Thin adapters: parse with a serializer, call one service or selector, serialise."""

from __future__ import annotations

import csv
import datetime
from collections.abc import Iterator
from typing import Any

from django.core.files.storage import default_storage
from django.db.models import QuerySet
from django.http import FileResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.contacts import selectors, stats
from api.contacts.filters import ContactRecordFilter
from api.contacts.models import (
    ContactAttachment,
    ContactComment,
    ContactMethod,
    ContactResult,
    ContactSummary,
    FollowUp,
    Notification,
    SavedSearch,
)
from api.contacts.serializers import (
    AttachmentUploadSerializer,
    ContactAttachmentSerializer,
    ContactCommentSerializer,
    ContactRecordDetailSerializer,
    ContactRecordInputSerializer,
    ContactRecordSerializer,
    FollowUpSerializer,
    ListColumnsSerializer,
    NotificationSerializer,
    SavedSearchSerializer,
)
from api.contacts.services import attachments, comments, follow_ups, notifications, preferences
from api.contacts.services.records import (
    contact_record_create,
    contact_record_delete,
    contact_record_update,
)
from api.core.csvsafe import cell_safe
from api.core.filters import StableOrderingFilter
from api.masters.serializers import code_master_serializer
from api.people.pagination import CappedCountPagination


class ContactRecordPagination(CappedCountPagination):
    # Past 1,000 matches the list says "1,000+": an exact count of a common word in a million
    # records would cost more than the page itself, and nobody pages that far.
    count_cap = 1_000


class SavedSearchFilterBackend(DjangoFilterBackend):
    """``?saved_search=<id>`` applies one of the caller's saved searches; parameters given
    in the URL as well override the saved ones."""

    def get_filterset_kwargs(
        self, request: Request, queryset: QuerySet, view: Any
    ) -> dict[str, Any]:
        kwargs = super().get_filterset_kwargs(request, queryset, view)
        saved_id = request.query_params.get("saved_search")
        if saved_id:
            if not saved_id.isdigit():
                raise ValidationError({"saved_search": ["保存した検索のIDを指定してください"]})
            saved = get_object_or_404(
                selectors.saved_search_list(user=request.user), pk=int(saved_id)
            )
            data = dict(saved.params)
            data.update({key: request.query_params[key] for key in request.query_params})
            kwargs["data"] = data
        return kwargs


class ContactRecordQueryMixin:
    """The visible records, filtered as the list filters them (list, company timeline,
    search and export share this)."""

    filter_backends = [SavedSearchFilterBackend, StableOrderingFilter]
    filterset_class = ContactRecordFilter
    ordering_fields = ["started_at", "created_at", "updated_at"]

    def get_queryset(self) -> QuerySet:
        return selectors.contact_record_list(user=self.request.user)  # type: ignore[attr-defined]


@extend_schema(
    parameters=[
        OpenApiParameter("saved_search", int, description="apply one of your saved searches")
    ]
)
class ContactRecordViewSet(ContactRecordQueryMixin, viewsets.ModelViewSet):
    """顧客接点記録. ``?company=<id>`` newest first is a company's contact timeline."""

    serializer_class = ContactRecordSerializer
    pagination_class = ContactRecordPagination
    lookup_value_regex = r"\d+"
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        record = selectors.contact_record_get(user=request.user, pk=pk)
        return Response(ContactRecordDetailSerializer(record).data)

    @extend_schema(request=ContactRecordInputSerializer, responses=ContactRecordDetailSerializer)
    def create(self, request: Request) -> Response:
        data = _validated(ContactRecordInputSerializer, request.data)
        record = contact_record_create(user=request.user, data=data)
        record = selectors.contact_record_get(user=request.user, pk=record.pk)
        return Response(ContactRecordDetailSerializer(record).data, status=201)

    @extend_schema(request=ContactRecordInputSerializer, responses=ContactRecordDetailSerializer)
    def update(self, request: Request, pk: str | None = None, partial: bool = False) -> Response:
        record = self.get_object()
        data = _validated(ContactRecordInputSerializer, request.data, partial=partial)
        contact_record_update(record=record, user=request.user, data=data)
        record = selectors.contact_record_get(user=request.user, pk=record.pk)
        return Response(ContactRecordDetailSerializer(record).data)

    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        return self.update(request, pk=pk, partial=True)

    def destroy(self, request: Request, pk: str | None = None) -> Response:
        contact_record_delete(record=self.get_object(), user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=ContactCommentSerializer, responses=ContactCommentSerializer(many=True))
    @action(detail=True, methods=["get", "post"], serializer_class=ContactCommentSerializer)
    def comments(self, request: Request, pk: str | None = None) -> Response:
        record = self.get_object()
        if request.method == "POST":
            data = _validated(ContactCommentSerializer, request.data)
            comment = comments.contact_comment_create(
                record=record, user=request.user, text=data["text"]
            )
            return Response(ContactCommentSerializer(comment).data, status=201)
        rows = ContactComment.objects.filter(record=record).select_related("author__employee")
        return Response(ContactCommentSerializer(rows, many=True).data)

    @extend_schema(
        request={"multipart/form-data": AttachmentUploadSerializer},
        responses=ContactAttachmentSerializer(many=True),
    )
    @action(detail=True, methods=["get", "post"], serializer_class=ContactAttachmentSerializer)
    def attachments(self, request: Request, pk: str | None = None) -> Response:
        record = self.get_object()
        if request.method == "POST":
            data = _validated(AttachmentUploadSerializer, request.data)
            attachment = attachments.contact_attachment_add(
                record=record, user=request.user, upload=data["file"]
            )
            return Response(ContactAttachmentSerializer(attachment).data, status=201)
        rows = ContactAttachment.objects.filter(record=record)
        return Response(ContactAttachmentSerializer(rows, many=True).data)


class ContactRecordExportView(ContactRecordQueryMixin, generics.GenericAPIView):
    """contact-records/export.csv: the filtered visible records, streamed as UTF-8 CSV
    (with a BOM, so Excel reads the Japanese), every cell safe against formula injection."""

    @extend_schema(responses={(200, "text/csv"): bytes})
    def get(self, request: Request) -> StreamingHttpResponse:
        queryset = self.filter_queryset(self.get_queryset())
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response = StreamingHttpResponse(_csv_lines(queryset), content_type="text/csv")
        response["Content-Disposition"] = f'attachment; filename="contact-records-{stamp}.csv"'
        return response


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_lines(queryset: QuerySet) -> Iterator[bytes]:
    writer = csv.writer(_Echo())
    yield "\ufeff".encode()
    yield writer.writerow(selectors.EXPORT_HEADER).encode()
    for row in selectors.contact_export_rows(queryset=queryset):
        yield writer.writerow([cell_safe(value) for value in row]).encode()


class ContactCommentDeleteView(APIView):
    @extend_schema(responses={204: None})
    def delete(self, request: Request, record_pk: int, pk: int) -> Response:
        record = selectors.contact_record_get(user=request.user, pk=record_pk)
        comment = get_object_or_404(ContactComment, record=record, pk=pk)
        comments.contact_comment_delete(comment=comment, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ContactAttachmentView(APIView):
    @extend_schema(responses={204: None})
    def delete(self, request: Request, record_pk: int, pk: int) -> Response:
        attachment = _attachment(request, record_pk, pk)
        attachments.contact_attachment_delete(attachment=attachment, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ContactAttachmentDownloadView(APIView):
    """The file, only through the record's visibility (no public media URL exists)."""

    @extend_schema(responses={(200, "application/octet-stream"): bytes})
    def get(self, request: Request, record_pk: int, pk: int) -> FileResponse:
        attachment = _attachment(request, record_pk, pk)
        return FileResponse(
            default_storage.open(attachment.file.name, "rb"),
            as_attachment=True,
            filename=attachment.name,
            content_type=attachment.content_type,
        )


def _attachment(request: Request, record_pk: int, pk: int) -> ContactAttachment:
    record = selectors.contact_record_get(user=request.user, pk=record_pk)
    attachment = get_object_or_404(ContactAttachment, record=record, pk=pk)
    attachment.record = record
    return attachment


class SavedSearchViewSet(viewsets.ModelViewSet):
    """The caller's saved searches; apply one with contact-records/?saved_search=<id>."""

    serializer_class = SavedSearchSerializer
    queryset = SavedSearch.objects.none()  # for the schema; get_queryset is the caller's own
    pagination_class = None

    def get_queryset(self) -> QuerySet:
        return selectors.saved_search_list(user=self.request.user)

    def perform_create(self, serializer: SavedSearchSerializer) -> None:
        serializer.instance = preferences.saved_search_save(
            user=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer: SavedSearchSerializer) -> None:
        data = {
            "name": serializer.instance.name,
            "params": serializer.instance.params,
            **serializer.validated_data,
        }
        serializer.instance = preferences.saved_search_save(
            user=self.request.user, saved=serializer.instance, **data
        )

    def perform_destroy(self, instance: Any) -> None:
        preferences.saved_search_delete(saved=instance)


class ListColumnsView(APIView):
    """The columns the caller chose for the contact-record list (defaults until chosen)."""

    @extend_schema(responses=ListColumnsSerializer)
    def get(self, request: Request) -> Response:
        columns = selectors.list_columns_get(user=request.user)
        return Response(ListColumnsSerializer({"columns": columns}).data)

    @extend_schema(request=ListColumnsSerializer, responses=ListColumnsSerializer)
    def put(self, request: Request) -> Response:
        data = _validated(ListColumnsSerializer, request.data)
        chosen = preferences.list_columns_set(user=request.user, columns=data["columns"])
        return Response(ListColumnsSerializer({"columns": chosen.columns}).data)


class FollowUpViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Follow-ups (次回予定) of visible records. ``?open=true``, ``?mine=true``,
    ``?company=``, ``?due_before=`` (date)."""

    serializer_class = FollowUpSerializer
    queryset = FollowUp.objects.none()  # for the schema; get_queryset applies visibility

    def get_queryset(self) -> QuerySet:
        rows = selectors.follow_up_list(user=self.request.user)
        params = self.request.query_params
        if params.get("open") in ("true", "1"):
            rows = rows.filter(done_at__isnull=True)
        if params.get("mine") in ("true", "1"):
            rows = rows.filter(assignee__user=self.request.user)
        if params.get("company", "").isdigit():
            rows = rows.filter(company_id=int(params["company"]))
        if params.get("due_before"):
            day = _date_param("due_before", params["due_before"])
            rows = rows.filter(
                due_at__lt=timezone.make_aware(
                    datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min)
                )
            )
        return rows

    @action(detail=True, methods=["post"])
    def done(self, request: Request, pk: str | None = None) -> Response:
        follow_up = follow_ups.follow_up_complete(
            follow_up=self.get_object(),
            user=request.user,
            done=request.data.get("done", True) not in (False, "false", "0"),
        )
        return Response(FollowUpSerializer(follow_up).data)


class NotificationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """The caller's reports (報告). ``?unread=true`` for the unread ones."""

    serializer_class = NotificationSerializer
    queryset = Notification.objects.none()  # for the schema; get_queryset is the caller's own

    def get_queryset(self) -> QuerySet:
        rows = selectors.notification_list(user=self.request.user)
        if self.request.query_params.get("unread") in ("true", "1"):
            rows = rows.filter(read_at__isnull=True)
        return rows

    @action(detail=True, methods=["post"])
    def read(self, request: Request, pk: str | None = None) -> Response:
        notification = notifications.notification_mark_read(
            notification=self.get_object(),
            read=request.data.get("read", True) not in (False, "false", "0"),
        )
        return Response(NotificationSerializer(notification).data)

    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request: Request) -> Response:
        count = notifications.notifications_mark_all_read(user=request.user)
        return Response({"marked": count})


class StatsView(APIView):
    """CRM統計: ``?from=YYYY-MM&to=YYYY-MM`` (default: the last 12 months) and
    ``?employee=<id>``; every count is of what the caller may see."""

    @extend_schema(
        parameters=[
            OpenApiParameter("from", str, description="first month, YYYY-MM"),
            OpenApiParameter("to", str, description="last month, YYYY-MM"),
            OpenApiParameter("employee", int, description="only this author's records"),
        ],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request: Request) -> Response:
        params = request.query_params
        this_month = timezone.localdate().replace(day=1)
        month_to = _month_param("to", params.get("to")) or this_month
        month_from = _month_param("from", params.get("from")) or datetime.date(
            month_to.year - 1 + (month_to.month == 12), month_to.month % 12 + 1, 1
        )
        if month_from > month_to:
            raise ValidationError({"from": ["from は to 以前の月にしてください"]})
        employee = params.get("employee")
        if employee is not None and not employee.isdigit():
            raise ValidationError({"employee": ["社員IDを数字で指定してください"]})
        return Response(
            stats.contact_stats(
                user=request.user,
                month_from=month_from,
                month_to=month_to,
                employee_id=int(employee) if employee else None,
            )
        )


def _month_param(name: str, raw: str | None) -> datetime.date | None:
    if not raw:
        return None
    try:
        year, month = raw.split("-")
        return datetime.date(int(year), int(month), 1)
    except ValueError as exc:
        raise ValidationError({name: [f"'{raw}' is not a month such as 2025-04"]}) from exc


def _date_param(name: str, raw: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(raw)
    except ValueError as exc:
        raise ValidationError({name: [f"'{raw}' is not a date such as 2025-04-01"]}) from exc


def _validated(serializer_class: type, data: Any, **kwargs: Any) -> dict[str, Any]:
    serializer = serializer_class(data=data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _code_master_view(model: type) -> type[generics.ListAPIView]:
    return type(
        f"{model.__name__}ListView",
        (generics.ListAPIView,),
        {
            "serializer_class": code_master_serializer(model),
            "pagination_class": None,
            "get_queryset": lambda self: model.objects.filter(is_active=True),
            "__doc__": f"{model._meta.verbose_name} (read-only; edited in the admin).",
        },
    )


ContactMethodListView = _code_master_view(ContactMethod)
ContactResultListView = _code_master_view(ContactResult)
ContactSummaryListView = _code_master_view(ContactSummary)

"""REST adapters of imports, import formats, exports and the duplicate list."""

from __future__ import annotations

from typing import Any

from django.http import FileResponse, Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param
from rest_framework.views import APIView

from api.jobs.selectors import job_list
from api.jobs.serializers import JobSerializer
from importers import duplicates, selectors
from importers.export.columns import export_columns
from importers.export.selectors import export_queryset
from importers.export.services import (
    CONTENT_TYPES,
    STREAM_MAX_ROWS,
    export_file_open,
    export_filename,
    export_start,
    export_stream,
)
from importers.mapping import custom_fields
from importers.models import ImportJob
from importers.serializers import (
    DuplicateMergeSerializer,
    ExportRequestSerializer,
    FieldInfoSerializer,
    ImportCommitSerializer,
    ImportCreateSerializer,
    ImportFormatSerializer,
    ImportJobSerializer,
    ImportRepreviewSerializer,
    ImportRowSerializer,
)
from importers.services.commit import import_commit_start
from importers.services.failures import import_errors_iter
from importers.services.formats import (
    import_format_create,
    import_format_delete,
    import_format_update,
)
from importers.services.imports import import_create, import_delete, import_repreview
from importers.services.targets import TARGETS

MAX_PAGE_SIZE = 500


def _page(request: Request) -> tuple[int, int]:
    try:
        page = max(1, int(request.query_params.get("page", 1)))
        size = min(MAX_PAGE_SIZE, max(1, int(request.query_params.get("page_size", 50))))
    except ValueError as exc:
        raise ValidationError({"page": ["page and page_size are whole numbers"]}) from exc
    return page, size


def _paged(request: Request, *, count: int, page: int, size: int, results: list) -> Response:
    url = request.build_absolute_uri()
    return Response(
        {
            "count": count,
            "next": replace_query_param(url, "page", page + 1) if page * size < count else None,
            "previous": replace_query_param(url, "page", page - 1) if page > 1 else None,
            "results": results,
        }
    )


class ImportViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """取込: POST a file → 202 with the import and its preview job; then rows, commit,
    errors.csv."""

    serializer_class = ImportJobSerializer
    parser_classes = [MultiPartParser, FormParser, JSONParser]
    filterset_fields = ["state", "target", "mode"]
    ordering_fields = ["created_at", "state"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation, no user
            return ImportJob.objects.none()
        return selectors.import_list(user=self.request.user)

    @extend_schema(request=ImportCreateSerializer, responses={202: ImportJobSerializer})
    def create(self, request: Request) -> Response:
        data = ImportCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        options = data.validated_data
        record = import_create(
            user=request.user,
            upload=options["file"],
            target=options["target"],
            mode=options["mode"],
            match_key=options["match_key"],
            duplicate_keys=options["duplicate_keys"],
            encoding=options["encoding"],
            mapping=options["mapping"],
            format_name=options["format"],
            create_missing=options["create_missing"],
            policy=options["policy"],
        )
        body = ImportJobSerializer(record, context={"request": request}).data
        return Response(body, status=status.HTTP_202_ACCEPTED)

    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        record = self.get_object()
        context = {"request": request, "detail": True}
        return Response(ImportJobSerializer(record, context=context).data)

    def perform_destroy(self, instance: ImportJob) -> None:
        import_delete(record=instance)

    @action(detail=True, methods=["get"], serializer_class=ImportRowSerializer)
    def rows(self, request: Request, pk: str | None = None) -> Response:
        """The preview, a page at a time; ?status=insert|update|unchanged|skip|error|
        duplicate|changed narrows it."""
        record = self.get_object()
        row_status = request.query_params.get("status") or None
        if row_status and row_status not in selectors.STATUSES:
            raise ValidationError({"status": [f"choose one of {', '.join(selectors.STATUSES)}"]})
        page, size = _page(request)
        count = selectors.import_rows_count(record=record, status=row_status)
        rows = selectors.import_rows(
            record=record, status=row_status, offset=(page - 1) * size, limit=size
        )
        return _paged(request, count=count, page=page, size=size, results=rows)

    @extend_schema(request=ImportCommitSerializer, responses={202: JobSerializer})
    @action(detail=True, methods=["post"], serializer_class=ImportCommitSerializer)
    def commit(self, request: Request, pk: str | None = None) -> Response:
        data = ImportCommitSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        job = import_commit_start(
            record=self.get_object(), user=request.user, policy=data.validated_data.get("policy")
        )
        return Response(JobSerializer(job).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(request=ImportRepreviewSerializer, responses={202: ImportJobSerializer})
    @action(detail=True, methods=["post"], serializer_class=ImportRepreviewSerializer)
    def preview(self, request: Request, pk: str | None = None) -> Response:
        """Preview the kept file again with another encoding, mapping or keys."""
        data = ImportRepreviewSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        record = import_repreview(
            record=self.get_object(), user=request.user, **data.validated_data
        )
        body = ImportJobSerializer(record, context={"request": request}).data
        return Response(body, status=status.HTTP_202_ACCEPTED)

    @extend_schema(responses={(200, "text/csv"): OpenApiTypes.BINARY})
    def errors_csv(self, request: Request, pk: str | None = None) -> StreamingHttpResponse:
        record = self.get_object()
        chunks = import_errors_iter(record=record)
        encoding = "shift_jis" if record.encoding == "cp932" else (record.encoding or "utf-8")
        response = StreamingHttpResponse(chunks, content_type=f"text/csv; charset={encoding}")
        stem = record.filename.rsplit(".", 1)[0]
        response["Content-Disposition"] = _attachment(f"{stem}-errors.csv")
        return response

    @extend_schema(
        parameters=[OpenApiParameter("target", str, required=True)],
        responses={200: OpenApiTypes.OBJECT},
    )
    @action(detail=False, methods=["get"], serializer_class=FieldInfoSerializer)
    def fields(self, request: Request) -> Response:
        """The fields a target's columns can map to, with the headers recognised for each,
        and its match and duplicate keys."""
        name = request.query_params.get("target", "")
        target = TARGETS.get(name)
        if target is None:
            raise ValidationError({"target": [f"choose one of {', '.join(TARGETS)}"]})
        fields = [
            {
                "name": f.name,
                "label": f.label,
                "kind": f.kind,
                "aliases": list(f.aliases),
                "required": f.name in target.required,
            }
            for f in target.fields
        ]
        fields += [
            {
                "name": f"custom.{key}",
                "label": custom.label,
                "kind": custom.kind,
                "aliases": [key],
                "required": custom.required,
            }
            for key, custom in custom_fields(target).items()
        ]
        return Response(
            {
                "target": target.name,
                "fields": fields,
                "match_keys": [{"name": k.name, "label": k.label} for k in target.match_keys],
                "duplicate_keys": [
                    {"name": k.name, "label": k.label} for k in target.duplicate_keys
                ],
                "default_duplicate_keys": list(target.default_duplicate_keys),
            }
        )


def _attachment(filename: str) -> str:
    from urllib.parse import quote

    return f"attachment; filename*=UTF-8''{quote(filename)}"


class ImportFormatViewSet(viewsets.ModelViewSet):
    """Saved import formats; POST with ``from_import`` saves an import's mapping."""

    serializer_class = ImportFormatSerializer
    filterset_fields = ["target"]
    ordering_fields = ["name", "target", "created_at"]

    def get_queryset(self):
        return selectors.import_format_list()

    def perform_create(self, serializer: Any) -> None:
        serializer.instance = import_format_create(
            data=serializer.validated_data, user=self.request.user
        )

    def perform_update(self, serializer: Any) -> None:
        serializer.instance = import_format_update(
            instance=serializer.instance, data=serializer.validated_data
        )

    def perform_destroy(self, instance: Any) -> None:
        import_format_delete(instance=instance)


# ---------------------------------------------------------------------------------------------
# Exports
# ---------------------------------------------------------------------------------------------


EXPORT_PARAMS = {"columns", "ordering", "encoding", "unencodable", "page", "page_size"}


class ExportColumnsView(APIView):
    """The columns an export of ``?target=`` can write, in their default order."""

    @extend_schema(
        parameters=[OpenApiParameter("target", str, required=True)],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request: Request) -> Response:
        name = request.query_params.get("target", "")
        if name not in TARGETS:
            raise ValidationError({"target": [f"choose one of {', '.join(TARGETS)}"]})
        return Response([{"name": c.name, "label": c.label} for c in export_columns(target=name)])


class ExportJobView(APIView):
    """POST an export → 202 with its job; the file is downloaded from
    ``exports/{job id}/download/`` once the job has succeeded."""

    @extend_schema(request=ExportRequestSerializer, responses={202: JobSerializer})
    def post(self, request: Request) -> Response:
        data = ExportRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        options = data.validated_data
        job = export_start(
            user=request.user,
            target=options["target"],
            fmt=options["format"],
            encoding=options["encoding"],
            columns=options["columns"],
            filters=options["filters"],
            ordering=options["ordering"] or [],
            unencodable=options["unencodable"],
            ids=options["ids"],
        )
        return Response(JobSerializer(job).data, status=status.HTTP_202_ACCEPTED)


class ExportStreamView(APIView):
    """GET exports/people.csv?selection_types=NENGA&ordering=kana&encoding=cp932 — the file
    streamed at once, for up to STREAM_MAX_ROWS rows (more: POST exports/ as a job). Filters
    are the list endpoint's own query parameters."""

    @extend_schema(responses={200: OpenApiTypes.BINARY})
    def get(self, request: Request, target: str, fmt: str) -> Any:
        if target not in TARGETS:
            raise Http404(f"no export target {target}")
        params = request.query_params
        filters = {k: params.getlist(k) for k in params if k not in EXPORT_PARAMS}
        filters = {k: v[0] if len(v) == 1 else v for k, v in filters.items()}
        ordering = [o for o in params.get("ordering", "").split(",") if o]
        columns = [c for c in params.get("columns", "").split(",") if c] or None
        queryset = export_queryset(
            target=target, filters=filters, ordering=ordering, user=request.user
        )
        count = queryset.count()
        if count > STREAM_MAX_ROWS:
            raise ValidationError(
                {
                    "detail": [
                        f"{count:,} rows are more than a direct download holds "
                        f"({STREAM_MAX_ROWS:,}); POST exports/ to run it as a job"
                    ]
                }
            )
        body = export_stream(
            target=target,
            fmt=fmt,
            queryset=queryset,
            columns=columns,
            encoding=params.get("encoding", "utf-8-sig"),
            unencodable=params.get("unencodable", "error"),
        )
        name = export_filename(target=target, fmt=fmt)
        response = StreamingHttpResponse(body, content_type=CONTENT_TYPES[fmt])
        response["Content-Disposition"] = _attachment(name)
        return response


class ExportDownloadView(APIView):
    @extend_schema(responses={200: OpenApiTypes.BINARY})
    def get(self, request: Request, pk: int) -> FileResponse:
        job = get_object_or_404(job_list(user=request.user), pk=pk, kind="export")
        handle, filename, content_type = export_file_open(job=job)
        return FileResponse(
            handle, as_attachment=True, filename=filename, content_type=content_type
        )


# ---------------------------------------------------------------------------------------------
# Duplicate list (重複リスト) and merge
# ---------------------------------------------------------------------------------------------


class DuplicateListView(APIView):
    """Groups of probable duplicates by ``?key=`` (see ``importers.duplicates.KEYS``)."""

    entity = "people"

    @extend_schema(
        parameters=[OpenApiParameter("key", str), OpenApiParameter("page", int)],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request: Request) -> Response:
        key = request.query_params.get("key") or duplicates.DEFAULT_KEY[self.entity]
        page, size = _page(request)
        count, groups = duplicates.duplicate_groups(
            entity=self.entity, key=key, offset=(page - 1) * size, limit=size
        )
        return _paged(request, count=count, page=page, size=size, results=groups)


class CompanyDuplicateListView(DuplicateListView):
    entity = "companies"


class DuplicateMergeView(APIView):
    """Keep one record, move the others' histories onto it, delete the others."""

    entity = "people"

    @extend_schema(request=DuplicateMergeSerializer, responses={200: OpenApiTypes.OBJECT})
    def post(self, request: Request) -> Response:
        data = DuplicateMergeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        result = duplicates.duplicate_merge(
            entity=self.entity,
            keep_id=data.validated_data["keep"],
            merge_ids=data.validated_data["merge"],
            fill_empty=data.validated_data["fill_empty"],
            user=request.user,
        )
        return Response(result)


class CompanyDuplicateMergeView(DuplicateMergeView):
    entity = "companies"

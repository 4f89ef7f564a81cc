"""Thin adapters: parse with a serializer, call one service or selector, serialise."""

from __future__ import annotations

from typing import Any

from django.http import FileResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from mailing.models import Mailing
from mailing.printing import selectors
from mailing.printing.models import DocumentTemplate, LabelFormat, PrintRun
from mailing.printing.serializers import (
    DocumentTemplateSerializer,
    GlyphProblemSerializer,
    LabelFormatSerializer,
    PrintRequestSerializer,
    PrintRunCreateSerializer,
    PrintRunSerializer,
)
from mailing.printing.services.formats import (
    label_format_create,
    label_format_delete,
    label_format_update,
)
from mailing.printing.services.runs import print_run_create
from mailing.printing.services.templates import (
    document_template_create,
    document_template_delete,
    document_template_update,
)
from mailing.renderers.fonts import FACES


class AdminWrites(permissions.BasePermission):
    """Every member of staff reads; only admins add or change label sheets."""

    def has_permission(self, request: Request, view: Any) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        return bool(request.user and request.user.is_staff)


class LabelFormatViewSet(viewsets.ModelViewSet):
    """label-formats/: label sheets (ラベル用紙); the shipped ones are read-only."""

    serializer_class = LabelFormatSerializer
    permission_classes = [permissions.IsAuthenticated, AdminWrites]
    ordering_fields = ["name", "code", "columns", "rows"]

    def get_queryset(self):
        return selectors.label_format_list()

    def perform_create(self, serializer: LabelFormatSerializer) -> None:
        serializer.instance = label_format_create(
            user=self.request.user, data=serializer.validated_data
        )

    def perform_update(self, serializer: LabelFormatSerializer) -> None:
        serializer.instance = label_format_update(
            label_format=serializer.instance, data=serializer.validated_data
        )

    def perform_destroy(self, instance: LabelFormat) -> None:
        label_format_delete(label_format=instance)


class DocumentTemplateViewSet(viewsets.ModelViewSet):
    """document-templates/: cover letter and fax cover sheet templates. A DOCX template is
    uploaded as multipart ``file`` with merge fields such as ``{{会社名}}`` or Word's
    MERGEFIELD; a PDF template has its texts in ``layout``."""

    serializer_class = DocumentTemplateSerializer
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    filterset_fields = ["kind", "engine"]
    ordering_fields = ["name", "kind", "created_at"]

    def get_queryset(self):
        return selectors.document_template_list()

    def perform_create(self, serializer: DocumentTemplateSerializer) -> None:
        data = dict(serializer.validated_data)
        upload = data.pop("file", None)
        serializer.instance = document_template_create(
            user=self.request.user, data=data, upload=upload
        )

    def perform_update(self, serializer: DocumentTemplateSerializer) -> None:
        data = dict(serializer.validated_data)
        upload = data.pop("file", None)
        serializer.instance = document_template_update(
            template=serializer.instance, data=data, upload=upload
        )

    def perform_destroy(self, instance: DocumentTemplate) -> None:
        document_template_delete(template=instance)

    @extend_schema(responses={(200, "application/octet-stream"): bytes})
    @action(detail=True, methods=["get"])
    def file(self, request: Request, pk: str | None = None) -> FileResponse:
        template = self.get_object()
        if not template.file:
            raise NotFound("このテンプレートにはファイルがありません")
        return FileResponse(
            template.file.open("rb"),
            as_attachment=True,
            filename=template.file.name.rsplit("/", 1)[-1],
        )


def _accepted(run: PrintRun, request: Request) -> Response:
    return Response(
        PrintRunSerializer(run, context={"request": request}).data, status=status.HTTP_202_ACCEPTED
    )


class MailingPrintView(APIView):
    """mailings/{id}/print/: print a mailing on its channel (labels, postcards, letters,
    fax cover sheets). Answers 202 with the print run and its job on the render queue."""

    @extend_schema(request=PrintRequestSerializer, responses={202: PrintRunSerializer})
    def post(self, request: Request, mailing_pk: int) -> Response:
        mailing = get_object_or_404(Mailing, pk=mailing_pk)
        serializer = PrintRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        run = print_run_create(mailing=mailing, user=request.user, data=serializer.validated_data)
        return _accepted(run, request)

    @extend_schema(responses={200: PrintRunSerializer(many=True)})
    def get(self, request: Request, mailing_pk: int) -> Response:
        mailing = get_object_or_404(Mailing, pk=mailing_pk)
        runs = selectors.print_run_list(mailing_id=mailing.pk)
        return Response(PrintRunSerializer(runs, many=True, context={"request": request}).data)


class MailingPrintCheckView(APIView):
    """mailings/{id}/print-check/: the recipients whose names or addresses have characters
    no font can draw — to fix before printing rather than print a blank box."""

    @extend_schema(
        parameters=[OpenApiParameter("font", str, enum=list(FACES), required=False)],
        responses={200: GlyphProblemSerializer(many=True)},
    )
    def get(self, request: Request, mailing_pk: int) -> Response:
        mailing = get_object_or_404(Mailing, pk=mailing_pk)
        font = request.query_params.get("font") or "gothic"
        if font not in FACES:
            return Response(
                {"font": [f"{', '.join(FACES)} のどれかを指定してください"]},
                status=status.HTTP_400_BAD_REQUEST,
            )
        problems = selectors.print_glyph_report(mailing=mailing, font=font)
        return Response(GlyphProblemSerializer(problems, many=True).data)


class PrintRunViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """print-runs/: every print (``?mailing=`` for one mailing's), its state, problems and
    file; POST with ``mailing`` is the same as mailings/{id}/print/."""

    serializer_class = PrintRunSerializer
    filterset_fields = ["mailing", "kind", "state", "reprint"]
    ordering_fields = ["created_at", "finished_at"]

    def get_queryset(self):
        return selectors.print_run_list()

    @extend_schema(request=PrintRunCreateSerializer, responses={202: PrintRunSerializer})
    def create(self, request: Request) -> Response:
        serializer = PrintRunCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        run = print_run_create(mailing=data.pop("mailing"), user=request.user, data=data)
        return _accepted(run, request)

    @extend_schema(responses={(200, "application/octet-stream"): bytes})
    @action(detail=True, methods=["get"])
    def download(self, request: Request, pk: str | None = None) -> FileResponse:
        run = self.get_object()
        if run.state != PrintRun.State.DONE or not run.artifact:
            raise NotFound("印刷ファイルはまだできていません")
        return FileResponse(
            run.artifact.open("rb"),
            as_attachment=True,
            filename=run.artifact.name.rsplit("/", 1)[-1],
        )

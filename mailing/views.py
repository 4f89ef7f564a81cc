"""mailings/ and response-types/: thin adapters over mailing services and selectors."""

from __future__ import annotations

import django_filters
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.request import Request
from rest_framework.response import Response

from mailing import selectors
from mailing.models import Mailing, MailingResponse, ResponseType
from mailing.serializers import (
    ExclusionSerializer,
    MailingSerializer,
    RecipientSerializer,
    ResponseCreateSerializer,
    ResponseImportResultSerializer,
    ResponseImportSerializer,
    ResponseSerializer,
    ResponseTypeSerializer,
)
from mailing.services.responses import (
    mailing_response_delete,
    mailing_response_record,
    mailing_responses_import,
)


class MailingFilter(django_filters.FilterSet):
    class Meta:
        model = Mailing
        fields = ["channel", "state", "selection_set", "medium"]


class MailingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """発送: executions of selection sets, their recipients, exclusions and responses."""

    serializer_class = MailingSerializer
    filterset_class = MailingFilter
    ordering_fields = ["created_at", "name", "recipient_count"]

    def get_queryset(self):
        return selectors.mailing_list(user=self.request.user)

    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        mailing = self.get_object()
        counts = selectors.mailing_state_counts(mailing=mailing)
        return Response(MailingSerializer(mailing, context={"counts": counts}).data)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "state", str, enum=["queued", "sending", "sent", "failed", "cancelled"]
            )
        ],
        responses=RecipientSerializer(many=True),
    )
    @action(detail=True, methods=["get"])
    def recipients(self, request: Request, pk: str | None = None) -> Response:
        recipients = selectors.mailing_recipients(
            mailing=self.get_object(), state=request.query_params.get("state")
        )
        page = self.paginate_queryset(recipients)
        return self.get_paginated_response(RecipientSerializer(page, many=True).data)

    @extend_schema(
        parameters=[OpenApiParameter("reason", str, enum=["opted_out", "no_address", "duplicate"])],
        responses=ExclusionSerializer(many=True),
    )
    @action(detail=True, methods=["get"])
    def exclusions(self, request: Request, pk: str | None = None) -> Response:
        """Members left out, by reason; a duplicate names the record mailed instead."""
        exclusions = selectors.mailing_exclusions(
            mailing=self.get_object(), reason=request.query_params.get("reason")
        )
        page = self.paginate_queryset(exclusions)
        return self.get_paginated_response(ExclusionSerializer(page, many=True).data)

    @extend_schema(methods=["get"], responses=ResponseSerializer(many=True))
    @extend_schema(
        methods=["post"],
        request=ResponseCreateSerializer,
        responses={201: ResponseSerializer, 200: ResponseSerializer},
    )
    @action(detail=True, methods=["get", "post"])
    def responses(self, request: Request, pk: str | None = None) -> Response:
        """GET: the responses recorded. POST: record one (the same type again updates it)."""
        mailing = self.get_object()
        if request.method == "GET":
            page = self.paginate_queryset(selectors.mailing_responses(mailing=mailing))
            return self.get_paginated_response(ResponseSerializer(page, many=True).data)
        serializer = ResponseCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        response, created = mailing_response_record(
            mailing=mailing,
            person_id=data["person"],
            response_type=data["type"],
            responded_on=data["responded_on"],
            note=data["note"],
            user=request.user,
        )
        return Response(
            ResponseSerializer(response).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @extend_schema(
        request={"multipart/form-data": ResponseImportSerializer},
        responses=ResponseImportResultSerializer,
    )
    @action(detail=True, methods=["post"], url_path="responses/import")
    def responses_import(self, request: Request, pk: str | None = None) -> Response:
        """Record the responses of a CSV in one go, all or nothing (errors name lines)."""
        serializer = ResponseImportSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        result = mailing_responses_import(
            mailing=self.get_object(),
            data=serializer.validated_data["file"].read(),
            default_type=serializer.validated_data["type"] or None,
            user=request.user,
        )
        return Response(result)

    @extend_schema(responses={204: None})
    @action(detail=True, methods=["delete"], url_path=r"responses/(?P<response_id>[0-9]+)")
    def response_delete(
        self, request: Request, pk: str | None = None, response_id: str = ""
    ) -> Response:
        response = get_object_or_404(MailingResponse, pk=response_id, mailing=self.get_object())
        mailing_response_delete(response=response)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ResponseTypeViewSet(viewsets.ReadOnlyModelViewSet):
    """応答種別: the responses a recipient can give; admins edit them in the admin."""

    serializer_class = ResponseTypeSerializer
    queryset = ResponseType.objects.all()
    pagination_class = None

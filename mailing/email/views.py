"""email-templates/, mailings/{id}/email/… and the public endpoints messages link to
(unsubscribe, tracking) and providers post to (bounce webhook): thin adapters."""

from __future__ import annotations

import base64
import hmac

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.generics import get_object_or_404
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.core.errors import FieldErrors, ServiceError
from api.jobs.serializers import JobSerializer
from api.people.models import Person
from mailing.email import selectors
from mailing.email.models import EmailEvent, EmailTemplate, EmailUnsubscribe
from mailing.email.serializers import (
    BounceSerializer,
    EmailSettingsSerializer,
    EmailSettingsWriteSerializer,
    PreviewSerializer,
    StartSerializer,
    TemplateSerializer,
    TemplateTestSendSerializer,
    TemplateVersionSerializer,
    TestSendSerializer,
    TestSentSerializer,
    WebhookResultSerializer,
    WebhookSerializer,
)
from mailing.email.services.feedback import (
    email_bounce_mailbox_job,
    email_bounces_webhook,
    email_event_record,
    email_unsubscribe,
)
from mailing.email.services.mailings import (
    email_mailing_cancel,
    email_mailing_pause,
    email_mailing_resume,
    email_mailing_start,
    email_settings_save,
    email_unconfirmed_resend,
)
from mailing.email.services.preview import email_preview, email_test_send, template_preview
from mailing.email.services.templates import (
    email_template_create,
    email_template_delete,
    email_template_update,
)
from mailing.models import Mailing, MailingRecipient
from mailing.serializers import RecipientSerializer

PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")


class EmailTemplateViewSet(viewsets.ModelViewSet):
    """メールテンプレート: subject, plain-text and HTML bodies with merge fields. Every change
    of content is a new version; a mailing keeps the version it was set up with."""

    serializer_class = TemplateSerializer
    ordering_fields = ["name", "updated_at"]
    search_fields = ["name"]

    def get_queryset(self):
        return selectors.email_template_list()

    def create(self, request: Request) -> Response:
        serializer = TemplateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        template = email_template_create(user=request.user, **serializer.validated_data)
        return Response(TemplateSerializer(template).data, status=status.HTTP_201_CREATED)

    def update(self, request: Request, pk: str | None = None, partial: bool = False) -> Response:
        template = self.get_object()
        serializer = TemplateSerializer(template, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        template = email_template_update(
            template=template, data=serializer.validated_data, user=request.user
        )
        return Response(TemplateSerializer(template).data)

    def destroy(self, request: Request, pk: str | None = None) -> Response:
        email_template_delete(template=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(responses=TemplateVersionSerializer(many=True))
    @action(detail=True, methods=["get"])
    def versions(self, request: Request, pk: str | None = None) -> Response:
        versions = selectors.email_template_versions(template=self.get_object())
        page = self.paginate_queryset(versions)
        return self.get_paginated_response(TemplateVersionSerializer(page, many=True).data)

    @extend_schema(responses=TemplateVersionSerializer)
    @action(detail=True, methods=["get"], url_path=r"versions/(?P<number>[0-9]+)")
    def version(self, request: Request, pk: str | None = None, number: str = "") -> Response:
        version = get_object_or_404(self.get_object().versions, number=number)
        return Response(TemplateVersionSerializer(version).data)

    @extend_schema(
        parameters=[
            OpenApiParameter("person", int, required=True),
            OpenApiParameter("version", int, description="version number (default: current)"),
        ],
        responses=PreviewSerializer,
    )
    @action(detail=True, methods=["get"])
    def preview(self, request: Request, pk: str | None = None) -> Response:
        """The template filled for one person, as the message would be sent."""
        template = self.get_object()
        version = _version(template, request.query_params.get("version"))
        person = _person(request.query_params.get("person"))
        preview = template_preview(version=version, person=person, user=request.user)
        return Response(PreviewSerializer(preview).data)

    @extend_schema(request=TemplateTestSendSerializer, responses=TestSentSerializer)
    @action(detail=True, methods=["post"], url_path="test-send")
    def test_send(self, request: Request, pk: str | None = None) -> Response:
        """Send the current version to yourself, filled for a person (or a sample)."""
        template = self.get_object()
        serializer = TemplateTestSendSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        person = _person(data["person"]) if "person" in data else None
        sent = email_test_send(
            to=data.get("to") or request.user.email,
            version=selectors.email_template_current(template=template),
            person=person,
        )
        return Response(TestSentSerializer(sent).data)


def _version(template: EmailTemplate, number: str | None):
    if not number:
        return selectors.email_template_current(template=template)
    version = template.versions.filter(number=number).first() if number.isdigit() else None
    if version is None:
        raise FieldErrors({"version": [f"template '{template.name}' has no version {number}"]})
    return version


def _person(value: str | int | None) -> Person:
    person = (
        Person.objects.select_related("owner", "company", "department").filter(pk=value).first()
        if str(value or "").isdigit()
        else None
    )
    if person is None:
        raise FieldErrors({"person": [f"no person #{value}" if value else "give a person id"]})
    return person


def _mailing(mailing_pk: int) -> Mailing:
    return get_object_or_404(Mailing, pk=mailing_pk)


def _settings_of(mailing: Mailing):
    email = selectors.email_mailing_get(mailing=mailing)
    if email is None:
        raise NotFound("this mailing has no e-mail settings yet (PUT them first)")
    return email


def _settings_response(mailing: Mailing, code: int = status.HTTP_200_OK) -> Response:
    email = _settings_of(mailing)
    context = {"status": selectors.email_status(mailing=mailing)}
    return Response(EmailSettingsSerializer(email, context=context).data, status=code)


class MailingEmailView(APIView):
    """mailings/{id}/email/: the e-mail settings of a mailing on the e-mail channel (template
    version, sender, charset, scheduled start, rates, tracking) and its status."""

    @extend_schema(responses=EmailSettingsSerializer)
    def get(self, request: Request, mailing_pk: int) -> Response:
        return _settings_response(_mailing(mailing_pk))

    @extend_schema(request=EmailSettingsWriteSerializer, responses=EmailSettingsSerializer)
    def put(self, request: Request, mailing_pk: int) -> Response:
        return self._save(request, mailing_pk, partial=False)

    @extend_schema(request=EmailSettingsWriteSerializer, responses=EmailSettingsSerializer)
    def patch(self, request: Request, mailing_pk: int) -> Response:
        return self._save(request, mailing_pk, partial=True)

    def _save(self, request: Request, mailing_pk: int, *, partial: bool) -> Response:
        mailing = _mailing(mailing_pk)
        serializer = EmailSettingsWriteSerializer(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        email_settings_save(mailing=mailing, data=serializer.validated_data, user=request.user)
        return _settings_response(mailing)


class MailingEmailStartView(APIView):
    """mailings/{id}/email/start/: send now, or at ``at`` / the scheduled start (202)."""

    @extend_schema(request=StartSerializer, responses={202: EmailSettingsSerializer})
    def post(self, request: Request, mailing_pk: int) -> Response:
        mailing = _mailing(mailing_pk)
        serializer = StartSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        email_mailing_start(
            mailing=mailing, user=request.user, at=serializer.validated_data.get("at")
        )
        return _settings_response(mailing, status.HTTP_202_ACCEPTED)


class MailingEmailPauseView(APIView):
    """mailings/{id}/email/pause/: stop at the next message; unsent recipients stay queued."""

    @extend_schema(request=None, responses=EmailSettingsSerializer)
    def post(self, request: Request, mailing_pk: int) -> Response:
        mailing = _mailing(mailing_pk)
        email_mailing_pause(mailing=mailing)
        return _settings_response(mailing)


class MailingEmailResumeView(APIView):
    """mailings/{id}/email/resume/: continue a paused mailing (202)."""

    @extend_schema(request=None, responses={202: EmailSettingsSerializer})
    def post(self, request: Request, mailing_pk: int) -> Response:
        mailing = _mailing(mailing_pk)
        email_mailing_resume(mailing=mailing, user=request.user)
        return _settings_response(mailing, status.HTTP_202_ACCEPTED)


class MailingEmailCancelView(APIView):
    """mailings/{id}/email/cancel/: cancel every message not sent yet."""

    @extend_schema(request=None, responses=EmailSettingsSerializer)
    def post(self, request: Request, mailing_pk: int) -> Response:
        mailing = _mailing(mailing_pk)
        email_mailing_cancel(mailing=mailing)
        return _settings_response(mailing)


class MailingEmailUnconfirmedView(generics.ListAPIView):
    """mailings/{id}/email/unconfirmed/: GET lists the recipients whose message a dying
    worker handed over without recording the reply (counted sent, not resent); POST
    queues them again — a person's decision, since the server had them unless it
    refused them at that moment."""

    serializer_class = RecipientSerializer
    filter_backends: list = []

    def get_queryset(self):
        return selectors.email_unconfirmed(mailing=_mailing(self.kwargs["mailing_pk"]))

    @extend_schema(request=None, responses={202: EmailSettingsSerializer})
    def post(self, request: Request, mailing_pk: int) -> Response:
        mailing = _mailing(mailing_pk)
        email_unconfirmed_resend(mailing=mailing, user=request.user)
        return _settings_response(mailing, status.HTTP_202_ACCEPTED)


class MailingEmailPreviewView(APIView):
    """mailings/{id}/email/preview/?recipient= (or ?person=): the message one recipient
    gets, exactly as it would be sent, decoded."""

    @extend_schema(
        parameters=[OpenApiParameter("recipient", int), OpenApiParameter("person", int)],
        responses=PreviewSerializer,
    )
    def get(self, request: Request, mailing_pk: int) -> Response:
        mailing = _mailing(mailing_pk)
        email = _settings_of(mailing)
        recipient = _recipient(mailing, request.query_params)
        return Response(
            PreviewSerializer(email_preview(email_mailing=email, recipient=recipient)).data
        )


def _recipient(mailing: Mailing, params) -> MailingRecipient:
    recipients = MailingRecipient.objects.filter(mailing=mailing)
    for name, field in (("recipient", "pk"), ("person", "person_id")):
        value = params.get(name)
        if value:
            found = recipients.filter(**{field: value}).first() if str(value).isdigit() else None
            if found is None:
                raise FieldErrors({name: [f"#{value} is not a recipient of mailing #{mailing.pk}"]})
            return found
    raise FieldErrors({"recipient": ["give ?recipient= or ?person="]})


class MailingEmailTestSendView(APIView):
    """mailings/{id}/email/test-send/: send this mailing's message to yourself, filled for
    a recipient; the subject is marked [テスト] and no history changes."""

    @extend_schema(request=TestSendSerializer, responses=TestSentSerializer)
    def post(self, request: Request, mailing_pk: int) -> Response:
        mailing = _mailing(mailing_pk)
        email = _settings_of(mailing)
        serializer = TestSendSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        recipient = (
            _recipient(mailing, {"recipient": data["recipient"]}) if "recipient" in data else None
        )
        sent = email_test_send(
            to=data.get("to") or request.user.email, email_mailing=email, recipient=recipient
        )
        return Response(TestSentSerializer(sent).data)


class MailingEmailBouncesView(generics.ListAPIView):
    """mailings/{id}/email/bounces/: the bounces recorded for this mailing."""

    serializer_class = BounceSerializer
    filter_backends: list = []

    def get_queryset(self):
        return selectors.email_bounces(mailing=_mailing(self.kwargs["mailing_pk"]))


class BounceWebhookView(APIView):
    """email/bounces/: bounces and complaints posted by a sending provider, authenticated by
    ``Authorization: Bearer <MEIBO_EMAIL_WEBHOOK_TOKEN>``."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(request=WebhookSerializer, responses=WebhookResultSerializer)
    def post(self, request: Request) -> Response:
        expected = settings.MEIBO_EMAIL_WEBHOOK_TOKEN
        given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        if not expected or not hmac.compare_digest(given.encode(), expected.encode()):
            raise PermissionDenied("a valid webhook token is required")
        serializer = WebhookSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return Response(email_bounces_webhook(events=serializer.validated_data["events"]))


class BounceMailboxView(APIView):
    """email/bounces/mailbox/: read the bounce mailbox (MEIBO_EMAIL_BOUNCE_MAILBOX) in a job."""

    @extend_schema(request=None, responses={202: JobSerializer})
    def post(self, request: Request) -> Response:
        job = email_bounce_mailbox_job(created_by=request.user)
        return Response(JobSerializer(job).data, status=status.HTTP_202_ACCEPTED)


# --- public pages: no login, the signed token is the authority ---------------------------


@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET: a confirmation page (a link scanner must not unsubscribe anyone). POST: stop
    e-mail now — the RFC 8058 one-click POST from a mail client, or the page's button."""
    if request.method == "GET":
        return render(request, "mailing_email/unsubscribe.html", {"token": token, "done": False})
    one_click = request.POST.get("List-Unsubscribe") == "One-Click"
    method = EmailUnsubscribe.Method.ONE_CLICK if one_click else EmailUnsubscribe.Method.LINK
    try:
        email_unsubscribe(token=token, method=method)
    except ServiceError as exc:
        return render(request, "mailing_email/unsubscribe.html", {"error": exc.message}, status=404)
    return render(request, "mailing_email/unsubscribe.html", {"done": True})


def open_pixel(request: HttpRequest, token: str) -> HttpResponse:
    email_event_record(token=token, kind=EmailEvent.Kind.OPEN)
    response = HttpResponse(PIXEL, content_type="image/gif")
    response["Cache-Control"] = "no-store"
    return response


def click(request: HttpRequest, token: str, link: int) -> HttpResponse:
    url = email_event_record(token=token, kind=EmailEvent.Kind.CLICK, link=link)
    if url is None:
        return HttpResponse(
            "このリンクは無効です。", status=404, content_type="text/plain; charset=utf-8"
        )
    return HttpResponseRedirect(url)

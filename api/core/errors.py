"""Errors a person can act on: every failure is JSON naming the field and what to do."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


class ServiceError(Exception):
    """A business rule refused the request; ``field`` names what to fix when there is one."""

    status_code = status.HTTP_400_BAD_REQUEST

    def __init__(self, message: str, *, field: str | None = None, code: str = "invalid"):
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code


class FieldErrors(ServiceError):
    """Several fields failed at once: ``errors`` maps each field to its messages, and
    ``suggestions`` a field to the value it could be fixed to (an input rule's guess)."""

    def __init__(self, errors: dict[str, list[str]], suggestions: dict[str, str] | None = None):
        first = next(iter(errors.items()))
        super().__init__(f"{first[0]}: {first[1][0]}", field=first[0])
        self.errors = errors
        self.suggestions = suggestions or {}


class Conflict(ServiceError):
    status_code = status.HTTP_409_CONFLICT


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, FieldErrors):
        body = dict(exc.errors)
        if exc.suggestions:
            body["suggestions"] = exc.suggestions
        return Response(body, status=exc.status_code)
    if isinstance(exc, ServiceError):
        key = exc.field or "detail"
        body: dict[str, Any] = {key: [exc.message]}
        if exc.field and exc.field != "code":
            # A machine-readable reason beside the message; a field named "code" keeps its
            # message under its own name.
            body["code"] = exc.code
        return Response(body, status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        )
    return drf_exception_handler(exc, context)

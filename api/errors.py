"""One JSON shape for every API error: {"errors": [{"field", "code", "message"}]}.

Messages come in the caller's language (Accept-Language, else the site's). Errors raised by the
apps' services (Django's ValidationError) land on the same fields the pages show them on.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, serializers
from rest_framework.views import exception_handler

from branchtrack.web.concurrency import StaleEditError

NON_FIELD_KEYS = {"__all__", "non_field_errors"}


class ErrorItemSerializer(serializers.Serializer):
    field = serializers.CharField(
        allow_null=True, help_text="The input field at fault (dotted for nested ones)."
    )
    code = serializers.CharField(help_text="A stable machine-readable code.")
    message = serializers.CharField(help_text="The message in the caller's language.")


class ErrorSerializer(serializers.Serializer):
    errors = ErrorItemSerializer(many=True)


class Conflict(exceptions.APIException):
    status_code = 409
    default_detail = _("Somebody else changed this in the meantime; reload it and make your change again.")
    default_code = "stale"


def _flatten(detail, field: str | None = None) -> list[dict]:
    if isinstance(detail, dict):
        items = []
        for key, value in detail.items():
            key = str(key)
            name = None if key in NON_FIELD_KEYS else (key if field is None else f"{field}.{key}")
            items.extend(_flatten(value, field if key in NON_FIELD_KEYS else name))
        return items
    if isinstance(detail, list):
        items = []
        for index, value in enumerate(detail):
            # A list of dicts is a nested "many" field: name each element by its index.
            if isinstance(value, dict):
                items.extend(_flatten(value, f"{field}.{index}" if field else str(index)))
            else:
                items.extend(_flatten(value, field))
        return items
    return [{"field": field, "code": getattr(detail, "code", None) or "invalid", "message": str(detail)}]


def _from_django_validation(exc: DjangoValidationError) -> exceptions.ValidationError:
    if hasattr(exc, "error_dict"):
        detail = {
            field: [
                exceptions.ErrorDetail(message, code=error.code or "invalid")
                for error in errors
                for message in error.messages
            ]
            for field, errors in exc.error_dict.items()
        }
    else:
        detail = [
            exceptions.ErrorDetail(message, code=error.code or "invalid")
            for error in exc.error_list
            for message in error.messages
        ]
    return exceptions.ValidationError(detail)


def api_exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = _from_django_validation(exc)
    elif isinstance(exc, StaleEditError):
        exc = Conflict()
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = exception_handler(exc, context)
    if response is None:
        return None
    response.data = {"errors": _flatten(exc.detail)}
    return response

"""One error body for every API failure:

    {"error": {"status": 400, "code": "invalid", "message": "...", "fields": {...}}}
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc, context):
    # Services raise Django's exceptions; turn them into DRF's before formatting.
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    body = {"status": response.status_code, "code": _code(exc), "message": _message(exc)}
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail
        if isinstance(detail, dict):
            general = [str(m) for key in ("non_field_errors", "__all__") for m in detail.get(key, [])]
            body["fields"] = {k: v for k, v in detail.items() if k not in ("non_field_errors", "__all__")}
            if general:
                body["message"] = " ".join(general)
        else:
            body["message"] = " ".join(str(m) for m in detail)
    if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
        body["retry_after_seconds"] = int(exc.wait)
    response.data = {"error": body}
    return response


def _code(exc) -> str:
    codes = exc.get_codes() if hasattr(exc, "get_codes") else None
    if isinstance(codes, str):
        return codes
    return getattr(exc, "default_code", "error")


def _message(exc) -> str:
    if isinstance(exc, exceptions.ValidationError):
        return "The request has invalid fields."
    detail = getattr(exc, "detail", None)
    return str(detail) if isinstance(detail, str) else str(getattr(exc, "default_detail", "Error"))

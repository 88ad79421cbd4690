"""One JSON shape for every API error, whatever raised it.

    {"code": "invalid", "message": "该字段是必填项。", "field": "period",
     "errors": [{"code": "required", "message": "该字段是必填项。", "field": "period"}]}

`code` is stable and meant for programs; `message` is Chinese and meant for people; `field` names
the wrong input (dotted for nested rows, null when the error is not about one field).
"""
from __future__ import annotations

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from rest_framework import exceptions, serializers
from rest_framework.renderers import JSONRenderer
from rest_framework.views import exception_handler as drf_exception_handler

NON_FIELD_KEYS = {"non_field_errors", "__all__"}


def api_exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        # Services validate with Django's ValidationError; the API reports it like any other bad input.
        exc = exceptions.ValidationError(serializers.as_serializer_error(exc))
    elif isinstance(exc, RequestDataTooBig):
        # Django would answer its own HTML 400 page.
        exc = RequestTooLarge(_("请求内容过大（上限 %(limit)s KB）。") % {
            "limit": settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 1024})
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    errors = list(_flatten(exc.detail)) if isinstance(exc, exceptions.ValidationError) else []
    if errors:
        first = errors[0]
        body = {"code": "invalid", "message": first["message"], "field": first["field"], "errors": errors}
    else:
        detail = getattr(exc, "detail", "")
        body = error_body(getattr(detail, "code", None) or getattr(exc, "default_code", "error"), str(detail))
    response.data = body
    # Errors are JSON even when the client asked for CSV: a CSV "error row" would be read as data.
    request = context.get("request")
    if request is not None:
        request.accepted_renderer = JSONRenderer()
        request.accepted_media_type = JSONRenderer.media_type
    return response


def error_body(code: str, message: str) -> dict:
    """An error that is not about any input field (also used outside DRF: common.errors)."""
    return {"code": code, "message": message, "field": None, "errors": []}


def _flatten(detail, field: str | None = None):
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = None if key in NON_FIELD_KEYS else str(key)
            yield from _flatten(value, name if field is None else (f"{field}.{name}" if name else field))
    elif isinstance(detail, list):
        nested = any(isinstance(item, (dict, list)) for item in detail)
        for index, item in enumerate(detail):
            if nested:
                yield from _flatten(item, f"{field}.{index}" if field else str(index))
            else:
                yield from _flatten(item, field)
    else:
        yield {"code": getattr(detail, "code", None) or "invalid", "message": str(detail), "field": field}


class Conflict(exceptions.APIException):
    """The request is valid but the resource's current state refuses it (workflow state, stale version)."""

    status_code = 409
    default_code = "conflict"
    default_detail = "与当前状态冲突。"


class RequestTooLarge(exceptions.APIException):
    status_code = 413
    default_code = "request_too_large"
    default_detail = "请求内容过大。"

"""OpenAPI generation: every operation documents the shared error body and its status codes."""
import copy

from django.utils.translation import gettext_lazy as _
from drf_spectacular.contrib.django_filters import DjangoFilterExtension
from drf_spectacular.openapi import AutoSchema
from rest_framework import serializers


class ErrorItemSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="稳定的错误代码，供程序判断。 / Stable error code for programs.")
    message = serializers.CharField(help_text="中文错误说明。 / Human-readable message in Chinese.")
    field = serializers.CharField(allow_null=True,
                                  help_text="出错的字段（嵌套用点号），与字段无关时为 null。 / The offending field, or null.")


class ErrorSerializer(ErrorItemSerializer):
    errors = ErrorItemSerializer(many=True, help_text="全部校验错误。 / Every validation error.")

    class Meta:
        ref_name = "Error"


ERROR_RESPONSES = {
    "400": _("请求参数或数据有误。 / Invalid parameters or body."),
    "401": _("未认证或令牌无效。 / Not authenticated or invalid token."),
    "403": _("无权执行此操作（例如只读令牌写入）。 / Not allowed (e.g. write with a read-only token)."),
    "404": _("不存在或不在调用方的区域范围内。 / Not found or outside the caller's area scope."),
    "406": _("不支持请求的格式。 / Requested format not available."),
    "409": _("与当前状态冲突（流程状态或版本号）。 / Conflicts with the current state (workflow or version)."),
    "429": _("请求过于频繁，请按 Retry-After 头等待。 / Throttled: wait for Retry-After seconds."),
}


# gunicorn refuses a request line longer than its limit_request_line (deploy/gunicorn.conf.py) before
# the portal sees it, with a page of its own (as nginx does in front of it).
REQUEST_LINE_TOO_LONG = {
    "description": str(_("请求行过长（超过 8190 字节），由服务器直接以 HTML 答复；请减少查询参数。 / Request line over "
                         "8190 bytes, answered by the server itself in HTML: send fewer query parameters.")),
    "content": {"text/html": {"schema": {"type": "string"}}},
}

CSV_BODY = {"type": "string", "description": str(_(
    "UTF-8（带 BOM）的 CSV：首行为列名，每条记录一行；嵌套对象展开为点号列名。 / UTF-8 CSV with a BOM: a header "
    "line, then one line per row; nested objects become dotted columns."))}


class ApiAutoSchema(AutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for response in responses.values():
            # CSV is text, a header line and one line per row (every row of a list, unpaginated), not the
            # JSON body the serializer describes.
            if "text/csv" in response.get("content", {}):
                response["content"]["text/csv"] = {"schema": copy.deepcopy(CSV_BODY)}
        if self.method == "GET":
            responses.setdefault("304", {"description": str(_(
                "内容未变化（请求带 If-None-Match 且与 ETag 相同）。 / Not modified since the ETag sent in If-None-Match."))})
        responses.setdefault("414", copy.deepcopy(REQUEST_LINE_TOO_LONG))
        for code, description in ERROR_RESPONSES.items():
            if code == "409" and self.method == "GET":
                continue
            if code not in responses:
                response = self._get_response_for_code(ErrorSerializer, code, media_types=["application/json"])
                response["description"] = str(description)
                responses[code] = response
        return responses


class FilterParameters(DjangoFilterExtension):
    """django-filter's parameters as drf-spectacular describes them, with what our filters add: the
    schema a filter class publishes in `openapi_schema` (a month's pattern instead of the model
    field's `date`), and the bounds its form field checks (`min_value`, `max_value`)."""

    priority = 1

    def resolve_filter_field(self, auto_schema, model, filterset_class, field_name, filter_field):
        parameters = super().resolve_filter_field(auto_schema, model, filterset_class, field_name, filter_field)
        declared = getattr(filter_field, "openapi_schema", None)
        bounds = {key: filter_field.extra[name] for key, name in (("minimum", "min_value"), ("maximum", "max_value"))
                  if name in filter_field.extra}
        for parameter in parameters:
            if declared is not None:
                parameter["schema"] = dict(declared)
            parameter["schema"].update(bounds)
        return parameters


# PostgreSQL cannot store NUL in text, and the API refuses it in every parameter and body string.
TEXT_WITHOUT_NUL = "^[^\\u0000]*$"


def _refuse_nul(schema: dict) -> None:
    if schema.get("type") == "string" and not {"pattern", "enum", "format"} & schema.keys():
        schema["pattern"] = TEXT_WITHOUT_NUL
    elif schema.get("type") == "array" and isinstance(schema.get("items"), dict):
        _refuse_nul(schema["items"])


def publish_text_without_nul(result, generator, request, public):
    """drf-spectacular post-processing hook: free-text query parameters and request-body strings
    say that they take no NUL character."""
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "query":
                    _refuse_nul(parameter["schema"])
    for name, component in result.get("components", {}).get("schemas", {}).items():
        if name.endswith("Request"):
            for prop in component.get("properties", {}).values():
                _refuse_nul(prop)
    return result

"""The REST API (Django REST framework) and its OpenAPI schema (drf-spectacular)."""
from .base import STATIC_URL, TRUSTED_PROXY_COUNT
from .env import env

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "common.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "common.api.permissions.TokenWriteScope",
    ],
    # Bodies are JSON only, with a bounded nesting depth (common.api.parsers).
    "DEFAULT_PARSER_CLASSES": ["common.api.parsers.JSONParser"],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
        "common.api.renderers.CSVRenderer",
    ],
    # Lists are ordered by their cursor key only, so no OrderingFilter (see common.api.pagination).
    # django-filter's backend, refusing blank or repeated parameters (common.api.filters).
    "DEFAULT_FILTER_BACKENDS": ["common.api.filters.FilterBackend"],
    # `?format=` is json or csv, or a JSON 406 (common.api.negotiation).
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "common.api.negotiation.ContentNegotiation",
    "DEFAULT_PAGINATION_CLASS": "common.api.pagination.KeysetCursorPagination",
    "PAGE_SIZE": 100,
    "DEFAULT_THROTTLE_CLASSES": [
        "common.api.throttling.TokenRateThrottle",
        "common.api.throttling.AnonymousIpRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "token": env("API_THROTTLE_TOKEN", default="1200/min"),
        "anon": env("API_THROTTLE_ANON", default="30/min"),
    },
    # Our throttles key on common.security.client_ip; DRF's own get_ident follows the same count.
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    "EXCEPTION_HANDLER": "common.api.exceptions.api_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "common.api.schema.ApiAutoSchema",
    "DATETIME_FORMAT": "iso-8601",
    "COERCE_DECIMAL_TO_STRING": False,
}

_VENDOR = f"/{STATIC_URL.strip('/')}/vendor"

SPECTACULAR_SETTINGS = {
    "TITLE": "泉州市物业管理提升监管平台 API / Quanzhou property-management oversight API",
    "DESCRIPTION": (
        "住宅小区登记、月报数据与“四升一降”指标数据接口。区域与企业以代码标识；"
        "每个调用方只能看到其区域范围内的数据。\n\n"
        "Registry, monthly data and indicator feeds of the Quanzhou property-management campaign. "
        "Areas and firms are identified by their codes; every caller sees only its own area scope. "
        "Authenticate with `Authorization: Token <key>`. Lists use cursor pagination (follow `next`); "
        "add `?format=csv` (or `Accept: text/csv`) for UTF-8 CSV with a BOM."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema and its docs pages are public (no data in them) and throttled per anonymous IP.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # Our PATCH bodies are validated as declared (a report's `records` is required), not as DRF's
    # partial serializers would be, so the schema must not drop their required fields.
    "COMPONENT_SPLIT_PATCH": False,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "common.api.schema.publish_text_without_nul",
    ],
    "ENUM_NAME_OVERRIDES": {},
    "SWAGGER_UI_DIST": f"{_VENDOR}/swagger-ui",
    "SWAGGER_UI_FAVICON_HREF": f"{_VENDOR}/swagger-ui/favicon-32x32.png",
    "REDOC_DIST": f"{_VENDOR}/redoc",
}

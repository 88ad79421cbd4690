"""/api/: version 1 of the REST API (every app's router under one prefix), its schema and its docs."""
from importlib import import_module

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import DefaultRouter

from .docs import RedocDocsView, SwaggerDocsView
from .views import ApiNotFoundView

# Each app's api/urls.py declares a router; v1 is their union, so prefixes stay flat (/api/v1/compounds/).
APP_ROUTERS = [
    "districts.api.urls",
    "communities.api.urls",
    "committees.api.urls",
    "reporting.api.urls",
    "metrics.api.urls",
    "selection.api.urls",
]

router = DefaultRouter()
for module in APP_ROUTERS:
    router.registry.extend(import_module(module).router.registry)

urlpatterns = [
    path("v1/", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SwaggerDocsView.as_view(url_name="api-schema"), name="api-docs"),
    path("redoc/", RedocDocsView.as_view(url_name="api-schema"), name="api-redoc"),
    # Anything else under /api/ (including keys the routes' patterns refuse) is a JSON 404 too.
    re_path(r"^.*/$", ApiNotFoundView.as_view()),
]

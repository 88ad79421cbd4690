from django.contrib import admin
from django.urls import include, path

from accounts import views as account_views
from common import health

urlpatterns = [
    path("", account_views.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("accounts/", include("accounts.urls")),
    path("admin/", admin.site.urls),
    path("areas/", include("districts.urls")),
    path("api/", include("common.api.urls")),
    path("dashboard/", include("metrics.dashboard.urls")),
    path("analysis/", include("analysis.urls")),
    path("indicators/", include("metrics.urls")),
    path("reports/", include("reporting.urls")),
    path("registry/", include("communities.urls")),
    path("registry/", include("committees.urls")),
    path("selection/", include("selection.urls")),
    path("notifications/", include("notifications.urls")),
]

handler403 = "common.errors.permission_denied"
handler404 = "common.errors.page_not_found"
handler500 = "common.errors.server_error"

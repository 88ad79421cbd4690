from django.urls import path, register_converter

from . import views
from .periods import format_period, parse_period


class PeriodConverter:
    regex = r"\d{4}-\d{2}"

    def to_python(self, value):
        return parse_period(value)

    def to_url(self, value):
        return value if isinstance(value, str) else format_period(value)


register_converter(PeriodConverter, "period")

app_name = "reporting"
urlpatterns = [
    path("", views.home, name="home"),
    path("review/", views.review_queue, name="review_queue"),
    path("review/approve/", views.review_approve_selected, name="review_approve"),
    path("<str:street_code>/<period:period>/", views.report_detail, name="report"),
    path("<str:street_code>/<period:period>/grid/", views.report_grid, name="grid"),
    path("<str:street_code>/<period:period>/submit/check/", views.submit_check, name="submit_check"),
    path("<str:street_code>/<period:period>/history/", views.report_history, name="history"),
    path("<str:street_code>/<period:period>/template.xlsx", views.template_download, name="template"),
    path("<str:street_code>/<period:period>/upload/", views.upload, name="upload"),
    path("<str:street_code>/<period:period>/upload/confirm/", views.upload_confirm, name="upload_confirm"),
    path("<str:street_code>/<period:period>/upload/<int:upload_id>/", views.upload_status, name="upload_status"),
    path("<str:street_code>/<period:period>/<slug:action>/", views.report_action, name="action"),
]

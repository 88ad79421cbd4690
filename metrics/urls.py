from django.urls import path

from . import views

app_name = "metrics"

urlpatterns = [
    path("definitions/", views.IndicatorDefinitionsView.as_view(), name="definitions"),
]

from django.urls import path

from . import target_views, views

app_name = "metrics"

urlpatterns = [
    path("definitions/", views.IndicatorDefinitionsView.as_view(), name="definitions"),
    path("targets/", target_views.targets, name="targets"),
    path("targets/<int:pk>/", target_views.target_edit, name="target_edit"),
    path("targets/<int:pk>/delete/", target_views.target_remove, name="target_delete"),
]

from django.urls import path

from . import views

app_name = "analysis"

urlpatterns = [
    path("bulletin/", views.bulletin, name="bulletin"),
    path("bulletin/generate/", views.bulletin_generate, name="bulletin_generate"),
    path("bulletin/<int:pk>.<slug:kind>", views.bulletin_file, name="bulletin_file"),
]

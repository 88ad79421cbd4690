from django.urls import path

from . import views

app_name = "districts"

urlpatterns = [
    path("zones/", views.zones, name="zones"),
]

from django.urls import path

from . import views

app_name = "analysis"

urlpatterns = [
    path("bulletin/", views.bulletin, name="bulletin"),
    path("bulletin/generate/", views.bulletin_generate, name="bulletin_generate"),
    path("bulletin/<int:pk>.<slug:kind>", views.bulletin_file, name="bulletin_file"),
    path("pivot/", views.pivot, name="pivot"),
    path("pivot/saved/", views.pivot_save, name="pivot_save"),
    path("pivot/saved/<int:pk>/", views.saved_pivot, name="saved_pivot"),
    path("pivot/saved/<int:pk>/delete/", views.saved_pivot_delete, name="saved_pivot_delete"),
]

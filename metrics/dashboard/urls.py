from django.urls import path

from . import views

app_name = "dashboard"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("district/<str:code>/", views.district, name="district"),
    path("street/<str:code>/", views.street, name="street"),
    path("community/<str:code>/", views.community, name="community"),
    path("compound/<str:code>/", views.compound, name="compound"),
    path("laggards/", views.laggards, name="laggards"),
]

from django.urls import path

from . import views

app_name = "registry"
urlpatterns = [
    path("", views.registry_home, name="home"),
    path("street/<str:code>/", views.street_registry, name="street"),
    path("street/<str:code>/compounds/new/", views.compound_create, name="compound_create"),
    path("street/<str:code>/registry.xlsx", views.registry_download, name="download"),
    path("street/<str:code>/upload/", views.registry_upload, name="upload"),
    path("street/<str:code>/upload/confirm/", views.registry_upload_confirm, name="upload_confirm"),
    path("compound/<str:code>/", views.compound_detail, name="compound"),
    path("compound/<str:code>/edit/", views.compound_edit, name="compound_edit"),
    path("compound/<str:code>/change/<slug:kind>/", views.compound_change, name="compound_change"),
    path("compound/<str:code>/close/", views.compound_close, name="compound_close"),
    path("compound/<str:code>/safety/", views.compound_safety, name="compound_safety"),
    path("compound/<str:code>/contracts/new/", views.contract_create, name="contract_create"),
    path("contract/<int:contract_id>/end/", views.contract_end, name="contract_end"),
    path("firms/", views.firm_list, name="firms"),
    path("firms/new/", views.firm_create, name="firm_create"),
    path("firm/<str:credit_code>/", views.firm_detail, name="firm"),
    path("firm/<str:credit_code>/edit/", views.firm_edit, name="firm_edit"),
    path("firm/<str:credit_code>/facts/", views.firm_facts, name="firm_facts"),
    path("firm/<str:credit_code>/listings/new/", views.firm_listing, name="firm_listing"),
    path("listing/<int:listing_id>/end/", views.firm_delist, name="firm_delist"),
]

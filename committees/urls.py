from django.urls import path

from . import views

app_name = "committees"
urlpatterns = [
    path("compound/<str:code>/committees/new/", views.committee_elect, name="elect"),
    path("committee/<int:committee_id>/", views.committee_detail, name="committee"),
    path("committee/<int:committee_id>/renew/", views.committee_renew, name="renew"),
    path("committee/<int:committee_id>/renewal/", views.committee_start_renewal, name="start_renewal"),
    path("committee/<int:committee_id>/dissolve/", views.committee_dissolve, name="dissolve"),
    path("committee/<int:committee_id>/members/new/", views.member_join, name="member_join"),
    path("member/<int:member_id>/change/", views.member_change, name="member_change"),
    path("member/<int:member_id>/leave/", views.member_leave, name="member_leave"),
    path("member/<int:member_id>/correct/", views.member_correct, name="member_correct"),
    path("street/<str:code>/party/new/", views.party_create, name="party_create"),
    path("party/<str:party_code>/", views.party_detail, name="party"),
    path("party/<str:party_code>/coverage/new/", views.party_coverage_add, name="coverage_add"),
    path("coverage/<int:link_id>/end/", views.compound_coverage_end, name="compound_coverage_end"),
    path("firm-coverage/<int:link_id>/end/", views.firm_coverage_end, name="firm_coverage_end"),
]

from django.urls import path

from . import views

app_name = "selection"

urlpatterns = [
    path("", views.public_index, name="index"),
    path("<int:pk>/", views.public_candidates, name="candidates"),
    path("<int:pk>/code/", views.voter_code, name="voter_code"),
    path("<int:pk>/verify/", views.voter_verify, name="voter_verify"),
    path("<int:pk>/vote/<int:nomination_pk>/", views.vote, name="vote"),
    path("<int:pk>/results/", views.public_results, name="results"),
    path("materials/<int:pk>/", views.material_download, name="material"),
    path("manage/", views.manage_list, name="manage"),
    path("manage/new/", views.round_create, name="round_create"),
    path("manage/<int:pk>/", views.manage_round, name="manage_round"),
    path("manage/<int:pk>/stage/", views.round_stage, name="round_stage"),
    path("manage/<int:pk>/criteria/", views.round_criteria, name="round_criteria"),
    path("manage/<int:pk>/open/", views.round_open, name="round_open"),
    path("manage/<int:pk>/score/", views.round_score, name="round_score"),
    path("manage/<int:pk>/publish/", views.round_publish, name="round_publish"),
    path("manage/<int:pk>/reopen/", views.round_reopen, name="round_reopen"),
    path("manage/<int:pk>/assign/", views.judge_assign, name="judge_assign"),
    path("manage/<int:pk>/void/", views.votes_void, name="votes_void"),
    path("manage/<int:pk>/nominate/", views.nominate, name="nominate"),
    path("manage/nominations/<int:pk>/material/", views.material_upload, name="material_upload"),
    path("judge/", views.judge_home, name="judge_home"),
    path("judge/assignments/<int:pk>/", views.judge_score, name="judge_score"),
]

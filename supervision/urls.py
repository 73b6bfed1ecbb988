from django.urls import path

from supervision import views

app_name = "supervision"

urlpatterns = [
    path("", views.index, name="index"),
    path("campaigns/<int:pk>/", views.dashboard, name="dashboard"),
    path("campaigns/<int:pk>/unvisited/", views.unvisited_branches, name="unvisited"),
    path("campaigns/<int:campaign_pk>/visits/new/", views.visit_create, name="visit_create"),
    path("visits/", views.visit_list, name="visit_list"),
    path("visits/<int:pk>/", views.visit_detail, name="visit_detail"),
    path("visits/<int:pk>/edit/", views.visit_edit, name="visit_edit"),
    path("problems/", views.problem_list, name="problem_list"),
    path("problems/<int:pk>/", views.problem_detail, name="problem_detail"),
    path("problems/<int:pk>/evidence/", views.problem_evidence, name="problem_evidence"),
    path("good-practices/", views.good_practice_list, name="good_practice_list"),
    path(
        "good-practices/<int:pk>/catalogue/",
        views.good_practice_catalogue_toggle,
        name="good_practice_toggle",
    ),
    path("meetings/", views.meeting_list, name="meeting_list"),
    path("meetings/new/", views.meeting_create, name="meeting_create"),
    path("feedback/", views.feedback_list, name="feedback_list"),
    path("feedback/new/", views.feedback_create, name="feedback_create"),
    path("feedback/<int:pk>/", views.feedback_detail, name="feedback_detail"),
]

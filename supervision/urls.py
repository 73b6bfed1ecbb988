from django.urls import path

from supervision import offline_sync, plan_views, report_views, views

app_name = "supervision"

urlpatterns = [
    path("", views.index, name="index"),
    path("campaigns/<int:pk>/", views.dashboard, name="dashboard"),
    path("campaigns/<int:pk>/unvisited/", views.unvisited_branches, name="unvisited"),
    path("campaigns/<int:campaign_pk>/visits/new/", views.visit_create, name="visit_create"),
    path("visits/", views.visit_list, name="visit_list"),
    path("visits/<int:pk>/", views.visit_detail, name="visit_detail"),
    path("visits/<int:pk>/edit/", views.visit_edit, name="visit_edit"),
    path("visits/<int:pk>/report.pdf", report_views.visit_report_pdf, name="visit_report_pdf"),
    path("campaigns/<int:campaign_pk>/visits/sync/", offline_sync.sync_visit, name="sync_visit"),
    path("photos/sync/", offline_sync.sync_photo, name="sync_photo"),
    path("photos/<int:pk>/", offline_sync.visit_photo, name="visit_photo"),
    path("offline/pages.json", offline_sync.offline_pages, name="offline_pages"),
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
    # The visit plan (调研计划) and the forecast.
    path("plan/", plan_views.plan_index, name="plan_index"),
    path("plan/assign/", plan_views.assign_current, name="plan_assign_current"),
    path("plan/mine/", plan_views.my_visits, name="my_visits"),
    path("plan/mine.json", plan_views.my_visits_json, name="my_visits_json"),
    path("plan/feed/", plan_views.calendar_feed, name="calendar_feed"),
    path("plan/feed/<str:token>.ics", plan_views.calendar_ics, name="calendar_ics"),
    path("plan/<int:pk>/", plan_views.plan_detail, name="plan_detail"),
    path("campaigns/<int:pk>/plan/", plan_views.plan_list, name="plan_list"),
    path("campaigns/<int:pk>/plan/assign/", plan_views.assign, name="plan_assign"),
    path("campaigns/<int:pk>/plan/automatic/", plan_views.automatic, name="plan_automatic"),
    path("campaigns/<int:pk>/plan/calendar/", plan_views.calendar, name="plan_calendar"),
    path("campaigns/<int:pk>/plan/units/", plan_views.unit_progress, name="plan_units"),
    path("campaigns/<int:pk>/plan/visitors/", plan_views.visitor_progress, name="plan_visitors"),
    path("campaigns/<int:pk>/forecast/", plan_views.forecast_page, name="forecast"),
]

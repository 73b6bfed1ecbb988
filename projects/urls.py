from django.urls import path

from projects import pdf_views, review_views, views

app_name = "projects"

urlpatterns = [
    path("", views.project_list, name="list"),
    path("new/", views.project_create, name="create"),
    path("<int:pk>/", views.project_detail, name="detail"),
    path("<int:pk>/edit/", views.project_edit, name="edit"),
    path("queue/", views.reviewer_queue, name="queue"),
    path("queue/table/", review_views.rating_table, name="rating_table"),
    path("rounds/<int:round_pk>/rate/<int:project_pk>/row/", review_views.rate_row, name="rate_row"),
    path("rounds/<int:round_pk>/rate/<int:project_pk>/", views.rate_project, name="rate"),
    path("ratings/", views.rating_list, name="ratings"),
    path(
        "rounds/<int:round_pk>/discuss/<int:project_pk>/",
        review_views.project_discussion,
        name="discussion",
    ),
    path("conflicts/", review_views.conflict_list, name="conflicts"),
    path(
        "rounds/<int:round_pk>/conflict/<int:project_pk>/",
        review_views.declare_conflict,
        name="declare_conflict",
    ),
    path("nominations/", views.nominations, name="nominations"),
    path("rounds/", views.round_list, name="rounds"),
    path("rounds/<int:pk>/", views.round_detail, name="round"),
    path("rounds/<int:pk>/open/", views.round_open, name="round_open"),
    path("rounds/<int:pk>/close/", review_views.round_close, name="round_close"),
    path("rounds/<int:pk>/reopen/", review_views.round_reopen, name="round_reopen"),
    path("rounds/<int:pk>/assign/", review_views.balanced_assignment, name="balanced_assignment"),
    path("rounds/<int:pk>/progress/", review_views.round_progress, name="round_progress"),
    path("rounds/<int:pk>/rubric/", review_views.rubric_guidance, name="rubric_guidance"),
    path("rounds/<int:pk>/ranking/", views.ranking, name="ranking"),
    path("rounds/<int:pk>/outstanding/", views.outstanding_confirm, name="outstanding"),
    path("lists/<int:pk>/", views.tracking_list_detail, name="tracking_list"),
    path("lists/<int:pk>/notice.pdf", pdf_views.tracking_list_pdf, name="tracking_list_pdf"),
    path("lists/<int:pk>/outstanding.pdf", pdf_views.outstanding_list_pdf, name="outstanding_list_pdf"),
]

from django.urls import path

from pairings import views

app_name = "pairings"

urlpatterns = [
    path("", views.pairing_list, name="pairing_list"),
    path("new/", views.pairing_create, name="pairing_create"),
    path("<int:pk>/", views.pairing_detail, name="pairing_detail"),
    path("<int:pk>/edit/", views.pairing_edit, name="pairing_edit"),
    path("<int:pk>/activities/new/", views.activity_create, name="activity_create"),
    path("activities/", views.activity_list, name="activity_list"),
    path("activities/<int:pk>/edit/", views.activity_edit, name="activity_edit"),
    path("activities/<int:pk>/delete/", views.activity_delete, name="activity_delete"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment"),
    path("summary/", views.summary, name="summary"),
    path("external/", views.external_org_list, name="external_org_list"),
    path("external/import/", views.external_org_import, name="external_org_import"),
    path("liaison/", views.liaison_list, name="liaison_list"),
    path("liaison/new/", views.liaison_edit, name="liaison_create"),
    path("liaison/<int:pk>/edit/", views.liaison_edit, name="liaison_edit"),
]

from django.urls import path

from assessment import views

app_name = "assessment"

urlpatterns = [
    path("", views.export_list, name="export_list"),
    path("exports/<int:pk>/", views.export_detail, name="export_detail"),
    path("exports/<int:pk>/progress.json", views.export_progress, name="export_progress"),
    path("exports/<int:pk>/download/", views.export_download, name="export_download"),
    path("freeze/", views.freeze, name="freeze"),
]

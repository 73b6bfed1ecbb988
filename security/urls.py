from django.urls import path

from security import views

urlpatterns = [
    path("", views.audit_log, name="audit_log"),
    path("<str:model_key>/<int:pk>/", views.audit_object_history, name="audit_object_history"),
]

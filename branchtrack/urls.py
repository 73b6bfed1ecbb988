from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from branchtrack.web import job_views, pwa
from org import views
from security.views import LoginView

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/login/", LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("sw.js", pwa.service_worker, name="service_worker"),
    path("manifest.webmanifest", pwa.manifest, name="manifest"),
    path("offline/", pwa.offline, name="offline"),
    path("jobs/<int:pk>/", job_views.job_detail, name="job_detail"),
    path("jobs/<int:pk>/progress/", job_views.job_progress, name="job_progress"),
    path("org/branches/", views.branch_list, name="branch_list"),
    path("org/import/", views.org_import, name="org_import"),
    path("org/export.csv", views.org_export, name="org_export"),
    path("supervision/", include("supervision.urls")),
    path("projects/", include("projects.urls")),
    path("pairings/", include("pairings.urls")),
    path("assessment/", include("assessment.urls")),
    path("audit/", include("security.urls")),
    path("notifications/", include("notifications.urls")),
    path("api/", include("api.urls")),
    path("admin/", admin.site.urls),
]

# The error pages answer 503 instead when showing them needs the unreachable database.
handler400 = "security.error_pages.bad_request"
handler403 = "security.error_pages.permission_denied"
handler404 = "security.error_pages.page_not_found"
handler500 = "security.error_pages.server_error"

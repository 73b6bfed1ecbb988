from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.permissions import AllowAny
from rest_framework.routers import DefaultRouter

from api import token_views, views

# No format suffixes (".json"): JSON is the only format, and "1.5" must be an id that is not found.
router = DefaultRouter(trailing_slash=True)
router.include_format_suffixes = False
router.register("units", views.UnitViewSet, basename="unit")
router.register("branches", views.BranchViewSet, basename="branch")
router.register("campaigns", views.CampaignViewSet, basename="campaign")
router.register("coverage", views.CoverageSnapshotViewSet, basename="coverage")
router.register("visits", views.VisitViewSet, basename="visit")
router.register("findings", views.FindingViewSet, basename="finding")
router.register("meetings", views.MeetingViewSet, basename="meeting")
router.register("feedback", views.FeedbackViewSet, basename="feedback")
router.register("projects", views.ProjectViewSet, basename="project")
router.register("rounds", views.RatingRoundViewSet, basename="round")
router.register("ratings", views.RatingViewSet, basename="rating")
router.register("tracking-lists", views.TrackingListViewSet, basename="tracking-list")
router.register("tracking-entries", views.TrackingEntryViewSet, basename="tracking-entry")
router.register("outstanding-lists", views.OutstandingListViewSet, basename="outstanding-list")
router.register("pairings", views.PairingViewSet, basename="pairing")
router.register("activities", views.ActivityViewSet, basename="activity")
router.register("liaison-groups", views.LiaisonGroupViewSet, basename="liaison-group")

app_name = "api"
urlpatterns = [
    path("v1/", include(router.urls)),
    # Anything else under the API answers in the API's error shape, not with an HTML page.
    re_path(r"^v1/", views.NotFoundView.as_view()),
    path(
        "schema/",
        SpectacularAPIView.as_view(permission_classes=[AllowAny], authentication_classes=[]),
        name="schema",
    ),
    path("docs/", token_views.documentation, name="docs"),
    path("tokens/", token_views.token_list, name="tokens"),
    path("tokens/<int:pk>/revoke/", token_views.token_revoke, name="token_revoke"),
    path("service-tokens/", token_views.service_token_list, name="service_tokens"),
]

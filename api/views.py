"""The endpoints. Each one asks the apps' permission API for its queryset, so an object outside
the caller's scope is simply not there (404), and binds the page's FilterSet with the user."""

from __future__ import annotations

import json

from django.core.exceptions import ValidationError
from django.db.models import FloatField, Prefetch
from django.db.models.functions import Cast, NullIf
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from api import filters, serializers
from api.access import EVERYONE, OFFICE, RoleAndTokenAccess
from api.errors import Conflict
from api.filtering import ScopedFilterBackend
from api.pagination import ApiCursorPagination
from branchtrack.web.concurrency import StaleEditError
from branchtrack.web.idempotency import find_by_key
from org.filters import BranchFilterSet
from org.models import Branch, Role, Unit
from org.permissions import EVERYTHING, unit_scope_path
from pairings import selectors as pairing_selectors
from pairings import services as pairing_services
from pairings.filters import ActivityFilterSet, LiaisonGroupFilterSet, PairingFilterSet
from pairings.forms import ActivityForm, OutcomeForm, activity_fields
from pairings.models import LiaisonGroup, PairingActivity, PairingRules
from projects import selectors as project_selectors
from projects.models import (
    BranchProject,
    OutstandingList,
    ProjectRevision,
    Rating,
    RatingRound,
    TrackingEntry,
    TrackingList,
)
from supervision import selectors as supervision_selectors
from supervision import services as supervision_services
from supervision.filters import FeedbackFilterSet, MeetingFilterSet, VisitFilterSet
from supervision.forms import ResolveProblemForm, VisitForm
from supervision.models import (
    Campaign,
    CoverageSnapshot,
    Feedback,
    Finding,
    MeetingAttendance,
    Visit,
    VisitScore,
)

LOGGERS = frozenset({Role.ADMIN, Role.STAFF, Role.SECRETARY})


class NotFoundView(APIView):
    """Anything else under /api/v1/: a 404 in the error shape, whatever the method."""

    authentication_classes = []
    permission_classes = [AllowAny]
    schema = None

    def http_method_not_allowed(self, request, *args, **kwargs):
        raise exceptions.NotFound()


def _checked(form, prefix: str = ""):
    """The page's form decides what is valid; its errors become a 400 on the same fields."""
    if not form.is_valid():
        raise ValidationError(
            {
                (f"{prefix}{field}" if field != "__all__" else "__all__"): errors
                for field, errors in form.errors.as_data().items()
            }
        )
    return form.cleaned_data


def _body(serializer_class, request):
    """Types first (what the schema documents), so the form and the service see well-formed values."""
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer


WRITE_MEDIA = ["application/json", "multipart/form-data"]


class ScopedReadViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [RoleAndTokenAccess]
    filter_backends = [ScopedFilterBackend]
    pagination_class = ApiCursorPagination
    roles = EVERYONE
    cursor_ordering = ("-pk",)

    def scoped(self, user):
        raise NotImplementedError

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no user
            return self.serializer_class.Meta.model.objects.none()
        return self.scoped(self.request.user)


# --- organisation ---------------------------------------------------------------------------------


class UnitViewSet(ScopedReadViewSet):
    """Units of your scope (a reviewer or secretary: their own unit), in tree order."""

    serializer_class = serializers.UnitSerializer
    filterset_class = filters.UnitFilterSet
    cursor_ordering = ("path",)

    def scoped(self, user):
        return Unit.objects.visible_to(user)


class BranchViewSet(ScopedReadViewSet):
    """Party branches of your scope."""

    serializer_class = serializers.BranchSerializer
    filterset_class = BranchFilterSet
    roles = OFFICE
    cursor_ordering = ("code",)

    def scoped(self, user):
        return Branch.objects.select_related("unit").visible_to(user)


# --- supervision ----------------------------------------------------------------------------------


class CampaignViewSet(ScopedReadViewSet):
    serializer_class = serializers.CampaignSerializer
    filterset_class = filters.CampaignFilterSet
    roles = OFFICE

    def scoped(self, user):
        return supervision_selectors.campaigns_for(user)


class CoverageSnapshotViewSet(ScopedReadViewSet):
    """Stored coverage roll-ups: one per campaign, unit (with its sub-units) and day; the campaign
    total (unit null) only for company-wide users. Filter by campaign and day for one dashboard."""

    serializer_class = serializers.CoverageSnapshotSerializer
    filterset_class = filters.CoverageFilterSet
    roles = OFFICE

    def scoped(self, user):
        coverage = Cast("visited_branches", FloatField()) / NullIf(Cast("active_branches", FloatField()), 0.0)
        queryset = CoverageSnapshot.objects.select_related("unit").annotate(coverage_value=coverage)
        if unit_scope_path(user) == EVERYTHING:
            return queryset
        return queryset.filter(unit__in=Unit.objects.visible_to(user))


# A form field of the visit page -> the name the API documents for it.
VISIT_FIELD_NAMES = {
    "idempotency_key": "client_id",
    "latitude": "location.latitude",
    "longitude": "location.longitude",
    "location_accuracy_m": "location.accuracy_m",
}


def _visit_form_data(body: dict, areas) -> dict:
    """The API's body as the visit page's form posts it, so one form and one service decide."""
    known = {item.pk for area in areas for item in area.items.all()}
    data = {
        "visited_on": body["visited_on"].isoformat(),
        "visitors": body["visitors"],
        "overall_comment": body.get("overall_comment", ""),
        "action": "complete" if body.get("complete") else "draft",
    }
    for index, score in enumerate(body.get("scores", [])):
        if score["item"] not in known:
            raise ValidationError(
                {f"scores.{index}.item": _("This item is not on the checklist of the visit's campaign.")}
            )
        if score.get("score") is not None:
            data[f"score_{score['item']}"] = str(score["score"])
        data[f"remark_{score['item']}"] = score.get("remark", "")
    return data


def _visit_errors(form) -> None:
    """The visit form's errors, on the fields the API documents (`scores.<item>.score`, `client_id`...)."""
    if form.is_valid():
        return
    errors = {}
    for field, texts in form.errors.as_data().items():
        if field.startswith(("score_", "remark_")):
            kind, _sep, item = field.partition("_")
            field = f"scores.{item}.{kind}"
        errors[VISIT_FIELD_NAMES.get(field, field)] = texts
    raise ValidationError(errors)


class VisitViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, ScopedReadViewSet):
    """Visits to branches of your scope, each with its scores and findings. Office staff log a visit
    (POST, idempotent by your `client_id`) and edit it (PUT, with the `version` they read)."""

    serializer_class = serializers.VisitSerializer
    filterset_class = VisitFilterSet
    write_roles = OFFICE
    http_method_names = ["get", "post", "put", "head", "options"]

    def scoped(self, user):
        return (
            Visit.objects.visible_to(user)
            .select_related("branch")
            .prefetch_related(
                Prefetch("scores", queryset=VisitScore.objects.order_by("item_id")),
                "findings",
            )
        )

    def _answer(self, visit, *, status_code: int) -> Response:
        return Response(self.get_serializer(self.get_queryset().get(pk=visit.pk)).data, status=status_code)

    @extend_schema(
        request=serializers.VisitInputSerializer,
        responses={201: serializers.VisitSerializer, 200: serializers.VisitSerializer},
    )
    def create(self, request, *args, **kwargs):
        """Log a visit with its scores and the findings made on it. A `client_id` sent before (a retry,
        a lost answer, the offline queue) answers 200 with the visit the first send stored."""
        body = _body(serializers.VisitInputSerializer, request).validated_data
        repeat = find_by_key(Visit, body["client_id"])
        if repeat is not None:
            if repeat.created_by_id != request.user.pk:
                raise ValidationError({"client_id": _("This submission id belongs to another record.")})
            return self._answer(repeat, status_code=status.HTTP_200_OK)
        campaign = supervision_selectors.campaigns_for(request.user).filter(pk=body["campaign"]).first()
        if campaign is None:
            raise ValidationError({"campaign": _("There is no such campaign.")})
        areas = supervision_selectors.checklist_areas(template_id=campaign.template_id)
        data = _visit_form_data(body, areas)
        data["branch"] = str(body["branch"])
        data["idempotency_key"] = str(body["client_id"])
        if body.get("device_time"):
            data["device_time"] = body["device_time"].isoformat()
        if body.get("location"):
            data["latitude"] = str(body["location"]["latitude"])
            data["longitude"] = str(body["location"]["longitude"])
            if body["location"].get("accuracy_m") is not None:
                data["location_accuracy_m"] = str(body["location"]["accuracy_m"])
        data["findings"] = json.dumps(
            [
                {
                    "key": str(finding["client_id"]) if finding.get("client_id") else "",
                    "kind": finding["kind"],
                    "title": finding["title"],
                    "description": finding.get("description", ""),
                    "due_on": finding["due_on"].isoformat() if finding.get("due_on") else "",
                }
                for finding in body.get("findings", [])
            ]
        )
        form = VisitForm(
            data,
            campaign=campaign,
            branches=supervision_selectors.visitable_branches(user=request.user, campaign=campaign),
            areas=areas,
        )
        _visit_errors(form)
        visit = supervision_services.create_visit(
            user=request.user, campaign=campaign, branch=form.cleaned_data["branch"], **form.visit_fields()
        )
        return self._answer(visit, status_code=status.HTTP_201_CREATED)

    @extend_schema(request=serializers.VisitUpdateInputSerializer, responses=serializers.VisitSerializer)
    def update(self, request, *args, **kwargs):
        """Edit a visit: all its fields again, with the `version` you read (a visit someone changed since
        answers 409). A completed visit stays completed."""
        visit = self.get_object()
        body = _body(serializers.VisitUpdateInputSerializer, request).validated_data
        campaign = Campaign.objects.select_related("template").get(pk=visit.campaign_id)
        areas = supervision_selectors.checklist_areas(template_id=visit.template_id)
        data = _visit_form_data(body, areas)
        form = VisitForm(
            data,
            campaign=campaign,
            branches=Branch.objects.filter(pk=visit.branch_id),
            areas=areas,
            fixed_branch=True,
            initial={"branch": visit.branch_id},
        )
        _visit_errors(form)
        try:
            supervision_services.update_visit(
                user=request.user,
                visit=visit,
                expected_version=body["version"],
                visited_on=form.cleaned_data["visited_on"],
                visitors=form.cleaned_data["visitors"],
                overall_comment=form.cleaned_data["overall_comment"],
                scores=form.scores(),
                complete=form.complete_requested,
            )
        except StaleEditError as exc:
            raise Conflict(exc.message) from exc
        return self._answer(visit, status_code=status.HTTP_200_OK)


class FindingViewSet(ScopedReadViewSet):
    """Problems and good practices of visits in your scope, and problems your units own."""

    serializer_class = serializers.FindingSerializer
    filterset_class = filters.FindingFilterSet
    write_roles = OFFICE

    def scoped(self, user):
        return Finding.objects.visible_to(user).with_overdue_flag().select_related("visit")

    @extend_schema(
        request=dict.fromkeys(WRITE_MEDIA, serializers.ResolveProblemInputSerializer),
        responses=serializers.FindingSerializer,
    )
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        """Resolve a problem: how it was solved, with evidence (a text, a photo or PDF, or both)."""
        problem = self.get_object()
        _body(serializers.ResolveProblemInputSerializer, request)
        data = _checked(ResolveProblemForm(request.data, request.FILES))
        supervision_services.resolve_problem(problem=problem, **data)
        return Response(self.get_serializer(self.get_queryset().get(pk=problem.pk)).data)


class MeetingViewSet(ScopedReadViewSet):
    serializer_class = serializers.MeetingSerializer
    filterset_class = MeetingFilterSet
    roles = OFFICE

    def scoped(self, user):
        return MeetingAttendance.objects.visible_to(user)


class FeedbackViewSet(ScopedReadViewSet):
    """Feedback to units: drafts too for the office in scope, what was sent to their unit for others."""

    serializer_class = serializers.FeedbackSerializer
    filterset_class = FeedbackFilterSet

    def scoped(self, user):
        return Feedback.objects.visible_to(user)


# --- projects -------------------------------------------------------------------------------------


class ProjectViewSet(ScopedReadViewSet):
    """Branch projects you may open, with their revisions and their place on the published lists."""

    serializer_class = serializers.ProjectSerializer
    filterset_class = filters.ApiProjectFilterSet

    def scoped(self, user):
        return project_selectors.project_list_queryset(user=user).prefetch_related(
            Prefetch("revisions", queryset=ProjectRevision.objects.order_by("number"))
        )


class RatingRoundViewSet(ScopedReadViewSet):
    """Rating rounds: their window and status (the rules and scores are elsewhere)."""

    serializer_class = serializers.RatingRoundSerializer
    filterset_class = filters.RoundFilterSet

    def scoped(self, user):
        return RatingRound.objects.all()


class RatingViewSet(ScopedReadViewSet):
    """Administrators: every rating in scope. Reviewers: their own only, never another rater's."""

    serializer_class = serializers.RatingSerializer
    filterset_class = filters.ApiRatingFilterSet
    roles = frozenset({Role.ADMIN, Role.REVIEWER})

    def scoped(self, user):
        return Rating.objects.visible_to(user)


class TrackingListViewSet(ScopedReadViewSet):
    """Published tracking lists (superseded ones too); their rows are under tracking-entries."""

    serializer_class = serializers.TrackingListSerializer
    filterset_class = filters.TrackingListFilterSet
    roles = OFFICE

    def scoped(self, user):
        return TrackingList.objects.all()


class TrackingEntryViewSet(ScopedReadViewSet):
    """Rows of the published lists for projects you may see (rank, aggregate and figures frozen)."""

    serializer_class = serializers.TrackingEntrySerializer
    filterset_class = filters.TrackingEntryFilterSet
    roles = OFFICE

    def scoped(self, user):
        return TrackingEntry.objects.filter(
            project__in=BranchProject.objects.visible_to(user)
        ).select_related("project")


class OutstandingListViewSet(ScopedReadViewSet):
    """Confirmed outstanding lists, each with the outstanding projects you may see."""

    serializer_class = serializers.OutstandingListSerializer
    filterset_class = filters.OutstandingListFilterSet
    roles = OFFICE

    def scoped(self, user):
        return OutstandingList.objects.prefetch_related(
            Prefetch(
                "projects",
                queryset=BranchProject.objects.visible_to(user).order_by("pk"),
                to_attr="visible_projects",
            )
        )


# --- pairings -------------------------------------------------------------------------------------


class PairingViewSet(ScopedReadViewSet):
    serializer_class = serializers.PairingSerializer
    filterset_class = PairingFilterSet
    roles = LOGGERS

    @extend_schema(
        request=dict.fromkeys(WRITE_MEDIA, serializers.ActivityInputSerializer),
        responses={201: serializers.ActivitySerializer},
    )
    @action(detail=True, methods=["post"], url_path="activities")
    def log_activity(self, request, pk=None):
        """Log a joint activity of this pairing, with its outcomes (photos and PDFs as multipart
        `photos` / `documents`)."""
        pairing = self.get_object()
        body = _body(serializers.ActivityInputSerializer, request)
        # What the schema calls optional gets the model's default, as the page's empty inputs would.
        given = {"our_people": 0, "our_party_members": 0, "their_people": 0, "their_party_members": 0}
        given.update({key: request.data[key] for key in request.data if key not in ("photos", "documents")})
        data = _checked(ActivityForm(given, request.FILES, pairing=pairing, today=timezone.localdate()))
        outcomes = [
            _checked(OutcomeForm(data={**outcome, "value": str(outcome["value"])}), prefix=f"outcomes.{n}.")
            for n, outcome in enumerate(body.validated_data.get("outcomes", []))
        ]
        activity = pairing_services.log_activity(
            pairing=pairing,
            user=request.user,
            **activity_fields(data, outcomes),
            uploads=[*data["photos"], *data["documents"]],
        )
        activity = (
            PairingActivity.objects.visible_to(request.user).prefetch_related("outcomes").get(pk=activity.pk)
        )
        return Response(serializers.ActivitySerializer(activity).data, status=status.HTTP_201_CREATED)

    def filterset_extra_kwargs(self):
        return {"today": timezone.localdate()}

    def scoped(self, user):
        return pairing_selectors.pairing_list(
            user=user, today=timezone.localdate(), rules=PairingRules.current()
        )


class ActivityViewSet(ScopedReadViewSet):
    serializer_class = serializers.ActivitySerializer
    filterset_class = ActivityFilterSet
    roles = LOGGERS

    def scoped(self, user):
        return PairingActivity.objects.visible_to(user).prefetch_related("outcomes")


class LiaisonGroupViewSet(ScopedReadViewSet):
    serializer_class = serializers.LiaisonGroupSerializer
    filterset_class = LiaisonGroupFilterSet
    roles = LOGGERS

    def scoped(self, user):
        return LiaisonGroup.objects.visible_to(user).prefetch_related("villages")

"""What the API shows of each object. Names of related objects ride along so a client needs no second call."""

from __future__ import annotations

from rest_framework import serializers

from org.models import Branch, Unit
from pairings.models import ActivityOutcome, LiaisonGroup, Pairing, PairingActivity
from projects.models import (
    BranchProject,
    OutstandingList,
    ProjectRevision,
    Rating,
    RatingRound,
    TrackingEntry,
    TrackingList,
)
from supervision.models import (
    Campaign,
    CoverageSnapshot,
    Feedback,
    Finding,
    MeetingAttendance,
    Visit,
    VisitScore,
)

# --- organisation ---------------------------------------------------------------------------------


class UnitSerializer(serializers.ModelSerializer):
    parent_path = serializers.SerializerMethodField()

    class Meta:
        model = Unit
        fields = ["id", "code", "name", "kind", "path", "depth", "parent_path"]

    def get_parent_path(self, unit: Unit) -> str | None:
        return unit.path[: -Unit.steplen] or None


class BranchSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)

    class Meta:
        model = Branch
        fields = ["id", "code", "name", "unit", "unit_name", "secretary", "member_count", "active"]


# --- supervision ----------------------------------------------------------------------------------


class CampaignSerializer(serializers.ModelSerializer):
    class Meta:
        model = Campaign
        fields = ["id", "name", "year", "starts_on", "ends_on", "template"]


class CoverageSnapshotSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True, allow_null=True, default=None)
    coverage = serializers.FloatField(
        source="coverage_value", read_only=True, allow_null=True, help_text="Visited / active, 0 to 1."
    )
    area_scores = serializers.DictField(child=serializers.DecimalField(max_digits=8, decimal_places=2))

    class Meta:
        model = CoverageSnapshot
        fields = [
            "id",
            "campaign",
            "unit",
            "unit_name",
            "day",
            "active_branches",
            "visited_branches",
            "coverage",
            "completed_visits",
            "area_scores",
            "mean_total",
            "open_problems",
            "overdue_problems",
            "computed_at",
        ]


class VisitScoreSerializer(serializers.ModelSerializer):
    class Meta:
        model = VisitScore
        fields = ["item", "score", "remark"]


class FindingSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = Finding
        fields = ["id", "kind", "title", "status", "owner_unit", "due_on"]


class VisitSerializer(serializers.ModelSerializer):
    branch_name = serializers.CharField(source="branch.name", read_only=True)
    unit = serializers.IntegerField(source="branch.unit_id", read_only=True)
    scores = VisitScoreSerializer(many=True, read_only=True)
    findings = FindingSummarySerializer(many=True, read_only=True)

    class Meta:
        model = Visit
        fields = [
            "id",
            "campaign",
            "template",
            "branch",
            "branch_name",
            "unit",
            "visited_on",
            "visitors",
            "overall_comment",
            "status",
            "completed_at",
            "created_by",
            "created_at",
            "version",
            "scores",
            "findings",
        ]


class FindingSerializer(serializers.ModelSerializer):
    branch = serializers.IntegerField(source="visit.branch_id", read_only=True)
    campaign = serializers.IntegerField(source="visit.campaign_id", read_only=True)
    is_overdue = serializers.BooleanField(read_only=True)
    has_evidence_file = serializers.SerializerMethodField()

    class Meta:
        model = Finding
        fields = [
            "id",
            "visit",
            "campaign",
            "branch",
            "kind",
            "title",
            "description",
            "owner_unit",
            "due_on",
            "status",
            "is_overdue",
            "resolution",
            "evidence",
            "has_evidence_file",
            "resolved_on",
            "confirmed_by_visit",
            "escalated_at",
            "in_catalogue",
            "created_at",
        ]

    def get_has_evidence_file(self, finding: Finding) -> bool:
        return bool(finding.evidence_file)


class MeetingSerializer(serializers.ModelSerializer):
    class Meta:
        model = MeetingAttendance
        fields = ["id", "unit", "campaign", "held_on", "title", "attendees", "notes"]


class FeedbackSerializer(serializers.ModelSerializer):
    class Meta:
        model = Feedback
        fields = ["id", "campaign", "unit", "summary", "sent_at", "created_at"]


# --- projects -------------------------------------------------------------------------------------


class ProjectRevisionSerializer(serializers.ModelSerializer):
    changes = serializers.JSONField()

    class Meta:
        model = ProjectRevision
        fields = ["number", "changed_at", "reason", "changes", "content_changed", "material"]


class ProjectSerializer(serializers.ModelSerializer):
    branch_name = serializers.CharField(source="branch.name", read_only=True)
    unit = serializers.IntegerField(source="branch.unit_id", read_only=True)
    on_tracking_list = serializers.BooleanField(read_only=True)
    is_outstanding = serializers.BooleanField(read_only=True)
    frozen_rank = serializers.IntegerField(read_only=True, allow_null=True)
    revisions = ProjectRevisionSerializer(many=True, read_only=True)

    class Meta:
        model = BranchProject
        fields = [
            "id",
            "branch",
            "branch_name",
            "unit",
            "year",
            "title",
            "central_item",
            "departments",
            "indicator_name",
            "indicator_unit",
            "baseline",
            "target",
            "actual",
            "description",
            "status",
            "version",
            "updated_at",
            "on_tracking_list",
            "is_outstanding",
            "frozen_rank",
            "revisions",
        ]


class RatingRoundSerializer(serializers.ModelSerializer):
    class Meta:
        model = RatingRound
        fields = ["id", "year", "name", "opens_on", "closes_on", "status", "closed_at"]


class RatingSerializer(serializers.ModelSerializer):
    rubric_scores = serializers.JSONField()

    class Meta:
        model = Rating
        fields = [
            "id",
            "round",
            "project",
            "department",
            "rater",
            "score",
            "rubric_scores",
            "comment",
            "needs_review",
            "updated_at",
        ]


class TrackingListSerializer(serializers.ModelSerializer):
    rules = serializers.JSONField()
    is_current = serializers.BooleanField(read_only=True)

    class Meta:
        model = TrackingList
        fields = [
            "id",
            "round",
            "number",
            "published_at",
            "reason",
            "rules",
            "ranked_count",
            "target_size",
            "size",
            "superseded_at",
            "is_current",
        ]


class TrackingEntrySerializer(serializers.ModelSerializer):
    branch = serializers.IntegerField(source="project.branch_id", read_only=True)
    title = serializers.CharField(source="project.title", read_only=True)

    class Meta:
        model = TrackingEntry
        fields = [
            "id",
            "tracking_list",
            "project",
            "branch",
            "title",
            "position",
            "rank",
            "aggregate",
            "mean",
            "median",
            "stddev",
            "zscore",
            "departments_rated",
            "on_list",
        ]


class OutstandingListSerializer(serializers.ModelSerializer):
    projects = serializers.SerializerMethodField(help_text="The outstanding projects you may see.")

    class Meta:
        model = OutstandingList
        fields = [
            "id",
            "tracking_list",
            "number",
            "confirmed_at",
            "reason",
            "target_size",
            "superseded_at",
            "projects",
        ]

    def get_projects(self, outstanding: OutstandingList) -> list[int]:
        return [project.pk for project in outstanding.visible_projects]


# --- pairings -------------------------------------------------------------------------------------


class PairingSerializer(serializers.ModelSerializer):
    external_org_name = serializers.CharField(source="external_org.name", read_only=True)
    activity_count = serializers.IntegerField(read_only=True)
    last_activity = serializers.DateField(read_only=True, allow_null=True)
    is_dormant = serializers.BooleanField(read_only=True)

    class Meta:
        model = Pairing
        fields = [
            "id",
            "branch",
            "unit",
            "external_org",
            "external_org_name",
            "themes",
            "start_date",
            "end_date",
            "status",
            "agreement",
            "activity_count",
            "last_activity",
            "is_dormant",
        ]


class OutcomeSerializer(serializers.ModelSerializer):
    class Meta:
        model = ActivityOutcome
        fields = ["label", "value", "unit_label"]


class ActivitySerializer(serializers.ModelSerializer):
    outcomes = OutcomeSerializer(many=True, read_only=True)

    class Meta:
        model = PairingActivity
        fields = [
            "id",
            "pairing",
            "date",
            "title",
            "description",
            "our_people",
            "our_party_members",
            "their_people",
            "their_party_members",
            "outcome_text",
            "outcomes",
            "created_at",
        ]


class LiaisonGroupSerializer(serializers.ModelSerializer):
    village_names = serializers.SerializerMethodField()

    class Meta:
        model = LiaisonGroup
        fields = ["id", "branch", "name", "channel", "start_date", "villages", "village_names", "cadre_count"]

    def get_village_names(self, group: LiaisonGroup) -> list[str]:
        return [village.name for village in group.villages.all()]


# --- what the write endpoints take (parsed and checked by the pages' forms and the apps' services) ---


class ScoreInputSerializer(serializers.Serializer):
    item = serializers.IntegerField(help_text="A checklist item of the campaign's checklist.")
    score = serializers.DecimalField(max_digits=5, decimal_places=1, required=False, allow_null=True)
    remark = serializers.CharField(max_length=500, required=False, allow_blank=True)


class LocationInputSerializer(serializers.Serializer):
    latitude = serializers.DecimalField(max_digits=9, decimal_places=6, min_value=-90, max_value=90)
    longitude = serializers.DecimalField(max_digits=9, decimal_places=6, min_value=-180, max_value=180)
    accuracy_m = serializers.IntegerField(min_value=0, max_value=1_000_000, required=False, allow_null=True)


class FindingInputSerializer(serializers.Serializer):
    client_id = serializers.UUIDField(
        required=False, allow_null=True, help_text="Your id for this finding: a resend stores it once."
    )
    kind = serializers.ChoiceField(choices=Finding.Kind.choices)
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, max_length=10_000)
    due_on = serializers.DateField(required=False, allow_null=True, help_text="Required for a problem.")


class VisitEditInputSerializer(serializers.Serializer):
    visited_on = serializers.DateField(help_text="Inside the campaign's dates.")
    visitors = serializers.CharField(max_length=200, help_text="Names, separated by commas.")
    overall_comment = serializers.CharField(required=False, allow_blank=True)
    scores = ScoreInputSerializer(
        many=True,
        max_length=200,
        help_text="One per checklist item you scored; a completed visit scores all.",
    )
    complete = serializers.BooleanField(
        default=False, help_text="Complete the visit (it then counts for coverage); false keeps a draft."
    )


class VisitInputSerializer(VisitEditInputSerializer):
    client_id = serializers.UUIDField(
        help_text="Your id for this visit (a UUID made by the client): sending it again, even in "
        "parallel, stores the visit once and answers the first result."
    )
    campaign = serializers.IntegerField()
    branch = serializers.IntegerField()
    findings = FindingInputSerializer(many=True, required=False, max_length=20)
    device_time = serializers.DateTimeField(
        required=False, allow_null=True, help_text="The device's clock when the visit was completed."
    )
    location = LocationInputSerializer(required=False, allow_null=True)


class VisitUpdateInputSerializer(VisitEditInputSerializer):
    version = serializers.IntegerField(
        min_value=0, help_text="The visit's version you read: a visit changed since is refused (409)."
    )


class ResolveProblemInputSerializer(serializers.Serializer):
    resolution = serializers.CharField(help_text="How the problem was solved.")
    evidence = serializers.CharField(
        required=False, allow_blank=True, help_text="Evidence of the fix, in words."
    )
    evidence_file = serializers.FileField(
        required=False, help_text="A photo (JPEG, PNG, WebP) or a PDF of the fix (multipart/form-data)."
    )
    resolved_on = serializers.DateField(required=False, allow_null=True)


class OutcomeInputSerializer(serializers.Serializer):
    label = serializers.CharField(max_length=60)
    value = serializers.DecimalField(max_digits=12, decimal_places=2)
    unit_label = serializers.CharField(max_length=20, required=False, allow_blank=True)


class ActivityInputSerializer(serializers.Serializer):
    date = serializers.DateField()
    title = serializers.CharField(max_length=120)
    description = serializers.CharField()
    our_people = serializers.IntegerField(min_value=0, required=False)
    our_party_members = serializers.IntegerField(min_value=0, required=False)
    their_people = serializers.IntegerField(min_value=0, required=False)
    their_party_members = serializers.IntegerField(min_value=0, required=False)
    outcome_text = serializers.CharField(required=False, allow_blank=True)
    outcomes = OutcomeInputSerializer(many=True, required=False, max_length=20)

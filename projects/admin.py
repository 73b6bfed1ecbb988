from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from projects.models import (
    Assignment,
    BranchProject,
    Nomination,
    OutstandingList,
    ProjectRevision,
    Rating,
    RatingRound,
    RubricCriterion,
    TrackingEntry,
    TrackingList,
)


class RubricCriterionInline(admin.TabularInline):
    model = RubricCriterion
    extra = 0


@admin.register(RatingRound)
class RatingRoundAdmin(SimpleHistoryAdmin):
    list_display = ["year", "name", "status", "opens_on", "closes_on", "aggregation", "tie_rule"]
    list_filter = ["status"]
    inlines = [RubricCriterionInline]


@admin.register(BranchProject)
class BranchProjectAdmin(SimpleHistoryAdmin):
    list_display = ["year", "branch", "title", "central_item", "indicator_name", "status"]
    list_filter = ["year", "status", "departments"]
    search_fields = ["title", "central_item", "branch__name", "branch__code"]
    list_select_related = ["branch"]
    autocomplete_fields = ["branch"]
    filter_horizontal = ["departments"]
    # Content changes go through the app's edit page, which keeps revisions and asks for reasons.
    readonly_fields = ["version"]


@admin.register(ProjectRevision)
class ProjectRevisionAdmin(SimpleHistoryAdmin):
    list_display = ["project", "number", "changed_by", "changed_at", "material"]
    list_filter = ["material", "content_changed"]
    list_select_related = ["project", "changed_by"]

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Assignment)
class AssignmentAdmin(SimpleHistoryAdmin):
    list_display = ["round", "department", "project"]
    list_filter = ["round", "department"]
    list_select_related = ["round", "department", "project"]
    raw_id_fields = ["project"]


@admin.register(Rating)
class RatingAdmin(SimpleHistoryAdmin):
    list_display = ["round", "project", "department", "rater", "score", "needs_review"]
    list_filter = ["round", "department", "needs_review"]
    list_select_related = ["round", "project", "department", "rater"]

    def has_change_permission(self, request, obj=None):
        return False  # a score changes only through the rating page, with a reason


@admin.register(TrackingList)
class TrackingListAdmin(SimpleHistoryAdmin):
    list_display = ["round", "number", "published_at", "size", "superseded_at"]

    def has_change_permission(self, request, obj=None):
        return False  # published lists are frozen


@admin.register(TrackingEntry)
class TrackingEntryAdmin(SimpleHistoryAdmin):
    list_display = ["tracking_list", "position", "rank", "project", "aggregate", "on_list"]
    list_filter = ["tracking_list", "on_list"]
    list_select_related = ["tracking_list", "project"]

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Nomination)
class NominationAdmin(SimpleHistoryAdmin):
    list_display = ["round", "project", "department", "nominated_by", "created_at"]
    list_select_related = ["round", "project", "department", "nominated_by"]


@admin.register(OutstandingList)
class OutstandingListAdmin(SimpleHistoryAdmin):
    list_display = ["tracking_list", "number", "confirmed_at", "target_size", "superseded_at"]

    def has_change_permission(self, request, obj=None):
        return False

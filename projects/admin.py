from django.contrib import admin
from django.utils.translation import gettext as _
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
from projects.services import DEFAULT_CRITERION


class FrozenAdminMixin:
    """Scores, revisions and published lists change only through the app, with reasons; never here."""

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class RubricCriterionInline(admin.TabularInline):
    model = RubricCriterion
    extra = 0


@admin.register(RatingRound)
class RatingRoundAdmin(SimpleHistoryAdmin):
    list_display = ["year", "name", "status", "opens_on", "closes_on", "aggregation", "tie_rule"]
    list_filter = ["status"]
    inlines = [RubricCriterionInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if not form.instance.criteria.exists():
            # A round is never without a rubric: the default is one criterion scored 0-100.
            RubricCriterion.objects.create(round=form.instance, name=_(DEFAULT_CRITERION), weight=1, order=1)


@admin.register(BranchProject)
class BranchProjectAdmin(SimpleHistoryAdmin):
    """Projects are added here; their content changes on the app's edit page, which keeps revisions."""

    list_display = ["year", "branch", "title", "central_item", "indicator_name", "status"]
    list_filter = ["year", "status", "departments"]
    search_fields = ["title", "central_item", "branch__name", "branch__code"]
    list_select_related = ["branch"]
    autocomplete_fields = ["branch"]
    filter_horizontal = ["departments"]
    readonly_fields = ["version"]

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)


@admin.register(ProjectRevision)
class ProjectRevisionAdmin(FrozenAdminMixin, SimpleHistoryAdmin):
    list_display = ["project", "number", "changed_by", "changed_at", "material"]
    list_filter = ["material", "content_changed"]
    list_select_related = ["project", "changed_by"]


@admin.register(Assignment)
class AssignmentAdmin(SimpleHistoryAdmin):
    list_display = ["round", "department", "project"]
    list_filter = ["round", "department"]
    list_select_related = ["round", "department", "project"]
    raw_id_fields = ["project"]


@admin.register(Rating)
class RatingAdmin(FrozenAdminMixin, SimpleHistoryAdmin):
    list_display = ["round", "project", "department", "rater", "score", "needs_review"]
    list_filter = ["round", "department", "needs_review"]
    list_select_related = ["round", "project", "department", "rater"]


@admin.register(TrackingList)
class TrackingListAdmin(FrozenAdminMixin, SimpleHistoryAdmin):
    list_display = ["round", "number", "published_at", "size", "superseded_at"]


@admin.register(TrackingEntry)
class TrackingEntryAdmin(FrozenAdminMixin, SimpleHistoryAdmin):
    list_display = ["tracking_list", "position", "rank", "project", "aggregate", "on_list"]
    list_filter = ["tracking_list", "on_list"]
    list_select_related = ["tracking_list", "project"]


@admin.register(Nomination)
class NominationAdmin(SimpleHistoryAdmin):
    list_display = ["round", "project", "department", "nominated_by", "created_at"]
    list_select_related = ["round", "project", "department", "nominated_by"]


@admin.register(OutstandingList)
class OutstandingListAdmin(FrozenAdminMixin, SimpleHistoryAdmin):
    list_display = ["tracking_list", "number", "confirmed_at", "target_size", "superseded_at"]

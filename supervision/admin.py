from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from supervision import services
from supervision.models import (
    Campaign,
    CampaignBlockedDay,
    ChecklistArea,
    ChecklistItem,
    ChecklistTemplate,
    CoverageSnapshot,
    Feedback,
    Finding,
    MeetingAttendance,
    PlannedVisit,
    PlannedVisitor,
    Visit,
    VisitScore,
)


class _FrozenWhenUsedMixin:
    """A checklist version that visits used is read-only here; "make a new version" copies it."""

    def _template_of(self, obj):
        raise NotImplementedError

    def _frozen(self, obj) -> bool:
        template = self._template_of(obj) if obj is not None else None
        return bool(template and template.pk and template.is_in_use)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not self._frozen(obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not self._frozen(obj)


class ChecklistAreaInline(_FrozenWhenUsedMixin, admin.TabularInline):
    model = ChecklistArea
    extra = 0
    show_change_link = True

    def _template_of(self, obj):
        return obj

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and not self._frozen(obj)


class ChecklistItemInline(_FrozenWhenUsedMixin, admin.TabularInline):
    model = ChecklistItem
    extra = 0
    fields = ["order", "text", "weight", "min_score", "max_score", "previous"]
    raw_id_fields = ["previous"]

    def _template_of(self, obj):
        return obj.template

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and not self._frozen(obj)


@admin.register(ChecklistTemplate)
class ChecklistTemplateAdmin(_FrozenWhenUsedMixin, SimpleHistoryAdmin):
    list_display = ["name", "version", "is_example", "created_at"]
    list_filter = ["is_example"]
    search_fields = ["name"]
    inlines = [ChecklistAreaInline]
    actions = ["make_new_version"]
    readonly_fields = ["previous"]

    def _template_of(self, obj):
        return obj

    @admin.action(description=_("Make a new version to edit"))
    def make_new_version(self, request, queryset):
        made = None
        for template in queryset:
            try:
                made = services.new_template_version(template=template)
            except ValidationError as exc:
                self.message_user(request, "; ".join(exc.messages), messages.ERROR)
        if made is not None:
            self.message_user(request, _("New version made: %(name)s") % {"name": made}, messages.SUCCESS)
            return redirect("admin:supervision_checklisttemplate_change", made.pk)
        return None


@admin.register(ChecklistArea)
class ChecklistAreaAdmin(_FrozenWhenUsedMixin, SimpleHistoryAdmin):
    list_display = ["name", "code", "template", "order"]
    list_filter = ["template"]
    inlines = [ChecklistItemInline]
    list_select_related = ["template"]

    def _template_of(self, obj):
        return obj.template


class CampaignBlockedDayInline(admin.TabularInline):
    """Holidays and other days the automatic plan leaves free (weekends always are)."""

    model = CampaignBlockedDay
    extra = 1


@admin.register(Campaign)
class CampaignAdmin(SimpleHistoryAdmin):
    list_display = ["name", "year", "starts_on", "ends_on", "template", "target_percent"]
    list_filter = ["year"]
    filter_horizontal = ["scope_units"]
    list_select_related = ["template"]
    inlines = [CampaignBlockedDayInline]


class VisitScoreInline(admin.TabularInline):
    model = VisitScore
    extra = 0
    raw_id_fields = ["item"]


@admin.register(Visit)
class VisitAdmin(SimpleHistoryAdmin):
    list_display = ["branch", "campaign", "visited_on", "status", "visitors"]
    list_filter = ["campaign", "status"]
    search_fields = ["branch__name", "branch__code", "visitors"]
    list_select_related = ["branch", "campaign"]
    raw_id_fields = ["branch", "created_by"]
    inlines = [VisitScoreInline]
    readonly_fields = ["version"]


@admin.register(Finding)
class FindingAdmin(SimpleHistoryAdmin):
    list_display = ["title", "kind", "owner_unit", "due_on", "status", "in_catalogue"]
    list_filter = ["kind", "status", "in_catalogue"]
    search_fields = ["title", "description"]
    list_select_related = ["owner_unit"]
    raw_id_fields = ["visit", "confirmed_by_visit"]


@admin.register(MeetingAttendance)
class MeetingAttendanceAdmin(SimpleHistoryAdmin):
    list_display = ["held_on", "unit", "title", "attendees"]
    list_select_related = ["unit"]


@admin.register(Feedback)
class FeedbackAdmin(SimpleHistoryAdmin):
    list_display = ["campaign", "unit", "sent_at"]
    list_select_related = ["campaign", "unit"]


@admin.register(CoverageSnapshot)
class CoverageSnapshotAdmin(SimpleHistoryAdmin):
    list_display = ["campaign", "day", "unit", "visited_branches", "active_branches", "open_problems"]
    list_filter = ["campaign", "day"]
    list_select_related = ["campaign", "unit"]

    def has_change_permission(self, request, obj=None):
        return False  # written by the roll-up only


class PlannedVisitorInline(admin.TabularInline):
    model = PlannedVisitor
    extra = 0
    raw_id_fields = ["user"]


@admin.register(PlannedVisit)
class PlannedVisitAdmin(SimpleHistoryAdmin):
    """Read here; plans are made and changed on the planning pages, which check scope and conflicts."""

    list_display = ["branch", "campaign", "planned_on", "whole_week", "status"]
    list_filter = ["status", "campaign"]
    list_select_related = ["branch", "campaign"]
    raw_id_fields = ["branch", "done_visit", "created_by"]
    inlines = [PlannedVisitorInline]
    readonly_fields = ["due_on", "version"]

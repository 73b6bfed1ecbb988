from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from assessment.models import AssessmentWeights, ExportJob, YearSnapshot


@admin.register(AssessmentWeights)
class AssessmentWeightsAdmin(SimpleHistoryAdmin):
    list_display = ["year", *AssessmentWeights.WEIGHT_FIELDS, "activities_for_full_marks"]


@admin.register(YearSnapshot)
class YearSnapshotAdmin(SimpleHistoryAdmin):
    """Deleting a frozen year here makes its sheets live again."""

    list_display = ["year", "frozen_at", "frozen_by"]
    readonly_fields = ["year", "frozen_at", "frozen_by", "weights", "area_names"]

    def has_add_permission(self, request) -> bool:
        return False  # frozen from the export page, which computes the rows


@admin.register(ExportJob)
class ExportJobAdmin(admin.ModelAdmin):
    list_display = [
        "year",
        "unit",
        "format",
        "requested_by",
        "created_at",
        "status",
        "rows_done",
        "rows_total",
    ]
    list_filter = ["status", "year", "format"]
    list_select_related = ["unit", "requested_by"]
    readonly_fields = [field.name for field in ExportJob._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

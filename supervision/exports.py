"""Columns of the supervision app's CSV / Excel exports (exactly the filtered rows of each list)."""

from django.utils.translation import gettext_lazy

from branchtrack.web.table_export import ExportColumn

VISIT_COLUMNS = [
    ExportColumn(gettext_lazy("Campaign"), "campaign.name", width=18),
    ExportColumn(gettext_lazy("Date of visit"), "visited_on", width=12),
    ExportColumn(gettext_lazy("Branch code"), "branch.code", width=10),
    ExportColumn(gettext_lazy("Branch"), "branch.name", width=36),
    ExportColumn(gettext_lazy("Unit"), "branch.unit.name", width=22),
    ExportColumn(gettext_lazy("Visitors"), "visitors", width=20),
    ExportColumn(gettext_lazy("Status"), "get_status_display", width=10),
    ExportColumn(gettext_lazy("Problems found"), "problem_count", width=10),
    ExportColumn(gettext_lazy("Overall comment"), "overall_comment", width=40),
]


PROBLEM_COLUMNS = [
    ExportColumn(gettext_lazy("Campaign"), "visit.campaign.name", width=18),
    ExportColumn(gettext_lazy("Problem"), "title", width=36),
    ExportColumn(gettext_lazy("Branch"), "visit.branch.name", width=36),
    ExportColumn(gettext_lazy("Owner unit"), "owner_unit.name", width=22),
    ExportColumn(gettext_lazy("Found on"), "visit.visited_on", width=12),
    ExportColumn(gettext_lazy("Due date"), "due_on", width=12),
    ExportColumn(gettext_lazy("Status"), "get_status_display", width=10),
    ExportColumn(gettext_lazy("Overdue"), "is_overdue", width=8),
    ExportColumn(gettext_lazy("Resolution"), "resolution", width=36),
    ExportColumn(gettext_lazy("Evidence of the fix"), "evidence", width=30),
    ExportColumn(gettext_lazy("Resolved on"), "resolved_on", width=12),
]


UNVISITED_COLUMNS = [
    ExportColumn(gettext_lazy("Branch code"), "code", width=10),
    ExportColumn(gettext_lazy("Branch"), "name", width=36),
    ExportColumn(gettext_lazy("Unit"), "unit.name", width=22),
    ExportColumn(gettext_lazy("Secretary"), "secretary", width=14),
    ExportColumn(gettext_lazy("Members"), "member_count", width=8),
]

"""Columns of the projects app's CSV / Excel exports (exactly the filtered rows of each list)."""

from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from branchtrack.web.rounding import percent
from branchtrack.web.table_export import ExportColumn


def _departments(project) -> str:
    return "、".join(department.name for department in project.departments.all())


def _project(row):
    return row.project


PROJECT_COLUMNS = [
    ExportColumn(_("Year"), "year", width=6),
    ExportColumn(_("Branch code"), "branch.code", width=10),
    ExportColumn(_("Branch"), "branch.name", width=32),
    ExportColumn(_("Unit"), "branch.unit.name", width=20),
    ExportColumn(_("Project"), "title", width=32),
    ExportColumn(_("Central business item"), "central_item", width=24),
    ExportColumn(_("Departments concerned"), _departments, width=20),
    ExportColumn(_("Indicator"), "indicator_name", width=20),
    ExportColumn(_("Unit of measure"), "indicator_unit", width=8),
    ExportColumn(_("Baseline"), "baseline", width=10),
    ExportColumn(_("Target"), "target", width=10),
    ExportColumn(_("Actual"), "actual", width=10),
    ExportColumn(_("Status"), "get_status_display", width=10),
    ExportColumn(_("Revised"), "is_revised", width=8),
    ExportColumn(_("Aggregate rating"), "frozen_aggregate", width=10, number_format="0.00"),
    ExportColumn(_("Rank"), "frozen_rank", width=6),
    ExportColumn(_("On the tracking list"), "on_tracking_list", width=10),
    ExportColumn(_("Outstanding"), "is_outstanding", width=10),
]

RATING_COLUMNS = [
    ExportColumn(_("Round"), "round.name", width=16),
    ExportColumn(_("Branch code"), "project.branch.code", width=10),
    ExportColumn(_("Branch"), "project.branch.name", width=32),
    ExportColumn(_("Project"), "project.title", width=32),
    ExportColumn(_("Department"), "department.name", width=16),
    ExportColumn(_("Rater"), lambda rating: rating.rater.get_full_name() or rating.rater.username, width=16),
    ExportColumn(_("Score"), "score", width=8, number_format="0.00"),
    ExportColumn(_("Comment"), "comment", width=40),
    ExportColumn(_("Needs review"), "needs_review", width=8),
    ExportColumn(_("Last change"), "updated_at", width=16),
]

# Rows are RankedProject (ranking preview) or TrackingEntry (published list): both carry the same
# figures and a `project` with its branch and unit loaded.
RANKING_COLUMNS = [
    ExportColumn(_("Position"), "position", width=6),
    ExportColumn(_("Rank"), "rank", width=6),
    ExportColumn(_("Branch code"), "project.branch.code", width=10),
    ExportColumn(_("Branch"), "project.branch.name", width=32),
    ExportColumn(_("Unit"), "project.branch.unit.name", width=20),
    ExportColumn(_("Project"), "project.title", width=32),
    ExportColumn(_("Aggregate"), "aggregate", width=10, number_format="0.00"),
    ExportColumn(_("Mean"), "mean", width=10, number_format="0.00"),
    ExportColumn(_("Median"), "median", width=10, number_format="0.00"),
    ExportColumn(_("Standard deviation"), "stddev", width=10, number_format="0.00"),
    ExportColumn(_("Normalised (z) mean"), "zscore", width=10, number_format="0.000"),
    ExportColumn(_("Departments rated"), "departments_rated", width=8),
]

CONFLICT_COLUMNS = [
    ExportColumn(_("Round"), "round.name", width=24),
    ExportColumn(_("Branch code"), "project.branch.code", width=10),
    ExportColumn(_("Project"), "project.title", width=32),
    ExportColumn(_("Department"), "department.name", width=16),
    ExportColumn(_("Reviewer"), "reviewer.username", width=16),
    ExportColumn(_("Reason"), "reason", width=40),
    ExportColumn(_("Needs reassignment"), "needs_reassignment", width=10),
    ExportColumn(_("Declared at"), "declared_at", width=18),
]


def _percent(row) -> Decimal | None:
    return percent(row.rated, row.assigned)


REVIEWER_PROGRESS_COLUMNS = [
    ExportColumn(_("Department"), "department.name", width=16),
    ExportColumn(_("Reviewer"), lambda user: user.get_full_name() or user.username, width=16),
    ExportColumn(_("Rated"), "rated", width=8),
    ExportColumn(_("Assigned"), "assigned", width=8),
    ExportColumn(_("Rated (%)"), _percent, width=8, number_format="0.0"),
]

DEPARTMENT_PROGRESS_COLUMNS = [
    ExportColumn(_("Department code"), "code", width=10),
    ExportColumn(_("Department"), "name", width=16),
    ExportColumn(_("Rated"), "rated", width=8),
    ExportColumn(_("Assigned"), "assigned", width=8),
    ExportColumn(_("Rated (%)"), _percent, width=8, number_format="0.0"),
]

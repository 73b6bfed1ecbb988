"""The assessment sheet as a file: an .xlsx workbook (summary + one sheet per unit) or a CSV.

Rows stream from one database cursor straight into XlsxWriter's constant-memory worksheets; the
summary figures are summed on the way (one small counter per unit) and written into the first
sheet at the end, which constant-memory mode allows because each worksheet has its own row stream.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from operator import attrgetter
from typing import IO

import xlsxwriter
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext, pgettext_lazy

from assessment.scoring import MEASURES, Weights
from assessment.selectors import AssessmentRow, RowSet, sheet_key
from branchtrack.web.rounding import (
    ASSESSMENT_SCORE_PLACES,
    CHECKLIST_SCORE_PLACES,
    COVERAGE_PERCENT_PLACES,
    RATING_PLACES,
    fraction_percent,
    half_up,
    percent,
)
from branchtrack.web.table_export import ExportColumn, csv_writer, write_xlsx_sheet

PERCENT = "0.0%"
ONE_DECIMAL = "0.0"
TWO_DECIMALS = "0.00"
# Indicator values as typed: 49 stays "49" and 49.5 "49.5" (the "0.##" format showed "49.").
AS_ENTERED = "General"
SHEET_NAME_JUNK = re.compile(r"[\[\]:*?/\\]")


# (header, row attribute, width, number format); a bool attribute is written as Yes / No.
_LEADING_COLUMNS = (
    (pgettext_lazy("assessment sheet", "Unit code"), "unit_code", 10, None),
    (pgettext_lazy("assessment sheet", "Unit"), "unit_name", 22, None),
    (pgettext_lazy("assessment sheet", "Branch code"), "branch_code", 10, None),
    (pgettext_lazy("assessment sheet", "Party branch"), "branch_name", 34, None),
    (pgettext_lazy("assessment sheet", "Active"), "active", 6, bool),
    (pgettext_lazy("assessment sheet", "Visited"), "visited", 8, bool),
    (pgettext_lazy("assessment sheet", "Completed visits"), "visit_count", 9, None),
    (pgettext_lazy("assessment sheet", "First visit"), "first_visit", 12, None),
    (pgettext_lazy("assessment sheet", "Last visit"), "last_visit", 12, None),
)
_TRAILING_COLUMNS = (
    (pgettext_lazy("assessment sheet", "Checklist total"), "checklist_total", 10, ONE_DECIMAL),
    (pgettext_lazy("assessment sheet", "Checklist score rate"), "checklist_percent", 10, PERCENT),
    (pgettext_lazy("assessment sheet", "Problems found"), "problems_found", 9, None),
    (pgettext_lazy("assessment sheet", "Problems resolved"), "problems_resolved", 9, None),
    (pgettext_lazy("assessment sheet", "Problems overdue"), "problems_overdue", 9, None),
    (pgettext_lazy("assessment sheet", "Project"), "project_title", 30, None),
    (pgettext_lazy("assessment sheet", "Indicator"), "indicator", 20, None),
    (pgettext_lazy("assessment sheet", "Baseline"), "indicator_baseline", 10, AS_ENTERED),
    (pgettext_lazy("assessment sheet", "Target"), "indicator_target", 10, AS_ENTERED),
    (pgettext_lazy("assessment sheet", "Actual"), "indicator_actual", 10, AS_ENTERED),
    (pgettext_lazy("assessment sheet", "Aggregate rating"), "rating", 10, TWO_DECIMALS),
    (pgettext_lazy("assessment sheet", "Rank"), "rank", 7, None),
    (pgettext_lazy("assessment sheet", "On the tracking list"), "on_tracking_list", 10, bool),
    (pgettext_lazy("assessment sheet", "Outstanding project"), "outstanding", 10, bool),
    (pgettext_lazy("assessment sheet", "Pairings"), "pairings", 8, None),
    (pgettext_lazy("assessment sheet", "Joint activities"), "activities", 8, None),
    (pgettext_lazy("assessment sheet", "Assessment score"), "score", 10, ONE_DECIMAL),
)


def _rounded(places: int, *, percent: bool = False) -> Callable[[object], float | None]:
    """The value written for a figure: rounded here, half up, so the cell holds what the pages show
    (a display format alone would round the binary float, 12.35 -> 12.3)."""

    def rounded(value) -> float | None:
        if value is None:
            return None
        if percent:
            return float(fraction_percent(value, places=places) / 100)
        return float(half_up(value, places))

    return rounded


# Each number format is one figure's number of decimals (branchtrack.web.rounding).
ROUNDED = {
    ONE_DECIMAL: _rounded(CHECKLIST_SCORE_PLACES),
    PERCENT: _rounded(COVERAGE_PERCENT_PLACES, percent=True),
    TWO_DECIMALS: _rounded(RATING_PLACES),
}


def row_columns(area_names: Iterable[str]) -> list[ExportColumn]:
    """The sheet's columns, in order; the checklist areas of the year sit between visits and totals.

    Values are read with attrgetter and Yes / No translated once, not per cell: at 50,000 rows the
    per-cell cost is what the export's time is made of.
    """
    yes, no = pgettext("assessment sheet", "Yes"), pgettext("assessment sheet", "No")

    def column(header, attribute: str, width: int, kind) -> ExportColumn:
        read = attrgetter(attribute)
        if kind is bool:
            return ExportColumn(header, lambda row: yes if read(row) else no, width=width)
        if kind in ROUNDED:
            rounded = ROUNDED[kind]
            return ExportColumn(header, lambda row: rounded(read(row)), width=width, number_format=kind)
        return ExportColumn(header, read, width=width, number_format=kind)

    one_decimal = ROUNDED[ONE_DECIMAL]
    areas = [
        ExportColumn(
            name,
            lambda row, index=index: one_decimal(row.area_scores[index]),
            width=12,
            number_format=ONE_DECIMAL,
        )
        for index, name in enumerate(area_names)
    ]
    return [
        *(column(*spec) for spec in _LEADING_COLUMNS),
        *areas,
        *(column(*spec) for spec in _TRAILING_COLUMNS),
    ]


class Progress:
    """Counts rows written and reports every `every` rows (and once at the end) through `report`."""

    def __init__(self, *, total: int, report: Callable[[int], None] | None = None, every: int | None = None):
        self.total = total
        self.done = 0
        self.report = report
        # About twenty updates whatever the size: often enough for the bar, rare enough for the database.
        self.every = every or max(1, min(500, total // 20))

    def advance(self) -> None:
        self.done += 1
        if self.report and self.done % self.every == 0:
            self.report(self.done)

    def finish(self) -> None:
        if self.report:
            self.report(self.done)

    def counted(self, rows: Iterable) -> Iterator:
        for row in rows:
            yield row
            self.advance()


@dataclass
class Totals:
    """The summary figures of a set of rows (a unit's sheet, or the whole scope)."""

    name: str = ""
    branches: int = 0
    active: int = 0
    visited: int = 0  # active branches with a completed visit: the numerator of coverage
    checklist_sum: Decimal = Decimal(0)  # the checklist totals of those visited active branches
    scored: int = 0  # how many of them have scores
    problems_found: int = 0
    problems_resolved: int = 0
    problems_overdue: int = 0
    projects: int = 0
    tracking: int = 0
    outstanding: int = 0
    pairings: int = 0
    activities: int = 0
    score_sum: Decimal = Decimal(0)
    children: list[Totals] = field(default_factory=list)

    def add(self, row: AssessmentRow) -> None:
        self.branches += 1
        self.active += row.active
        self.visited += row.active and row.visited
        if row.active and row.visited and row.checklist_total is not None:
            self.checklist_sum += Decimal(str(row.checklist_total))
            self.scored += 1
        self.problems_found += row.problems_found
        self.problems_resolved += row.problems_resolved
        self.problems_overdue += row.problems_overdue
        self.projects += bool(row.project_title)
        self.tracking += row.on_tracking_list
        self.outstanding += row.outstanding
        self.pairings += row.pairings
        self.activities += row.activities
        self.score_sum += Decimal(str(row.score))

    def merge(self, other: Totals) -> None:
        for name in (
            "branches",
            "active",
            "visited",
            "checklist_sum",
            "scored",
            "problems_found",
            "problems_resolved",
            "problems_overdue",
            "projects",
            "tracking",
            "outstanding",
            "pairings",
            "activities",
            "score_sum",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.children.append(other)

    # Rounded as the dashboard rounds them (branchtrack.web.rounding): the same figure, the same number.
    @property
    def coverage(self) -> float | None:
        share = percent(self.visited, self.active)
        return None if share is None else float(share / 100)

    @property
    def mean_checklist(self) -> float | None:
        """Mean checklist total of the visited active branches (the dashboard's mean total score)."""
        if not self.scored:
            return None
        return float(half_up(self.checklist_sum / self.visited, CHECKLIST_SCORE_PLACES))

    @property
    def mean_score(self) -> float | None:
        return (
            float(half_up(self.score_sum / self.branches, ASSESSMENT_SCORE_PLACES)) if self.branches else None
        )


def _unique_sheet_name(name: str, taken: set[str]) -> str:
    base = SHEET_NAME_JUNK.sub("_", name).strip("'")[:31] or "-"
    candidate, number = base, 1
    while candidate.lower() in taken:
        number += 1
        suffix = f" ({number})"
        candidate = base[: 31 - len(suffix)] + suffix
    taken.add(candidate.lower())
    return candidate


def weights_line(weights: Weights) -> str:
    parts = [f"{label} {_plain(getattr(weights, name))}" for name, label, _rule in MEASURES]
    return _("Weights: %(weights)s; activities for full marks: %(activities)s.") % {
        "weights": " · ".join(parts),
        "activities": weights.activities_for_full_marks,
    }


def _plain(value) -> str:
    """40 rather than 40.0, 12.5 as it is."""
    return f"{value:f}".rstrip("0").rstrip(".") if "." in f"{value:f}" else f"{value:f}"


def score_rule_line() -> str:
    return _("Assessment score = sum of weight x fraction of each measure (0 to 100, one decimal).")


def source_line(rowset: RowSet) -> str:
    if rowset.frozen_at:
        return _("Figures frozen on %(when)s.") % {
            "when": date_format(timezone.localtime(rowset.frozen_at), "Y-m-d H:i")
        }
    return _("Live figures as of %(when)s.") % {"when": date_format(timezone.localtime(), "Y-m-d H:i")}


def problems_line(rowset: RowSet) -> str:
    """When a problem counts as overdue, with the day the sheet counts it as of (as the dashboard says)."""
    day = rowset.as_of.get("supervision")
    if day is None:
        return ""
    return _(
        "Problems overdue as of %(day)s: not resolved and due before that day (the campaign's figures "
        "day: today while it runs, its last day once it is over)."
    ) % {"day": day.isoformat()}


def sheet_title(year: int, name: str) -> str:
    return _("Year-end party-building assessment %(year)s: %(name)s") % {"year": year, "name": name}


def sheet_groups(rowset: RowSet, *, progress: Progress) -> Iterator[tuple[str, Iterator[AssessmentRow]]]:
    """(unit name, its rows) for each unit that gets a sheet of its own, in path order; each group's rows
    must be read before the next group is asked for (they come from one cursor).

    Sheet units and the rows' groups, both in path order, merged: a unit without rows still gets
    its (empty) sheet, and rows of no sheet unit (a year frozen before its tree was kept) get one
    named after their unit instead of being dropped.
    """
    units = rowset.sheet_units()
    position = 0

    def empty_sheets_before(path: str | None) -> Iterator[tuple[str, Iterator[AssessmentRow]]]:
        nonlocal position
        while position < len(units) and (path is None or units[position].path < path):
            # The scope unit gets a sheet only for branches directly under it.
            if units[position].path != rowset.scope_path:
                yield units[position].name, iter(())
            position += 1

    groups = itertools.groupby(
        progress.counted(rowset), key=lambda row: sheet_key(row.unit_path, scope_path=rowset.scope_path)
    )
    for path, rows in groups:
        yield from empty_sheets_before(path)
        if position < len(units) and units[position].path == path:
            position += 1
            yield units[position - 1].name, rows
        else:
            first = next(rows)
            yield first.unit_name, itertools.chain([first], rows)
    yield from empty_sheets_before(None)


def write_workbook(
    target: str | IO[bytes], *, rowset: RowSet, scope_name: str, progress: Progress | None = None
) -> Totals:
    """Write the workbook to a path or binary file; returns the scope's totals (as on the summary sheet)."""
    progress = progress or Progress(total=0)
    columns = row_columns(rowset.area_names)
    workbook = xlsxwriter.Workbook(target, {"constant_memory": True, "in_memory": False})
    taken: set[str] = set()
    summary_sheet = workbook.add_worksheet(_unique_sheet_name(pgettext("assessment sheet", "Summary"), taken))
    totals = Totals(name=scope_name)
    preamble_tail = [
        "",
        weights_line(rowset.weights),
        score_rule_line(),
        source_line(rowset),
        problems_line(rowset),
        "",
    ]

    def tallied(rows: Iterable[AssessmentRow], into: Totals) -> Iterator[AssessmentRow]:
        for row in rows:
            into.add(row)
            yield row

    def sheet(name: str, rows: Iterable[AssessmentRow]) -> None:
        unit_totals = Totals(name=name)
        write_xlsx_sheet(
            workbook,
            _unique_sheet_name(name, taken),
            rows=tallied(rows, unit_totals),
            columns=columns,
            preamble=[sheet_title(rowset.year, name), *preamble_tail],
            skip_empty=True,
        )
        totals.merge(unit_totals)

    for name, rows in sheet_groups(rowset, progress=progress):
        sheet(name, rows)
    _write_summary(workbook, summary_sheet, rowset=rowset, totals=totals)
    workbook.close()
    progress.finish()
    return totals


SUMMARY_COLUMNS = (
    (pgettext_lazy("assessment sheet", "Unit"), "name", None, 24),
    (pgettext_lazy("assessment sheet", "Branches"), "branches", None, 9),
    (pgettext_lazy("assessment sheet", "Active branches"), "active", None, 9),
    (pgettext_lazy("assessment sheet", "Visited active branches"), "visited", None, 10),
    (pgettext_lazy("assessment sheet", "Coverage"), "coverage", PERCENT, 9),
    (pgettext_lazy("assessment sheet", "Mean checklist total"), "mean_checklist", ONE_DECIMAL, 10),
    (pgettext_lazy("assessment sheet", "Problems found"), "problems_found", None, 9),
    (pgettext_lazy("assessment sheet", "Problems resolved"), "problems_resolved", None, 9),
    (pgettext_lazy("assessment sheet", "Problems overdue"), "problems_overdue", None, 9),
    (pgettext_lazy("assessment sheet", "Projects"), "projects", None, 9),
    (pgettext_lazy("assessment sheet", "On the tracking list"), "tracking", None, 10),
    (pgettext_lazy("assessment sheet", "Outstanding projects"), "outstanding", None, 10),
    (pgettext_lazy("assessment sheet", "Pairings"), "pairings", None, 9),
    (pgettext_lazy("assessment sheet", "Joint activities"), "activities", None, 9),
    (pgettext_lazy("assessment sheet", "Mean assessment score"), "mean_score", ONE_DECIMAL, 10),
)


def key_figures(totals: Totals) -> list[tuple[str, object, str | None]]:
    """(label, value, number format) of the summary's key figures, as the dashboards show them."""
    return [
        (pgettext("assessment sheet", "Branches"), totals.branches, None),
        (pgettext("assessment sheet", "Active branches"), totals.active, None),
        (pgettext("assessment sheet", "Visited active branches"), totals.visited, None),
        (pgettext("assessment sheet", "Coverage"), totals.coverage, PERCENT),
        (pgettext("assessment sheet", "Projects"), totals.projects, None),
        (pgettext("assessment sheet", "On the tracking list"), totals.tracking, None),
        (pgettext("assessment sheet", "Outstanding projects"), totals.outstanding, None),
        (pgettext("assessment sheet", "Problems found"), totals.problems_found, None),
        (pgettext("assessment sheet", "Problems resolved"), totals.problems_resolved, None),
        (pgettext("assessment sheet", "Problems overdue"), totals.problems_overdue, None),
        (pgettext("assessment sheet", "Pairings"), totals.pairings, None),
        (pgettext("assessment sheet", "Joint activities"), totals.activities, None),
        (pgettext("assessment sheet", "Mean assessment score"), totals.mean_score, ONE_DECIMAL),
    ]


def _write_summary(workbook, sheet, *, rowset: RowSet, totals: Totals) -> None:
    bold = workbook.add_format({"bold": True})
    title = workbook.add_format({"bold": True, "font_size": 13})
    header = workbook.add_format({"bold": True, "bg_color": "#F2DCDB", "border": 1, "text_wrap": True})
    formats = {fmt: workbook.add_format({"num_format": fmt}) for fmt in (PERCENT, ONE_DECIMAL)}
    bold_formats = {
        fmt: workbook.add_format({"num_format": fmt, "bold": True}) for fmt in (PERCENT, ONE_DECIMAL)
    }

    def put(line: int, column: int, value, fmt: str | None = None, *, strong: bool = False) -> None:
        if value is None:
            return
        if isinstance(value, int | float):
            cell_format = (
                (bold_formats if strong else formats).get(fmt) if fmt else (bold if strong else None)
            )
            sheet.write_number(line, column, value, cell_format)
        else:
            sheet.write_string(line, column, str(value), bold if strong else None)

    sheet.set_column(0, 0, 26)
    sheet.set_column(1, len(SUMMARY_COLUMNS) - 1, 11)
    sheet.write_string(0, 0, sheet_title(rowset.year, totals.name), title)
    sheet.write_string(1, 0, source_line(rowset))
    sheet.write_string(2, 0, problems_line(rowset))
    line = 4
    sheet.write_string(line, 0, pgettext("assessment sheet", "Key figures"), bold)
    for label, value, fmt in key_figures(totals):
        line += 1
        put(line, 0, label)
        put(line, 1, value, fmt)
    line += 2
    sheet.write_string(line, 0, pgettext("assessment sheet", "Weights"), bold)
    for name, label, rule in MEASURES:
        line += 1
        put(line, 0, str(label))
        put(line, 1, float(getattr(rowset.weights, name)))
        put(line, 2, str(rule))
    line += 1
    put(line, 0, pgettext("assessment sheet", "Activities for full marks"))
    put(line, 1, rowset.weights.activities_for_full_marks)
    line += 1
    put(line, 0, score_rule_line())
    line += 2
    header_line = line
    for index, (label, _attr, _fmt, _width) in enumerate(SUMMARY_COLUMNS):
        sheet.write_string(line, index, str(label), header)
    for unit_totals in totals.children:
        line += 1
        for index, (_label, attr, fmt, _width) in enumerate(SUMMARY_COLUMNS):
            put(line, index, getattr(unit_totals, attr), fmt)
    line += 1
    put(line, 0, pgettext("assessment sheet", "Total"), strong=True)
    for index, (_label, attr, fmt, _width) in enumerate(SUMMARY_COLUMNS[1:], start=1):
        put(line, index, getattr(totals, attr), fmt, strong=True)
    sheet.autofilter(header_line, 0, line - 1, len(SUMMARY_COLUMNS) - 1)


def write_csv(target: IO[str], *, rowset: RowSet, progress: Progress | None = None) -> int:
    """The same rows as CSV (UTF-8 with BOM so Excel reads the Chinese); returns the number of rows."""
    progress = progress or Progress(total=0)
    columns = row_columns(rowset.area_names)
    writer = csv_writer(target)
    target.write("\ufeff")
    writer.writerow([str(column.header) for column in columns])
    for row in progress.counted(rowset):
        writer.writerow([_csv_value(column.get(row)) for column in columns])
    progress.finish()
    return progress.done


def _csv_value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4f}".rstrip("0").rstrip(".")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)

"""Reads of the year-end assessment: the rows of a year (live or frozen), weights, export jobs in scope."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from decimal import Decimal

from django.db.models import F, QuerySet

from assessment.models import AssessmentWeights, SnapshotRow, SnapshotUnit, YearSnapshot
from assessment.scoring import Weights, score
from assessment.sources import known_years, year_sources
from branchtrack.web.year_end import BRANCH, PATH, Side, merged
from org.models import Branch, Unit

CHUNK_SIZE = 2000


@dataclass(slots=True)
class AssessmentRow:
    """One branch's line of the sheet; the same names as SnapshotRow's fields."""

    branch_code: str
    branch_name: str
    unit_code: str
    unit_name: str
    unit_path: str
    active: bool
    branch_id: int | None = None
    unit_id: int | None = None
    visited: bool = False
    visit_count: int = 0
    first_visit: date | None = None
    last_visit: date | None = None
    area_scores: list = None  # type: ignore[assignment]
    checklist_total: Decimal | None = None
    checklist_percent: float | None = None
    problems_found: int = 0
    problems_resolved: int = 0
    problems_overdue: int = 0
    project_title: str = ""
    indicator: str = ""
    indicator_baseline: Decimal | None = None
    indicator_target: Decimal | None = None
    indicator_actual: Decimal | None = None
    rating: float | None = None
    rating_percent: float | None = None
    rank: int | None = None
    on_tracking_list: bool = False
    outstanding: bool = False
    pairings: int = 0
    activities: int = 0
    score: float = 0.0


ROW_FIELDS = tuple(f.name for f in fields(AssessmentRow))


def weights_for_year(*, year: int) -> Weights:
    """The year's saved weights, or the defaults when an admin has not set any yet."""
    saved = AssessmentWeights.objects.filter(year=year).first()
    return Weights.from_model(saved) if saved else Weights()


@dataclass(frozen=True)
class SheetUnit:
    """A unit that may get a sheet of its own: its path (live, or in the frozen tree) and name."""

    path: str
    name: str


@dataclass
class RowSet:
    """The rows of one year in one scope, from the frozen snapshot when the year has one.

    `scope_path` is a live path for live rows and a path of the snapshot's own tree for frozen ones:
    it is only ever compared with the rows' `unit_path` of the same kind.
    """

    year: int
    scope_path: str
    weights: Weights
    area_names: tuple[str, ...]
    queryset: QuerySet  # dict rows (values()) ordered by unit path, then branch
    counter: QuerySet  # the same rows without their figures: counting them needs no join
    sides: list[Side] = field(default_factory=list)  # live figures merged into the branch rows
    snapshot: YearSnapshot | None = None
    as_of: dict[str, date] = field(default_factory=dict)  # the day each app's figures are counted as of

    @property
    def frozen_at(self) -> datetime | None:
        return self.snapshot.frozen_at if self.snapshot else None

    def count(self) -> int:
        return self.counter.count()

    def sheet_units(self) -> list[SheetUnit]:
        """The units that get a sheet of their own: the scope unit's children (and the scope unit itself,
        which the workbook keeps only when branches hang directly under it)."""
        units = (
            SnapshotUnit.objects.filter(snapshot=self.snapshot)
            if self.snapshot is not None
            else Unit.objects.all()
        )
        if self.scope_path:
            depth = len(self.scope_path) // Unit.steplen
            units = units.filter(path__startswith=self.scope_path, depth__in=(depth, depth + 1))
        else:
            units = units.filter(depth=1)
        return [SheetUnit(path, name) for path, name in units.order_by("path").values_list("path", "name")]

    def __iter__(self) -> Iterator[AssessmentRow]:
        if self.snapshot is not None:
            for values in self.queryset.iterator(chunk_size=CHUNK_SIZE):
                yield AssessmentRow(**values)
            return
        for values in merged(self.queryset, self.sides):
            yield self._from_live(values)

    def _from_live(self, values: dict) -> AssessmentRow:
        values["unit_path"] = values.pop(PATH)
        values["branch_id"] = values.pop(BRANCH)
        checklist_max = values.pop("checklist_max", None)
        for name in ("project_title", "indicator"):
            values[name] = values[name] or ""
        row = AssessmentRow(**values)
        if row.area_scores is None:
            row.area_scores = [None] * len(self.area_names)
        # Floats: the snapshot keeps area scores in a JSON list.
        row.area_scores = [None if value is None else float(value) for value in row.area_scores]
        if row.checklist_total is not None and checklist_max:
            row.checklist_percent = float(row.checklist_total) / float(checklist_max)
        row.score = score(row, self.weights)
        return row


def assessment_rows(*, year: int, unit: Unit | None) -> RowSet:
    """The year's rows of `unit` with its sub-units (None: the whole company): frozen if the year is, else live."""
    snapshot = YearSnapshot.objects.filter(year=year).first()
    if snapshot is None:
        return live_rowset(year=year, scope_path=unit.path if unit is not None else company_scope_path())
    return frozen_rowset(snapshot=snapshot, unit=unit)


def frozen_rowset(*, snapshot: YearSnapshot, unit: Unit | None) -> RowSet:
    """The frozen rows of `unit`'s subtree as it stood when frozen; none for a unit made since."""
    frozen_units = SnapshotUnit.objects.filter(snapshot=snapshot)
    if unit is None:
        roots = list(frozen_units.filter(depth=1).values_list("path", flat=True)[:2])
        scope_path = roots[0] if len(roots) == 1 else ""
    else:
        scope_path = frozen_units.filter(unit=unit).values_list("path", flat=True).first()
    rows = SnapshotRow.objects.filter(snapshot=snapshot)
    rows = rows.none() if scope_path is None else rows.filter(unit_path__startswith=scope_path)
    return RowSet(
        year=snapshot.year,
        scope_path=scope_path or "",
        weights=Weights.from_json(snapshot.weights),
        area_names=tuple(snapshot.area_names),
        queryset=rows.order_by("unit_path", "pk").values(*ROW_FIELDS),
        counter=rows,
        snapshot=snapshot,
        as_of={name: date.fromisoformat(day) for name, day in snapshot.as_of.items()},
    )


def live_rowset(*, year: int, scope_path: str) -> RowSet:
    """The year's rows computed from today's data, whether or not the year is frozen."""
    sources = year_sources(year=year, scope_path=scope_path)
    branches = Branch.objects.filter(unit__path__startswith=scope_path)
    queryset = (
        branches.annotate(**sources.main_relations)
        .values(
            "active",
            "unit_id",
            **{PATH: F("unit__path"), BRANCH: F("pk")},
            branch_code=F("code"),
            branch_name=F("name"),
            unit_code=F("unit__code"),
            unit_name=F("unit__name"),
            **sources.main_columns,
        )
        .order_by(PATH, BRANCH)
    )
    return RowSet(
        year=year,
        scope_path=scope_path,
        weights=weights_for_year(year=year),
        area_names=sources.area_names,
        queryset=queryset,
        counter=branches,
        sides=sources.sides,
        as_of=sources.as_of,
    )


def company_scope_path() -> str:
    """The whole company's path: its root unit's, or "" when the tree has several roots."""
    roots = list(Unit.get_root_nodes().values_list("path", flat=True)[:2])
    return roots[0] if len(roots) == 1 else ""


def sheet_key(unit_path: str, *, scope_path: str) -> str:
    """The path of the sheet unit a branch's unit belongs to (see `RowSet.sheet_units`)."""
    return unit_path[: len(scope_path) + Unit.steplen] if len(unit_path) > len(scope_path) else scope_path


def export_years() -> list[int]:
    """Years offered for export: with a campaign, a rating round, weights or a snapshot; newest first."""
    years = known_years() | set(AssessmentWeights.objects.values_list("year", flat=True))
    years |= set(YearSnapshot.objects.values_list("year", flat=True))
    return sorted(years, reverse=True)

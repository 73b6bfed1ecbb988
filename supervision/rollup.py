"""Coverage roll-ups: per campaign, per unit (with its sub-units) and for the campaign total, per day.

The database does the counting: a handful of GROUP BY queries give per-unit figures for the units'
own branches; those few rows (one per unit, not per branch) are then summed up the unit tree.
Re-running a day replaces that day's rows (one DELETE and a bulk INSERT, not a statement per row).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from branchtrack.web.rounding import CHECKLIST_SCORE_PLACES, half_up
from org.models import Branch, Unit
from supervision import year_end
from supervision.models import Campaign, ChecklistItem, CoverageSnapshot, Visit

# Rows per INSERT (and per history INSERT): 2,000 units take a handful of statements, each of a
# size PostgreSQL and SQLite both take comfortably.
INSERT_BATCH = 500


@dataclass
class _Figures:
    active_branches: int = 0
    visited_branches: int = 0
    completed_visits: int = 0
    open_problems: int = 0
    overdue_problems: int = 0
    area_totals: dict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))

    def add(self, other: _Figures) -> None:
        self.active_branches += other.active_branches
        self.visited_branches += other.visited_branches
        self.completed_visits += other.completed_visits
        self.open_problems += other.open_problems
        self.overdue_problems += other.overdue_problems
        for code, total in other.area_totals.items():
            self.area_totals[code] += total

    def snapshot_values(self) -> dict:
        # Each visited branch contributes exactly one (its latest) visit's area scores; the mean total
        # is the branches' total over the visited ones, rounded once (not a sum of rounded means).
        visited = self.visited_branches
        means = {
            code: float(half_up(total / visited, CHECKLIST_SCORE_PLACES)) if visited else None
            for code, total in sorted(self.area_totals.items())
        }
        grand = sum(self.area_totals.values(), Decimal("0"))
        return {
            "active_branches": self.active_branches,
            "visited_branches": visited,
            "completed_visits": self.completed_visits,
            "open_problems": self.open_problems,
            "overdue_problems": self.overdue_problems,
            "area_scores": means,
            "mean_total": half_up(grand / visited, CHECKLIST_SCORE_PLACES)
            if visited and self.area_totals
            else None,
        }


def _figures_by_unit(
    campaign: Campaign, day: datetime.date, resolved_by: datetime.date
) -> dict[int, _Figures]:
    """Figures of each unit's own branches (not yet its sub-units), from four aggregate queries.

    The rules are `supervision.year_end`'s, which the year-end export reads per branch.
    """
    figures: dict[int, _Figures] = defaultdict(_Figures)
    campaign_branches = Branch.objects.filter(campaign.scope_q())
    branches = campaign_branches.filter(active=True)

    visited = Exists(year_end.completed_visits(campaign, day=day).filter(branch=OuterRef("pk")))
    for row in (
        branches.annotate(visited=visited)
        .values("unit_id")
        .annotate(active=Count("pk"), visited_count=Count("pk", filter=Q(visited=True)))
    ):
        figures[row["unit_id"]].active_branches = row["active"]
        figures[row["unit_id"]].visited_branches = row["visited_count"]

    for row in (
        year_end.completed_visits(campaign, day=day)
        .filter(branch__in=branches)
        .values("branch__unit_id")
        .annotate(count=Count("pk"))
    ):
        figures[row["branch__unit_id"]].completed_visits = row["count"]

    # Summed per item (nine per checklist) and weighted here: joining the scores to their items and
    # areas in SQL made PostgreSQL probe the scores area by area (bench/README.md, figure 1). The
    # weighting is year_end.weighted_score's, score x weight.
    item_weights = {
        pk: (code, weight)
        for pk, code, weight in ChecklistItem.objects.values_list("pk", "area__code", "weight")
    }
    latest = year_end.scored_visits(campaign, day=day).values("pk")
    for row in (
        Visit.objects.filter(pk__in=latest, branch__in=branches)
        .values("branch__unit_id", "scores__item_id")
        .annotate(total=Sum("scores__score"))
    ):
        if row["scores__item_id"] is None:  # a visit without scores (the outer join's empty row)
            continue
        code, weight = item_weights[row["scores__item_id"]]
        figures[row["branch__unit_id"]].area_totals[code] += row["total"] * weight

    # Problems count for the unit of the branch they were found at, as on the year-end sheet.
    for row in (
        year_end.campaign_problems(campaign, day=day)
        .filter(visit__branch__in=campaign_branches)
        .values("visit__branch__unit_id")
        .annotate(**year_end.problem_counts(day=day, resolved_by=resolved_by))
    ):
        figures[row["visit__branch__unit_id"]].open_problems = row["open"]
        figures[row["visit__branch__unit_id"]].overdue_problems = row["overdue"]
    return figures


def compute_coverage(
    *, campaign: Campaign, day: datetime.date, resolved_by: datetime.date | None = None
) -> tuple[_Figures, dict[Unit, _Figures]]:
    """The campaign total and every unit's figures (including its sub-units) as of `day`.

    Problems count as resolved when resolved by `resolved_by` (default `day`): the campaign's current
    figures pass today, so resolving a problem after the campaign ended still lowers its open count.
    """
    own = _figures_by_unit(campaign, day, resolved_by or day)
    units = list(Unit.objects.filter(campaign.scope_q("")).order_by("path"))
    total = _Figures()
    for figures in own.values():
        total.add(figures)
    # Each unit adds its own figures to the subtrees of its lineage, found by path (linear in the
    # units, where comparing every unit with every unit was quadratic).
    by_unit: dict[Unit, _Figures] = {unit: _Figures() for unit in units}
    by_path = {unit.path: unit for unit in units}
    for unit in units:
        if unit.pk not in own:
            continue
        for path in Unit.lineage_paths(unit.path):
            ancestor = by_path.get(path)
            if ancestor is not None:
                by_unit[ancestor].add(own[unit.pk])
    return total, by_unit


def snapshot_day(campaign: Campaign, today: datetime.date | None = None) -> datetime.date:
    """The day a roll-up run today writes: the campaign's figures day (`year_end.figures_day`).

    A visit logged late for a finished campaign updates the campaign's last day instead of adding
    points after its end to the trend line.
    """
    return year_end.figures_day(campaign, today)


@transaction.atomic
def rollup_coverage(*, campaign: Campaign, day: datetime.date | None = None) -> int:
    """Write (or rewrite) the campaign's snapshots for `day` (default: `snapshot_day`); returns the row count."""
    today = timezone.localdate()
    current = snapshot_day(campaign, today)
    day = day or current
    # Two roll-ups of one campaign (the nightly job and a visit's) would both delete and both insert
    # the day, and the second insert would break the one-row-per-unit-and-day constraint: the second
    # waits here instead. NO KEY UPDATE, so visits being saved (which lock the campaign FOR KEY
    # SHARE through their foreign key) are not held up meanwhile.
    Campaign.objects.select_for_update(no_key=True).filter(pk=campaign.pk).exists()
    # The current row counts problems resolved up to today; a past day's row, those resolved by then.
    total, by_unit = compute_coverage(
        campaign=campaign, day=day, resolved_by=max(today, day) if day >= current else day
    )
    now = timezone.now()
    rows = [
        CoverageSnapshot(campaign=campaign, unit=None, day=day, computed_at=now, **total.snapshot_values())
    ]
    rows += [
        CoverageSnapshot(campaign=campaign, unit=unit, day=day, computed_at=now, **figures.snapshot_values())
        for unit, figures in by_unit.items()
    ]
    # The day's rows are replaced whole, which also drops the row of a unit that left the campaign's
    # scope. The raw delete skips Django's per-row post_delete signals, i.e. simple_history's "-"
    # record per row (one INSERT each, the cost this replaces): a snapshot is derived data, and each
    # value it ever had stays in its history as the "+" record written with it below.
    CoverageSnapshot.objects.filter(campaign=campaign, day=day)._raw_delete(CoverageSnapshot.objects.db)
    bulk_create_with_history(rows, CoverageSnapshot, batch_size=INSERT_BATCH, default_date=now)
    return len(by_unit) + 1


def rollup_all_campaigns(*, day: datetime.date | None = None) -> int:
    """Roll up every campaign running on `day` (the nightly job); returns the number of campaigns."""
    day = day or timezone.localdate()
    count = 0
    for campaign in Campaign.objects.filter(starts_on__lte=day):
        rollup_coverage(campaign=campaign, day=snapshot_day(campaign, day))
        count += 1
    return count

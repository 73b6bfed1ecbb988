"""The projects app's figures per branch and year: the project, its rating, rank and lists.

The only place these rules are written; the round page's year figures (`selectors.year_figures`)
and the year-end export (`year_sources`) both read them:

- the branch's project of the year, with its indicator (baseline, target, actual);
- rating and rank: as frozen in the round's current (not superseded) published tracking list;
  the rating as a share of full marks is the aggregate / 100, or the mean rating when the round
  aggregates by z-score (a z-score is not on the 0-100 scale);
- on the tracking list: the project's entry in that list is on the list;
- outstanding: the project is on a current outstanding list of that tracking list.
"""

from __future__ import annotations

import datetime

from django.db.models import F, FilteredRelation, Q, QuerySet

from branchtrack.web.year_end import Side, YearSources, keyed
from projects.models import BranchProject, OutstandingList, RatingRound, TrackingEntry

# Ratings are weighted rubric totals mapped onto 0-100 (projects.models.Rating).
RATING_FULL_MARKS = 100


def years() -> set[int]:
    return set(RatingRound.objects.values_list("year", flat=True))


def _current_list(year: int, prefix: str = "") -> Q:
    return Q(
        **{f"{prefix}tracking_list__round__year": year, f"{prefix}tracking_list__superseded_at__isnull": True}
    )


def current_entries(year: int) -> QuerySet[TrackingEntry]:
    """The year's projects' entries in the round's current published tracking list."""
    return TrackingEntry.objects.filter(_current_list(year), project__year=year)


def tracked_entries(year: int) -> QuerySet[TrackingEntry]:
    """Entries that made the current tracking list."""
    return current_entries(year).filter(on_list=True)


def outstanding_projects(year: int) -> QuerySet[BranchProject]:
    """The year's projects on a current outstanding list of the current tracking list."""
    lists = OutstandingList.objects.current().filter(_current_list(year))
    return BranchProject.objects.filter(year=year, outstanding_lists__in=lists).distinct()


def rating_basis(year: int) -> str:
    """The entry field a rating's share of full marks is read from (see the module's docstring)."""
    rating_round = RatingRound.objects.filter(year=year).only("aggregation").first()
    zscore = rating_round is not None and rating_round.aggregation == RatingRound.Aggregation.ZSCORE
    return "mean" if zscore else "aggregate"


def year_sources(*, year: int, scope_path: str, today: datetime.date | None = None) -> YearSources:
    """The branch's project of the year and its frozen ranking, per branch under `scope_path`."""
    entries = keyed(
        current_entries(year).filter(project__branch__unit__path__startswith=scope_path),
        branch="project__branch",
        aggregate_=F("aggregate"),
        basis=F(rating_basis(year)),
        rank_=F("rank"),
        on_list_=F("on_list"),
    )

    def apply_entries(row: dict, matches: list[dict]) -> None:
        for match in matches:
            row.update(
                rating=float(match["aggregate_"]),
                rating_percent=float(match["basis"]) / RATING_FULL_MARKS,
                rank=match["rank_"],
                on_tracking_list=match["on_list_"],
            )

    outstanding = keyed(
        outstanding_projects(year).filter(branch__unit__path__startswith=scope_path), branch="branch"
    )

    def apply_outstanding(row: dict, matches: list[dict]) -> None:
        row["outstanding"] = bool(matches)

    return YearSources(
        main_relations={"year_project": FilteredRelation("projects", condition=Q(projects__year=year))},
        main_columns={
            "project_title": F("year_project__title"),
            "indicator": F("year_project__indicator_name"),
            "indicator_baseline": F("year_project__baseline"),
            "indicator_target": F("year_project__target"),
            "indicator_actual": F("year_project__actual"),
        },
        sides=[Side(entries, apply_entries), Side(outstanding, apply_outstanding)],
    )

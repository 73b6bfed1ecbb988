"""Where each column of the sheet comes from.

The branches come from one query (with the year's project joined in); every other figure comes from
one grouped query per kind (visits, scores, problems, ranking, outstanding, pairings, activities),
sorted like the branches. All of them stream from their own database cursor and are merged branch
by branch, so a year of any size takes the same handful of queries and constant memory. (Correlated
subqueries per branch were tried first: fine at 305 branches, over a minute at 50,000.)

The rules are the other apps' own, as their selectors for the year-end export state them, and the
tests hold the two equal on the demo: `supervision.selectors.branch_results`,
`projects.selectors.branch_project_summaries`, `pairings.selectors.branch_pairing_figures`.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, F, FilteredRelation, Max, Min, Q, QuerySet, Sum
from django.utils import timezone

# Ratings are weighted rubric totals mapped onto 0-100 (projects.models.Rating).
RATING_FULL_MARKS = 100
CHUNK_SIZE = 2000
# Every stream carries these two keys and is ordered by them, as the branches are.
PATH, BRANCH = "sort_path", "sort_branch"


@dataclass(frozen=True)
class Side:
    """Per-branch rows of one kind; `apply(row, matches)` writes their figures into the branch's row."""

    queryset: QuerySet
    apply: Callable[[dict, list[dict]], None]


@dataclass
class YearSources:
    """Everything one year's rows are assembled from."""

    main_relations: dict[str, FilteredRelation] = field(default_factory=dict)
    main_columns: dict[str, F] = field(default_factory=dict)
    sides: list[Side] = field(default_factory=list)
    area_names: tuple[str, ...] = ()


def _keyed(queryset: QuerySet, *, branch: str, **columns) -> QuerySet:
    """values() of a queryset keyed and sorted by its branch's (unit path, id), like the branch rows."""
    return queryset.values(
        **{PATH: F(f"{branch}__unit__path"), BRANCH: F(f"{branch}_id")}, **columns
    ).order_by(PATH, BRANCH)


def supervision_sources(*, year: int, scope_path: str, today: datetime.date | None = None) -> YearSources:
    """Visits, checklist scores and problems of the year's campaign (as supervision.branch_results)."""
    from supervision.models import ChecklistArea, ChecklistItem, Finding, Visit, VisitScore
    from supervision.selectors import campaign_for_year

    today = today or timezone.localdate()
    campaign = campaign_for_year(year)
    if campaign is None:
        return YearSources()
    in_scope = Q(branch__unit__path__startswith=scope_path)
    areas = list(
        ChecklistArea.objects.filter(template_id=campaign.template_id)
        .order_by("order", "pk")
        .values_list("code", "name")
    )
    area_index = {code: index for index, (code, _name) in enumerate(areas)}
    # Highest possible total of each checklist version (a repeat visit may use a newer one).
    full_marks = dict(
        ChecklistItem.objects.values("area__template_id")
        .annotate(total=Sum(F("max_score") * F("weight")))
        .values_list("area__template_id", "total")
    )

    visits = _keyed(Visit.objects.completed().filter(in_scope, campaign=campaign), branch="branch").annotate(
        visit_count=Count("pk"), first_visit=Min("visited_on"), last_visit=Max("visited_on")
    )

    def apply_visits(row: dict, matches: list[dict]) -> None:
        for match in matches:
            row.update(
                visited=True,
                visit_count=match["visit_count"],
                first_visit=match["first_visit"],
                last_visit=match["last_visit"],
            )

    # The latest completed visit carries the branch's scores: a repeat visit replaces the earlier one.
    latest = Visit.objects.filter(in_scope, campaign=campaign).latest_per_branch()
    scores = _keyed(
        VisitScore.objects.filter(visit__in=latest),
        branch="visit__branch",
        template=F("visit__template_id"),
        area=F("item__area__code"),
    ).annotate(total=Sum(F("score") * F("item__weight")))

    def apply_scores(row: dict, matches: list[dict]) -> None:
        if not matches:
            return
        area_scores: list = [None] * len(areas)
        total = Decimal("0")
        for match in matches:
            value = match["total"].quantize(Decimal("0.01"))
            total += value
            if match["area"] in area_index:
                area_scores[area_index[match["area"]]] = value
        row.update(
            area_scores=area_scores,
            checklist_total=total,
            checklist_max=full_marks.get(matches[0]["template"]),
        )

    problems = _keyed(
        Finding.objects.problems().filter(
            visit__campaign=campaign, visit__branch__unit__path__startswith=scope_path
        ),
        branch="visit__branch",
    ).annotate(
        found=Count("pk"),
        resolved=Count("pk", filter=Q(status=Finding.Status.RESOLVED)),
        overdue=Count("pk", filter=~Q(status=Finding.Status.RESOLVED) & Q(due_on__lt=today)),
    )

    def apply_problems(row: dict, matches: list[dict]) -> None:
        for match in matches:
            row.update(
                problems_found=match["found"],
                problems_resolved=match["resolved"],
                problems_overdue=match["overdue"],
            )

    return YearSources(
        sides=[Side(visits, apply_visits), Side(scores, apply_scores), Side(problems, apply_problems)],
        area_names=tuple(name for _code, name in areas),
    )


def project_sources(*, year: int, scope_path: str) -> YearSources:
    """The branch's project of the year and its frozen ranking (as projects.branch_project_summaries)."""
    from projects.models import BranchProject, OutstandingList, RatingRound, TrackingEntry

    rating_round = RatingRound.objects.filter(year=year).only("aggregation").first()
    # z-score aggregates are not on the 0-100 scale; such projects are scored on their mean rating.
    zscore = rating_round is not None and rating_round.aggregation == RatingRound.Aggregation.ZSCORE
    current = Q(tracking_list__round__year=year, tracking_list__superseded_at__isnull=True)
    entries = _keyed(
        TrackingEntry.objects.filter(
            current, project__year=year, project__branch__unit__path__startswith=scope_path
        ),
        branch="project__branch",
        aggregate_=F("aggregate"),
        basis=F("mean" if zscore else "aggregate"),
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

    outstanding_lists = OutstandingList.objects.current().filter(current)
    outstanding = _keyed(
        BranchProject.objects.filter(
            year=year, branch__unit__path__startswith=scope_path, outstanding_lists__in=outstanding_lists
        ).distinct(),
        branch="branch",
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


def pairing_sources(*, year: int, scope_path: str) -> YearSources:
    """Pairings running in the year and their activities in it (as pairings.branch_pairing_figures)."""
    from pairings.models import Pairing, PairingActivity

    first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    pairings = _keyed(
        Pairing.objects.filter(branch__unit__path__startswith=scope_path, start_date__lte=last).filter(
            Q(end_date__isnull=True) | Q(end_date__gte=first)
        ),
        branch="branch",
    ).annotate(n=Count("pk"))
    activities = _keyed(
        PairingActivity.objects.filter(
            pairing__branch__unit__path__startswith=scope_path, date__range=(first, last)
        ),
        branch="pairing__branch",
    ).annotate(n=Count("pk"))

    def counter(name: str) -> Callable[[dict, list[dict]], None]:
        def apply(row: dict, matches: list[dict]) -> None:
            row[name] = sum(match["n"] for match in matches)

        return apply

    return YearSources(sides=[Side(pairings, counter("pairings")), Side(activities, counter("activities"))])


def year_sources(*, year: int, scope_path: str) -> YearSources:
    combined = YearSources()
    for part in (
        supervision_sources(year=year, scope_path=scope_path),
        project_sources(year=year, scope_path=scope_path),
        pairing_sources(year=year, scope_path=scope_path),
    ):
        combined.main_relations |= part.main_relations
        combined.main_columns |= part.main_columns
        combined.sides += part.sides
        combined.area_names += part.area_names
    return combined


class _Cursor:
    """One side stream, read forward in step with the branches."""

    def __init__(self, side: Side):
        self.apply = side.apply
        self.rows: Iterator[dict] = side.queryset.iterator(chunk_size=CHUNK_SIZE)
        self.head = next(self.rows, None)

    def take(self, key: tuple[str, int]) -> list[dict]:
        # Rows sorting before the branch (none, when both sides filter alike) are skipped, not misapplied.
        while self.head is not None and (self.head[PATH], self.head[BRANCH]) < key:
            self.head = next(self.rows, None)
        matches = []
        while self.head is not None and (self.head[PATH], self.head[BRANCH]) == key:
            matches.append(self.head)
            self.head = next(self.rows, None)
        return matches


def merged(branches: QuerySet, sides: list[Side]) -> Iterator[dict]:
    """Each branch row (a dict keyed by PATH and BRANCH) with every side's figures applied."""
    cursors = [_Cursor(side) for side in sides]
    for row in branches.iterator(chunk_size=CHUNK_SIZE):
        key = (row[PATH], row[BRANCH])
        for cursor in cursors:
            cursor.apply(row, cursor.take(key))
        yield row


def known_years() -> set[int]:
    """Years that have a campaign or a rating round: the ones worth exporting."""
    from projects.models import RatingRound
    from supervision.models import Campaign

    return set(Campaign.objects.values_list("year", flat=True)) | set(
        RatingRound.objects.values_list("year", flat=True)
    )

"""Supervision's figures per branch and year: visits, checklist scores, problems.

The only place these rules are written. The dashboard's roll-up (`rollup.py`, which groups them by
unit) and the year-end export (`year_sources`, which keys them by branch) both build on the
functions below, so the two agree by construction:

- figures day: a campaign's figures are counted as of today while it runs, and as of its last day
  once it is over (`figures_day`); the pages and the sheet say which day.
- visited: a completed visit of the campaign on or before the figures day; coverage counts active
  branches only.
- checklist scores: those of the branch's latest completed visit (a repeat visit replaces the
  earlier one); an area's score is the sum of score x weight over its items.
- problems: found at the campaign's visits to the branch; resolved = resolved today; overdue =
  still unresolved and due before the figures day (`supervision.models.overdue_on`).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db.models import Count, F, Max, Min, Q, QuerySet, Sum
from django.utils import timezone

from branchtrack.web.year_end import Side, YearSources, keyed
from supervision.models import (
    Campaign,
    ChecklistArea,
    ChecklistItem,
    Finding,
    Visit,
    VisitScore,
    overdue_on,
    unresolved_on,
)


def campaign_for_year(year: int) -> Campaign | None:
    """The campaign of a year (the latest-starting one if a year has several)."""
    return Campaign.objects.filter(year=year).select_related("template").order_by("-starts_on").first()


def years() -> set[int]:
    return set(Campaign.objects.values_list("year", flat=True))


def figures_day(campaign: Campaign, today: datetime.date | None = None) -> datetime.date:
    """The day a campaign's figures are counted as of: today, held inside the campaign's period."""
    today = today or timezone.localdate()
    return min(max(today, campaign.starts_on), campaign.ends_on)


def completed_visits(campaign: Campaign, *, day: datetime.date) -> QuerySet[Visit]:
    """The campaign's visits that count: completed, on or before `day`."""
    return Visit.objects.filter(campaign=campaign).completed_by(day)


def scored_visits(campaign: Campaign, *, day: datetime.date) -> QuerySet[Visit]:
    """Each branch's latest completed visit up to `day`: the one whose scores the branch has."""
    return Visit.objects.filter(campaign=campaign).latest_per_branch(day=day)


def weighted_score():
    """A score's part of its area's score: score x the item's weight."""
    return F("score") * F("item__weight")


def full_marks() -> dict[int, Decimal]:
    """Highest possible total of each checklist version (a repeat visit may use a newer one)."""
    return dict(
        ChecklistItem.objects.values("area__template_id")
        .annotate(total=Sum(F("max_score") * F("weight")))
        .values_list("area__template_id", "total")
    )


def campaign_problems(campaign: Campaign, *, day: datetime.date) -> QuerySet[Finding]:
    """The problems found at the campaign's visits on or before `day`."""
    return Finding.objects.problems().filter(visit__campaign=campaign, visit__visited_on__lte=day)


def problem_counts(*, day: datetime.date, resolved_by: datetime.date) -> dict[str, Count]:
    """Aggregates over problems: found, resolved, open (unresolved on `resolved_by`) and overdue."""
    unresolved = unresolved_on(resolved_by)
    return {
        "found": Count("pk"),
        "resolved": Count("pk", filter=~unresolved),
        "open": Count("pk", filter=unresolved),
        "overdue": Count("pk", filter=overdue_on(due_before=day, resolved_by=resolved_by)),
    }


def year_sources(*, year: int, scope_path: str, today: datetime.date | None = None) -> YearSources:
    """Visits, checklist scores and problems of the year's campaign, per branch under `scope_path`."""
    today = today or timezone.localdate()
    campaign = campaign_for_year(year)
    if campaign is None:
        return YearSources()
    day = figures_day(campaign, today)
    in_scope = Q(branch__unit__path__startswith=scope_path)
    areas = list(
        ChecklistArea.objects.filter(template_id=campaign.template_id)
        .order_by("order", "pk")
        .values_list("code", "name")
    )
    area_index = {code: index for index, (code, _name) in enumerate(areas)}
    marks = full_marks()

    visits = keyed(completed_visits(campaign, day=day).filter(in_scope), branch="branch").annotate(
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

    scores = keyed(
        VisitScore.objects.filter(visit__in=scored_visits(campaign, day=day).filter(in_scope)),
        branch="visit__branch",
        template=F("visit__template_id"),
        area=F("item__area__code"),
    ).annotate(total=Sum(weighted_score()))

    def apply_scores(row: dict, matches: list[dict]) -> None:
        if not matches:
            return
        area_scores: list = [None] * len(areas)
        total = Decimal("0")
        for match in matches:
            total += match["total"]
            if match["area"] in area_index:
                area_scores[area_index[match["area"]]] = match["total"]
        row.update(
            area_scores=area_scores, checklist_total=total, checklist_max=marks.get(matches[0]["template"])
        )

    problems = keyed(
        campaign_problems(campaign, day=day).filter(visit__branch__unit__path__startswith=scope_path),
        branch="visit__branch",
    ).annotate(**problem_counts(day=day, resolved_by=today))

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
        as_of={"supervision": day},
    )

"""The pairings app's figures per branch and year: pairings running in the year, joint activities in it.

The only place these rules are written; the summary page (`selectors.pairing_summary`) and the
year-end export (`year_sources`) both read them:

- a pairing counts for a year when its period overlaps it (started on or before 31 December and
  not ended before 1 January);
- a joint activity counts for the year it is dated in. A branch's figures are those of its own
  pairings (a unit's pairings belong to no branch).
"""

from __future__ import annotations

import datetime

from django.db.models import Count, Q, QuerySet

from branchtrack.web.year_end import Side, YearSources, keyed
from pairings.models import Pairing, PairingActivity


def years() -> set[int]:
    # Activities alone make no assessment year: a year is offered for its campaign or rating round.
    return set()


def _bounds(year: int) -> tuple[datetime.date, datetime.date]:
    return datetime.date(year, 1, 1), datetime.date(year, 12, 31)


def pairings_running_in(year: int) -> QuerySet[Pairing]:
    first, last = _bounds(year)
    return Pairing.objects.filter(start_date__lte=last).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=first)
    )


def activities_in(year: int) -> QuerySet[PairingActivity]:
    return PairingActivity.objects.filter(date__range=_bounds(year))


def year_sources(*, year: int, scope_path: str, today: datetime.date | None = None) -> YearSources:
    """Pairings running in the year and their activities in it, per branch under `scope_path`."""
    pairings = keyed(
        pairings_running_in(year).filter(branch__unit__path__startswith=scope_path), branch="branch"
    ).annotate(n=Count("pk"))
    activities = keyed(
        activities_in(year).filter(pairing__branch__unit__path__startswith=scope_path),
        branch="pairing__branch",
    ).annotate(n=Count("pk"))

    def counter(name: str):
        def apply(row: dict, matches: list[dict]) -> None:
            row[name] = sum(match["n"] for match in matches)

        return apply

    return YearSources(sides=[Side(pairings, counter("pairings")), Side(activities, counter("activities"))])

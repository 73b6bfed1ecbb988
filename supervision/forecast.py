"""Coverage forecast (覆盖率预测): where a campaign's coverage will stand at its end.

Two projections side by side, each as of a day (today, or any day of a past campaign, so the 2020
campaign shows its forecast as it stood then):
- from the plan: branches visited so far plus the unvisited branches with a plan due by the end;
- from the recent rate: branches newly visited per day over the last RATE_WINDOW_DAYS, carried on
  to the end. At that rate the target (Campaign.target_percent) is reached on `target_date`.
A unit is at risk when the recent rate does not reach the target by the end.

`project` is pure arithmetic (tests check it against hand-computed cases); `forecast_for` and
`unit_forecasts` count with a few GROUP BY queries and sum the units' own figures up the tree, as
the roll-up does, so 2,000 units cost the same handful of queries as 20.
"""

from __future__ import annotations

import datetime
import math
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Exists, Min, OuterRef, Q, Subquery

from branchtrack.web.rounding import percent
from org.models import Unit
from supervision.models import Campaign, PlannedVisit, Visit

RATE_WINDOW_DAYS = 28
CURVE_STEP_DAYS = 7


@dataclass(frozen=True)
class Counts:
    """What a forecast starts from, for one unit's subtree (or the whole campaign)."""

    active: int = 0
    visited: int = 0  # distinct active branches with a completed visit up to the day
    visited_at_window_start: int = 0  # the same, RATE_WINDOW_DAYS earlier
    planned_due: tuple[datetime.date, ...] = ()  # per unvisited branch with a plan: its due day


@dataclass
class Forecast:
    as_of: datetime.date
    ends_on: datetime.date
    target_percent: Decimal
    active: int
    visited: int
    planned: int  # unvisited branches with a plan due by the end
    rate_per_week: Decimal  # branches newly visited per week, recently
    by_plan: int  # branches visited at the end if the plan is carried out
    by_rate: Decimal  # branches visited at the end at the recent rate
    target_reached_on: datetime.date | None  # None: not at the current rate (no recent visit)
    plan_curve: list[tuple[datetime.date, Decimal]] = field(default_factory=list)
    rate_curve: list[tuple[datetime.date, Decimal]] = field(default_factory=list)

    @property
    def coverage_percent(self) -> Decimal | None:
        return percent(self.visited, self.active)

    @property
    def by_plan_percent(self) -> Decimal | None:
        return percent(self.by_plan, self.active)

    @property
    def by_rate_percent(self) -> Decimal | None:
        return percent(self.by_rate, self.active)

    @property
    def target_branches(self) -> int:
        return math.ceil(self.target_percent * self.active / 100)

    @property
    def unplanned(self) -> int:
        """Branches neither visited nor planned: the plan alone leaves them out."""
        return self.active - self.visited - self.planned

    @property
    def reached(self) -> bool:
        return self.active > 0 and self.visited >= self.target_branches

    @property
    def at_risk(self) -> bool:
        """The recent rate does not reach the target by the end."""
        return self.active > 0 and not self.reached and self.by_rate < self.target_branches

    @property
    def shortfall(self) -> Decimal:
        """Branches the recent rate leaves short of the target at the end (0 if none): sorts units by risk."""
        return max(Decimal(self.target_branches) - self.by_rate, Decimal(0))


def project(
    *,
    counts: Counts,
    as_of: datetime.date,
    starts_on: datetime.date,
    ends_on: datetime.date,
    target_percent: Decimal,
    curves: bool = False,
) -> Forecast:
    """Both projections from the counts; pure arithmetic."""
    window = max(min(RATE_WINDOW_DAYS, (as_of - starts_on).days + 1), 1)
    per_day = Decimal(counts.visited - counts.visited_at_window_start) / Decimal(window)
    days_left = max((ends_on - as_of).days, 0)
    planned = [due for due in counts.planned_due if due <= ends_on]
    by_plan = min(counts.visited + len(planned), counts.active)
    by_rate = min(Decimal(counts.visited) + per_day * days_left, Decimal(counts.active))
    forecast = Forecast(
        as_of=as_of,
        ends_on=ends_on,
        target_percent=target_percent,
        active=counts.active,
        visited=counts.visited,
        planned=len(planned),
        rate_per_week=(per_day * 7).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP),
        by_plan=by_plan,
        by_rate=by_rate.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP),
        target_reached_on=None,
    )
    missing = forecast.target_branches - counts.visited
    if missing <= 0:
        forecast.target_reached_on = as_of
    elif per_day > 0:
        forecast.target_reached_on = as_of + datetime.timedelta(days=math.ceil(Decimal(missing) / per_day))
    if curves and counts.active:
        days = [as_of + datetime.timedelta(days=step) for step in range(0, days_left, CURVE_STEP_DAYS)]
        days.append(max(ends_on, as_of))
        ordered = sorted(planned)
        for day in days:
            done_by_plan = counts.visited + sum(1 for due in ordered if due <= day)
            forecast.plan_curve.append((day, percent(min(done_by_plan, counts.active), counts.active)))
            at_rate = min(Decimal(counts.visited) + per_day * (day - as_of).days, Decimal(counts.active))
            forecast.rate_curve.append((day, percent(at_rate, counts.active)))
    return forecast


def default_day(campaign: Campaign, today: datetime.date) -> datetime.date:
    """The day a forecast is made as of: today, kept within the campaign."""
    return min(max(today, campaign.starts_on), campaign.ends_on)


def _own_counts(*, campaign: Campaign, as_of: datetime.date, path: str | None) -> dict[str, Counts]:
    """Each unit's own branches' counts (not its sub-units'), by unit path, up to `as_of`."""
    branches = campaign.branches().active()
    if path:
        branches = branches.filter(unit__path__startswith=path)
    window_start = as_of - datetime.timedelta(days=RATE_WINDOW_DAYS)
    active = {
        row["unit__path"]: row["n"]
        for row in branches.values("unit__path").annotate(n=Count("pk")).order_by()
    }
    # Each branch's first completed visit by then (one index probe a branch), counted per unit:
    # cheaper than two COUNT(DISTINCT) over every visit of the campaign.
    first_visit = (
        Visit.objects.completed()
        .filter(campaign=campaign, branch=OuterRef("pk"), visited_on__lte=as_of)
        .order_by("visited_on")
        .values("visited_on")[:1]
    )
    visited = {
        row["unit__path"]: row
        for row in branches.annotate(first_visit=Subquery(first_visit))
        .values("unit__path")
        .annotate(n=Count("first_visit"), before=Count("pk", filter=Q(first_visit__lte=window_start)))
        .order_by()
    }
    visited_by_then = Visit.objects.completed().filter(
        campaign=campaign, branch=OuterRef("branch"), visited_on__lte=as_of
    )
    # A plan counts as it stood that day: made by then, due from then on, branch not visited yet.
    planned: dict[str, list[datetime.date]] = defaultdict(list)
    for unit_path, due in (
        PlannedVisit.objects.filter(
            campaign=campaign,
            branch__in=branches,
            due_on__gte=as_of,
            created_at__date__lte=as_of,
        )
        .exclude(status=PlannedVisit.Status.CANCELLED)
        .filter(~Exists(visited_by_then))
        .values("branch_id", "branch__unit__path")
        .annotate(due=Min("due_on"))
        .values_list("branch__unit__path", "due")
        .order_by()
    ):
        planned[unit_path].append(due)
    return {
        unit_path: Counts(
            active=count,
            visited=visited.get(unit_path, {}).get("n", 0),
            visited_at_window_start=visited.get(unit_path, {}).get("before", 0),
            planned_due=tuple(planned.get(unit_path, ())),
        )
        for unit_path, count in active.items()
    }


def _summed(counts: list[Counts]) -> Counts:
    """The sum of many counts at once (adding them pairwise would copy the due days each time)."""
    return Counts(
        active=sum(c.active for c in counts),
        visited=sum(c.visited for c in counts),
        visited_at_window_start=sum(c.visited_at_window_start for c in counts),
        planned_due=tuple(due for c in counts for due in c.planned_due),
    )


def forecast_for(
    *, campaign: Campaign, unit: Unit | None, as_of: datetime.date, curves: bool = True
) -> Forecast:
    """The campaign's forecast (unit None) or one unit's with its sub-units, as of a day."""
    own = _own_counts(campaign=campaign, as_of=as_of, path=unit.path if unit else None)
    return project(
        counts=_summed(list(own.values())),
        as_of=as_of,
        starts_on=campaign.starts_on,
        ends_on=campaign.ends_on,
        target_percent=campaign.target_percent,
        curves=curves,
    )


@dataclass
class UnitForecast:
    unit: Unit
    forecast: Forecast


def unit_forecasts(*, campaign: Campaign, units, as_of: datetime.date) -> list[UnitForecast]:
    """A forecast per unit of `units` (each with its sub-units), in tree order; a few queries in all."""
    units = list(units.order_by("path"))
    if not units:
        return []
    common = _common_prefix([unit.path for unit in units])
    own = _own_counts(campaign=campaign, as_of=as_of, path=common)
    wanted = {unit.path for unit in units}
    parts: dict[str, list[Counts]] = defaultdict(list)
    for unit_path, counts in own.items():
        for path in Unit.lineage_paths(unit_path):
            if path in wanted:
                parts[path].append(counts)
    totals = {path: _summed(found) for path, found in parts.items()}
    return [
        UnitForecast(
            unit=unit,
            forecast=project(
                counts=totals.get(unit.path, Counts()),
                as_of=as_of,
                starts_on=campaign.starts_on,
                ends_on=campaign.ends_on,
                target_percent=campaign.target_percent,
            ),
        )
        for unit in units
    ]


def _common_prefix(paths: list[str]) -> str:
    first, last = min(paths), max(paths)
    length = 0
    while length < len(first) and length < len(last) and first[length] == last[length]:
        length += 1
    return first[: length - length % Unit.steplen]

"""The weekly digest: each Monday, every unit administrator hears what their subtree did last week:
the coverage of each running campaign and its change over the week (from the stored
`CoverageSnapshot`s), visits done against visits planned, and problems opened, closed and overdue.

The figures are a few GROUP BY queries by unit for the whole company, summed up the tree by path
prefix in Python (as the roll-up does), then snapshots and publishing per batch of units: the
number of queries is constant per batch of recipients, never one per administrator. One notice
per unit and week (its administrators share it), so a second run that Monday tells nobody twice.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone

from notifications import kinds, services
from org.models import Role, Unit, User
from supervision.models import Campaign, CoverageSnapshot, Finding, PlannedVisit, Visit

BATCH_SIZE = services.BATCH_SIZE
FIGURES = ("visits_done", "plans_due", "plans_done", "opened", "closed", "overdue")


@dataclass
class Week:
    first: datetime.date  # a Monday
    last: datetime.date  # the Sunday after it

    @classmethod
    def before(cls, day: datetime.date) -> Week:
        """The last whole week (Monday to Sunday) before `day`."""
        last = day - datetime.timedelta(days=day.weekday() + 1)
        return cls(first=last - datetime.timedelta(days=6), last=last)


@dataclass
class Digest:
    unit: Unit
    figures: Counter = field(default_factory=Counter)
    coverage: list[str] = field(default_factory=list)  # "campaign 69.8% (+3.2)" per running campaign

    def params(self, week: Week) -> dict:
        return {
            "week": week.first.isoformat(),
            "unit": self.unit.name,
            "coverage": "; ".join(self.coverage) or "—",
            **{name: self.figures[name] for name in FIGURES},
        }


def send_weekly_digests(*, today: datetime.date | None = None) -> int:
    """Publish last week's digest of every unit that has an active administrator. Returns how many
    were new."""
    week = Week.before(today or timezone.localdate())
    admins: dict[int, list[User]] = defaultdict(list)
    for admin in (
        User.objects.filter(role=Role.ADMIN, is_active=True, unit__isnull=False)
        .select_related("unit")
        .order_by("unit__path", "username")
    ):
        admins[admin.unit_id].append(admin)
    if not admins:
        return 0
    units = {unit_id: people[0].unit for unit_id, people in admins.items()}
    totals = subtree_figures(week=week, paths=[unit.path for unit in units.values()])
    campaigns = list(
        Campaign.objects.filter(starts_on__lte=week.last, ends_on__gte=week.first).order_by("starts_on", "pk")
    )
    url = reverse("supervision:index")
    published = 0
    ordered = sorted(units.values(), key=lambda unit: unit.path)
    for start in range(0, len(ordered), BATCH_SIZE):
        batch = ordered[start : start + BATCH_SIZE]
        digests = {unit.pk: Digest(unit=unit, figures=totals[unit.path]) for unit in batch}
        add_coverage(digests, week=week, campaigns=campaigns)
        published += services.publish(
            kind=kinds.WEEKLY_DIGEST,
            drafts=[
                services.Draft(
                    dedup_key=f"{kinds.WEEKLY_DIGEST}:{digest.unit.pk}:{week.first.isoformat()}",
                    recipients=admins[unit_id],
                    unit=digest.unit,
                    params=digest.params(week),
                    url=url,
                )
                for unit_id, digest in digests.items()
            ],
        )
    return published


def subtree_figures(*, week: Week, paths: list[str]) -> dict[str, Counter]:
    """Each path's figures for the week, its whole subtree included: one GROUP BY query by unit per
    figure for the company, then each unit's counts added to every ancestor among `paths`."""
    first = timezone.make_aware(datetime.datetime.combine(week.first, datetime.time.min))
    after = first + datetime.timedelta(days=7)
    problems = Finding.objects.problems()
    per_unit = [
        (
            Visit.objects.completed().filter(visited_on__range=(week.first, week.last)),
            "branch__unit__path",
            {"visits_done": Count("pk")},
        ),
        (
            PlannedVisit.objects.filter(due_on__range=(week.first, week.last)).exclude(
                status=PlannedVisit.Status.CANCELLED
            ),
            "branch__unit__path",
            {"plans_due": Count("pk"), "plans_done": Count("pk", filter=Q(status=PlannedVisit.Status.DONE))},
        ),
        (
            problems.filter(created_at__gte=first, created_at__lt=after),
            "visit__branch__unit__path",
            {"opened": Count("pk")},
        ),
        (
            problems.filter(resolved_on__range=(week.first, week.last)),
            "visit__branch__unit__path",
            {"closed": Count("pk")},
        ),
        (
            # Overdue at the week's end, by the one definition (each campaign's figures day).
            problems.with_overdue_flag(today=week.last).filter(is_overdue=True),
            "visit__branch__unit__path",
            {"overdue": Count("pk")},
        ),
    ]
    wanted = set(paths)
    totals: dict[str, Counter] = {path: Counter() for path in paths}
    for queryset, unit_path, aggregates in per_unit:
        for row in queryset.order_by().values(unit_path).annotate(**aggregates):
            for ancestor in Unit.lineage_paths(row[unit_path]):
                if ancestor in wanted:
                    totals[ancestor].update({name: row[name] for name in aggregates})
    return totals


def _latest_snapshots(*, day: datetime.date, campaign_ids: list[int], unit_ids: list[int]):
    """Each (campaign, unit)'s latest snapshot on or before `day`, in one query."""
    latest = (
        CoverageSnapshot.objects.filter(campaign=OuterRef("campaign"), unit=OuterRef("unit"), day__lte=day)
        .order_by("-day")
        .values("day")[:1]
    )
    return CoverageSnapshot.objects.filter(
        campaign_id__in=campaign_ids, unit_id__in=unit_ids, day=Subquery(latest)
    ).only("campaign_id", "unit_id", "day", "active_branches", "visited_branches")


def _signed(change: Decimal) -> str:
    return f"+{change}" if change > 0 else ("±0.0" if change == 0 else str(change))


def add_coverage(digests: dict[int, Digest], *, week: Week, campaigns: list[Campaign]) -> None:
    """Each unit's coverage per running campaign at the week's end, and its change since the week
    before (two queries for the batch)."""
    if not campaigns:
        return
    campaign_ids = [campaign.pk for campaign in campaigns]
    unit_ids = list(digests)
    at_end = {
        (s.campaign_id, s.unit_id): s
        for s in _latest_snapshots(day=week.last, campaign_ids=campaign_ids, unit_ids=unit_ids)
    }
    before = {
        (s.campaign_id, s.unit_id): s
        for s in _latest_snapshots(
            day=week.first - datetime.timedelta(days=1), campaign_ids=campaign_ids, unit_ids=unit_ids
        )
    }
    for unit_id, digest in digests.items():
        for campaign in campaigns:
            now = at_end.get((campaign.pk, unit_id))
            if now is None or now.coverage_percent is None:
                continue
            text = f"{campaign.name} {now.coverage_percent}%"
            then = before.get((campaign.pk, unit_id))
            if then is not None and then.coverage_percent is not None:
                text += f" ({_signed(now.coverage_percent - then.coverage_percent)})"
            digest.coverage.append(text)

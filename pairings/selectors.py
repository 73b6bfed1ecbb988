"""Reads of 联创共建: scoped querysets for the pages and the summary figures (per-branch figures
for the year-end export are `pairings.year_end`'s).

Every queryset a page shows is scoped by the permission API (`Pairing.objects.visible_to(user)` and its
siblings, see `pairings.models`): staff and admins see their unit subtree, a secretary only their own branch.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Max, QuerySet
from django.db.models.functions import ExtractMonth

from pairings import year_end
from pairings.models import (
    LiaisonGroup,
    Pairing,
    PairingActivity,
    PairingQuerySet,
    PairingRules,
    Theme,
    pairing_scope_q,
)


def pairing_list(*, user, today: datetime.date, rules: PairingRules) -> PairingQuerySet:
    """The pairings list: scoped, with activity count, last activity date and the dormant flag."""
    queryset = (
        Pairing.objects.select_related("branch__unit", "unit", "external_org")
        .prefetch_related("themes")
        .with_activity_figures()
        .with_dormancy(today=today, dormant_after_days=rules.dormant_after_days)
        .order_by("-start_date", "pk")
    )
    return queryset.visible_to(user)


def pairing_for_page(*, user, pk: int, today: datetime.date, rules: PairingRules) -> Pairing | None:
    """One pairing with its figures, or None when it does not exist or lies outside the user's scope."""
    return pairing_list(user=user, today=today, rules=rules).filter(pk=pk).first()


def activity_timeline(*, pairing: Pairing) -> QuerySet[PairingActivity]:
    """A pairing's activities, newest first, with outcomes, attachments and who logged them."""
    return (
        pairing.activities.select_related("created_by")
        .prefetch_related("outcomes", "attachments")
        .order_by("-date", "-pk")
    )


def activity_list(*, user) -> QuerySet[PairingActivity]:
    return (
        PairingActivity.objects.select_related(
            "pairing__branch__unit", "pairing__unit", "pairing__external_org"
        )
        .prefetch_related("outcomes")
        .annotate(attachment_count=Count("attachments", distinct=True))
        .order_by("-date", "-pk")
        .visible_to(user)
    )


@dataclass
class Summary:
    year: int | None
    counts: dict[str, int]
    dormant: int
    themes: list[dict]  # {"name", "pairings", "activities"}
    months: list[int]  # activities per month of `year`, January first
    theme_months: dict[str, list[int]]  # theme name -> activities per month
    liaison: dict[str, int] = field(default_factory=dict)

    @property
    def activities_in_year(self) -> int:
        return sum(self.months)

    def chart_data(self) -> dict:
        return {
            "year": self.year,
            "months": list(range(1, 13)),
            "total": self.months,
            "themes": [{"name": name, "counts": counts} for name, counts in self.theme_months.items()],
        }


def latest_activity_year(*, user) -> int | None:
    latest = PairingActivity.objects.visible_to(user).aggregate(latest=Max("date"))["latest"]
    return latest.year if latest else None


def pairing_summary(*, user, year: int, today: datetime.date, rules: PairingRules) -> Summary:
    """The summary page's figures, all restricted to the user's scope.

    Counts of organisations are over every pairing (distinct on each side); activity figures are
    for `year`. An activity under a pairing with two themes counts once under each theme and once
    in the monthly total.
    """
    pairings = Pairing.objects.visible_to(user)
    counts = pairings.distinct_counts()
    dormant = (
        pairings.with_dormancy(today=today, dormant_after_days=rules.dormant_after_days)
        .filter(is_dormant=True)
        .count()
    )
    in_year = year_end.activities_in(year).visible_to(user)
    months = [0] * 12
    for row in (
        in_year.annotate(month=ExtractMonth("date")).values("month").annotate(n=Count("pk")).order_by()
    ):
        months[row["month"] - 1] = row["n"]
    theme_rows = (
        in_year.annotate(month=ExtractMonth("date"))
        .values("pairing__themes", "month")
        .annotate(n=Count("pk"))
        .order_by()
    )
    by_theme_month: dict[int, list[int]] = {}
    for row in theme_rows:
        if row["pairing__themes"] is not None:
            by_theme_month.setdefault(row["pairing__themes"], [0] * 12)[row["month"] - 1] = row["n"]
    # Pairings per theme count only the user's pairings (filter=None: everything).
    themes = Theme.objects.annotate(
        pairing_count=Count("pairings", filter=pairing_scope_q(user, prefix="pairings__"), distinct=True)
    )
    theme_list, theme_months = [], {}
    for theme in themes:
        per_month = by_theme_month.get(theme.pk, [0] * 12)
        if not theme.active and not theme.pairing_count:
            continue
        theme_list.append({"name": theme.name, "pairings": theme.pairing_count, "activities": sum(per_month)})
        theme_months[theme.name] = per_month
    return Summary(
        year=year,
        counts=counts,
        dormant=dormant,
        themes=theme_list,
        months=months,
        theme_months=theme_months,
        liaison=LiaisonGroup.objects.visible_to(user).totals(),
    )

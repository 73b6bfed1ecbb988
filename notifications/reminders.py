"""The daily reminders: problems due in 3 days and planned visits tomorrow. Read in batches (a
constant number of queries per batch), published once per deduplication key, so a second run the
same day (or a catch-up after an outage) tells nobody twice."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone

from notifications import kinds, services
from notifications.receivers import problem_params, visitors_of
from notifications.recipients import administrators_answering_for, secretaries_of
from org.models import Unit
from supervision.models import Finding, PlannedVisit, unresolved_on

DUE_SOON_DAYS = 3
BATCH_SIZE = services.BATCH_SIZE


def _batches(queryset, size: int = BATCH_SIZE):
    """The rows in batches of `size`: their ids in one query (the filter runs once), then each batch
    by primary key with its related rows."""
    ids = list(queryset.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), size):
        yield list(queryset.filter(pk__in=ids[start : start + size]).order_by("pk"))


def send_daily_reminders(*, today: datetime.date | None = None) -> int:
    today = today or timezone.localdate()
    return remind_problems_due_soon(today=today) + remind_visits_tomorrow(today=today)


def remind_problems_due_soon(*, today: datetime.date) -> int:
    """Problems due within 3 days and not resolved: the owner unit's administrators (or the nearest
    above) and the branch's secretary hear of each once per due date."""
    due = (
        Finding.objects.problems()
        .filter(
            unresolved_on(today),
            due_on__gte=today,
            due_on__lte=today + datetime.timedelta(days=DUE_SOON_DAYS),
        )
        .select_related("owner_unit", "visit__branch__unit")
    )
    admins_cache: dict[int, list] = {}
    published = 0
    for batch in _batches(due):
        units: dict[int, Unit] = {
            p.owner_unit_id: p.owner_unit for p in batch if p.owner_unit_id not in admins_cache
        }
        if units:
            admins_cache.update(administrators_answering_for(units.values()))
            admins_cache.update({unit_id: [] for unit_id in units if unit_id not in admins_cache})
        secretaries = secretaries_of(p.visit.branch_id for p in batch)
        published += services.publish(
            kind=kinds.PROBLEM_DUE_SOON,
            drafts=[
                services.Draft(
                    dedup_key=f"{kinds.PROBLEM_DUE_SOON}:{p.pk}:{p.due_on.isoformat()}",
                    recipients=[*admins_cache[p.owner_unit_id], *secretaries.get(p.visit.branch_id, [])],
                    unit=p.owner_unit,
                    branch_id=p.visit.branch_id,
                    params=problem_params(p),
                    url=reverse("supervision:problem_detail", args=[p.pk]),
                )
                for p in batch
            ],
        )
    return published


def remind_visits_tomorrow(*, today: datetime.date) -> int:
    """Planned visits on tomorrow's date: each named visitor hears of it once."""
    tomorrow = today + datetime.timedelta(days=1)
    plans = PlannedVisit.objects.open().filter(planned_on=tomorrow).select_related("branch__unit")
    published = 0
    for batch in _batches(plans):
        visitors = visitors_of([plan.pk for plan in batch])
        published += services.publish(
            kind=kinds.VISIT_TOMORROW,
            drafts=[
                services.Draft(
                    dedup_key=f"{kinds.VISIT_TOMORROW}:{plan.pk}:{plan.planned_on.isoformat()}",
                    recipients=visitors.get(plan.pk, []),
                    unit=plan.branch.unit,
                    branch_id=plan.branch_id,
                    params={"branch": plan.branch.name, "planned_on": plan.planned_on.isoformat()},
                    url=reverse("supervision:plan_detail", args=[plan.pk]),
                )
                for plan in batch
            ],
        )
    return published

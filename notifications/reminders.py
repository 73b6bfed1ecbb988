"""The daily reminders: problems due in 3 days, planned visits tomorrow, rating windows closing in
3 days, pairings turned dormant. Read in batches (a constant number of queries per batch), published
once per deduplication key, so a second run the same day (or a catch-up after an outage) tells
nobody twice."""

from __future__ import annotations

import datetime

from django.db.models import Count, Exists, Max, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from notifications import kinds, services
from notifications.receivers import problem_params, visitors_of
from notifications.recipients import administrators_answering_for, secretaries_of
from org.models import Role, Unit, User
from pairings.models import Pairing, PairingRules
from projects.models import Assignment, Rating, RatingRound
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
    return (
        remind_problems_due_soon(today=today)
        + remind_visits_tomorrow(today=today)
        + remind_rating_windows_closing(today=today)
        + remind_dormant_pairings(today=today)
    )


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


def remind_rating_windows_closing(*, today: datetime.date) -> int:
    """Open rounds whose window closes within 3 days: each reviewer of a department assigned in the
    round hears of it once per window (a window moved to a later date is a new window), with the
    number of projects of their queue they have not rated yet; a reviewer with none left is not
    reminded."""
    closing = RatingRound.objects.filter(
        status=RatingRound.Status.OPEN,
        closes_on__gte=today,
        closes_on__lte=today + datetime.timedelta(days=DUE_SOON_DAYS),
    ).order_by("pk")
    published = 0
    for rating_round in closing:  # one round a year
        assigned = dict(
            Assignment.objects.filter(round=rating_round, reviewer__isnull=True)
            .values("department_id")
            .annotate(count=Count("pk"))
            .values_list("department_id", "count")
        )
        named = Assignment.objects.filter(round=rating_round, reviewer=OuterRef("pk"))
        reviewers = (
            User.objects.filter(role=Role.REVIEWER, is_active=True)
            .filter(Q(department_id__in=list(assigned)) | Exists(named))
            .select_related("unit")
            .order_by("pk")
        )
        for batch in _batches(reviewers):
            unrated = unrated_counts(rating_round=rating_round, reviewers=batch, assigned=assigned)
            published += services.publish(
                kind=kinds.RATING_WINDOW_CLOSING,
                drafts=[
                    services.Draft(
                        dedup_key=(
                            f"{kinds.RATING_WINDOW_CLOSING}:{rating_round.pk}:{reviewer.pk}:"
                            f"{rating_round.closes_on.isoformat()}"
                        ),
                        recipients=[reviewer],
                        scoped=False,  # their own queue
                        params={
                            "round": rating_round.name,
                            "closes_on": rating_round.closes_on.isoformat(),
                            "unrated": unrated[reviewer.pk],
                        },
                        url=reverse("projects:queue") + f"?round={rating_round.pk}&show=todo",
                    )
                    for reviewer in batch
                    if unrated[reviewer.pk] > 0
                ],
            )
    return published


def unrated_counts(*, rating_round: RatingRound, reviewers: list[User], assigned: dict[int, int]) -> dict:
    """For each reviewer, what their queue (`projects.selectors.reviewer_progress`) has left to rate:
    their department's assignments, minus conflicts of interest (branches of their home unit's
    subtree, their own branch), minus their ratings. Two queries for the whole batch: the conflicts
    counted per distinct home unit and branch in one aggregate, the ratings grouped by rater."""
    places = sorted(
        {
            (reviewer.department_id, reviewer.unit.path if reviewer.unit_id else "", reviewer.branch_id or 0)
            for reviewer in reviewers
        }
    )
    counts = {}
    for number, (department_id, path, branch_id) in enumerate(places):
        conflict = Q()
        if path:
            conflict |= Q(project__branch__unit__path__startswith=path)
        if branch_id:
            conflict |= Q(project__branch_id=branch_id)
        if conflict:
            counts[f"place_{number}"] = Count("pk", filter=Q(department_id=department_id) & conflict)
    department_wide = Assignment.objects.filter(round=rating_round, reviewer__isnull=True)
    conflicted = department_wide.aggregate(**counts) if counts else {}
    rated = {
        (rater_id, department_id): count
        for rater_id, department_id, count in Rating.objects.filter(
            Exists(
                department_wide.filter(project=OuterRef("project_id"), department=OuterRef("department_id"))
            ),
            round=rating_round,
            rater__in=[reviewer.pk for reviewer in reviewers],
        )
        .values("rater_id", "department_id")
        .annotate(count=Count("pk"))
        .values_list("rater_id", "department_id", "count")
    }
    # Assignments naming the reviewer (the balanced assignment's): theirs alone, never in conflict.
    named_unrated = dict(
        Assignment.objects.filter(round=rating_round, reviewer__in=[reviewer.pk for reviewer in reviewers])
        .exclude(
            Exists(
                Rating.objects.filter(
                    round=rating_round, project=OuterRef("project_id"), rater=OuterRef("reviewer_id")
                )
            )
        )
        .values("reviewer_id")
        .annotate(count=Count("pk"))
        .values_list("reviewer_id", "count")
    )
    place_numbers = {place: number for number, place in enumerate(places)}
    unrated = {}
    for reviewer in reviewers:
        place = (
            reviewer.department_id,
            reviewer.unit.path if reviewer.unit_id else "",
            reviewer.branch_id or 0,
        )
        left = (
            assigned.get(reviewer.department_id, 0)
            - (conflicted.get(f"place_{place_numbers[place]}") or 0)
            - rated.get((reviewer.pk, reviewer.department_id), 0)
        )
        unrated[reviewer.pk] = max(left, 0) + named_unrated.get(reviewer.pk, 0)
    return unrated


def remind_dormant_pairings(*, today: datetime.date) -> int:
    """Pairings dormant today by the pairing rules (`Pairing.objects.with_dormancy`): the owner
    unit's administrators (or the nearest above) and, for a branch's pairing, its secretary hear of
    each once per dormant spell, a spell being named by the day the quiet began (the last joint
    activity, or the start); an activity ends the spell, and the next quiet is a new one."""
    rules = PairingRules.current()
    dormant = (
        Pairing.objects.with_dormancy(today=today, dormant_after_days=rules.dormant_after_days)
        .filter(is_dormant=True)
        .annotate(last_activity=Max("activities__date"))
        .select_related("branch__unit", "unit", "external_org")
    )
    published = 0
    for batch in _batches(dormant):
        owners = {p.owner_unit_id: (p.branch.unit if p.branch_id else p.unit) for p in batch}
        admins = administrators_answering_for(owners.values())
        secretaries = secretaries_of(p.branch_id for p in batch if p.branch_id)
        drafts = []
        for pairing in batch:
            quiet_since = max(pairing.last_activity or pairing.start_date, pairing.start_date)
            drafts.append(
                services.Draft(
                    dedup_key=f"{kinds.PAIRING_DORMANT}:{pairing.pk}:{quiet_since.isoformat()}",
                    recipients=[
                        *admins.get(pairing.owner_unit_id, []),
                        *secretaries.get(pairing.branch_id, []),
                    ],
                    unit=owners[pairing.owner_unit_id],
                    branch_id=pairing.branch_id,
                    params={
                        "ours": str(pairing.ours),
                        "external": pairing.external_org.name,
                        "quiet_since": quiet_since.isoformat(),
                    },
                    url=reverse("pairings:pairing_detail", args=[pairing.pk]),
                )
            )
        published += services.publish(kind=kinds.PAIRING_DORMANT, drafts=drafts)
    return published

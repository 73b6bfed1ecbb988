"""Reads of the projects app: scoping, the reviewer queue, published lists and the year-end figures.

The ranking engine (the SQL, the cut, ties, the outstanding share) is `projects.ranking`; the
year-end figures per branch are `projects.year_end`'s.
"""

from __future__ import annotations

import datetime
import statistics
import uuid
from dataclasses import dataclass, field

from django.db.models import BooleanField, Case, Count, Exists, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone

from org.models import Department, Role, User
from org.permissions import is_admin, is_company_admin
from projects import assignment as assignment_engine
from projects import year_end
from projects.models import (
    Assignment,
    BranchProject,
    DeclaredConflict,
    DiscussionPost,
    Nomination,
    OutstandingList,
    ProjectRevision,
    Rating,
    RatingRound,
    TrackingEntry,
    TrackingList,
    assigned_to_q,
    conflict_of_interest_q,
)

# --- scoping ---------------------------------------------------------------------------------------


def scores_visible(*, user, rating_round: RatingRound, project: BranchProject) -> bool:
    """May this user see every department's score and the aggregates of a project in a round?

    Administrators always; anybody else only once the window has closed, and a rater only when
    they have also submitted their own rating, so nobody anchors on the others.
    """
    if is_admin(user):
        return True
    if not rating_round.is_closed:
        return False
    if user.role == Role.REVIEWER:
        return Rating.objects.filter(round=rating_round, project=project, rater=user).exists()
    return True


@dataclass
class ProjectRatingOverview:
    """What a project page shows of its year's rating, as far as the user may see it."""

    round: RatingRound | None = None
    ratings: list[Rating] = field(default_factory=list)
    figures: dict | None = None  # mean, median, stddev over department scores; departments
    scores_visible: bool = False
    entry: TrackingEntry | None = None  # its row in the current published list
    outstanding: bool = False


def _department_figures(ratings: list[Rating]) -> dict | None:
    """Mean, median and spread over department scores (a department's raters averaged first)."""
    by_department: dict[int, list] = {}
    for rating in ratings:
        by_department.setdefault(rating.department_id, []).append(rating.score)
    scores = [sum(values) / len(values) for values in by_department.values()]
    if not scores:
        return None
    return {
        "mean": statistics.fmean(scores),
        "median": statistics.median(scores),
        "stddev": statistics.pstdev(scores),
        "departments": len(scores),
    }


def project_rating_overview(*, user, project: BranchProject) -> ProjectRatingOverview:
    """One project's ratings for a page: all of them and their figures when `scores_visible`,
    otherwise only the user's own (a reviewer's), plus its frozen place in the published lists."""
    rating_round = RatingRound.objects.filter(year=project.year).first()
    if rating_round is None:
        return ProjectRatingOverview()
    visible = scores_visible(user=user, rating_round=rating_round, project=project)
    ratings = Rating.objects.filter(round=rating_round, project=project).select_related("department", "rater")
    if not visible:
        ratings = ratings.filter(rater=user) if user.role == Role.REVIEWER else ratings.none()
    ratings = list(ratings.order_by("department__code"))
    overview = ProjectRatingOverview(
        round=rating_round,
        ratings=ratings,
        figures=_department_figures(ratings) if visible else None,
        scores_visible=visible,
    )
    tracking_list = current_tracking_list(rating_round=rating_round)
    if tracking_list:
        overview.entry = tracking_list.entries.filter(project=project).select_related("tracking_list").first()
        outstanding = current_outstanding_list(tracking_list=tracking_list)
        overview.outstanding = bool(outstanding and outstanding.projects.filter(pk=project.pk).exists())
    return overview


# --- the reviewer's work queue ---------------------------------------------------------------------


def declared_by(*, user, rating_round: RatingRound) -> QuerySet[DeclaredConflict]:
    """The user's declared conflicts in a round, correlated with an assignment's project."""
    return DeclaredConflict.objects.filter(round=rating_round, reviewer=user, project=OuterRef("project_id"))


def conflict_list_queryset(*, user) -> QuerySet[DeclaredConflict]:
    """Every declared conflict an administrator may see (projects in their scope)."""
    return (
        DeclaredConflict.objects.filter(project__in=BranchProject.objects.visible_to(user))
        .select_related("round", "project__branch__unit", "reviewer", "department")
        .order_by("-declared_at", "-pk")
    )


def reviewer_queue(*, user, rating_round: RatingRound) -> QuerySet[Assignment]:
    """The projects a reviewer's department rates in a round, minus conflicts of interest.

    Each row carries the reviewer's own rating, if any (`my_score`, `my_needs_review`), so the
    queue renders in one query whatever its length.
    """
    mine = Rating.objects.filter(round=rating_round, project=OuterRef("project_id"), rater=user)
    return (
        Assignment.objects.filter(assigned_to_q(user), round=rating_round)
        .exclude(conflict_of_interest_q(user, prefix="project__"))
        .exclude(Exists(declared_by(user=user, rating_round=rating_round)))
        .select_related("project__branch__unit")
        .annotate(
            my_rating_id=Subquery(mine.values("pk")[:1]),
            my_score=Subquery(mine.values("score")[:1]),
            my_needs_review=Subquery(mine.values("needs_review")[:1]),
        )
        .order_by("project__branch__code")
    )


QUEUE_FILTERS = ("todo", "review")


def filtered_reviewer_queue(*, user, rating_round: RatingRound, show: str | None) -> QuerySet[Assignment]:
    """The queue as the reviewer filtered it: `todo` (not rated yet), `review` (needs review) or all."""
    queue = reviewer_queue(user=user, rating_round=rating_round)
    if show == "todo":
        return queue.filter(my_rating_id__isnull=True)
    if show == "review":
        return queue.filter(my_needs_review=True)
    return queue


def next_in_queue(*, user, rating_round: RatingRound, after: BranchProject, show: str | None) -> int | None:
    """The project after `after` in the reviewer's filtered queue (by branch code), wrapping round to
    the first one still in it, or None when the filtered queue holds nothing else."""
    queue = filtered_reviewer_queue(user=user, rating_round=rating_round, show=show).exclude(
        project_id=after.pk
    )
    following = queue.filter(project__branch__code__gt=after.branch.code).values_list("project_id", flat=True)
    return following.first() or queue.values_list("project_id", flat=True).first()


def my_ratings(*, user, rating_round: RatingRound) -> dict[int, Rating]:
    """The reviewer's ratings of a round by project id, in one query."""
    return {rating.project_id: rating for rating in Rating.objects.filter(round=rating_round, rater=user)}


def window_end(rating_round: RatingRound) -> datetime.datetime:
    """The moment the window ends: the end of its last day, in the company's time zone."""
    last_day = datetime.datetime.combine(rating_round.closes_on + datetime.timedelta(days=1), datetime.time())
    return timezone.make_aware(last_day)


@dataclass(frozen=True)
class QueueProgress:
    assigned: int
    rated: int
    needs_review: int

    @property
    def remaining(self) -> int:
        return self.assigned - self.rated


def reviewer_progress(*, user, rating_round: RatingRound) -> QueueProgress:
    """Rated / assigned for the reviewer's queue, in one aggregate query."""
    mine = Rating.objects.filter(round=rating_round, project=OuterRef("project_id"), rater=user)
    figures = (
        Assignment.objects.filter(assigned_to_q(user), round=rating_round)
        .exclude(conflict_of_interest_q(user, prefix="project__"))
        .exclude(Exists(declared_by(user=user, rating_round=rating_round)))
        .annotate(has_rating=Exists(mine), flagged=Exists(mine.filter(needs_review=True)))
        .aggregate(
            assigned=Count("pk"),
            rated=Count("pk", filter=Q(has_rating=True)),
            needs_review=Count("pk", filter=Q(flagged=True)),
        )
    )
    return QueueProgress(**figures)


def assignment_for_rater_or_404(*, user, rating_round: RatingRound, project_id: int) -> Assignment:
    """The assignment a reviewer rates; 404 when not their department's, or a conflict of interest."""
    return get_object_or_404(
        reviewer_queue(user=user, rating_round=rating_round).select_related("round", "department"),
        project_id=project_id,
    )


def open_rounds() -> QuerySet[RatingRound]:
    """Rounds whose window is open, newest first (a reviewer's queue defaults to the first)."""
    return RatingRound.objects.filter(status=RatingRound.Status.OPEN).order_by("-year")


def round_accepting_projects() -> RatingRound | None:
    """The newest round not yet closed: branches enter their project for its year."""
    return RatingRound.objects.exclude(status=RatingRound.Status.CLOSED).order_by("-year").first()


def project_sent_before(*, user, key: str | None) -> BranchProject | None:
    """The project of the user's branch that a form with this idempotency key already made."""
    try:
        key = uuid.UUID(key) if key else None
    except ValueError:
        return None
    if key is None or not user.branch_id:
        return None
    return BranchProject.objects.filter(branch_id=user.branch_id, idempotency_key=key).first()


def round_to_enter_project_for(*, user) -> RatingRound | None:
    """The round whose year a secretary's branch still has to enter its project for, if any."""
    if user.role != Role.SECRETARY or not user.branch_id:
        return None
    rating_round = round_accepting_projects()
    if (
        rating_round
        and not BranchProject.objects.filter(branch_id=user.branch_id, year=rating_round.year).exists()
    ):
        return rating_round
    return None


# --- published lists -------------------------------------------------------------------------------


def current_tracking_list(*, rating_round: RatingRound) -> TrackingList | None:
    return TrackingList.objects.current().filter(round=rating_round).first()


def current_outstanding_list(*, tracking_list: TrackingList | None) -> OutstandingList | None:
    if tracking_list is None:
        return None
    return tracking_list.outstanding_lists.current().first()


def tracking_entries(*, tracking_list: TrackingList) -> QuerySet[TrackingEntry]:
    """The projects on a published list, in order, with nominations counted and outstanding marked."""
    outstanding = OutstandingList.objects.current().filter(
        tracking_list=tracking_list, projects=OuterRef("project_id")
    )
    nominations = Nomination.objects.filter(round_id=tracking_list.round_id, project=OuterRef("project_id"))
    return (
        tracking_list.entries.filter(on_list=True)
        .select_related("project__branch__unit")
        .annotate(
            nomination_count=Subquery(nominations.values("project").annotate(n=Count("pk")).values("n")[:1]),
            outstanding=Exists(outstanding),
        )
        .order_by("position")
    )


def project_list_queryset(*, user) -> QuerySet[BranchProject]:
    """The project list: scoped, with its branch and unit, and flags from the published lists."""
    current_entries = TrackingEntry.objects.filter(
        project=OuterRef("pk"), tracking_list__superseded_at__isnull=True
    )
    outstanding = OutstandingList.objects.current().filter(
        tracking_list__superseded_at__isnull=True, projects=OuterRef("pk")
    )
    return (
        BranchProject.objects.select_related("branch__unit")
        .visible_to(user)
        .prefetch_related("departments")
        .annotate(
            on_tracking_list=Exists(current_entries.filter(on_list=True)),
            is_outstanding=Exists(outstanding),
            frozen_rank=Subquery(current_entries.values("rank")[:1]),
            frozen_aggregate=Subquery(current_entries.values("aggregate")[:1]),
            is_revised=Exists(ProjectRevision.objects.filter(project=OuterRef("pk"), content_changed=True)),
        )
    )


# --- figures of the year ------------------------------------------------------------------------------


def year_figures(*, year: int) -> dict[str, int]:
    """The headline numbers of a year: projects, revised, materially revised, tracked, outstanding.

    Tracked and outstanding are counted by `projects.year_end`, which the year-end sheet reads too.
    """
    projects = BranchProject.objects.filter(year=year)
    return {
        "projects": projects.count(),
        "revised": projects.revised().count(),
        "materially_revised": projects.materially_revised().count(),
        "tracking": year_end.tracked_entries(year).count(),
        "outstanding": year_end.outstanding_projects(year).count(),
    }


# --- pages of the round ----------------------------------------------------------------------------


def rated_assignments(*, rating_round: RatingRound) -> QuerySet[Assignment]:
    """The round's assignments, each with `has_rating`: its reviewer's rating when it names one,
    otherwise any rating of its department."""
    by_department = Rating.objects.filter(
        round=rating_round, project=OuterRef("project_id"), department=OuterRef("department_id")
    )
    by_reviewer = Rating.objects.filter(
        round=rating_round, project=OuterRef("project_id"), rater=OuterRef("reviewer_id")
    )
    return Assignment.objects.filter(round=rating_round).annotate(
        has_rating=Case(
            When(reviewer__isnull=True, then=Exists(by_department)),
            default=Exists(by_reviewer),
            output_field=BooleanField(),
        )
    )


def department_progress(*, rating_round: RatingRound) -> QuerySet:
    """Per department: assignments and ratings so far, in one grouped query."""
    return (
        rated_assignments(rating_round=rating_round)
        .values("department__code", "department__name")
        .annotate(assigned=Count("pk"), done=Count("pk", filter=Q(has_rating=True)))
        .order_by("department__code")
    )


def unrated_project_count(*, rating_round: RatingRound) -> int:
    """Assigned projects nobody rated: they are not ranked, and the ranking page says so."""
    return (
        BranchProject.objects.filter(assignments__round=rating_round)
        .exclude(Exists(Rating.objects.filter(round=rating_round, project=OuterRef("pk"))))
        .distinct()
        .count()
    )


def published_lists(*, rating_round: RatingRound) -> QuerySet[TrackingList]:
    """Every list of the round, superseded ones too, newest first, with who published them."""
    return (
        TrackingList.objects.filter(round=rating_round)
        .select_related("published_by")
        .prefetch_related("outstanding_lists")
        .order_by("-number")
    )


def nominable_entries(*, user, tracking_list: TrackingList | None) -> QuerySet[TrackingEntry]:
    """Tracking-list projects a reviewer's department rated and may nominate (conflicts left out),
    each marked `nominated_by_me` when the reviewer's department has nominated it."""
    if tracking_list is None:
        return TrackingEntry.objects.none()
    assigned = Assignment.objects.filter(
        round_id=tracking_list.round_id, project=OuterRef("project_id"), department_id=user.department_id
    )
    mine = Nomination.objects.filter(
        round_id=tracking_list.round_id, project=OuterRef("project_id"), department_id=user.department_id
    )
    return (
        tracking_entries(tracking_list=tracking_list)
        .filter(Exists(assigned))
        .exclude(conflict_of_interest_q(user, prefix="project__"))
        .annotate(nominated_by_me=Exists(mine))
    )


def latest_published_round() -> RatingRound | None:
    """The newest round with a current tracking list: where departments nominate."""
    return RatingRound.objects.filter(tracking_lists__superseded_at__isnull=True).order_by("-year").first()


@dataclass(frozen=True)
class ClosePreview:
    """What closing a round freezes: how much of the rating work is left undone."""

    assignments: int
    unrated_assignments: int
    unrated_projects: int

    @property
    def unrated_percent(self) -> float:
        return round(self.unrated_assignments / self.assignments * 100, 1) if self.assignments else 0.0


def close_preview(*, rating_round: RatingRound) -> ClosePreview:
    """Assignments without their department's rating, and projects nobody rated (they go unranked)."""
    figures = rated_assignments(rating_round=rating_round).aggregate(
        assignments=Count("pk"), unrated=Count("pk", filter=Q(has_rating=False))
    )
    return ClosePreview(
        assignments=figures["assignments"],
        unrated_assignments=figures["unrated"],
        unrated_projects=unrated_project_count(rating_round=rating_round),
    )


def round_history(*, rating_round: RatingRound) -> QuerySet:
    """The round's status changes (opened, closed, reopened) with who did it and why, newest first."""
    return (
        rating_round.history.filter(history_change_reason__isnull=False)
        .exclude(history_change_reason="")
        .select_related("history_user")
        .order_by("-history_date", "-history_id")
    )


# --- balanced assignment ---------------------------------------------------------------------------


@dataclass
class BalanceInputs:
    """What the assignment engine needs of a round, read in a handful of queries."""

    projects: list[assignment_engine.ProjectSlot]
    reviewers: list[assignment_engine.ReviewerSlot]
    current: dict[int, set[int]]  # project id -> reviewers named by an assignment or who rated it
    declared: set[tuple[int, int]]  # (project id, reviewer id)


def balance_inputs(*, rating_round: RatingRound) -> BalanceInputs:
    """The round's year's projects, the active reviewers with a department, who already rates what
    (named assignments and ratings given, so a re-run keeps them) and the declared conflicts."""
    departments: dict[int, set[int]] = {}
    through = BranchProject.departments.through
    for project_id, department_id in through.objects.filter(
        branchproject__year=rating_round.year
    ).values_list("branchproject_id", "department_id"):
        departments.setdefault(project_id, set()).add(department_id)
    projects = [
        assignment_engine.ProjectSlot(
            id=project_id,
            unit_path=unit_path,
            branch_id=branch_id,
            departments=frozenset(departments.get(project_id, ())),
        )
        for project_id, unit_path, branch_id in BranchProject.objects.filter(year=rating_round.year)
        .values_list("pk", "branch__unit__path", "branch_id")
        .iterator(chunk_size=5000)
    ]
    reviewers = [
        assignment_engine.ReviewerSlot(
            id=user_id, unit_path=unit_path, branch_id=branch_id, department_id=department_id
        )
        for user_id, unit_path, branch_id, department_id in User.objects.filter(
            role=Role.REVIEWER, is_active=True, department__isnull=False
        ).values_list("pk", "unit__path", "branch_id", "department_id")
    ]
    current: dict[int, set[int]] = {}
    named = Assignment.objects.filter(round=rating_round, reviewer__isnull=False).values_list(
        "project_id", "reviewer_id"
    )
    rated = Rating.objects.filter(round=rating_round).values_list("project_id", "rater_id")
    for queryset in (named, rated):
        for project_id, reviewer_id in queryset.iterator(chunk_size=5000):
            current.setdefault(project_id, set()).add(reviewer_id)
    declared = set(
        DeclaredConflict.objects.filter(round=rating_round).values_list("project_id", "reviewer_id")
    )
    return BalanceInputs(projects=projects, reviewers=reviewers, current=current, declared=declared)


def plan_balance(*, inputs: BalanceInputs, per_project: int, cap: int) -> assignment_engine.Plan:
    return assignment_engine.balance(
        projects=inputs.projects,
        reviewers=inputs.reviewers,
        per_project=per_project,
        cap=cap,
        current=inputs.current,
        declared=inputs.declared,
    )


@dataclass(frozen=True)
class ReviewerLoad:
    reviewer: User
    before: int
    after: int


@dataclass(frozen=True)
class ShortProject:
    project: BranchProject
    missing: int
    allowed: int  # reviewers the own-unit rule and declared conflicts leave


@dataclass(frozen=True)
class Move:
    project: BranchProject
    reviewer: User
    added: bool  # False: the reviewer leaves the project


@dataclass
class BalancePreview:
    plan: assignment_engine.Plan
    projects: int
    reviewers: int
    loads: list[ReviewerLoad]
    short: list[ShortProject]
    moves: list[Move]
    moves_total: int


PREVIEW_ROWS = 100


def balance_preview(*, rating_round: RatingRound, per_project: int, cap: int) -> BalancePreview:
    """The plan a save would write: what moves (the first PREVIEW_ROWS), each reviewer's load before
    and after, and the projects short of `per_project` with how many reviewers may rate them at all
    (fewer than needed: conflicts; otherwise: the others are at their cap)."""
    inputs = balance_inputs(rating_round=rating_round)
    plan = plan_balance(inputs=inputs, per_project=per_project, cap=cap)
    before: dict[int, int] = {}
    for reviewer_ids in inputs.current.values():
        for reviewer_id in reviewer_ids:
            before[reviewer_id] = before.get(reviewer_id, 0) + 1
    after = plan.load()
    pairs = []
    for project_id, reviewer_ids in plan.assignments.items():
        old = inputs.current.get(project_id, set())
        pairs += [(project_id, reviewer_id, True) for reviewer_id in sorted(set(reviewer_ids) - old)]
        pairs += [(project_id, reviewer_id, False) for reviewer_id in sorted(old - set(reviewer_ids))]
    shown = sorted(pairs)[:PREVIEW_ROWS]
    short_ids = sorted(plan.short)[:PREVIEW_ROWS]
    project_ids = {project_id for project_id, _reviewer, _added in shown} | set(short_ids)
    projects = BranchProject.objects.select_related("branch__unit").in_bulk(project_ids)
    users = User.objects.select_related("department").in_bulk(
        {reviewer_id for _project, reviewer_id, _added in shown} | set(before) | set(after)
    )
    slots = {slot.id: slot for slot in inputs.projects}
    declared = frozenset(inputs.declared)
    loads = sorted(
        (
            ReviewerLoad(reviewer=users[reviewer_id], before=before.get(reviewer_id, 0), after=count)
            for reviewer_id, count in {**dict.fromkeys(before, 0), **after}.items()
            if reviewer_id in users
        ),
        key=lambda load: (-load.after, load.reviewer.username),
    )
    return BalancePreview(
        plan=plan,
        projects=len(inputs.projects),
        reviewers=len(inputs.reviewers),
        loads=loads,
        short=[
            ShortProject(
                project=projects[project_id],
                missing=plan.short[project_id],
                allowed=sum(
                    1
                    for reviewer in inputs.reviewers
                    if assignment_engine.allowed(slots[project_id], reviewer, declared)
                ),
            )
            for project_id in short_ids
        ],
        moves=[
            Move(project=projects[project_id], reviewer=users[reviewer_id], added=added)
            for project_id, reviewer_id, added in shown
        ],
        moves_total=len(pairs),
    )


# --- progress per department and per reviewer ----------------------------------------------------


def reviewer_progress_rows(*, rating_round: RatingRound) -> QuerySet[User]:
    """Every active reviewer with a department, annotated `assigned` (their queue, as
    `reviewer_progress` counts it: named assignments and their department's that name nobody, minus
    the org chart's conflicts and their declared ones) and `rated` (those they rated): two correlated
    counts, one query for any number of reviewers."""
    reviewer = OuterRef("pk")
    mine = Rating.objects.filter(
        round=rating_round, project=OuterRef("project_id"), rater=OuterRef("reviewer_pk")
    )
    queue = (
        Assignment.objects.filter(round=rating_round)
        .annotate(reviewer_pk=reviewer)
        .filter(Q(reviewer_id=reviewer) | Q(reviewer__isnull=True, department_id=OuterRef("department_id")))
        .exclude(project__branch__unit__path__startswith=Coalesce(OuterRef("unit__path"), Value("!")))
        .exclude(project__branch_id=Coalesce(OuterRef("branch_id"), Value(0)))
        .exclude(
            Exists(
                DeclaredConflict.objects.filter(
                    round=rating_round, project=OuterRef("project_id"), reviewer=OuterRef("reviewer_pk")
                )
            )
        )
        .annotate(has_rating=Exists(mine))
        .values("round")
    )
    counted = Coalesce(Subquery(queue.annotate(n=Count("pk")).values("n")[:1]), 0)
    rated = Coalesce(Subquery(queue.annotate(n=Count("pk", filter=Q(has_rating=True))).values("n")[:1]), 0)
    return (
        User.objects.filter(role=Role.REVIEWER, is_active=True, department__isnull=False)
        .select_related("department")
        .annotate(assigned=counted, rated=rated)
        .order_by("department__code", "username")
    )


def department_progress_rows(*, rating_round: RatingRound) -> QuerySet[Department]:
    """Departments with assignments in the round, annotated `assigned` and `rated` (an assignment
    naming a reviewer counts when that reviewer rated it, one naming nobody when anyone of the
    department did), in one query."""
    mine = rated_assignments(rating_round=rating_round).filter(department=OuterRef("pk")).values("department")
    return (
        Department.objects.filter(
            Exists(Assignment.objects.filter(round=rating_round, department=OuterRef("pk")))
        )
        .annotate(
            assigned=Coalesce(Subquery(mine.annotate(n=Count("pk")).values("n")[:1]), 0),
            rated=Coalesce(
                Subquery(mine.annotate(n=Count("pk", filter=Q(has_rating=True))).values("n")[:1]), 0
            ),
        )
        .order_by("code")
    )


# --- discussion after the window closes ----------------------------------------------------------


def may_discuss(*, user, rating_round: RatingRound, project: BranchProject) -> bool:
    """Once the window has closed: the project's raters, and company administrators."""
    if not rating_round.is_closed:
        return False
    if is_company_admin(user):
        return True
    return (
        user.role == Role.REVIEWER
        and Rating.objects.filter(round=rating_round, project=project, rater=user).exists()
    )


@dataclass
class Discussion:
    ratings: list[Rating]
    posts: list
    started_at: datetime.datetime | None  # the first post: a rating changed after it says so


def discussion(*, rating_round: RatingRound, project: BranchProject) -> Discussion:
    """Every rating of the project with its earlier versions (`earlier`, newest first) and whether it
    changed after the discussion started (`changed_after_discussion`), and the thread's posts."""
    posts = list(DiscussionPost.objects.filter(round=rating_round, project=project).select_related("author"))
    started_at = posts[0].created_at if posts else None
    ratings = list(
        Rating.objects.filter(round=rating_round, project=project)
        .select_related("rater", "department")
        .order_by("department__code", "rater__username")
    )
    history: dict[int, list] = {}
    for record in Rating.history.filter(id__in=[rating.pk for rating in ratings]).order_by(
        "-history_date", "-history_id"
    ):
        history.setdefault(record.id, []).append(record)
    for rating in ratings:
        records = history.get(rating.pk, [])
        rating.earlier = [record for record in records[1:] if record.score is not None]
        rating.change_reason = records[0].history_change_reason if records else ""
        rating.changed_after_discussion = bool(
            started_at and any(record.history_date > started_at for record in records)
        )
    return Discussion(ratings=ratings, posts=posts, started_at=started_at)

"""Writes of the projects app. Every function runs in one transaction and refuses, with a message in
the user's language, whatever the rules forbid: editing frozen content, rating outside the window
or across a conflict of interest, changing a score or a published list without a reason.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable, Mapping
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from branchtrack.web.background_jobs.models import BackgroundJob
from branchtrack.web.bulk_insert import insert_with_history
from branchtrack.web.concurrency import StaleEditError, save_with_version
from branchtrack.web.idempotency import create_once, find_by_key
from branchtrack.web.jobs import JobProgress, run_job, start_job
from org.models import Branch, Department, Role, User
from org.permissions import is_company_admin
from projects import signals
from projects.assignment import Plan
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
    RubricCriterion,
    TrackingEntry,
    TrackingList,
    conflict_of_interest_q,
)
from projects.ranking import compute_cut, outstanding_target, rank_projects
from projects.selectors import balance_inputs, current_tracking_list, may_discuss, plan_balance

EDITABLE_FIELDS = BranchProject.RATED_FIELDS + BranchProject.PROGRESS_FIELDS
DEFAULT_CRITERION = gettext_noop("Strength of support to central work")


# --- projects and their revisions ------------------------------------------------------------------


def _display(project: BranchProject, name: str, value) -> str:
    """A field's value as the revision history shows it."""
    if name == "departments":
        return "、".join(department.name for department in sorted(value, key=lambda d: d.code))
    if name == "status":
        return str(BranchProject.Status(value).label) if value else ""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return "" if value is None else str(value)


def _same(name: str, old, new) -> bool:
    if name == "departments":
        return {d.pk for d in old} == {d.pk for d in new}
    if isinstance(old, Decimal) or isinstance(new, Decimal):
        return (None if old is None else Decimal(old)) == (None if new is None else Decimal(new))
    return (old or "") == (new or "")


def _published_round(year: int) -> RatingRound | None:
    rating_round = RatingRound.objects.filter(year=year).first()
    if rating_round and current_tracking_list(rating_round=rating_round):
        return rating_round
    return None


def rated_content_frozen(*, user, project: BranchProject) -> str | None:
    """Why this user may no longer change what was rated, or None while they still may."""
    if _published_round(project.year):
        return _(
            "The %(year)s tracking list is published, so what was rated is frozen: only the "
            "indicator's actual value and the status can still change."
        ) % {"year": project.year}
    rating_round = RatingRound.objects.filter(year=project.year).first()
    if user.role == Role.SECRETARY and rating_round and rating_round.is_closed:
        return _(
            "The %(year)s rating window has closed: the project's content can no longer be changed "
            "by the branch. Ask the party-building department if it must change."
        ) % {"year": project.year}
    return None


def _check_may_change(*, user, project: BranchProject, changed: list[str]) -> None:
    if any(name in BranchProject.RATED_FIELDS for name in changed):
        refusal = rated_content_frozen(user=user, project=project)
        if refusal:
            raise ValidationError(refusal)


@transaction.atomic
def create_project(
    *,
    user,
    branch: Branch,
    year: int,
    data: Mapping,
    departments: Iterable[Department],
    idempotency_key: uuid.UUID | None = None,
) -> BranchProject:
    """A branch's project for a year; a second one for the same branch and year is refused, and so
    is a new project once the year's rating window has closed. In an open round the project's
    departments are assigned to rate it straight away. The form sent twice (same idempotency key)
    answers the project the first send made."""
    repeat = find_by_key(BranchProject, idempotency_key)
    if repeat is not None and repeat.branch_id == branch.pk:
        return repeat
    if BranchProject.objects.filter(branch=branch, year=year).exists():
        raise ValidationError(_("This branch already has a project for %(year)s.") % {"year": year})
    rating_round = RatingRound.objects.filter(year=year).first()
    if rating_round is not None and rating_round.is_closed:
        raise ValidationError(
            _("The %(year)s rating window has closed: no new project can be entered.") % {"year": year}
        )
    project = BranchProject(branch=branch, year=year, idempotency_key=idempotency_key)
    for name in EDITABLE_FIELDS:
        if name != "departments" and name in data:
            setattr(project, name, data[name])
    project.full_clean(exclude=["departments"], validate_unique=False)
    project._change_reason = _("Project entered")

    def create() -> BranchProject:
        project.save()
        project.departments.set(departments)
        _follow_departments(project=project, user=user)
        return project

    return create_once(
        BranchProject, key=idempotency_key, create=create, same_sender=lambda p: p.branch_id == branch.pk
    )[0]


def _follow_departments(*, project: BranchProject, user) -> None:
    """While the year's round is open, who rates a project follows its departments; a department
    that already rated it keeps its assignment (its score stays part of the record)."""
    rating_round = RatingRound.objects.filter(year=project.year, status=RatingRound.Status.OPEN).first()
    if rating_round is None:
        return
    wanted = set(project.departments.values_list("pk", flat=True))
    assigned = set(
        Assignment.objects.filter(round=rating_round, project=project).values_list("department_id", flat=True)
    )
    bulk_create_with_history(
        [
            Assignment(round=rating_round, project=project, department_id=department_id)
            for department_id in sorted(wanted - assigned)
        ],
        Assignment,
        default_user=user,
    )
    rated = set(
        Rating.objects.filter(round=rating_round, project=project).values_list("department_id", flat=True)
    )
    for assignment in Assignment.objects.filter(
        round=rating_round, project=project, department_id__in=assigned - wanted - rated
    ):
        assignment.delete()


@transaction.atomic
def update_project(
    *, user, project: BranchProject, data: Mapping, reason: str = "", expected_version: int
) -> ProjectRevision | None:
    """Change a project and keep the change as a revision (who, when, what, why).

    A reason is required once anybody has rated the project. A change to the central business item
    or the indicator is material: every rating of the project in a round still open for rating is
    marked "needs review", so its rater looks again. Returns None when nothing changed.
    """
    current = BranchProject.objects.select_for_update().get(pk=project.pk)
    old = {name: getattr(current, name) for name in EDITABLE_FIELDS if name != "departments"}
    old["departments"] = list(current.departments.all())
    changed = [name for name in EDITABLE_FIELDS if name in data and not _same(name, old[name], data[name])]
    if not changed:
        return None
    _check_may_change(user=user, project=current, changed=changed)
    reason = (reason or "").strip()
    if not reason and Rating.objects.filter(project=current).exists():
        raise ValidationError(
            {"reason": _("This project has been rated: say why it changes, so the raters can follow.")}
        )
    for name in changed:
        if name != "departments":
            setattr(current, name, data[name])
    current.full_clean(exclude=["departments", "version"])
    current._change_reason = reason
    save_with_version(current, expected_version=expected_version)
    if "departments" in changed:
        current.departments.set(data["departments"])
        _follow_departments(project=current, user=user)
    material = any(name in BranchProject.MATERIAL_FIELDS for name in changed)
    number = (current.revisions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    revision = ProjectRevision.objects.create(
        project=current,
        number=number,
        changed_by=user,
        changed_at=timezone.now(),
        reason=reason,
        changes=[
            {
                "field": name,
                "old": _display(current, name, old[name]),
                "new": _display(current, name, data[name]),
            }
            for name in changed
        ],
        content_changed=any(name in BranchProject.RATED_FIELDS for name in changed),
        material=material,
    )
    if material:
        flagged = list(
            Rating.objects.filter(project=current, round__status=RatingRound.Status.OPEN, needs_review=False)
        )
        for rating in flagged:
            rating.needs_review = True
        bulk_update_with_history(
            flagged,
            Rating,
            ["needs_review"],
            default_user=user,
            default_change_reason=_("The project changed materially (revision %(number)s).")
            % {"number": number},
        )
        signals.project_revised_materially.send(sender=ProjectRevision, revision=revision)
    project.version = current.version
    return revision


# --- rounds ----------------------------------------------------------------------------------------


@transaction.atomic
def create_round(*, year: int, name: str, opens_on, closes_on, **rules) -> RatingRound:
    """A draft round with the default rubric: one criterion, strength of support to central work, 0-100."""
    rating_round = RatingRound(year=year, name=name, opens_on=opens_on, closes_on=closes_on, **rules)
    rating_round.full_clean()
    rating_round.save()
    RubricCriterion.objects.create(round=rating_round, name=_(DEFAULT_CRITERION), weight=1, order=1)
    return rating_round


@transaction.atomic
def open_round(*, rating_round: RatingRound, user) -> int:
    """Open the window; each project of the year is assigned to its departments. Returns the assignments made."""
    rating_round = RatingRound.objects.select_for_update().get(pk=rating_round.pk)
    if rating_round.status != RatingRound.Status.DRAFT:
        raise ValidationError(_("Only a draft round can be opened."))
    if not rating_round.criteria.exists():
        raise ValidationError(_("Give the round at least one rubric criterion before opening it."))
    through = BranchProject.departments.through
    existing = set(Assignment.objects.filter(round=rating_round).values_list("project_id", "department_id"))
    # A project the balanced assignment already gave to named reviewers keeps just those.
    named = set(
        Assignment.objects.filter(round=rating_round, reviewer__isnull=False).values_list(
            "project_id", flat=True
        )
    )
    pairs = through.objects.filter(branchproject__year=rating_round.year).values_list(
        "branchproject_id", "department_id"
    )
    new = [
        Assignment(round=rating_round, project_id=project_id, department_id=department_id)
        for project_id, department_id in pairs.iterator()
        if (project_id, department_id) not in existing and project_id not in named
    ]
    bulk_create_with_history(new, Assignment, batch_size=2000, default_user=user)
    rating_round.status = RatingRound.Status.OPEN
    rating_round._change_reason = _("Rating window opened")
    rating_round.save()
    return len(new)


@transaction.atomic
def close_round(*, rating_round: RatingRound, user, reason: str = "") -> RatingRound:
    """Close the window: ratings freeze, and the ranking can be previewed and published.
    The reason is kept in the round's history."""
    rating_round = RatingRound.objects.select_for_update().get(pk=rating_round.pk)
    if rating_round.status != RatingRound.Status.OPEN:
        raise ValidationError(_("Only an open round can be closed."))
    rating_round.status = RatingRound.Status.CLOSED
    rating_round.closed_at = timezone.now()
    rating_round.closed_by = user
    rating_round._change_reason = (reason or "").strip() or _("Rating window closed")
    rating_round.save()
    return rating_round


@transaction.atomic
def reopen_round(
    *, rating_round: RatingRound, user, reason: str, closes_on: datetime.date | None = None
) -> RatingRound:
    """A company administrator reopens a closed round, with a reason, until its tracking list is
    published; the window may get a new last day (ratings are accepted only inside the window)."""
    if not (user.is_superuser or (user.role == Role.ADMIN and user.is_company_level)):
        raise PermissionDenied
    rating_round = RatingRound.objects.select_for_update().get(pk=rating_round.pk)
    if not rating_round.is_closed:
        raise ValidationError(_("Only a closed round can be reopened."))
    if current_tracking_list(rating_round=rating_round):
        raise ValidationError(
            _("The tracking list of %(round)s is published: the round can no longer be reopened.")
            % {"round": rating_round}
        )
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why; the reason is kept in the history.")})
    if closes_on is not None:
        if closes_on < rating_round.opens_on:
            raise ValidationError({"closes_on": _("The window cannot close before it opens.")})
        rating_round.closes_on = closes_on
    rating_round.status = RatingRound.Status.OPEN
    rating_round.closed_at = None
    rating_round.closed_by = None
    rating_round._change_reason = reason
    rating_round.save()
    return rating_round


@transaction.atomic
def update_rubric_guidance(
    *, rating_round: RatingRound, user, guidance: Mapping[int, list[dict]]
) -> list[RubricCriterion]:
    """Set what each score band of each criterion means (shown beside the score input).

    Bands lie inside the criterion's range, low <= high, and do not overlap. Kept in each criterion's
    history; refused once the round's tracking list is published (what raters were told is frozen).
    """
    if current_tracking_list(rating_round=rating_round):
        raise ValidationError(
            _("The tracking list of %(round)s is published: its rubric is frozen.") % {"round": rating_round}
        )
    criteria = {criterion.pk: criterion for criterion in rating_round.criteria.select_for_update()}
    errors = {}
    for criterion_id, bands in guidance.items():
        criterion = criteria.get(criterion_id)
        if criterion is None:
            continue
        ordered = sorted(bands, key=lambda band: band["low"])
        for band in ordered:
            if not criterion.min_score <= band["low"] <= band["high"] <= criterion.max_score:
                errors[f"criterion_{criterion_id}"] = _(
                    "Band %(low)s-%(high)s: a band lies between %(min)s and %(max)s, its low end first."
                ) % {
                    "low": band["low"],
                    "high": band["high"],
                    "min": criterion.min_score,
                    "max": criterion.max_score,
                }
                break
        else:
            for before, after in zip(ordered, ordered[1:], strict=False):
                if after["low"] <= before["high"]:
                    errors[f"criterion_{criterion_id}"] = _("Bands %(first)s and %(second)s overlap.") % {
                        "first": f"{before['low']}-{before['high']}",
                        "second": f"{after['low']}-{after['high']}",
                    }
                    break
        criterion.guidance = [
            {"low": band["low"], "high": band["high"], "text": band["text"]} for band in reversed(ordered)
        ]
    if errors:
        raise ValidationError(errors)
    changed = [criteria[pk] for pk in guidance if pk in criteria]
    for criterion in changed:
        criterion._change_reason = _("Guidance per score band changed")
        criterion.save(update_fields=["guidance"])
    return changed


RULE_FIELDS = (
    "aggregation",
    "cut_numerator",
    "cut_denominator",
    "cut_rounding",
    "tie_rule",
    "outstanding_numerator",
    "outstanding_denominator",
    "outstanding_rounding",
)


@transaction.atomic
def update_rules(*, rating_round: RatingRound, user, data: Mapping, reason: str = "") -> RatingRound:
    """Change a round's ranking rules. A published list keeps the rules it was made with; a change
    after publishing only takes effect when the list is superseded, and needs a reason."""
    rating_round = RatingRound.objects.select_for_update().get(pk=rating_round.pk)
    reason = (reason or "").strip()
    if current_tracking_list(rating_round=rating_round) and not reason:
        raise ValidationError({"reason": _("The list is already published: say why the rules change.")})
    for name in RULE_FIELDS:
        if name in data:
            setattr(rating_round, name, data[name])
    rating_round.full_clean()
    rating_round._change_reason = reason or _("Rules changed")
    rating_round.save()
    return rating_round


# --- ratings ---------------------------------------------------------------------------------------


def rating_refusal(*, rating_round: RatingRound, today: datetime.date | None = None) -> str | None:
    """Why ratings of this round cannot change today, or None while its window is open.

    The window is enforced, not only shown: a round marked open still refuses a rating before its
    first day and after its last (the days are the company's, `TIME_ZONE`).
    """
    today = today or timezone.localdate()
    if rating_round.is_open:
        if today < rating_round.opens_on:
            return _(
                "The rating window of %(round)s opens on %(date)s: ratings are accepted from then on."
            ) % {"round": rating_round, "date": rating_round.opens_on.isoformat()}
        if today > rating_round.closes_on:
            return _("The rating window of %(round)s ended on %(date)s: ratings are no longer accepted.") % {
                "round": rating_round,
                "date": rating_round.closes_on.isoformat(),
            }
        return None
    if current_tracking_list(rating_round=rating_round):
        return _("The tracking list of %(round)s is published: its ratings are frozen for good.") % {
            "round": rating_round
        }
    if rating_round.is_closed:
        return _("The rating window of %(round)s is closed: ratings can no longer change.") % {
            "round": rating_round
        }
    return _("The rating window of %(round)s has not opened yet.") % {"round": rating_round}


def weighted_score(*, criteria: list[RubricCriterion], values: Mapping[int, Decimal]) -> Decimal:
    """The rubric's weighted mean, each criterion mapped from its own range onto 0-100."""
    total_weight = sum((criterion.weight for criterion in criteria), Decimal(0))
    if total_weight <= 0:
        raise ValidationError(_("The rubric's weights add up to nothing; ask the administrator to fix it."))
    weighted = sum(
        (
            criterion.weight
            * (Decimal(values[criterion.pk]) - criterion.min_score)
            / (criterion.max_score - criterion.min_score)
            for criterion in criteria
        ),
        Decimal(0),
    )
    return (weighted / total_weight * 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@transaction.atomic
def submit_rating(
    *,
    user,
    assignment: Assignment,
    values: Mapping[int, Decimal],
    comment: str = "",
    reason: str = "",
    expected_version: int | None = None,
    today: datetime.date | None = None,
) -> Rating:
    """Record or change the reviewer's rating of an assigned project while the window is open
    (`today` between its first and last day, the round open; `today` defaults to the real day).

    Changing a submitted rating needs a reason (kept in its history). Re-submitting a rating marked
    "needs review" clears the mark.
    """
    rating_round = RatingRound.objects.select_for_update().get(pk=assignment.round_id)
    refusal = rating_refusal(rating_round=rating_round, today=today)
    if refusal:
        raise ValidationError(refusal)
    if user.department_id != assignment.department_id or assignment.reviewer_id not in (None, user.pk):
        raise PermissionDenied
    if BranchProject.objects.filter(pk=assignment.project_id).filter(conflict_of_interest_q(user)).exists():
        raise PermissionDenied
    if DeclaredConflict.objects.filter(
        round=rating_round, project_id=assignment.project_id, reviewer=user
    ).exists():
        raise PermissionDenied
    criteria = list(rating_round.criteria.all())
    errors = {}
    for criterion in criteria:
        value = values.get(criterion.pk)
        if value is None:
            errors[f"criterion_{criterion.pk}"] = _("Give a score.")
        elif not criterion.min_score <= Decimal(value) <= criterion.max_score:
            # Plain numbers ("0 and 100"), the same whatever decimal form the database returns.
            errors[f"criterion_{criterion.pk}"] = _("Between %(low)s and %(high)s.") % {
                "low": format(Decimal(criterion.min_score).normalize(), "f"),
                "high": format(Decimal(criterion.max_score).normalize(), "f"),
            }
    if errors:
        raise ValidationError(errors)
    score = weighted_score(criteria=criteria, values=values)
    rubric = {str(criterion.pk): str(Decimal(values[criterion.pk])) for criterion in criteria}
    rating = (
        Rating.objects.select_for_update()
        .filter(round=rating_round, project_id=assignment.project_id, rater=user)
        .first()
    )
    reason = (reason or "").strip()
    if rating is not None and expected_version == 0:
        # The form was opened before any rating existed (version 0). The same rating sent twice (a
        # double tap) answers the first; a different one (another tab rated in between) would
        # silently replace it, so it is refused like any stale edit.
        if (rating.score, rating.rubric_scores, rating.comment) == (score, rubric, comment):
            return rating
        raise StaleEditError()
    if rating is None:
        rating = Rating(
            round=rating_round,
            project_id=assignment.project_id,
            department_id=assignment.department_id,
            rater=user,
            score=score,
            rubric_scores=rubric,
            comment=comment,
        )
        rating._change_reason = reason or _("First rating")
        rating.save()
        return rating
    changed = rating.score != score or rating.rubric_scores != rubric or rating.comment != comment
    if changed and not reason:
        raise ValidationError({"reason": _("Say why you change your rating; the reason is kept with it.")})
    if not changed and not rating.needs_review:
        return rating
    rating.score = score
    rating.rubric_scores = rubric
    rating.comment = comment
    rating.needs_review = False
    rating._change_reason = reason or _("Looked again after the project changed; rating unchanged")
    if expected_version is None:
        rating.version += 1
        rating.save()
    else:
        save_with_version(rating, expected_version=expected_version)
    return rating


# --- balanced assignment ---------------------------------------------------------------------------

MAX_PER_PROJECT = 20


def _check_balance_parameters(*, per_project: int, cap: int) -> None:
    errors = {}
    if not 1 <= per_project <= MAX_PER_PROJECT:
        errors["per_project"] = _("Between %(low)s and %(high)s.") % {"low": 1, "high": MAX_PER_PROJECT}
    if cap < 1:
        errors["cap"] = _("At least 1.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def save_balanced_assignment(*, rating_round: RatingRound, user, per_project: int, cap: int) -> Plan:
    """Assign the round's projects to named reviewers, `per_project` each and at most `cap` per
    reviewer (projects/assignment.py), in one transaction.

    The plan is recomputed here, under the round's lock, from the same data the preview read, so what
    is saved is what the preview showed unless someone changed the data in between. Kept: every named
    assignment and every rater still allowed; the round's department-wide assignments give way to the
    named ones (a project the plan leaves short keeps its department-wide rows, so it stays in a queue).
    Refused on a closed round and for anyone but a company administrator.
    """
    if not is_company_admin(user):
        raise PermissionDenied
    _check_balance_parameters(per_project=per_project, cap=cap)
    rating_round = RatingRound.objects.select_for_update().get(pk=rating_round.pk)
    if rating_round.is_closed:
        raise ValidationError(
            _("The rating window of %(round)s is closed: its assignments can no longer change.")
            % {"round": rating_round}
        )
    inputs = balance_inputs(rating_round=rating_round)
    plan = plan_balance(inputs=inputs, per_project=per_project, cap=cap)
    departments = {reviewer.id: reviewer.department_id for reviewer in inputs.reviewers}
    wanted = {
        (project_id, reviewer_id)
        for project_id, reviewer_ids in plan.assignments.items()
        for reviewer_id in reviewer_ids
    }
    existing = {
        (project_id, reviewer_id): pk
        for pk, project_id, reviewer_id in Assignment.objects.filter(
            round=rating_round, reviewer__isnull=False
        ).values_list("pk", "project_id", "reviewer_id")
    }
    reason = _("Balanced assignment: %(per_project)s per project, at most %(cap)s per reviewer") % {
        "per_project": per_project,
        "cap": cap,
    }
    stale = [pk for pair, pk in existing.items() if pair not in wanted]
    covered = [project_id for project_id, reviewer_ids in plan.assignments.items() if reviewer_ids]
    department_wide = Assignment.objects.filter(
        round=rating_round, reviewer__isnull=True, project_id__in=covered
    )
    # One delete each, so every removed assignment leaves its history row with the reason.
    for queryset in (Assignment.objects.filter(pk__in=stale), department_wide):
        for chunk in _chunks(list(queryset.values_list("pk", flat=True))):
            for assignment in Assignment.objects.filter(pk__in=chunk):
                assignment._change_reason = reason
                assignment.delete()
    bulk_create_with_history(
        [
            Assignment(
                round=rating_round,
                project_id=project_id,
                reviewer_id=reviewer_id,
                department_id=departments[reviewer_id],
            )
            for project_id, reviewer_id in sorted(wanted - set(existing))
        ],
        Assignment,
        batch_size=2000,
        default_user=user,
        default_change_reason=reason,
    )
    return plan


def _chunks(items: list, size: int = 2000):
    for start in range(0, len(items), size):
        yield items[start : start + size]


# --- declared conflicts of interest --------------------------------------------------------------


@transaction.atomic
def declare_conflict(*, user, assignment: Assignment, reason: str) -> DeclaredConflict:
    """A reviewer declares a conflict of interest on a project of their queue, with a reason.

    The project leaves their queue; another reviewer of the department (outside the project's unit,
    without a conflict of their own) rates it. When there is none, the conflict is flagged
    `needs_reassignment` for an administrator. Refused once the reviewer has rated the project (their
    score would stay in the ranking) and once the round is closed.
    """
    rating_round = RatingRound.objects.select_for_update().get(pk=assignment.round_id)
    if user.department_id != assignment.department_id or assignment.reviewer_id not in (None, user.pk):
        raise PermissionDenied
    if rating_round.is_closed:
        raise ValidationError(
            _("The rating window of %(round)s is closed: ratings can no longer change.")
            % {"round": rating_round}
        )
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why you have a conflict of interest; the reason is kept.")})
    if Rating.objects.filter(round=rating_round, project_id=assignment.project_id, rater=user).exists():
        raise ValidationError(
            _("You have rated this project already: ask the administrator to withdraw your rating first.")
        )
    existing = DeclaredConflict.objects.filter(
        round=rating_round, project_id=assignment.project_id, reviewer=user
    ).first()
    if existing is not None:
        return existing
    project = BranchProject.objects.select_related("branch__unit").get(pk=assignment.project_id)
    colleagues = (
        User.objects.filter(role=Role.REVIEWER, is_active=True, department_id=assignment.department_id)
        .exclude(pk=user.pk)
        .exclude(
            pk__in=DeclaredConflict.objects.filter(round=rating_round, project=project).values("reviewer")
        )
        .select_related("unit")
    )
    # The org chart's rule (conflict_of_interest_q) applied in memory to the department's few reviewers.
    someone_else = any(
        colleague.branch_id != project.branch_id
        and not (colleague.unit_id and project.branch.unit.path.startswith(colleague.unit.path))
        for colleague in colleagues
    )
    conflict = DeclaredConflict(
        round=rating_round,
        project=project,
        reviewer=user,
        department_id=assignment.department_id,
        reason=reason,
        # A named assignment is this reviewer's alone: the next balanced assignment reassigns it.
        needs_reassignment=assignment.reviewer_id is not None or not someone_else,
    )
    conflict._change_reason = reason
    conflict.save()
    return conflict


# --- discussion after the window closes ----------------------------------------------------------


@transaction.atomic
def post_to_discussion(
    *, user, rating_round: RatingRound, project: BranchProject, body: str
) -> DiscussionPost:
    """A rater of the project (or a company administrator) posts in its discussion, once the window
    has closed; kept with its history."""
    if not rating_round.is_closed:
        raise ValidationError(_("The discussion opens when the rating window closes."))
    if not may_discuss(user=user, rating_round=rating_round, project=project):
        raise PermissionDenied
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("Write something to post.")})
    post = DiscussionPost(round=rating_round, project=project, author=user, body=body)
    post.full_clean()
    post.save()
    return post


# --- the tracking list -----------------------------------------------------------------------------

PUBLISH_BATCH = 2000


def check_publishable(*, rating_round: RatingRound, reason: str = "", previous: TrackingList | None = None):
    """Why the round's tracking list cannot be published now (ValidationError), checked before any work."""
    if not rating_round.is_closed:
        raise ValidationError(_("Close the rating window before publishing the tracking list."))
    if previous is None:
        previous = current_tracking_list(rating_round=rating_round)
    if previous and not (reason or "").strip():
        raise ValidationError(
            {"reason": _("A tracking list is already published; superseding it needs a reason.")}
        )


def start_publishing(*, rating_round: RatingRound, user, reason: str = "") -> BackgroundJob:
    """Check the round can be published, then publish its tracking list in a background job."""
    from projects.tasks import publish_tracking_list_job

    check_publishable(rating_round=rating_round, reason=reason)
    return start_job(
        kind="projects.publish",
        title=_("Publishing the tracking list of %(year)s") % {"year": rating_round.year},
        user=user,
        task=publish_tracking_list_job,
        payload={"round": rating_round.pk, "reason": (reason or "").strip()},
        done_url=reverse("projects:ranking", args=[rating_round.pk]),
    )


def run_publish_job(*, job_id: int, final_attempt: bool = True) -> BackgroundJob:
    """The work of a publishing job (start_publishing): the whole list in one transaction, or nothing."""

    def work(job: BackgroundJob, progress: JobProgress) -> tuple[str, str]:
        rating_round = RatingRound.objects.get(pk=job.payload["round"])
        published = publish_tracking_list(
            rating_round=rating_round, user=job.requested_by, reason=job.payload["reason"], progress=progress
        )
        summary = _("Tracking list published: %(size)s of %(ranked)s projects.") % {
            "size": published.size,
            "ranked": published.ranked_count,
        }
        return summary, reverse("projects:tracking_list", args=[published.pk])

    return run_job(job_id=job_id, work=work, final_attempt=final_attempt)


@transaction.atomic
def publish_tracking_list(
    *, rating_round: RatingRound, user, reason: str = "", progress: JobProgress | None = None
) -> TrackingList:
    """Rank the closed round by its rules and publish the top share as the tracking list.

    Every ranked project is stored with its figures (so a project's frozen rank is known even off
    the list). A list already published is superseded, never edited, and only with a reason;
    its outstanding list goes with it. `progress` counts the projects stored.
    """
    rating_round = RatingRound.objects.select_for_update().get(pk=rating_round.pk)
    previous = TrackingList.objects.select_for_update().current().filter(round=rating_round).first()
    check_publishable(rating_round=rating_round, reason=reason, previous=previous)
    reason = (reason or "").strip()
    ranked = rank_projects(rating_round=rating_round)
    if not ranked:
        raise ValidationError(_("Nobody has rated a project in this round: there is nothing to rank."))
    cut = compute_cut(rating_round=rating_round, ranked=ranked)
    now = timezone.now()
    rules = rating_round.rules_snapshot()
    if cut.tie:
        rules["tie"] = {
            "aggregate": str(cut.tie.aggregate),
            "first_position": cut.tie.first_position,
            "last_position": cut.tie.last_position,
            "included": cut.tie.included,
        }
    if previous:
        previous.superseded_at = now
        previous._change_reason = reason
        previous.save()
        for outstanding in OutstandingList.objects.current().filter(tracking_list=previous):
            outstanding.superseded_at = now
            outstanding._change_reason = reason
            outstanding.save()
    tracking_list = TrackingList.objects.create(
        round=rating_round,
        number=(previous.number + 1) if previous else 1,
        published_at=now,
        published_by=user,
        reason=reason,
        rules=rules,
        ranked_count=cut.ranked_count,
        target_size=cut.target,
        size=cut.size,
    )
    if previous:
        previous.superseded_by = tracking_list
        previous.save(update_fields=["superseded_by"])
    if progress is not None:
        progress.start(len(ranked))
    insert_with_history(
        [
            TrackingEntry(
                tracking_list=tracking_list,
                project_id=row.project_id,
                position=row.position,
                rank=row.rank,
                aggregate=row.aggregate,
                mean=row.mean,
                median=row.median,
                stddev=row.stddev,
                zscore=row.zscore,
                departments_rated=row.departments_rated,
                on_list=row.position <= cut.size,
            )
            for row in ranked
        ],
        TrackingEntry,
        user=user,
        change_reason=reason or _("Published"),
        batch_size=PUBLISH_BATCH,
        on_batch=progress.advance if progress is not None else None,
    )
    signals.tracking_list_published.send(sender=TrackingList, tracking_list=tracking_list)
    return tracking_list


# --- outstanding projects --------------------------------------------------------------------------


def _on_current_list(rating_round: RatingRound, project: BranchProject) -> TrackingList:
    tracking_list = current_tracking_list(rating_round=rating_round)
    if tracking_list is None or not tracking_list.entries.filter(project=project, on_list=True).exists():
        raise ValidationError(_("Only a project on the published tracking list can be nominated."))
    return tracking_list


@transaction.atomic
def nominate(*, user, rating_round: RatingRound, project: BranchProject, note: str = "") -> Nomination:
    """A reviewer nominates a tracking-list project of their department as outstanding."""
    tracking_list = _on_current_list(rating_round, project)
    if OutstandingList.objects.current().filter(tracking_list=tracking_list).exists():
        raise ValidationError(_("The outstanding projects are already confirmed."))
    if not Assignment.objects.filter(
        round=rating_round, project=project, department_id=user.department_id
    ).exists():
        raise PermissionDenied
    if BranchProject.objects.filter(pk=project.pk).filter(conflict_of_interest_q(user)).exists():
        raise PermissionDenied
    nomination, _created = Nomination.objects.update_or_create(
        round=rating_round,
        project=project,
        department_id=user.department_id,
        defaults={"nominated_by": user, "note": note},
    )
    return nomination


@transaction.atomic
def withdraw_nomination(*, user, rating_round: RatingRound, project: BranchProject) -> None:
    tracking_list = current_tracking_list(rating_round=rating_round)
    if tracking_list and OutstandingList.objects.current().filter(tracking_list=tracking_list).exists():
        raise ValidationError(_("The outstanding projects are already confirmed."))
    for nomination in Nomination.objects.filter(
        round=rating_round, project=project, department_id=user.department_id
    ):
        nomination.delete()


@transaction.atomic
def confirm_outstanding(
    *, rating_round: RatingRound, user, project_ids: Iterable[int], reason: str = ""
) -> OutstandingList:
    """Confirm the outstanding projects: exactly the round's share of the tracking list, all from it.

    A confirmed list is superseded, never edited, and only with a reason.
    """
    rating_round = RatingRound.objects.select_for_update().get(pk=rating_round.pk)
    tracking_list = current_tracking_list(rating_round=rating_round)
    if tracking_list is None:
        raise ValidationError(_("Publish the tracking list before confirming outstanding projects."))
    chosen = set(project_ids)
    target = outstanding_target(rating_round=rating_round, tracking_list=tracking_list)
    if len(chosen) != target:
        raise ValidationError(
            {
                "projects": _(
                    "Choose exactly %(target)s projects (one share of the %(size)s on the list); you chose %(chosen)s."
                )
                % {"target": target, "size": tracking_list.size, "chosen": len(chosen)}
            }
        )
    on_list = set(
        tracking_list.entries.filter(on_list=True, project_id__in=chosen).values_list("project_id", flat=True)
    )
    if on_list != chosen:
        raise ValidationError({"projects": _("Every outstanding project must be on the tracking list.")})
    previous = (
        OutstandingList.objects.select_for_update().current().filter(tracking_list=tracking_list).first()
    )
    reason = (reason or "").strip()
    if previous and not reason:
        raise ValidationError(
            {"reason": _("Outstanding projects are already confirmed; superseding them needs a reason.")}
        )
    now = timezone.now()
    if previous:
        previous.superseded_at = now
        previous._change_reason = reason
        previous.save()
    outstanding = OutstandingList(
        tracking_list=tracking_list,
        number=(previous.number + 1) if previous else 1,
        confirmed_at=now,
        confirmed_by=user,
        reason=reason,
        target_size=target,
    )
    outstanding._change_reason = reason or _("Confirmed")
    outstanding.save()
    outstanding.projects.set(sorted(chosen))
    signals.outstanding_list_confirmed.send(sender=OutstandingList, outstanding_list=outstanding)
    return outstanding

"""Writes of the supervision app: every one runs in a transaction and checks its rules itself."""

from __future__ import annotations

import datetime
import hashlib
import logging
import secrets
import uuid
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from celery.exceptions import Retry
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from branchtrack.web.concurrency import StaleEditError, save_with_version
from branchtrack.web.idempotency import create_once, find_by_key, key_used_elsewhere
from branchtrack.web.uploads import PHOTO, check_upload
from org.models import Branch, Role, Unit, User
from org.permissions import unit_in_scope, unit_scope_path
from supervision import selectors, signals
from supervision.models import (
    CalendarFeed,
    Campaign,
    ChecklistArea,
    ChecklistItem,
    ChecklistTemplate,
    Feedback,
    Finding,
    MeetingAttendance,
    PlannedVisit,
    PlannedVisitor,
    Visit,
    VisitPhoto,
    VisitScore,
    due_date,
)

logger = logging.getLogger(__name__)

# Completing visits in a burst (or saving one many times) queues one roll-up per campaign per window.
ROLLUP_COALESCE_SECONDS = 30


# --- checklist templates ------------------------------------------------------------------------


@transaction.atomic
def new_template_version(*, template: ChecklistTemplate) -> ChecklistTemplate:
    """Copy a template (areas and items) into the next version; each copied item points at its original."""
    latest = ChecklistTemplate.objects.filter(name=template.name).order_by("-version").first()
    if latest.pk != template.pk:
        raise ValidationError(
            _("Version %(version)s is the latest one; make the new version from it.")
            % {"version": latest.version}
        )
    copy = ChecklistTemplate.objects.create(
        name=template.name, version=template.version + 1, previous=template, notes=template.notes
    )
    for area in template.areas.prefetch_related("items"):
        new_area = ChecklistArea.objects.create(
            template=copy, code=area.code, name=area.name, order=area.order
        )
        for item in area.items.all():
            ChecklistItem.objects.create(
                area=new_area,
                text=item.text,
                guidance=item.guidance,
                weight=item.weight,
                min_score=item.min_score,
                max_score=item.max_score,
                order=item.order,
                previous=item,
            )
    return copy


# --- visits -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScoreInput:
    score: Decimal | None
    remark: str = ""


@dataclass(frozen=True)
class FindingInput:
    """A finding written on the visit form (on the phone), saved with its visit."""

    kind: str
    title: str
    description: str = ""
    due_on: datetime.date | None = None
    idempotency_key: uuid.UUID | None = None


@dataclass(frozen=True)
class Location:
    latitude: Decimal
    longitude: Decimal
    accuracy_m: int | None = None


def _check_visit(
    *,
    user: User,
    campaign: Campaign,
    branch: Branch,
    visited_on: datetime.date,
    template: ChecklistTemplate,
    scores: Mapping[int, ScoreInput],
    complete: bool,
) -> None:
    """The rules the form also checks, repeated here so no other caller can bypass them."""
    errors: dict[str, list[str]] = {}
    if not campaign.branches().active().visible_to(user).filter(pk=branch.pk).exists():
        errors.setdefault("branch", []).append(_("This branch is not in your scope for this campaign."))
    if not campaign.starts_on <= visited_on <= campaign.ends_on:
        errors.setdefault("visited_on", []).append(
            _("The date must fall inside the campaign (%(start)s to %(end)s).")
            % {"start": campaign.starts_on.isoformat(), "end": campaign.ends_on.isoformat()}
        )
    items = {item.pk: item for item in ChecklistItem.objects.filter(area__template=template)}
    for item_id, given in scores.items():
        item = items.get(item_id)
        if item is None:
            errors.setdefault("__all__", []).append(_("A score belongs to another checklist."))
            continue
        if given.score is not None and not item.min_score <= given.score <= item.max_score:
            errors.setdefault(f"score_{item_id}", []).append(
                _("Give a score from %(low)s to %(high)s.") % {"low": item.min_score, "high": item.max_score}
            )
    if complete:
        for item_id in items:
            if item_id not in scores or scores[item_id].score is None:
                errors.setdefault(f"score_{item_id}", []).append(_("Score every item to complete the visit."))
    if errors:
        raise ValidationError(errors)


def _write_scores(*, visit: Visit, scores: Mapping[int, ScoreInput]) -> None:
    existing = {score.item_id: score for score in visit.scores.all()}
    for item_id, given in scores.items():
        current = existing.get(item_id)
        if given.score is None:
            if current is not None:
                current.delete()
            continue
        if current is None:
            VisitScore.objects.create(visit=visit, item_id=item_id, score=given.score, remark=given.remark)
        elif (current.score, current.remark) != (given.score, given.remark):
            current.score, current.remark = given.score, given.remark
            current.save()


@transaction.atomic
def create_visit(
    *,
    user: User,
    campaign: Campaign,
    branch: Branch,
    visited_on: datetime.date,
    visitors: str,
    overall_comment: str = "",
    scores: Mapping[int, ScoreInput],
    complete: bool,
    idempotency_key: uuid.UUID | None = None,
    device_time: datetime.datetime | None = None,
    location: Location | None = None,
    findings: Sequence[FindingInput] = (),
) -> Visit:
    """Log a visit (with the findings written on its form) once per idempotency key: a repeat of
    the key, even concurrent, answers the visit the first send made and changes nothing."""
    template = campaign.template
    repeat = find_by_key(Visit, idempotency_key)
    if repeat is not None:
        return _same_sender(repeat, user)
    _check_visit(
        user=user,
        campaign=campaign,
        branch=branch,
        visited_on=visited_on,
        template=template,
        scores=scores,
        complete=complete,
    )
    for finding in findings:
        _check_finding(kind=finding.kind, title=finding.title, due_on=finding.due_on)

    def create() -> Visit:
        visit = Visit.objects.create(
            campaign=campaign,
            template=template,
            branch=branch,
            visited_on=visited_on,
            visitors=visitors,
            overall_comment=overall_comment,
            status=Visit.Status.COMPLETED if complete else Visit.Status.DRAFT,
            completed_at=timezone.now() if complete else None,
            created_by=user,
            idempotency_key=idempotency_key,
            device_time=device_time,
            latitude=location.latitude if location else None,
            longitude=location.longitude if location else None,
            location_accuracy_m=location.accuracy_m if location else None,
        )
        _write_scores(visit=visit, scores=scores)
        for finding in findings:
            _create_finding(
                visit=visit,
                kind=finding.kind,
                title=finding.title,
                description=finding.description,
                owner_unit=branch.unit,
                due_on=finding.due_on,
                idempotency_key=finding.idempotency_key,
            )
        if complete:
            mark_plans_done(visit=visit)
        return visit

    visit, created = create_once(
        Visit, key=idempotency_key, create=create, same_sender=lambda v: v.created_by_id == user.pk
    )
    if created and (complete or any(f.kind == Finding.Kind.PROBLEM for f in findings)):
        schedule_rollup(campaign_id=campaign.pk)
    return visit


def _same_sender(visit: Visit, user: User) -> Visit:
    if visit.created_by_id != user.pk:
        raise key_used_elsewhere()
    return visit


@transaction.atomic
def update_visit(
    *,
    user: User,
    visit: Visit,
    expected_version: int,
    visited_on: datetime.date,
    visitors: str,
    overall_comment: str = "",
    scores: Mapping[int, ScoreInput],
    complete: bool,
) -> Visit:
    """Save an edited visit; a completed visit stays completed (it already counts for coverage)."""
    complete = complete or visit.is_completed
    _check_visit(
        user=user,
        campaign=visit.campaign,
        branch=visit.branch,
        visited_on=visited_on,
        template=visit.template,
        scores=scores,
        complete=complete,
    )
    visit.visited_on = visited_on
    visit.visitors = visitors
    visit.overall_comment = overall_comment
    if complete and not visit.is_completed:
        visit.status = Visit.Status.COMPLETED
        visit.completed_at = timezone.now()
    save_with_version(visit, expected_version=expected_version)
    _write_scores(visit=visit, scores=scores)
    if complete:
        mark_plans_done(visit=visit)
        schedule_rollup(campaign_id=visit.campaign_id)
    return visit


def _pending_key(campaign_id: int) -> str:
    return f"supervision:rollup-pending:{campaign_id}"


def schedule_rollup(*, campaign_id: int) -> None:
    """After the current transaction commits, queue one coverage roll-up for the campaign.

    Saves in quick succession share one job: the first one sets a short-lived marker and queues the
    job a little later; the job clears the marker when it starts. A broker or cache outage is
    logged and never fails the visit: the nightly beat job catches up.
    """

    def enqueue() -> None:
        from supervision.tasks import rollup_campaign_coverage

        try:
            if not cache.add(_pending_key(campaign_id), 1, timeout=ROLLUP_COALESCE_SECONDS * 4):
                return
        except Exception:  # the cache is Redis too; if it is down, the broker probably is as well
            logger.warning(
                "coverage roll-up: cache unavailable, enqueueing without coalescing", exc_info=True
            )
        try:
            rollup_campaign_coverage.apply_async(
                kwargs={"campaign_id": campaign_id}, countdown=ROLLUP_COALESCE_SECONDS
            )
        except Exception as exc:
            if isinstance(_task_error(exc), DatabaseError):
                logger.exception(
                    "coverage roll-up for campaign %s failed in the database; the nightly run catches up",
                    campaign_id,
                )
            else:
                logger.exception(
                    "coverage roll-up for campaign %s not queued (broker unavailable); the nightly run catches up",
                    campaign_id,
                )
            clear_pending_rollup(campaign_id=campaign_id)

    transaction.on_commit(enqueue)


def _task_error(exc: Exception) -> BaseException:
    # Tasks that run in the web process (the demo) raise the task's own error from apply_async;
    # after its retries Celery hands it over wrapped in a Retry.
    return exc.exc if isinstance(exc, Retry) and isinstance(exc.exc, BaseException) else exc


def clear_pending_rollup(*, campaign_id: int) -> None:
    try:
        cache.delete(_pending_key(campaign_id))
    except Exception:
        logger.warning("coverage roll-up: could not clear the pending marker", exc_info=True)


# --- findings -----------------------------------------------------------------------------------


def _check_finding(*, kind: str, title: str, due_on: datetime.date | None) -> None:
    errors = {}
    if kind not in Finding.Kind.values:
        errors["kind"] = _("Choose good practice or problem.")
    if not title.strip():
        errors["title"] = _("Give the finding a title.")
    if kind == Finding.Kind.PROBLEM and due_on is None:
        errors["due_on"] = _("A problem needs a due date.")
    if errors:
        raise ValidationError(errors)


def _create_finding(
    *,
    visit: Visit,
    kind: str,
    title: str,
    description: str,
    owner_unit: Unit,
    due_on: datetime.date | None,
    idempotency_key: uuid.UUID | None,
) -> Finding:
    finding = Finding.objects.create(
        visit=visit,
        kind=kind,
        title=title.strip(),
        description=description,
        owner_unit=owner_unit,
        due_on=due_on if kind == Finding.Kind.PROBLEM else None,
        idempotency_key=idempotency_key,
    )
    if finding.is_problem:
        signals.problem_found.send(sender=Finding, finding=finding)
    return finding


@transaction.atomic
def add_finding(
    *,
    visit: Visit,
    kind: str,
    title: str,
    description: str = "",
    owner_unit: Unit | None = None,
    due_on: datetime.date | None = None,
    idempotency_key: uuid.UUID | None = None,
) -> Finding:
    """Add a finding to a visit, once per idempotency key (a repeat answers the first finding)."""
    repeat = find_by_key(Finding, idempotency_key)
    if repeat is not None:
        if repeat.visit_id != visit.pk:
            raise key_used_elsewhere()
        return repeat
    _check_finding(kind=kind, title=title, due_on=due_on)
    finding, created = create_once(
        Finding,
        key=idempotency_key,
        create=lambda: _create_finding(
            visit=visit,
            kind=kind,
            title=title,
            description=description,
            owner_unit=owner_unit or visit.branch.unit,
            due_on=due_on,
            idempotency_key=idempotency_key,
        ),
        same_sender=lambda f: f.visit_id == visit.pk,
    )
    if created and kind == Finding.Kind.PROBLEM:
        # The dashboard counts open and overdue problems from the snapshots.
        schedule_rollup(campaign_id=visit.campaign_id)
    return finding


def add_visit_photo(
    *,
    visit: Visit,
    upload: UploadedFile,
    item_id: int | None = None,
    finding: Finding | None = None,
    idempotency_key: uuid.UUID | None = None,
) -> VisitPhoto:
    """Store a photo of a visit (of one of its items or findings), once per idempotency key.

    Checked by its content (photos only, not PDFs); stored under a random name; the file is removed
    again if the row is not saved (refused, or a concurrent repeat of the same key won).
    """
    repeat = find_by_key(VisitPhoto, idempotency_key)
    if repeat is not None:
        if repeat.visit_id != visit.pk:
            raise key_used_elsewhere()
        return repeat
    try:
        checked = check_upload(upload, kinds=(PHOTO,))
    except ValidationError as exc:
        raise ValidationError({"photo": exc.messages}) from exc
    if (
        item_id is not None
        and not ChecklistItem.objects.filter(pk=item_id, area__template=visit.template_id).exists()
    ):
        raise ValidationError({"item": _("This item is not on the visit's checklist.")})
    if finding is not None and finding.visit_id != visit.pk:
        raise ValidationError({"finding": _("This finding belongs to another visit.")})
    stored = None

    def create() -> VisitPhoto:
        nonlocal stored
        photo = VisitPhoto(
            visit=visit,
            item_id=item_id,
            finding=finding,
            content_type=checked.content_type,
            size=upload.size,
            idempotency_key=idempotency_key,
        )
        photo.file.save(f"{uuid.uuid4().hex}.{checked.extension}", upload, save=False)
        stored = photo.file.name
        photo.save()
        return photo

    try:
        with transaction.atomic():
            photo, created = create_once(
                VisitPhoto, key=idempotency_key, create=create, same_sender=lambda p: p.visit_id == visit.pk
            )
    except BaseException:
        if stored:
            default_storage.delete(stored)
        raise
    if not created and stored:
        default_storage.delete(stored)
    return photo


def _locked_problem(problem: Finding) -> Finding:
    locked = Finding.objects.select_for_update().get(pk=problem.pk)
    if locked.kind != Finding.Kind.PROBLEM:
        raise ValidationError(_("Only a problem has a status."))
    return locked


@transaction.atomic
def start_work_on_problem(*, problem: Finding) -> Finding:
    problem = _locked_problem(problem)
    if problem.status != Finding.Status.OPEN:
        raise ValidationError(_("Only an open problem can be put in progress."))
    problem.status = Finding.Status.IN_PROGRESS
    problem.save()
    return problem


def resolve_problem(
    *,
    problem: Finding,
    resolution: str,
    evidence: str = "",
    evidence_file: UploadedFile | None = None,
    resolved_on: datetime.date | None = None,
) -> Finding:
    """Close a problem; it takes what was done and evidence that it is fixed: a text, a photo or PDF, or both.

    The file is checked by its content before anything is written; if the save fails, the stored
    file is removed again, so a refused resolution leaves nothing behind.
    """
    errors = {}
    checked = None
    if evidence_file is not None:
        try:
            checked = check_upload(evidence_file)
        except ValidationError as exc:
            errors["evidence_file"] = exc.messages
    if not resolution.strip():
        errors["resolution"] = _("Say how the problem was solved.")
    if not evidence.strip() and evidence_file is None:
        errors["evidence"] = _(
            "A problem is resolved only with evidence of the fix: a text, a photo or a PDF."
        )
    stored = None
    try:
        with transaction.atomic():
            problem = _locked_problem(problem)
            if problem.status == Finding.Status.RESOLVED:
                errors["__all__"] = _("This problem is already resolved.")
            if errors:
                raise ValidationError(errors)
            problem.status = Finding.Status.RESOLVED
            problem.resolution = resolution.strip()
            problem.evidence = evidence.strip()
            problem.resolved_on = resolved_on or timezone.localdate()
            if checked is not None:
                # The stored name is ours (random, with the extension of the sniffed type), never the sender's.
                problem.evidence_file.save(
                    f"{uuid.uuid4().hex}.{checked.extension}", evidence_file, save=False
                )
                stored = problem.evidence_file.name
                problem.evidence_content_type = checked.content_type
                problem.evidence_original_name = evidence_file.name[:200]
            problem.save()
    except BaseException:
        if stored:
            default_storage.delete(stored)
        raise
    schedule_rollup(campaign_id=problem.visit.campaign_id)
    return problem


@transaction.atomic
def confirm_fix_at_visit(*, problem: Finding, visit: Visit) -> Finding:
    """A later visit to the same branch confirms on site that a resolved problem stays fixed."""
    problem = _locked_problem(problem)
    if problem.status != Finding.Status.RESOLVED:
        raise ValidationError(_("Only a resolved problem can be confirmed."))
    if visit.branch_id != problem.visit.branch_id or visit.pk == problem.visit_id:
        raise ValidationError(_("Confirm a fix at a later visit to the same branch."))
    problem.confirmed_by_visit = visit
    problem.save()
    return problem


@transaction.atomic
def set_in_catalogue(*, finding: Finding, in_catalogue: bool) -> Finding:
    if finding.kind != Finding.Kind.GOOD_PRACTICE:
        raise ValidationError(_("Only good practices go into the catalogue."))
    finding.in_catalogue = in_catalogue
    finding.save(update_fields=["in_catalogue"])
    return finding


@transaction.atomic
def escalate_overdue_problems(*, today: datetime.date | None = None, notify: bool = True) -> int:
    """Flag newly overdue problems for their owner unit's admins and, with `notify`, announce them
    (`signals.problems_escalated`: the notifications app tells the admins); returns how many were flagged."""
    overdue = Finding.objects.overdue(today=today).filter(escalated_at__isnull=True)
    flagged = []
    now = timezone.now()
    for problem in overdue.select_for_update(of=("self",)):
        problem.escalated_at = now
        problem.save(update_fields=["escalated_at"])
        flagged.append(problem.pk)
    if flagged and notify:
        signals.problems_escalated.send(sender=Finding, problem_ids=flagged)
    return len(flagged)


# --- meetings and feedback ----------------------------------------------------------------------


def _require_unit_in_scope(user: User, unit: Unit) -> None:
    if not unit_in_scope(user, unit):
        raise ValidationError({"unit": _("This unit is not in your scope.")})


@transaction.atomic
def record_meeting(
    *,
    user: User,
    unit: Unit,
    held_on: datetime.date,
    title: str,
    attendees: str,
    notes: str = "",
    campaign: Campaign | None = None,
    idempotency_key: uuid.UUID | None = None,
) -> MeetingAttendance:
    _require_unit_in_scope(user, unit)
    meeting, _created = create_once(
        MeetingAttendance,
        key=idempotency_key,
        create=lambda: MeetingAttendance.objects.create(
            unit=unit,
            campaign=campaign,
            held_on=held_on,
            title=title,
            attendees=attendees,
            notes=notes,
            created_by=user,
            idempotency_key=idempotency_key,
        ),
        same_sender=lambda m: m.created_by_id == user.pk,
    )
    return meeting


@transaction.atomic
def write_feedback(
    *, user: User, campaign: Campaign, unit: Unit, summary: str, idempotency_key: uuid.UUID | None = None
) -> Feedback:
    _require_unit_in_scope(user, unit)
    feedback, _created = create_once(
        Feedback,
        key=idempotency_key,
        create=lambda: Feedback.objects.create(
            campaign=campaign, unit=unit, summary=summary, created_by=user, idempotency_key=idempotency_key
        ),
        same_sender=lambda f: f.created_by_id == user.pk,
    )
    return feedback


@transaction.atomic
def send_feedback(*, feedback: Feedback) -> Feedback:
    """Mark feedback as sent: from now on the unit's own users see it."""
    feedback = Feedback.objects.select_for_update().get(pk=feedback.pk)
    if feedback.sent_at is None:
        feedback.sent_at = timezone.now()
        feedback.save(update_fields=["sent_at"])
    return feedback


# --- visit plans --------------------------------------------------------------------------------

PLANNER_ROLES = (Role.ADMIN,)
VISITOR_ROLES = (Role.STAFF, Role.ADMIN)


@dataclass(frozen=True)
class PlanRow:
    """One row of a planning action: a branch, who visits it, and the day (or the week's Monday)."""

    branch_id: int
    visitor_ids: tuple[int, ...]
    planned_on: datetime.date
    whole_week: bool = False


class PlanRowsError(ValidationError):
    """Some rows of a planning action are wrong; nothing of the action was saved.

    `rows` maps a row's branch id to its messages; `general` holds messages about the whole action.
    """

    def __init__(self, rows: dict[int, list[str]], general: list[str] | None = None):
        self.rows = rows
        self.general = general or []
        messages_ = [*self.general] + [message for found in rows.values() for message in found]
        super().__init__(messages_)


def can_plan(user: User) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.effective_role in PLANNER_ROLES


def _visitor_label(user: User) -> str:
    return user.get_full_name() or user.username


def _plan_conflict_message(plan: PlannedVisit) -> str:
    return _(
        "Already planned for %(day)s with %(visitors)s (planned by %(planner)s): change that plan instead."
    ) % {
        "day": plan.planned_on.isoformat(),
        "visitors": "、".join(_visitor_label(link.user) for link in plan.visitor_links.all()) or "-",
        "planner": _visitor_label(plan.created_by),
    }


def _check_plan_rows(
    *,
    user: User,
    campaign: Campaign,
    rows: list[PlanRow],
    today: datetime.date,
    ignore_plan: int | None = None,
) -> dict[int, list[str]]:
    """Every rule of a plan row, checked for all rows at once (a handful of queries, not per row)."""
    errors: dict[int, list[str]] = defaultdict(list)
    branches = {
        branch.pk: branch
        for branch in campaign.branches()
        .active()
        .visible_to(user)
        .filter(pk__in={row.branch_id for row in rows})
        .select_related("unit")
    }
    visitor_ids = {visitor for row in rows for visitor in row.visitor_ids}
    visitors = {
        visitor.pk: visitor for visitor in User.objects.filter(pk__in=visitor_ids).select_related("unit")
    }
    planner_scope = unit_scope_path(user)
    blocked = dict(campaign.blocked_days.values_list("day", "reason"))
    open_plans = {
        plan.branch_id: plan
        for plan in PlannedVisit.objects.open()
        .filter(campaign=campaign, branch_id__in=branches)
        .exclude(pk=ignore_plan)
        .select_related("created_by")
        .prefetch_related("visitor_links__user")
    }
    seen: set[int] = set()
    for row in rows:
        found = errors[row.branch_id]
        branch = branches.get(row.branch_id)
        if row.branch_id in seen:
            found.append(_("This branch is listed twice."))
        seen.add(row.branch_id)
        if branch is None:
            found.append(_("This branch is not an active branch of the campaign in your scope."))
        elif row.branch_id in open_plans:
            found.append(_plan_conflict_message(open_plans[row.branch_id]))
        if not row.visitor_ids:
            found.append(_("Choose at least one visitor."))
        for visitor_id in row.visitor_ids:
            visitor = visitors.get(visitor_id)
            if (
                visitor is None
                or visitor.unit is None
                or planner_scope is None
                or not (visitor.unit.path.startswith(planner_scope))
            ):
                found.append(_("A chosen visitor is not a user in your scope."))
                continue
            if not visitor.is_active or visitor.role not in VISITOR_ROLES:
                found.append(
                    _("%(name)s is not party-affairs staff, so cannot be planned to visit.")
                    % {"name": _visitor_label(visitor)}
                )
            elif branch is not None and not branch.unit.path.startswith(visitor.unit.path):
                found.append(
                    _("%(branch)s is outside %(name)s's scope (%(unit)s).")
                    % {"branch": branch.name, "name": _visitor_label(visitor), "unit": visitor.unit.name}
                )
        due = due_date(row.planned_on, whole_week=row.whole_week)
        first = row.planned_on - datetime.timedelta(days=row.planned_on.weekday()) if row.whole_week else due
        if due < campaign.starts_on or first > campaign.ends_on:
            found.append(
                _("The date must fall inside the campaign (%(start)s to %(end)s).")
                % {"start": campaign.starts_on.isoformat(), "end": campaign.ends_on.isoformat()}
            )
        elif due < today:
            found.append(_("The date has already passed."))
        elif not row.whole_week and row.planned_on in blocked:
            found.append(
                _("%(day)s is a blocked day of the campaign (%(reason)s).")
                % {"day": row.planned_on.isoformat(), "reason": blocked[row.planned_on] or "-"}
            )
    return {branch_id: found for branch_id, found in errors.items() if found}


def _require_planner(user: User) -> None:
    if not can_plan(user):
        raise PlanRowsError({}, [_("Only administrators plan visits.")])


@transaction.atomic
def assign_visits(
    *, user: User, campaign: Campaign, rows: Sequence[PlanRow], today: datetime.date | None = None
) -> list[PlannedVisit]:
    """Plan several branches in one action: every row is checked, and nothing is saved if one is wrong.

    Two planners saving the same branch at once: the partial unique index lets one through and the
    other is told who planned it, never overwriting it.
    """
    _require_planner(user)
    rows = list(rows)
    today = today or timezone.localdate()
    if not rows:
        raise PlanRowsError({}, [_("Choose at least one branch.")])
    errors = _check_plan_rows(user=user, campaign=campaign, rows=rows, today=today)
    if errors:
        raise PlanRowsError(errors)
    plans = [
        PlannedVisit(
            campaign=campaign,
            branch_id=row.branch_id,
            planned_on=row.planned_on,
            whole_week=row.whole_week,
            due_on=due_date(row.planned_on, whole_week=row.whole_week),
            created_by=user,
        )
        for row in rows
    ]
    try:
        with transaction.atomic():
            plans = bulk_create_with_history(plans, PlannedVisit, default_user=user, batch_size=500)
    except IntegrityError:
        # Someone planned one of these branches between the check and the insert.
        errors = _check_plan_rows(user=user, campaign=campaign, rows=rows, today=today)
        general = [] if errors else [_("Someone else planned these branches meanwhile.")]
        raise PlanRowsError(errors, general) from None
    links = [
        PlannedVisitor(plan_id=plan.pk, user_id=visitor_id)
        for plan, row in zip(plans, rows, strict=True)
        for visitor_id in dict.fromkeys(row.visitor_ids)
    ]
    bulk_create_with_history(links, PlannedVisitor, default_user=user, batch_size=500)
    return plans


@transaction.atomic
def save_automatic_plan(
    *,
    user: User,
    campaign: Campaign,
    unit: Unit,
    fingerprint: str,
    visitor_ids: list[int] | None = None,
    left_out: list[int] | None = None,
    today: datetime.date | None = None,
) -> list[PlannedVisit]:
    """Save the automatic plan the user previewed, if the state still gives exactly that plan.

    Anything planned or visited since the preview changes the proposal: the user is told to look
    at the new one rather than saving a plan they did not see. Saving it twice plans nothing twice.
    """
    _require_planner(user)
    proposal = selectors.automatic_plan(
        user=user, campaign=campaign, unit=unit, visitor_ids=visitor_ids, left_out=left_out, today=today
    )
    if proposal.fingerprint != fingerprint:
        raise PlanRowsError(
            {},
            [_("The plan changed since your preview (branches were planned or visited): look at it again.")],
        )
    if not proposal.plan.proposals:
        raise PlanRowsError({}, [_("There is nothing to plan.")])
    rows = [
        PlanRow(branch_id=p.branch_id, visitor_ids=(p.visitor_id,), planned_on=p.day)
        for p in proposal.plan.proposals
    ]
    return assign_visits(user=user, campaign=campaign, rows=rows, today=today)


def _locked_plan(plan: PlannedVisit, expected_version: int) -> PlannedVisit:
    locked = PlannedVisit.objects.select_for_update().select_related("campaign").get(pk=plan.pk)
    if locked.version != expected_version:
        raise StaleEditError()
    return locked


@transaction.atomic
def update_plan(
    *,
    user: User,
    plan: PlannedVisit,
    expected_version: int,
    visitor_ids: Sequence[int],
    planned_on: datetime.date,
    whole_week: bool = False,
    today: datetime.date | None = None,
) -> PlannedVisit:
    """Change who visits and when; a missed plan rescheduled this way is planned again."""
    _require_planner(user)
    plan = _locked_plan(plan, expected_version)
    if plan.status not in (PlannedVisit.Status.PLANNED, PlannedVisit.Status.MISSED):
        raise ValidationError(_("Only a planned or missed visit can be changed."))
    row = PlanRow(
        branch_id=plan.branch_id, visitor_ids=tuple(visitor_ids), planned_on=planned_on, whole_week=whole_week
    )
    errors = _check_plan_rows(
        user=user,
        campaign=plan.campaign,
        rows=[row],
        today=today or timezone.localdate(),
        ignore_plan=plan.pk,
    )
    if errors:
        raise PlanRowsError(errors)
    plan.planned_on, plan.whole_week = planned_on, whole_week
    plan.status = PlannedVisit.Status.PLANNED
    plan.version += 1
    try:
        with transaction.atomic():
            plan.save()
    except IntegrityError:
        raise PlanRowsError({plan.branch_id: [_("Someone else planned this branch meanwhile.")]}) from None
    current = set(plan.visitor_links.values_list("user_id", flat=True))
    wanted = set(visitor_ids)
    for link in plan.visitor_links.filter(user_id__in=current - wanted):
        link.delete()
    for visitor_id in sorted(wanted - current):
        PlannedVisitor.objects.create(plan=plan, user_id=visitor_id)
    return plan


@transaction.atomic
def cancel_plan(*, user: User, plan: PlannedVisit, expected_version: int, reason: str) -> PlannedVisit:
    _require_planner(user)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the visit is cancelled.")})
    plan = _locked_plan(plan, expected_version)
    if plan.status not in (PlannedVisit.Status.PLANNED, PlannedVisit.Status.MISSED):
        raise ValidationError(_("Only a planned or missed visit can be cancelled."))
    plan.status = PlannedVisit.Status.CANCELLED
    plan.cancel_reason = reason.strip()[:200]
    plan.version += 1
    plan.save()
    return plan


def _visit_made_by(visit: Visit, visitors: Sequence[User]) -> bool:
    """Whether one of the plan's visitors made the visit: they logged it, or it names them."""
    names = visit.visitors or ""
    return any(
        visitor.pk == visit.created_by_id
        or (visitor.get_full_name() and visitor.get_full_name() in names)
        or visitor.username in names.replace("，", ",").replace("、", ",").split(",")
        for visitor in visitors
    )


def mark_plans_done(*, visit: Visit) -> int:
    """A completed visit carries out the branch's planned (or missed) visit if one of its visitors made it."""
    if not visit.is_completed:
        return 0
    done = 0
    plans = (
        PlannedVisit.objects.select_for_update()
        .filter(
            campaign_id=visit.campaign_id,
            branch_id=visit.branch_id,
            status__in=[PlannedVisit.Status.PLANNED, PlannedVisit.Status.MISSED],
        )
        .order_by("pk")
    )
    for plan in plans:
        visitors = [link.user for link in plan.visitor_links.select_related("user")]
        if _visit_made_by(visit, visitors):
            plan.status = PlannedVisit.Status.DONE
            plan.done_visit = visit
            plan.version += 1
            plan.save()
            done += 1
    return done


@transaction.atomic
def mark_missed_plans(*, today: datetime.date | None = None) -> int:
    """Planned visits whose day (or week) has passed become missed; running it twice changes nothing."""
    today = today or timezone.localdate()
    missed = []
    for plan in PlannedVisit.objects.open().filter(due_on__lt=today).select_for_update():
        plan.status = PlannedVisit.Status.MISSED
        plan.version += 1
        plan.save()
        missed.append(plan.pk)
    if missed:
        signals.plans_missed.send(sender=PlannedVisit, plan_ids=missed)
    return len(missed)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@transaction.atomic
def reset_calendar_feed(*, user: User) -> str:
    """Give the user a new secret feed URL token (the old URL stops working); only its hash is stored."""
    token = secrets.token_urlsafe(32)
    CalendarFeed.objects.update_or_create(user=user, defaults={"token_hash": _token_hash(token)})
    return token


@transaction.atomic
def revoke_calendar_feed(*, user: User) -> None:
    CalendarFeed.objects.filter(user=user).delete()


def calendar_feed_owner(*, token: str) -> User | None:
    if not token or len(token) > 100:
        return None
    feed = CalendarFeed.objects.filter(token_hash=_token_hash(token)).select_related("user").first()
    if feed is None or not feed.user.is_active:
        return None
    return feed.user

"""Writes of the supervision app: every one runs in a transaction and checks its rules itself."""

from __future__ import annotations

import datetime
import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from branchtrack.web.concurrency import save_with_version
from branchtrack.web.uploads import check_upload
from org.models import Branch, Unit, User
from org.permissions import branches_visible_to, unit_in_scope
from supervision.escalation_mail import send_escalation_mail
from supervision.models import (
    Campaign,
    ChecklistArea,
    ChecklistItem,
    ChecklistTemplate,
    Feedback,
    Finding,
    MeetingAttendance,
    Visit,
    VisitScore,
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
    if not branches_visible_to(user, campaign.branches().active()).filter(pk=branch.pk).exists():
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
) -> Visit:
    template = campaign.template
    _check_visit(
        user=user,
        campaign=campaign,
        branch=branch,
        visited_on=visited_on,
        template=template,
        scores=scores,
        complete=complete,
    )
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
    )
    _write_scores(visit=visit, scores=scores)
    if complete:
        schedule_rollup(campaign_id=campaign.pk)
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
        except Exception:
            logger.exception(
                "coverage roll-up for campaign %s not queued (broker unavailable); the nightly run catches up",
                campaign_id,
            )
            clear_pending_rollup(campaign_id=campaign_id)

    transaction.on_commit(enqueue)


def clear_pending_rollup(*, campaign_id: int) -> None:
    try:
        cache.delete(_pending_key(campaign_id))
    except Exception:
        logger.warning("coverage roll-up: could not clear the pending marker", exc_info=True)


# --- findings -----------------------------------------------------------------------------------


@transaction.atomic
def add_finding(
    *,
    visit: Visit,
    kind: str,
    title: str,
    description: str = "",
    owner_unit: Unit | None = None,
    due_on: datetime.date | None = None,
) -> Finding:
    owner_unit = owner_unit or visit.branch.unit
    if kind == Finding.Kind.PROBLEM and due_on is None:
        raise ValidationError({"due_on": _("A problem needs a due date.")})
    finding = Finding.objects.create(
        visit=visit,
        kind=kind,
        title=title,
        description=description,
        owner_unit=owner_unit,
        due_on=due_on if kind == Finding.Kind.PROBLEM else None,
    )
    if kind == Finding.Kind.PROBLEM:
        # The dashboard counts open and overdue problems from the snapshots.
        schedule_rollup(campaign_id=visit.campaign_id)
    return finding


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
    """Flag newly overdue problems for their owner unit's admins and, with `notify`, email them
    (after the commit); returns how many were flagged."""
    overdue = Finding.objects.overdue(today=today).filter(escalated_at__isnull=True)
    flagged = []
    now = timezone.now()
    for problem in overdue.select_for_update():
        problem.escalated_at = now
        problem.save(update_fields=["escalated_at"])
        flagged.append(problem.pk)
    if flagged and notify:
        transaction.on_commit(lambda: send_escalation_mail(problem_ids=flagged))
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
) -> MeetingAttendance:
    _require_unit_in_scope(user, unit)
    return MeetingAttendance.objects.create(
        unit=unit,
        campaign=campaign,
        held_on=held_on,
        title=title,
        attendees=attendees,
        notes=notes,
        created_by=user,
    )


@transaction.atomic
def write_feedback(*, user: User, campaign: Campaign, unit: Unit, summary: str) -> Feedback:
    _require_unit_in_scope(user, unit)
    return Feedback.objects.create(campaign=campaign, unit=unit, summary=summary, created_by=user)


@transaction.atomic
def send_feedback(*, feedback: Feedback) -> Feedback:
    """Mark feedback as sent: from now on the unit's own users see it."""
    feedback = Feedback.objects.select_for_update().get(pk=feedback.pk)
    if feedback.sent_at is None:
        feedback.sent_at = timezone.now()
        feedback.save(update_fields=["sent_at"])
    return feedback

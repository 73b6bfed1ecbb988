"""The apps' signals, turned into notices. Each receiver runs inside the transaction that made the
change (its notices commit with it); delivery happens after the commit (`services.publish`)."""

from __future__ import annotations

from django.dispatch import receiver
from django.urls import reverse

from assessment import signals as assessment_signals
from assessment.models import ExportJob
from assessment.services import download_name
from notifications import kinds, services
from notifications.recipients import (
    administrators_answering_for,
    administrators_over,
    common_ancestor,
    secretaries_of,
)
from org.models import Role
from projects import signals as projects_signals
from projects.models import (
    BranchProject,
    OutstandingList,
    ProjectRevision,
    Rating,
    RatingRound,
    TrackingList,
)
from supervision import signals as supervision_signals
from supervision.models import Finding, PlannedVisit, PlannedVisitor


def problem_params(problem: Finding) -> dict:
    return {
        "title": problem.title,
        "branch": problem.visit.branch.name,
        "unit": problem.owner_unit.name,
        "due_on": problem.due_on.isoformat() if problem.due_on else "",
    }


@receiver(supervision_signals.problem_found, dispatch_uid="notifications.problem_found")
def tell_secretary_of_problem(sender, *, finding: Finding, **kwargs) -> None:
    branch = finding.visit.branch
    services.publish(
        kind=kinds.PROBLEM_FOUND,
        drafts=[
            services.Draft(
                dedup_key=f"{kinds.PROBLEM_FOUND}:{finding.pk}",
                recipients=secretaries_of([branch.pk]).get(branch.pk, []),
                unit=branch.unit,
                branch_id=branch.pk,
                params=problem_params(finding),
                url=reverse("supervision:problem_detail", args=[finding.pk]),
            )
        ],
    )


@receiver(supervision_signals.problems_escalated, dispatch_uid="notifications.problems_escalated")
def tell_administrators_of_overdue(sender, *, problem_ids: list[int], **kwargs) -> None:
    problems = list(
        Finding.objects.filter(pk__in=problem_ids)
        .select_related("owner_unit", "visit__branch")
        .order_by("pk")
    )
    admins = administrators_answering_for({p.owner_unit_id: p.owner_unit for p in problems}.values())
    services.publish(
        kind=kinds.PROBLEM_OVERDUE,
        drafts=[
            services.Draft(
                dedup_key=f"{kinds.PROBLEM_OVERDUE}:{problem.pk}",
                recipients=admins.get(problem.owner_unit_id, []),
                unit=problem.owner_unit,
                branch_id=problem.visit.branch_id,
                params=problem_params(problem),
                url=reverse("supervision:problem_detail", args=[problem.pk]),
            )
            for problem in problems
        ],
    )


def visitors_of(plan_ids: list[int]) -> dict[int, list]:
    found: dict[int, list] = {}
    for link in PlannedVisitor.objects.filter(plan_id__in=plan_ids).select_related("user__unit"):
        found.setdefault(link.plan_id, []).append(link.user)
    return found


@receiver(supervision_signals.plans_missed, dispatch_uid="notifications.plans_missed")
def tell_planners_of_missed_visits(sender, *, plan_ids: list[int], **kwargs) -> None:
    plans = list(
        PlannedVisit.objects.filter(pk__in=plan_ids)
        .select_related("branch__unit", "created_by__unit")
        .order_by("pk")
    )
    visitors = visitors_of([plan.pk for plan in plans])
    services.publish(
        kind=kinds.VISIT_MISSED,
        drafts=[
            services.Draft(
                dedup_key=f"{kinds.VISIT_MISSED}:{plan.pk}",
                recipients=[*visitors.get(plan.pk, []), plan.created_by],
                unit=plan.branch.unit,
                branch_id=plan.branch_id,
                params={"branch": plan.branch.name, "due_on": plan.due_on.isoformat()},
                url=reverse("supervision:plan_detail", args=[plan.pk]),
            )
            for plan in plans
        ],
    )


@receiver(assessment_signals.export_finished, dispatch_uid="notifications.export_finished")
def tell_requester_of_export(sender, *, job: ExportJob, **kwargs) -> None:
    if job.requested_by_id is None:
        return
    failed = job.status == ExportJob.Status.FAILED
    kind = kinds.EXPORT_FAILED if failed else kinds.EXPORT_FINISHED
    services.publish(
        kind=kind,
        drafts=[
            services.Draft(
                dedup_key=f"{kind}:{job.pk}",
                recipients=[job.requested_by],
                scoped=False,  # their own export, of a scope they chose
                params={"name": download_name(job), "error": job.error},
                url=reverse("assessment:export_detail", args=[job.pk]),
            )
        ],
    )


@receiver(projects_signals.project_revised_materially, dispatch_uid="notifications.project_revised")
def tell_raters_to_look_again(sender, *, revision: ProjectRevision, **kwargs) -> None:
    """The raters whose rating of the project in an open round is now marked "needs review" (the
    revision marked it, or an earlier one did and they have not looked yet) hear of each material
    revision once. Only a rater still in the department they rated for: the queue is the
    department's."""
    project = revision.project
    ratings = list(
        Rating.objects.filter(project=project, round__status=RatingRound.Status.OPEN, needs_review=True)
        .select_related("rater__unit")
        .order_by("pk")
    )
    raters = [
        rating.rater
        for rating in ratings
        if rating.rater.role == Role.REVIEWER and rating.rater.department_id == rating.department_id
    ]
    if not raters:
        return
    services.publish(
        kind=kinds.PROJECT_NEEDS_REVIEW,
        drafts=[
            services.Draft(
                dedup_key=f"{kinds.PROJECT_NEEDS_REVIEW}:{revision.pk}",
                recipients=raters,
                scoped=False,  # their own ratings, of projects their department was assigned
                params={
                    "project": project.title,
                    "branch": project.branch.name,
                    "number": revision.number,
                },
                url=reverse("projects:rate", args=[ratings[0].round_id, project.pk]),
            )
        ],
    )


def _list_drafts(
    *, kind: str, key: str, params: dict, list_url: str, projects: list[BranchProject]
) -> list[services.Draft]:
    """One notice for the administrators whose subtree holds a listed branch (linking to the list),
    and one per listed branch for its secretaries (linking to their project: the list page is the
    office's)."""
    paths = [project.branch.unit.path for project in projects]
    secretaries = secretaries_of(project.branch_id for project in projects)
    drafts = [
        services.Draft(
            dedup_key=key,
            recipients=administrators_over(paths),
            unit=common_ancestor(paths),
            # Chosen by scope already: an administrator hears only when a listed branch is theirs.
            scoped=False,
            params=params,
            url=list_url,
        )
    ]
    drafts.extend(
        services.Draft(
            dedup_key=f"{key}:branch:{project.branch_id}",
            recipients=secretaries.get(project.branch_id, []),
            branch_id=project.branch_id,
            params=params,
            url=reverse("projects:detail", args=[project.pk]),
        )
        for project in projects
        if secretaries.get(project.branch_id)
    )
    return drafts


@receiver(projects_signals.tracking_list_published, dispatch_uid="notifications.tracking_list")
def tell_of_tracking_list(sender, *, tracking_list: TrackingList, **kwargs) -> None:
    projects = [
        entry.project
        for entry in tracking_list.entries.filter(on_list=True)
        .select_related("project__branch__unit")
        .order_by("position")
    ]
    kind = kinds.TRACKING_LIST_PUBLISHED
    services.publish(
        kind=kind,
        drafts=_list_drafts(
            kind=kind,
            key=f"{kind}:{tracking_list.pk}",
            params={"round": tracking_list.round.name, "size": tracking_list.size},
            list_url=reverse("projects:tracking_list", args=[tracking_list.pk]),
            projects=projects,
        ),
    )


@receiver(projects_signals.outstanding_list_confirmed, dispatch_uid="notifications.outstanding_list")
def tell_of_outstanding_list(sender, *, outstanding_list: OutstandingList, **kwargs) -> None:
    projects = list(outstanding_list.projects.select_related("branch__unit").order_by("branch__code"))
    tracking_list = outstanding_list.tracking_list
    kind = kinds.OUTSTANDING_LIST_CONFIRMED
    services.publish(
        kind=kind,
        drafts=_list_drafts(
            kind=kind,
            key=f"{kind}:{outstanding_list.pk}",
            params={"round": tracking_list.round.name, "size": len(projects)},
            list_url=reverse("projects:tracking_list", args=[tracking_list.pk]) + "?outstanding=1",
            projects=projects,
        ),
    )

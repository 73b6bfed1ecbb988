"""The apps' signals, turned into notices. Each receiver runs inside the transaction that made the
change (its notices commit with it); delivery happens after the commit (`services.publish`)."""

from __future__ import annotations

from django.dispatch import receiver
from django.urls import reverse

from assessment import signals as assessment_signals
from assessment.models import ExportJob
from assessment.services import download_name
from notifications import kinds, services
from notifications.recipients import administrators_answering_for, secretaries_of
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

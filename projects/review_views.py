"""Pages of the department review that guard irreversible steps and help reviewers: closing and
reopening a round with a confirmation, declared conflicts, balanced assignment, discussion, progress.

Thin, like every view: scope, parse, call a service or selector, render.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from branchtrack.web.concurrency import StaleEditError
from branchtrack.web.form_page import apply_errors
from branchtrack.web.list_page import filtered_list_page
from branchtrack.web.table_export import export_if_requested
from org.models import Role
from org.permissions import company_admin_required, role_required
from projects import selectors, services
from projects.exports import CONFLICT_COLUMNS, DEPARTMENT_PROGRESS_COLUMNS, REVIEWER_PROGRESS_COLUMNS
from projects.filters import ConflictFilterSet, ReviewerProgressFilterSet
from projects.forms import (
    BalanceForm,
    ConfirmationForm,
    ConflictForm,
    DiscussionPostForm,
    GuidanceForm,
    RatingForm,
    ReopenForm,
)
from projects.models import BranchProject, RatingRound


@company_admin_required
def round_close(request, pk: int):
    """Close the window after showing what stays unrated; an explicit confirmation and a reason."""
    rating_round = get_object_or_404(RatingRound, pk=pk)
    if not rating_round.is_open:
        messages.error(request, _("Only an open round can be closed."))
        return redirect("projects:round", pk=pk)
    form = ConfirmationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.close_round(
                rating_round=rating_round, user=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request, _("The window is closed; ratings are frozen. Preview the ranking next.")
            )
            return redirect("projects:round", pk=pk)
    return render(
        request,
        "projects/round_close.html",
        {
            "round": rating_round,
            "form": form,
            "preview": selectors.close_preview(rating_round=rating_round),
            "progress": selectors.department_progress(rating_round=rating_round),
        },
        status=400 if request.method == "POST" else 200,
    )


@company_admin_required
def round_reopen(request, pk: int):
    """Reopen a closed round with a reason, until its tracking list is published."""
    rating_round = get_object_or_404(RatingRound, pk=pk)
    refusal = None
    if not rating_round.is_closed:
        refusal = _("Only a closed round can be reopened.")
    elif selectors.current_tracking_list(rating_round=rating_round):
        refusal = _("The tracking list of %(round)s is published: the round can no longer be reopened.") % {
            "round": rating_round
        }
    if refusal:
        messages.error(request, refusal)
        return redirect("projects:round", pk=pk)
    form = ReopenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.reopen_round(
                rating_round=rating_round,
                user=request.user,
                reason=form.cleaned_data["reason"],
                closes_on=form.cleaned_data["closes_on"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The round is open again; reviewers can rate inside its window."))
            return redirect("projects:round", pk=pk)
    return render(
        request,
        "projects/round_reopen.html",
        {"round": rating_round, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@company_admin_required
def rubric_guidance(request, pk: int):
    """What each score band of each rubric criterion means; reviewers see it beside the score input."""
    rating_round = get_object_or_404(RatingRound, pk=pk)
    forms = [
        GuidanceForm(request.POST or None, criterion=criterion, prefix=f"criterion_{criterion.pk}")
        for criterion in rating_round.criteria.all()
    ]
    if request.method == "POST" and all(form.is_valid() for form in forms):
        try:
            services.update_rubric_guidance(
                rating_round=rating_round,
                user=request.user,
                guidance={form.criterion.pk: form.cleaned_data["guidance"] for form in forms},
            )
        except ValidationError as exc:
            by_criterion = {f"criterion_{form.criterion.pk}": form for form in forms}
            found = exc.error_dict if hasattr(exc, "error_dict") else {None: exc.messages}
            for key, errors in found.items():
                target = by_criterion.get(key, forms[0])
                target.add_error("guidance" if key else None, errors)
        else:
            messages.success(request, _("The rubric's guidance is saved."))
            return redirect("projects:round", pk=pk)
    return render(
        request,
        "projects/rubric_guidance.html",
        {"round": rating_round, "forms": forms},
        status=400 if request.method == "POST" else 200,
    )


@role_required(Role.REVIEWER)
def declare_conflict(request, round_pk: int, project_pk: int):
    """A reviewer declares a conflict of interest on a project of their queue, with a reason."""
    rating_round = get_object_or_404(RatingRound, pk=round_pk)
    assignment = selectors.assignment_for_rater_or_404(
        user=request.user, rating_round=rating_round, project_id=project_pk
    )
    form = ConflictForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            conflict = services.declare_conflict(
                user=request.user, assignment=assignment, reason=form.cleaned_data["reason"]
            )
        except PermissionDenied as exc:
            raise Http404 from exc
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            if conflict.needs_reassignment:
                messages.warning(
                    request,
                    _(
                        "Conflict declared: %(project)s left your queue. No other reviewer of your "
                        "department can rate it; the administrators are asked to reassign it."
                    )
                    % {"project": assignment.project.title},
                )
            else:
                messages.success(
                    request,
                    _(
                        "Conflict declared: %(project)s left your queue; a colleague of your department rates it."
                    )
                    % {"project": assignment.project.title},
                )
            return redirect(f"{reverse('projects:queue')}?round={rating_round.pk}")
    return render(
        request,
        "projects/declare_conflict.html",
        {"round": rating_round, "project": assignment.project, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@role_required(Role.ADMIN)
def conflict_list(request):
    """Every declared conflict of interest in the administrator's scope, filterable and exportable."""
    return filtered_list_page(
        request,
        filterset=ConflictFilterSet(
            request.GET or None, queryset=selectors.conflict_list_queryset(user=request.user)
        ),
        template="projects/conflict_list.html",
        export=(CONFLICT_COLUMNS, "conflicts"),
    )


@company_admin_required
def balanced_assignment(request, pk: int):
    """Assign a round's projects to named reviewers: parameters, a preview of what moves and each
    reviewer's load, then a save in one transaction."""
    rating_round = get_object_or_404(RatingRound, pk=pk)
    if rating_round.is_closed:
        messages.error(
            request,
            _("The rating window of %(round)s is closed: its assignments can no longer change.")
            % {"round": rating_round},
        )
        return redirect("projects:round", pk=pk)
    data = request.POST if request.method == "POST" else (request.GET or None)
    form = BalanceForm(data)
    preview = None
    if form.is_bound and form.is_valid():
        parameters = {"per_project": form.cleaned_data["per_project"], "cap": form.cleaned_data["cap"]}
        if request.method == "POST":
            try:
                plan = services.save_balanced_assignment(
                    rating_round=rating_round, user=request.user, **parameters
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(
                    request,
                    _(
                        "Assignments saved: %(kept)s kept, %(added)s added, %(removed)s removed; "
                        "%(short)s projects short of %(per_project)s reviewers."
                    )
                    % {
                        "kept": plan.kept,
                        "added": plan.added,
                        "removed": plan.removed,
                        "short": len(plan.short),
                        "per_project": parameters["per_project"],
                    },
                )
                return redirect("projects:round", pk=pk)
        else:
            preview = selectors.balance_preview(rating_round=rating_round, **parameters)
    return render(
        request,
        "projects/balanced_assignment.html",
        {"round": rating_round, "form": form, "preview": preview},
        status=400 if form.is_bound and form.errors else 200,
    )


@company_admin_required
def round_progress(request, pk: int):
    """Rated / assigned per department and per reviewer; both tables export as CSV or .xlsx."""
    rating_round = get_object_or_404(RatingRound, pk=pk)
    departments = selectors.department_progress_rows(rating_round=rating_round)
    if request.GET.get("table") == "departments":
        exported = export_if_requested(
            request, rows=departments, columns=DEPARTMENT_PROGRESS_COLUMNS, filename="progress-departments"
        )
        if exported:
            return exported
    return filtered_list_page(
        request,
        filterset=ReviewerProgressFilterSet(
            request.GET or None, queryset=selectors.reviewer_progress_rows(rating_round=rating_round)
        ),
        template="projects/round_progress.html",
        context={"round": rating_round, "departments": departments},
        export=(REVIEWER_PROGRESS_COLUMNS, "progress-reviewers"),
    )


@role_required(Role.ADMIN, Role.REVIEWER)
def project_discussion(request, round_pk: int, project_pk: int):
    """After the window closes, a project's raters see each other's scores and comments and discuss."""
    rating_round = get_object_or_404(RatingRound, pk=round_pk)
    project = get_object_or_404(BranchProject.objects.visible_to(request.user), pk=project_pk)
    if not rating_round.is_closed:
        messages.error(request, _("The discussion opens when the rating window closes."))
        return redirect("projects:detail", pk=project.pk)
    if not selectors.may_discuss(user=request.user, rating_round=rating_round, project=project):
        raise Http404
    form = DiscussionPostForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.post_to_discussion(
                user=request.user, rating_round=rating_round, project=project, body=form.cleaned_data["body"]
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Your message is posted."))
            return redirect("projects:discussion", round_pk=rating_round.pk, project_pk=project.pk)
    return render(
        request,
        "projects/discussion.html",
        {
            "round": rating_round,
            "project": project,
            "discussion": selectors.discussion(rating_round=rating_round, project=project),
            "form": form,
        },
        status=400 if request.method == "POST" else 200,
    )


@role_required(Role.REVIEWER)
def rating_table(request):
    """Rate many projects on one page: one row per project of the queue, one input per criterion; each
    row is saved on change (static/js/rating_table.js posts it to `rate_row`)."""
    rating_round = selectors.open_rounds().filter(pk=request.GET.get("round") or None).first() or (
        selectors.open_rounds().first()
    )
    rows = []
    criteria = []
    if rating_round is not None:
        criteria = list(rating_round.criteria.all())
        mine = selectors.my_ratings(user=request.user, rating_round=rating_round)
        show = request.GET.get("show")
        for assignment in selectors.filtered_reviewer_queue(
            user=request.user, rating_round=rating_round, show=show
        ):
            rating = mine.get(assignment.project_id)
            rows.append(
                {
                    "assignment": assignment,
                    "rating": rating,
                    "values": [
                        (criterion, rating.rubric_scores.get(str(criterion.pk), "") if rating else "")
                        for criterion in criteria
                    ],
                }
            )
    return render(
        request,
        "projects/rating_table.html",
        {
            "round": rating_round,
            "criteria": criteria,
            "rows": rows,
            "refusal": services.rating_refusal(rating_round=rating_round) if rating_round else None,
        },
    )


@require_POST
@role_required(Role.REVIEWER)
def rate_row(request, round_pk: int, project_pk: int):
    """One row of the rating table, as JSON: 200 saved (with the new version), 400 with the messages by
    field, 409 when the rating changed since the page was loaded (optimistic locking)."""
    rating_round = get_object_or_404(RatingRound, pk=round_pk)
    assignment = selectors.assignment_for_rater_or_404(
        user=request.user, rating_round=rating_round, project_id=project_pk
    )
    rating = selectors.my_ratings(user=request.user, rating_round=rating_round).get(project_pk)
    form = RatingForm(request.POST, criteria=rating_round.criteria.all(), rating=rating)
    if not form.is_valid():
        return JsonResponse({"errors": form.errors.get_json_data()}, status=400)
    try:
        saved = services.submit_rating(user=request.user, assignment=assignment, **form.submission())
    except PermissionDenied as exc:
        raise Http404 from exc
    except StaleEditError as exc:
        form.add_error(None, exc.message)
        return JsonResponse({"errors": form.errors.get_json_data()}, status=409)
    except ValidationError as exc:
        # The one mapper of service errors onto a form, so the answer has the invalid form's shape.
        apply_errors(form, exc)
        return JsonResponse({"errors": form.errors.get_json_data()}, status=400)
    return JsonResponse(
        {
            "message": _("Saved: %(score)s") % {"score": saved.score},
            "version": saved.version,
            "score": str(saved.score),
        }
    )

"""Pages of the supervision app. Thin: scope, parse, call a service or selector, render."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from branchtrack.web.form_page import apply_errors, form_page
from branchtrack.web.fragment_cache import cached_fragment, fragment_key
from branchtrack.web.list_page import PAGE_SIZE, filtered_list_page
from branchtrack.web.navigation import may_open
from branchtrack.web.uploads import stored_file_response
from org.models import Branch, Role, Unit
from org.permissions import role_required, unit_scope_path
from supervision import forecast, selectors, services
from supervision.exports import PROBLEM_COLUMNS, UNVISITED_COLUMNS, VISIT_COLUMNS
from supervision.filters import (
    FeedbackFilterSet,
    GoodPracticeFilterSet,
    MeetingFilterSet,
    ProblemFilterSet,
    UnitCoverageFilterSet,
    UnvisitedBranchFilterSet,
    VisitFilterSet,
)
from supervision.forms import FeedbackForm, FindingForm, MeetingForm, ResolveProblemForm, VisitForm
from supervision.models import Campaign, Feedback, Finding, MeetingAttendance

# What the dashboard's cache key cannot see (a unit or campaign renamed) shows at most this late.
DASHBOARD_CACHE_SECONDS = 300
OFFICE = (Role.ADMIN, Role.STAFF)
EVERYONE = (Role.ADMIN, Role.STAFF, Role.REVIEWER, Role.SECRETARY)


def _filtered(request, filterset_class, queryset, **kwargs):
    """Bind a FilterSet; None means the filter values were invalid (the page answers 400)."""
    filterset = filterset_class(request.GET or None, queryset=queryset, **kwargs)
    if filterset.is_bound and not filterset.is_valid():
        return filterset, False
    return filterset, True


# --- dashboard ----------------------------------------------------------------------------------


@role_required(*OFFICE)
def index(request):
    campaign = selectors.campaigns_for(request.user).first()
    if campaign is None:
        return render(request, "supervision/no_campaign.html")
    return redirect("supervision:dashboard", pk=campaign.pk)


@role_required(*OFFICE)
def dashboard(request, pk: int):
    campaign = get_object_or_404(selectors.campaigns_for(request.user), pk=pk)
    version = selectors.snapshot_version(campaign=campaign)
    # Everything below the header is drawn from the snapshots, so it is cached until the next
    # roll-up: a repeat view costs the lookups above instead of the unit table's queries and
    # rendering (bench/README.md, figure 3).
    as_of = _forecast_day(request, campaign)
    key = fragment_key(
        "supervision-dashboard",
        campaign.pk,
        version,
        # The forecast also moves with the plan and the day.
        selectors.plan_version(campaign=campaign),
        as_of,
        unit_scope_path(request.user),
        request.user.unit_id,
        get_language(),
        sorted(request.GET.lists()),
    )
    body, status = cached_fragment(
        key,
        lambda: _dashboard_body(request, campaign, version.day, as_of),
        timeout=DASHBOARD_CACHE_SECONDS,
    )
    return render(request, "supervision/dashboard.html", {"campaign": campaign, "body": body}, status=status)


def _forecast_day(request, campaign: Campaign):
    """Today within the campaign, or the day asked for (a past campaign's forecast as it stood then)."""
    try:
        asked = datetime.date.fromisoformat(request.GET.get("as_of", ""))
    except ValueError:
        asked = None
    return forecast.default_day(campaign, asked or timezone.localdate())


def _dashboard_body(request, campaign: Campaign, day, as_of) -> tuple[str, int]:
    board = selectors.dashboard(user=request.user, campaign=campaign, day=day)
    rows = selectors.unit_snapshots(user=request.user, campaign=campaign, day=day)
    filterset, ok = _filtered(request, UnitCoverageFilterSet, rows, user=request.user)
    # Paged: at State Grid size a scope holds 2,000 units. The branches not visited yet have their
    # own page (`unvisited`); the dashboard counts them from the snapshot, like every figure on it.
    unit_page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("units_page")) if ok else None
    unit_rows = list(unit_page) if unit_page is not None else []
    projection = forecast.forecast_for(
        campaign=campaign, unit=selectors.headline_unit(user=request.user), as_of=as_of
    )
    chart = {
        "units": [row.unit.name for row in unit_rows],
        "coverage": [float(row.coverage_percent or 0) for row in unit_rows],
        "trend_days": [point.day.isoformat() for point in board.trend],
        "trend_coverage": [float(point.coverage_percent or 0) for point in board.trend],
        # Two projected lines from the forecast's day to the campaign's end.
        "forecast_days": [day.isoformat() for day, _value in projection.plan_curve],
        "forecast_plan": [float(value) for _day, value in projection.plan_curve],
        "forecast_rate": [float(value) for _day, value in projection.rate_curve],
        "labels": {
            "coverage": _("Coverage %"),
            "plan": _("Projected by the plan"),
            "rate": _("Projected at the current rate"),
        },
    }
    context = {
        "campaign": campaign,
        "campaigns": selectors.campaigns_for(request.user),
        "board": board,
        "filter": filterset,
        "unit_rows": unit_rows,
        "unit_page": unit_page,
        "chart": chart,
        "projection": projection,
        "snapshot_days": [point.day for point in board.trend],
    }
    html = render_to_string("supervision/dashboard_body.html", context, request)
    return html, 200 if ok else 400


@role_required(*OFFICE)
def unvisited_branches(request, pk: int):
    """The branches of the campaign that no completed visit reached yet: whom to visit next."""
    campaign = get_object_or_404(selectors.campaigns_for(request.user), pk=pk)
    queryset = selectors.unvisited_branches(user=request.user, campaign=campaign).annotate(
        open_plan_on=selectors.open_plan_day(campaign=campaign)
    )
    return filtered_list_page(
        request,
        filterset=UnvisitedBranchFilterSet(request.GET or None, queryset=queryset, user=request.user),
        template="supervision/unvisited_list.html",
        context={"campaign": campaign, "can_plan": services.can_plan(request.user)},
        export=(UNVISITED_COLUMNS, "unvisited-branches"),
    )


# --- visits -------------------------------------------------------------------------------------


@role_required(*EVERYONE)
def visit_list(request):
    queryset = selectors.visit_list(user=request.user)
    return filtered_list_page(
        request,
        filterset=VisitFilterSet(request.GET or None, queryset=queryset, user=request.user),
        template="supervision/visit_list.html",
        context={
            "campaigns": selectors.campaigns_for(request.user),
            "can_log": may_open(visit_create, request.user),
        },
        export=(VISIT_COLUMNS, "visits"),
    )


def _visit_form_context(form, campaign, branch, previous, **extra):
    return {"form": form, "campaign": campaign, "branch": branch, "previous": previous, **extra}


@role_required(*OFFICE)
def visit_create(request, campaign_pk: int):
    campaign = get_object_or_404(Campaign.objects.select_related("template"), pk=campaign_pk)
    branches = selectors.visitable_branches(user=request.user, campaign=campaign)
    branch_id = request.POST.get("branch") if request.method == "POST" else request.GET.get("branch")
    branch = None
    if branch_id and str(branch_id).isascii() and str(branch_id).isdigit():  # not "²"
        # A branch outside the user's scope is not found, whichever way its id arrives.
        branch = get_object_or_404(
            Branch.objects.visible_to(request.user).select_related("unit"), pk=branch_id
        )
    areas = selectors.checklist_areas(template_id=campaign.template_id)
    initial = {"branch": branch, "visitors": request.user.get_full_name()}
    plan = selectors.plan_to_log(user=request.user, plan_id=request.GET.get("plan"), branch=branch)
    if plan is not None:
        # "Log this visit" from a plan: its visitors, and today if the campaign is on.
        initial["visitors"] = plan.visitor_names
        if campaign.starts_on <= timezone.localdate() <= campaign.ends_on:
            initial["visited_on"] = timezone.localdate()
    form = VisitForm(
        request.POST or None,
        campaign=campaign,
        branches=branches,
        areas=areas,
        initial=initial,
    )
    previous = selectors.previous_visit(branch=branch) if branch else None
    return form_page(
        request,
        form=form,
        save=lambda data: services.create_visit(
            user=request.user, campaign=campaign, branch=data["branch"], **form.visit_fields()
        ),
        success_message=lambda visit: (
            _("Visit completed.") if visit.is_completed else _("Visit saved as a draft.")
        ),
        success_url=lambda visit: reverse("supervision:visit_detail", args=[visit.pk]),
        template="supervision/visit_form.html",
        context=_visit_form_context(form, campaign, branch, previous, title=_("Log a visit")),
    )


@role_required(*OFFICE)
def visit_edit(request, pk: int):
    visit = selectors.visit_detail(user=request.user, pk=pk, for_change=True)
    areas = selectors.checklist_areas(template_id=visit.template_id)
    initial = {
        "branch": visit.branch,
        "visited_on": visit.visited_on,
        "visitors": visit.visitors,
        "overall_comment": visit.overall_comment,
        "version": visit.version,
    }
    for score in visit.scores.all():
        initial[f"score_{score.item_id}"] = score.score
        initial[f"remark_{score.item_id}"] = score.remark
    form = VisitForm(
        request.POST or None,
        campaign=visit.campaign,
        branches=Branch.objects.visible_to(request.user).filter(pk=visit.branch_id),
        areas=areas,
        fixed_branch=True,
        initial=initial,
    )
    previous = selectors.previous_visit(branch=visit.branch, before=visit)
    return form_page(
        request,
        form=form,
        save=lambda data: services.update_visit(
            user=request.user,
            visit=visit,
            expected_version=data["version"] or 0,
            visited_on=data["visited_on"],
            visitors=data["visitors"],
            overall_comment=data["overall_comment"],
            scores=form.scores(),
            complete=form.complete_requested,
        ),
        success_message=_("Visit saved."),
        success_url=reverse("supervision:visit_detail", args=[visit.pk]),
        template="supervision/visit_form.html",
        context=_visit_form_context(
            form, visit.campaign, visit.branch, previous, visit=visit, title=_("Edit visit")
        ),
    )


@role_required(*EVERYONE)
def visit_detail(request, pk: int):
    visit = selectors.visit_detail(user=request.user, pk=pk)
    can_edit = visit.editable
    finding_form = None
    if can_edit:
        units = Unit.objects.visible_to(request.user)
        finding_form = FindingForm(
            request.POST or None, units=units, initial={"owner_unit": visit.branch.unit_id}
        )
        if request.method == "POST" and finding_form.is_valid():
            try:
                services.add_finding(visit=visit, **finding_form.cleaned_data)
            except ValidationError as exc:
                apply_errors(finding_form, exc)
            else:
                messages.success(request, _("Finding added."))
                return redirect("supervision:visit_detail", pk=visit.pk)
    elif request.method == "POST":
        raise Http404
    findings = visit.findings.select_related("owner_unit", "confirmed_by_visit").with_overdue_flag()
    areas = selectors.checklist_areas(template_id=visit.template_id)
    scores = {score.item_id: score for score in visit.scores.all()}
    area_totals, total = selectors.weighted_area_scores(areas=areas, scores=scores)
    confirmable = selectors.fixes_to_confirm(visit=visit) if can_edit else []
    photos_by_item, photos_by_finding, visit_photos = {}, {}, []
    for photo in visit.photos.all():
        if photo.finding_id:
            photos_by_finding.setdefault(photo.finding_id, []).append(photo)
        elif photo.item_id:
            photos_by_item.setdefault(photo.item_id, []).append(photo)
        else:
            visit_photos.append(photo)
    context = {
        "photos_by_item": photos_by_item,
        "photos_by_finding": photos_by_finding,
        "visit_photos": visit_photos,
        "visit": visit,
        "areas": areas,
        "scores": scores,
        "area_totals": area_totals,
        "total": total,
        "findings": findings,
        "finding_form": finding_form,
        "can_edit": can_edit,
        "confirmable": confirmable,
    }
    return render(
        request, "supervision/visit_detail.html", context, status=400 if request.method == "POST" else 200
    )


# --- findings -----------------------------------------------------------------------------------


@role_required(*EVERYONE)
def problem_list(request):
    queryset = selectors.problem_list(user=request.user)
    return filtered_list_page(
        request,
        filterset=ProblemFilterSet(request.GET or None, queryset=queryset, user=request.user),
        template="supervision/problem_list.html",
        context={"escalated": selectors.escalated_problems_for(request.user).count()},
        export=(PROBLEM_COLUMNS, "problems"),
    )


@role_required(*EVERYONE)
def problem_detail(request, pk: int):
    problem = get_object_or_404(selectors.problem_list(user=request.user).with_editable(request.user), pk=pk)
    can_edit = problem.editable
    resolving = request.POST.get("action") == "resolve"
    form = ResolveProblemForm(request.POST if resolving else None, request.FILES if resolving else None)
    if request.method == "POST":
        if not can_edit:
            raise Http404
        action = request.POST.get("action")
        try:
            if action == "start":
                services.start_work_on_problem(problem=problem)
                messages.success(request, _("The problem is now in progress."))
                return redirect("supervision:problem_detail", pk=problem.pk)
            if action == "resolve" and form.is_valid():
                services.resolve_problem(problem=problem, **form.cleaned_data)
                messages.success(request, _("The problem is resolved."))
                return redirect("supervision:problem_detail", pk=problem.pk)
            if action == "confirm":
                visit_id = request.POST.get("visit", "")
                if not (visit_id.isascii() and visit_id.isdigit()):
                    raise Http404
                visit = selectors.visit_detail(user=request.user, pk=int(visit_id), for_change=True)
                services.confirm_fix_at_visit(problem=problem, visit=visit)
                messages.success(request, _("The fix is confirmed."))
                return redirect("supervision:visit_detail", pk=visit.pk)
        except ValidationError as exc:
            apply_errors(form, exc)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "supervision/problem_detail.html",
        {"problem": problem, "form": form, "can_edit": can_edit},
        status=status,
    )


@role_required(*EVERYONE)
def problem_evidence(request, pk: int):
    """The photo or PDF of a problem's fix, for whoever may see the problem."""
    problem = get_object_or_404(selectors.problem_list(user=request.user), pk=pk)
    if not problem.evidence_file:
        raise Http404
    return stored_file_response(
        problem.evidence_file,
        content_type=problem.evidence_content_type,
        filename=problem.evidence_original_name or problem.evidence_file.name.rsplit("/", 1)[-1],
    )


@role_required(*EVERYONE)
def good_practice_list(request):
    return filtered_list_page(
        request,
        filterset=GoodPracticeFilterSet(request.GET or None, queryset=selectors.good_practice_catalogue()),
        template="supervision/good_practice_list.html",
    )


@require_POST
@role_required(*OFFICE)
def good_practice_catalogue_toggle(request, pk: int):
    finding = get_object_or_404(Finding.objects.editable_by(request.user).good_practices(), pk=pk)
    services.set_in_catalogue(finding=finding, in_catalogue=request.POST.get("in_catalogue") == "1")
    messages.success(
        request,
        _("Added to the good-practice catalogue.")
        if finding.in_catalogue
        else _("Removed from the good-practice catalogue."),
    )
    return redirect("supervision:visit_detail", pk=finding.visit_id)


# --- meetings and feedback ----------------------------------------------------------------------


@role_required(*OFFICE)
def meeting_list(request):
    queryset = MeetingAttendance.objects.visible_to(request.user).select_related(
        "unit", "campaign", "created_by"
    )
    return filtered_list_page(
        request,
        filterset=MeetingFilterSet(request.GET or None, queryset=queryset, user=request.user),
        template="supervision/meeting_list.html",
    )


@role_required(*OFFICE)
def meeting_create(request):
    return form_page(
        request,
        form=MeetingForm(request.POST or None, units=Unit.objects.visible_to(request.user)),
        save=lambda data: services.record_meeting(user=request.user, **data),
        success_message=_("Meeting attendance recorded."),
        success_url=reverse("supervision:meeting_list"),
        template="supervision/simple_form.html",
        context={"title": _("Record meeting attendance")},
    )


@login_required
def feedback_list(request):
    queryset = Feedback.objects.visible_to(request.user).select_related("campaign", "unit", "created_by")
    return filtered_list_page(
        request,
        filterset=FeedbackFilterSet(request.GET or None, queryset=queryset),
        template="supervision/feedback_list.html",
        context={"can_write": may_open(feedback_create, request.user)},
    )


@role_required(*OFFICE)
def feedback_create(request):
    return form_page(
        request,
        form=FeedbackForm(request.POST or None, units=Unit.objects.visible_to(request.user)),
        save=lambda data: services.write_feedback(user=request.user, **data),
        success_message=_("Feedback saved. Send it when it is ready."),
        success_url=lambda feedback: reverse("supervision:feedback_detail", args=[feedback.pk]),
        template="supervision/simple_form.html",
        context={"title": _("Write feedback to a unit")},
    )


@login_required
def feedback_detail(request, pk: int):
    feedback = get_object_or_404(
        Feedback.objects.visible_to(request.user)
        .select_related("campaign", "unit", "created_by")
        .with_editable(request.user),
        pk=pk,
    )
    can_send = feedback.editable and not feedback.is_sent
    if request.method == "POST":
        if not can_send:
            raise Http404
        services.send_feedback(feedback=feedback)
        messages.success(request, _("Feedback sent: the unit's users can read it now."))
        return redirect("supervision:feedback_detail", pk=feedback.pk)
    return render(request, "supervision/feedback_detail.html", {"feedback": feedback, "can_send": can_send})

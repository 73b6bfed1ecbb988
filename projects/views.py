"""Pages of 一支部一项目一特色. Thin: scope, parse, call a service or selector, render."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from branchtrack.web.concurrency import StaleEditError
from branchtrack.web.form_page import apply_errors, form_page
from branchtrack.web.list_page import PAGE_SIZE, filtered_list_page
from branchtrack.web.replica import heavy_reads
from branchtrack.web.table_export import export_if_requested
from org.models import Role
from org.permissions import company_admin_required, role_required
from projects import ranking as ranking_engine
from projects import selectors, services
from projects.exports import PROJECT_COLUMNS, RANKING_COLUMNS, RATING_COLUMNS
from projects.filters import ProjectFilterSet, RatingFilterSet
from projects.forms import (
    ConfirmationForm,
    NewProjectForm,
    NominationForm,
    OutstandingForm,
    ProjectForm,
    RatingForm,
    RulesForm,
)
from projects.history import readable_changes
from projects.models import BranchProject, Rating, RatingRound, Rounding, TrackingList

ALL_ROLES = (Role.ADMIN, Role.STAFF, Role.REVIEWER, Role.SECRETARY)


# --- projects --------------------------------------------------------------------------------------


@role_required(*ALL_ROLES)
def project_list(request):
    queryset = selectors.project_list_queryset(user=request.user).order_by("-year", "branch__code")
    filterset = ProjectFilterSet(request.GET or None, queryset=queryset, user=request.user)
    if filterset.is_bound and not filterset.is_valid():
        return render(request, "projects/project_list.html", {"filter": filterset, "page": None}, status=400)
    exported = export_if_requested(request, rows=filterset.qs, columns=PROJECT_COLUMNS, filename="projects")
    if exported:
        return exported
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "projects/project_list.html",
        {
            "filter": filterset,
            "page": page,
            "may_enter": selectors.round_to_enter_project_for(user=request.user),
        },
    )


@role_required(Role.SECRETARY)
def project_create(request):
    rating_round = selectors.round_to_enter_project_for(user=request.user)
    repeat = selectors.project_sent_before(user=request.user, key=request.POST.get("idempotency_key"))
    if repeat is not None:  # the form sent again after it made the project: the same answer
        return redirect("projects:detail", pk=repeat.pk)
    if rating_round is None:
        messages.info(request, _("Your branch has no project to enter now."))
        return redirect("projects:list")
    form = NewProjectForm(request.POST or None)
    return form_page(
        request,
        form=form,
        save=lambda data: services.create_project(
            user=request.user,
            branch=request.user.branch,
            year=rating_round.year,
            data={
                name: value for name, value in data.items() if name not in ("departments", "idempotency_key")
            },
            departments=data["departments"],
            idempotency_key=data["idempotency_key"],
        ),
        success_message=lambda project: (
            _("Your branch's %(year)s project is entered.") % {"year": project.year}
        ),
        success_url=lambda project: reverse("projects:detail", args=[project.pk]),
        template="projects/project_create.html",
        context={"round": rating_round},
    )


@role_required(*ALL_ROLES)
def project_detail(request, pk: int):
    project = get_object_or_404(
        BranchProject.objects.select_related("branch__unit")
        .visible_to(request.user)
        .with_editable(request.user),
        pk=pk,
    )
    overview = selectors.project_rating_overview(user=request.user, project=project)
    revisions = [
        (revision, readable_changes(revision))
        for revision in project.revisions.select_related("changed_by").order_by("-number")
    ]
    return render(
        request,
        "projects/project_detail.html",
        {
            "project": project,
            "departments": project.departments.order_by("code"),
            "round": overview.round,
            "ratings": overview.ratings,
            "figures": overview.figures,
            "scores_visible": overview.scores_visible,
            "entry": overview.entry,
            "outstanding": overview.outstanding,
            "revisions": revisions,
            "may_edit": project.editable,
        },
    )


@role_required(Role.ADMIN, Role.SECRETARY)
def project_edit(request, pk: int):
    project = get_object_or_404(BranchProject.objects.editable_by(request.user), pk=pk)
    frozen = services.rated_content_frozen(user=request.user, project=project)
    form = ProjectForm(request.POST or None, instance=project, frozen=bool(frozen))
    return form_page(
        request,
        form=form,
        save=lambda data: services.update_project(
            user=request.user,
            project=project,
            data={name: data[name] for name in services.EDITABLE_FIELDS},
            reason=data["reason"],
            expected_version=data["version"] or 0,
        ),
        success_message=_revision_message,
        message_level=_revision_message_level,
        success_url=reverse("projects:detail", args=[project.pk]),
        template="projects/project_edit.html",
        context={"project": project, "frozen": frozen},
    )


def _revision_message(revision) -> str:
    if revision is None:
        return _("Nothing changed.")
    if revision.material:
        return _("Saved. The central business item or indicator changed: the raters are asked to look again.")
    return _("Saved; the change is kept in the revision history.")


def _revision_message_level(revision) -> int:
    if revision is None:
        return messages.INFO
    return messages.WARNING if revision.material else messages.SUCCESS


# --- the reviewer's queue and ratings --------------------------------------------------------------


@role_required(Role.REVIEWER)
def reviewer_queue(request):
    rounds = list(selectors.open_rounds())
    rating_round = None
    if rounds:
        wanted = request.GET.get("round")
        rating_round = next((r for r in rounds if str(r.pk) == wanted), rounds[0])
    queue = progress = None
    if rating_round is not None:
        queue = selectors.filtered_reviewer_queue(
            user=request.user, rating_round=rating_round, show=request.GET.get("show")
        )
        progress = selectors.reviewer_progress(user=request.user, rating_round=rating_round)
    return render(
        request,
        "projects/queue.html",
        {
            "rounds": rounds,
            "round": rating_round,
            "queue": queue,
            "progress": progress,
            "show": request.GET.get("show") if request.GET.get("show") in selectors.QUEUE_FILTERS else "",
            "window_end": selectors.window_end(rating_round) if rating_round else None,
        },
    )


@role_required(Role.REVIEWER)
def rate_project(request, round_pk: int, project_pk: int):
    rating_round = get_object_or_404(RatingRound, pk=round_pk)
    assignment = selectors.assignment_for_rater_or_404(
        user=request.user, rating_round=rating_round, project_id=project_pk
    )
    project = assignment.project
    rating = Rating.objects.filter(round=rating_round, project=project, rater=request.user).first()
    criteria = rating_round.criteria.all()
    form = RatingForm(request.POST or None, criteria=criteria, rating=rating)
    refusal = services.rating_refusal(rating_round=rating_round)
    status = 200
    if request.method == "POST":
        status = 400
        if refusal:
            form.add_error(None, refusal)
        elif form.is_valid():
            try:
                services.submit_rating(user=request.user, assignment=assignment, **form.submission())
            except PermissionDenied as exc:
                raise Http404 from exc
            except StaleEditError as exc:
                form.add_error(None, exc.message)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(
                    request, _("Your rating of %(project)s is saved.") % {"project": project.title}
                )
                return redirect(_after_rating(request, rating_round=rating_round, project=project))
    last_material = project.revisions.filter(material=True).order_by("-number").first()
    return render(
        request,
        "projects/rate.html",
        {
            "round": rating_round,
            "project": project,
            "rating": rating,
            "form": form,
            "departments": project.departments.order_by("code"),
            "last_material": last_material,
            "last_material_changes": readable_changes(last_material) if last_material else [],
            "refusal": refusal,
            "show": _queue_filter(request),
            "window_end": selectors.window_end(rating_round),
        },
        status=status,
    )


def _queue_filter(request) -> str:
    show = request.GET.get("show")
    return show if show in selectors.QUEUE_FILTERS else ""


def _after_rating(request, *, rating_round: RatingRound, project: BranchProject) -> str:
    """ "Save and next" opens the next project of the queue as the reviewer filtered it; otherwise,
    or when nothing is left, the queue with its filter."""
    show = _queue_filter(request)
    suffix = f"show={show}" if show else ""
    if "save_next" in request.POST:
        following = selectors.next_in_queue(
            user=request.user, rating_round=rating_round, after=project, show=show or None
        )
        if following is not None:
            url = reverse("projects:rate", kwargs={"round_pk": rating_round.pk, "project_pk": following})
            return f"{url}?{suffix}" if suffix else url
    return f"{reverse('projects:queue')}?round={rating_round.pk}" + (f"&{suffix}" if suffix else "")


@role_required(Role.ADMIN, Role.REVIEWER)
def rating_list(request):
    queryset = (
        Rating.objects.select_related("round", "project__branch__unit", "department", "rater")
        .visible_to(request.user)
        .order_by("-round__year", "project__branch__code", "department__code")
    )
    return filtered_list_page(
        request,
        filterset=RatingFilterSet(request.GET or None, queryset=queryset, user=request.user),
        template="projects/rating_list.html",
        export=(RATING_COLUMNS, "ratings"),
    )


# --- rounds, ranking and the published lists -------------------------------------------------------


@company_admin_required
def round_list(request):
    rounds = RatingRound.objects.order_by("-year")
    return render(request, "projects/round_list.html", {"rounds": rounds})


@company_admin_required
def round_detail(request, pk: int):
    rating_round = get_object_or_404(RatingRound, pk=pk)
    form = RulesForm(request.POST or None, instance=rating_round)

    def context() -> dict:
        rating_round.refresh_from_db()  # validating the form changed the instance
        tracking_list = selectors.current_tracking_list(rating_round=rating_round)
        return {
            "round": rating_round,
            "criteria": rating_round.criteria.all(),
            "progress": selectors.department_progress(rating_round=rating_round),
            "tracking_list": tracking_list,
            "outstanding": selectors.current_outstanding_list(tracking_list=tracking_list),
            "history": selectors.published_lists(rating_round=rating_round),
            "round_history": selectors.round_history(rating_round=rating_round),
            "figures": selectors.year_figures(year=rating_round.year),
        }

    return form_page(
        request,
        form=form,
        save=lambda data: services.update_rules(
            rating_round=rating_round,
            user=request.user,
            data={name: data[name] for name in services.RULE_FIELDS},
            reason=data["reason"],
        ),
        success_message=_("The rules are saved."),
        success_url=reverse("projects:round", args=[rating_round.pk]),
        template="projects/round_detail.html",
        context=context,
    )


@require_POST
@company_admin_required
def round_open(request, pk: int):
    rating_round = get_object_or_404(RatingRound, pk=pk)
    try:
        made = services.open_round(rating_round=rating_round, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The window is open; %(count)s assignments made.") % {"count": made})
    return redirect("projects:round", pk=pk)


@company_admin_required
def ranking(request, pk: int):
    rating_round = get_object_or_404(RatingRound, pk=pk)
    if not rating_round.is_closed:
        messages.error(request, _("The ranking is shown once the rating window has closed."))
        return redirect("projects:round", pk=pk)
    rule = request.GET.get("rule")
    if rule not in RatingRound.Aggregation.values:
        rule = rating_round.aggregation

    def ranked_rows():
        with heavy_reads():  # from a replica when there is one (branchtrack/web/replica.py)
            return ranking_engine.rank_projects(
                rating_round=rating_round, aggregation=rule, with_projects=True
            )

    ranked = None
    if request.method != "POST":
        ranked = ranked_rows()
        exported = export_if_requested(
            request, rows=ranked, columns=RANKING_COLUMNS, filename=f"ranking-{rating_round.year}"
        )
        if exported:
            return exported

    def context() -> dict:
        rows = ranked if ranked is not None else ranked_rows()
        cut = (
            ranking_engine.compute_cut(rating_round=rating_round, ranked=rows)
            if rule == rating_round.aggregation
            else None
        )
        return {
            "round": rating_round,
            "ranked": rows,
            "cut": cut,
            "rule": rule,
            "rules": RatingRound.Aggregation.choices,
            "tracking_list": selectors.current_tracking_list(rating_round=rating_round),
            "assigned_unrated": selectors.unrated_project_count(rating_round=rating_round),
        }

    # Checked here, before ranking anything; published in a background job whose page shows its progress.
    return form_page(
        request,
        form=ConfirmationForm(request.POST or None),
        save=lambda data: services.start_publishing(
            rating_round=rating_round, user=request.user, reason=data["reason"]
        ),
        success_url=lambda job: reverse("job_detail", args=[job.pk]),
        template="projects/ranking.html",
        context=context,
    )


@role_required(Role.ADMIN, Role.STAFF)
def tracking_list_detail(request, pk: int):
    tracking_list = get_object_or_404(TrackingList.objects.select_related("round", "published_by"), pk=pk)
    entries = selectors.tracking_entries(tracking_list=tracking_list).filter(
        project__in=BranchProject.objects.visible_to(request.user)
    )
    exported = export_if_requested(
        request, rows=entries, columns=RANKING_COLUMNS, filename=f"tracking-list-{tracking_list.round.year}"
    )
    if exported:
        return exported
    outstanding = selectors.current_outstanding_list(tracking_list=tracking_list)
    return render(
        request,
        "projects/tracking_list.html",
        {
            "list": tracking_list,
            "entries": entries,
            "outstanding": outstanding,
            "outstanding_count": outstanding.projects.count() if outstanding else 0,
            "only_outstanding": request.GET.get("outstanding") == "1",
            "rule_labels": _rule_labels(tracking_list.rules),
        },
    )


def _rule_labels(rules: dict) -> dict[str, str]:
    return {
        "aggregation": RatingRound.Aggregation(rules["aggregation"]).label,
        "cut_rounding": Rounding(rules["cut_rounding"]).label,
        "tie_rule": RatingRound.TieRule(rules["tie_rule"]).label,
    }


@company_admin_required
def outstanding_confirm(request, pk: int):
    rating_round = get_object_or_404(RatingRound, pk=pk)
    tracking_list = selectors.current_tracking_list(rating_round=rating_round)
    if tracking_list is None:
        messages.error(request, _("Publish the tracking list before confirming outstanding projects."))
        return redirect("projects:round", pk=pk)
    entries = list(selectors.tracking_entries(tracking_list=tracking_list))
    target = ranking_engine.outstanding_target(rating_round=rating_round, tracking_list=tracking_list)
    current = selectors.current_outstanding_list(tracking_list=tracking_list)
    if current:
        initial = list(current.projects.values_list("pk", flat=True))
    else:
        # Suggest the most nominated projects, the list's order breaking ties.
        suggested = sorted(entries, key=lambda entry: (-(entry.nomination_count or 0), entry.position))
        initial = [entry.project_id for entry in suggested[:target]]
    form = OutstandingForm(request.POST or None, entries=entries, initial={"projects": initial})
    return form_page(
        request,
        form=form,
        save=lambda data: services.confirm_outstanding(
            rating_round=rating_round, user=request.user, project_ids=data["projects"], reason=data["reason"]
        ),
        success_message=lambda confirmed: (
            _("%(count)s outstanding projects confirmed; they feed the annual assessment.")
            % {"count": confirmed.projects.count()}
        ),
        success_url=reverse("projects:tracking_list", kwargs={"pk": tracking_list.pk}) + "?outstanding=1",
        template="projects/outstanding.html",
        context=lambda: {
            "round": rating_round,
            "list": tracking_list,
            "rows": list(zip(form["projects"], entries, strict=True)),
            "target": target,
            "current": current,
        },
    )


@role_required(Role.REVIEWER)
def nominations(request):
    rating_round = selectors.latest_published_round()
    if request.method == "POST" and rating_round is not None:
        form = NominationForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Choose a project of the list."))
            return redirect("projects:nominations")
        project = get_object_or_404(
            BranchProject.objects.visible_to(request.user), pk=form.cleaned_data["project"]
        )
        try:
            if form.cleaned_data["action"] == "withdraw":
                services.withdraw_nomination(user=request.user, rating_round=rating_round, project=project)
                messages.success(request, _("Nomination withdrawn."))
            else:
                services.nominate(
                    user=request.user,
                    rating_round=rating_round,
                    project=project,
                    note=form.cleaned_data["note"],
                )
                messages.success(request, _("%(project)s nominated.") % {"project": project.title})
        except PermissionDenied as exc:
            raise Http404 from exc
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect("projects:nominations")
    tracking_list = selectors.current_tracking_list(rating_round=rating_round) if rating_round else None
    return render(
        request,
        "projects/nominations.html",
        {
            "round": rating_round,
            "entries": selectors.nominable_entries(user=request.user, tracking_list=tracking_list),
            "confirmed": selectors.current_outstanding_list(tracking_list=tracking_list) is not None,
        },
    )

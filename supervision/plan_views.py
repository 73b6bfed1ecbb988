"""Pages of the visit plan (调研计划): my visits, assigning, the automatic plan, the calendar and its
feed, expected vs done, the forecast. Thin: scope, parse, call a service or selector, render."""

from __future__ import annotations

import calendar as month_calendar
import datetime

import icalendar
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from branchtrack.web.concurrency import StaleEditError
from branchtrack.web.form_page import apply_errors
from branchtrack.web.list_page import filtered_list_page
from branchtrack.web.table_export import ExportColumn
from org.models import Branch, Role, Unit
from org.permissions import role_required
from supervision import forecast, selectors, services
from supervision.filters import (
    CalendarFilterSet,
    PlanFilterSet,
    UnitForecastFilterSet,
    UnitProgressFilterSet,
    VisitorProgressFilterSet,
)
from supervision.forms import AssignForm, AutomaticPlanForm, PlanCancelForm, PlanEditForm
from supervision.models import CalendarFeed, PlannedVisit

OFFICE = (Role.ADMIN, Role.STAFF)
# Preview rows shown; the summary by visitor covers the whole proposal.
PREVIEW_ROWS = 200
# Branches one bulk action takes (the unvisited list's selection is at most a page of them).
MAX_ASSIGN = 500

PLAN_COLUMNS = [
    ExportColumn(gettext_lazy("Planned date"), "planned_on", width=12),
    ExportColumn(gettext_lazy("Any day of that week"), "whole_week", width=8),
    ExportColumn(gettext_lazy("Branch code"), "branch.code", width=10),
    ExportColumn(gettext_lazy("Branch"), "branch.name", width=36),
    ExportColumn(gettext_lazy("Unit"), "branch.unit.name", width=22),
    ExportColumn(gettext_lazy("Visitors"), "visitor_names", width=24),
    ExportColumn(gettext_lazy("Status"), "get_status_display", width=10),
    ExportColumn(gettext_lazy("Reason for cancelling"), "cancel_reason", width=24),
]
PROGRESS_COLUMNS = [
    ExportColumn(gettext_lazy("Planned"), "planned", width=10),
    ExportColumn(gettext_lazy("Due so far"), "due", width=10),
    ExportColumn(gettext_lazy("Done"), "done", width=10),
    ExportColumn(gettext_lazy("Missed"), "missed", width=10),
    ExportColumn(gettext_lazy("Still to do"), "open", width=10),
    ExportColumn(gettext_lazy("Cancelled"), "cancelled", width=10),
]
UNIT_PROGRESS_COLUMNS = [
    ExportColumn(gettext_lazy("Unit code"), "code", width=10),
    ExportColumn(gettext_lazy("Unit"), "name", width=24),
    *PROGRESS_COLUMNS,
]
VISITOR_PROGRESS_COLUMNS = [
    ExportColumn(gettext_lazy("Visitor"), "get_full_name", width=16),
    ExportColumn(gettext_lazy("User name"), "username", width=14),
    ExportColumn(gettext_lazy("Unit"), "unit.name", width=22),
    *PROGRESS_COLUMNS,
]
FORECAST_COLUMNS = [
    ExportColumn(gettext_lazy("Unit code"), "unit.code", width=10),
    ExportColumn(gettext_lazy("Unit"), "unit.name", width=24),
    ExportColumn(gettext_lazy("Active"), "forecast.active", width=8),
    ExportColumn(gettext_lazy("Visited"), "forecast.visited", width=8),
    ExportColumn(gettext_lazy("Coverage %"), "forecast.coverage_percent", width=10),
    ExportColumn(gettext_lazy("Planned, not visited yet"), "forecast.planned", width=10),
    ExportColumn(gettext_lazy("Neither visited nor planned"), "forecast.unplanned", width=10),
    ExportColumn(gettext_lazy("Projected by the plan %"), "forecast.by_plan_percent", width=10),
    ExportColumn(gettext_lazy("Visits a week, recently"), "forecast.rate_per_week", width=10),
    ExportColumn(gettext_lazy("Projected at the current rate %"), "forecast.by_rate_percent", width=10),
    ExportColumn(
        gettext_lazy("Target reached at the current rate on"), "forecast.target_reached_on", width=14
    ),
    ExportColumn(gettext_lazy("At risk"), "forecast.at_risk", width=8),
]


def _campaign(request, pk: int):
    return get_object_or_404(selectors.campaigns_for(request.user), pk=pk)


def _ascii_ids(values: list[str]) -> list[int] | None:
    """Posted ids as integers; None if any is junk (other scripts' digits like '²' included)."""
    ids = []
    for value in values:
        if not (value.isascii() and value.isdigit()) or len(value) > 12:
            return None
        ids.append(int(value))
    return ids


# --- my visits ----------------------------------------------------------------------------------


@role_required(*OFFICE)
def my_visits(request):
    mine = selectors.my_visits(user=request.user)
    campaign = selectors.campaigns_for(request.user).first()
    context = {
        "mine": mine,
        "campaign": campaign,
        "feed": CalendarFeed.objects.filter(user=request.user).first(),
        "feed_url": request.session.pop("calendar_feed_url", None),
    }
    return render(request, "supervision/my_visits.html", context)


@role_required(*OFFICE)
def my_visits_json(request):
    """The same plans as plain data, for phones and the offline set."""
    return JsonResponse(selectors.my_visits(user=request.user).as_json())


@require_POST
@role_required(*OFFICE)
def calendar_feed(request):
    """Make, reset or revoke the user's secret calendar feed URL."""
    if request.POST.get("action") == "revoke":
        services.revoke_calendar_feed(user=request.user)
        messages.success(request, _("Your calendar feed is switched off: its address no longer works."))
    else:
        token = services.reset_calendar_feed(user=request.user)
        request.session["calendar_feed_url"] = request.build_absolute_uri(
            reverse("supervision:calendar_ics", args=[token])
        )
        messages.success(
            request,
            _(
                "A new calendar feed address: copy it now, it is shown only once. Any older one stops working."
            ),
        )
    return redirect("supervision:my_visits")


def calendar_ics(request, token: str):
    """A visitor's planned visits as iCalendar, for phone calendars: the secret URL is the credential."""
    user = services.calendar_feed_owner(token=token)
    if user is None:
        raise Http404
    feed = icalendar.Calendar()
    feed.add("prodid", "-//branchtrack//visit plan//ZH")
    feed.add("version", "2.0")
    with translation.override(settings.LANGUAGE_CODE):
        feed.add("x-wr-calname", _("Supervision visits"))
        for plan in selectors.feed_plans(user=user):
            event = icalendar.Event()
            event.add("uid", f"plan-{plan.pk}@branchtrack")
            event.add("summary", _("Visit: %(branch)s") % {"branch": plan.branch.name})
            event.add("location", plan.branch.unit.name)
            event.add("dtstart", plan.planned_on if not plan.whole_week else _monday(plan.planned_on))
            event.add("dtend", plan.due_on + datetime.timedelta(days=1))
            event.add("dtstamp", plan.updated_at)
            event.add("status", "CANCELLED" if plan.status == PlannedVisit.Status.CANCELLED else "CONFIRMED")
            names = "、".join(
                link.user.get_full_name() or link.user.username for link in plan.visitor_links.all()
            )
            event.add(
                "description",
                f"{plan.campaign.name}\n{_('Visitors')}: {names}\n{_('Status')}: {plan.get_status_display()}",
            )
            feed.add_component(event)
    response = HttpResponse(feed.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    return response


def _monday(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


# --- the plan of a campaign ---------------------------------------------------------------------


@role_required(*OFFICE)
def plan_index(request):
    campaign = selectors.campaigns_for(request.user).first()
    if campaign is None:
        return render(request, "supervision/no_campaign.html")
    return redirect("supervision:plan_list", pk=campaign.pk)


@role_required(Role.ADMIN)
def assign_current(request):
    """The branch list's "plan the ticked branches": the current campaign's assignment page."""
    campaign = selectors.campaigns_for(request.user).first()
    if campaign is None:
        return render(request, "supervision/no_campaign.html")
    url = reverse("supervision:plan_assign", args=[campaign.pk])
    query = request.GET.urlencode()
    return redirect(f"{url}?{query}" if query else url)


@role_required(*OFFICE)
def plan_list(request, pk: int):
    campaign = _campaign(request, pk)
    visitors = selectors.plannable_visitors(user=request.user)
    return filtered_list_page(
        request,
        filterset=PlanFilterSet(
            request.GET or None,
            queryset=selectors.plan_list(user=request.user, campaign=campaign),
            user=request.user,
            visitors=visitors,
        ),
        template="supervision/plan_list.html",
        context={"campaign": campaign, "can_plan": services.can_plan(request.user)},
        export=(PLAN_COLUMNS, "visit-plan"),
    )


@role_required(Role.ADMIN)
def assign(request, pk: int):
    """Plan the chosen branches (from the unvisited list or the branch list) in one action."""
    campaign = _campaign(request, pk)
    source = request.POST if request.method == "POST" else request.GET
    ids = _ascii_ids(source.getlist("branch"))
    if ids is None:
        return HttpResponseBadRequest(_("A branch id is not a number."))
    ids = list(dict.fromkeys(ids))
    if len(ids) > MAX_ASSIGN:
        # Never a silent cut: the user is told, and nothing is planned.
        return HttpResponseBadRequest(
            _("At most %(count)s branches can be planned in one action.") % {"count": MAX_ASSIGN}
        )
    branches = {
        b.pk: b
        for b in campaign.branches().visible_to(request.user).filter(pk__in=ids).select_related("unit")
    }
    if request.method == "GET" and len(branches) < len(ids):
        raise Http404  # a branch outside the scope is not found (a posted one gets its row's message)
    visitors = selectors.plannable_visitors(user=request.user)
    form = AssignForm(request.POST or None, visitors=visitors, campaign=campaign)
    row_errors: dict[int, list[str]] = {}
    if request.method == "POST" and form.is_valid():
        try:
            plans = services.assign_visits(user=request.user, campaign=campaign, rows=form.rows(ids))
        except services.PlanRowsError as exc:
            row_errors = exc.rows
            for message in exc.general:
                form.add_error(None, message)
            if not exc.general and not row_errors:
                form.add_error(None, exc.messages)
        else:
            messages.success(request, _("%(count)s visits planned.") % {"count": len(plans)})
            return redirect(reverse("supervision:plan_list", args=[campaign.pk]))
    rows = [(pk_, branches.get(pk_), row_errors.get(pk_, [])) for pk_ in ids]
    if request.method == "POST" and not ids:
        form.add_error(None, _("Choose at least one branch."))
    context = {"campaign": campaign, "form": form, "rows": rows, "row_errors": row_errors}
    return render(
        request, "supervision/plan_assign.html", context, status=400 if request.method == "POST" else 200
    )


@role_required(Role.ADMIN)
def automatic(request, pk: int):
    """Preview the automatic plan for a unit's subtree; save it as previewed."""
    campaign = _campaign(request, pk)
    units = Unit.objects.visible_to(request.user)
    visitors = selectors.plannable_visitors(user=request.user)
    data = request.POST if request.method == "POST" else (request.GET or None)
    form = AutomaticPlanForm(data, units=units, visitors=visitors)
    if data is None:
        form = AutomaticPlanForm(
            initial={"unit": units.order_by("path").first()}, units=units, visitors=visitors
        )
    proposal = None
    skipped = []
    status = 200
    if form.is_bound and form.is_valid():
        chosen = [visitor.pk for visitor in form.cleaned_data["visitors"]] or None
        left_out = form.cleaned_data["skip"]
        if request.method == "POST":
            try:
                plans = services.save_automatic_plan(
                    user=request.user,
                    campaign=campaign,
                    unit=form.cleaned_data["unit"],
                    visitor_ids=chosen,
                    left_out=left_out,
                    fingerprint=form.cleaned_data["fingerprint"],
                )
            except services.PlanRowsError as exc:
                for message in exc.general or exc.messages[:5]:
                    form.add_error(None, message)
                status = 400
            else:
                messages.success(request, _("%(count)s visits planned.") % {"count": len(plans)})
                return redirect(reverse("supervision:plan_list", args=[campaign.pk]))
        proposal = selectors.automatic_plan(
            user=request.user,
            campaign=campaign,
            unit=form.cleaned_data["unit"],
            visitor_ids=chosen,
            left_out=left_out,
        )
        # The rows left out stay listed (ticked), so unticking one brings it back into the plan.
        skipped = Branch.objects.visible_to(request.user).filter(pk__in=left_out).select_related("unit")
    elif form.is_bound:
        status = 400
    context = {
        "campaign": campaign,
        "form": form,
        "proposal": proposal,
        "preview_rows": proposal.rows()[:PREVIEW_ROWS] if proposal else [],
        "preview_limit": PREVIEW_ROWS,
        "skipped": skipped,
        "blocked_days": campaign.blocked_days.all(),
    }
    return render(request, "supervision/plan_automatic.html", context, status=status)


@role_required(*OFFICE)
def plan_detail(request, pk: int):
    """One planned visit: who, when, its status and history; planners change or cancel it here."""
    plan = get_object_or_404(
        PlannedVisit.objects.visible_to(request.user)
        .select_related("campaign", "branch__unit", "done_visit")
        .with_editable(request.user),
        pk=pk,
    )
    can_edit = plan.editable
    visitors = selectors.plannable_visitors(user=request.user)
    action = request.POST.get("action")
    edit_form = PlanEditForm(
        request.POST if action == "edit" else None,
        visitors=visitors,
        initial={
            "visitors": list(plan.visitors.all()),
            "planned_on": plan.planned_on,
            "whole_week": plan.whole_week,
            "version": plan.version,
        },
    )
    cancel_form = PlanCancelForm(
        request.POST if action == "cancel" else None, initial={"version": plan.version}
    )
    if request.method == "POST":
        if not can_edit:
            raise Http404
        form = edit_form if action == "edit" else cancel_form
        if form.is_valid():
            try:
                if action == "edit":
                    services.update_plan(
                        user=request.user,
                        plan=plan,
                        expected_version=form.cleaned_data["version"] or 0,
                        visitor_ids=[v.pk for v in form.cleaned_data["visitors"]],
                        planned_on=form.cleaned_data["planned_on"],
                        whole_week=form.cleaned_data["whole_week"],
                    )
                else:
                    services.cancel_plan(
                        user=request.user,
                        plan=plan,
                        expected_version=form.cleaned_data["version"] or 0,
                        reason=form.cleaned_data["reason"],
                    )
            except StaleEditError as exc:
                form.add_error(None, exc.message)
            except services.PlanRowsError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Plan saved."))
                return redirect("supervision:plan_detail", pk=plan.pk)
    context = {
        "plan": plan,
        "visitor_links": plan.visitor_links.select_related("user"),
        "history": plan.history.select_related("history_user").order_by("-history_date")[:20],
        "can_edit": can_edit and plan.status in (PlannedVisit.Status.PLANNED, PlannedVisit.Status.MISSED),
        "edit_form": edit_form,
        "cancel_form": cancel_form,
    }
    return render(
        request, "supervision/plan_detail.html", context, status=400 if request.method == "POST" else 200
    )


# --- calendar -----------------------------------------------------------------------------------


@role_required(*OFFICE)
def calendar(request, pk: int):
    """A month (or a week) of planned visits, for a unit's subtree or one person."""
    campaign = _campaign(request, pk)
    today = timezone.localdate()
    mode = request.GET.get("view", "month")
    if mode not in ("month", "week"):
        return HttpResponseBadRequest(_("Unknown calendar view."))
    try:
        anchor = datetime.date.fromisoformat(request.GET["day"]) if request.GET.get("day") else None
    except ValueError:
        return HttpResponseBadRequest(_("Give the day as YYYY-MM-DD."))
    # Within the campaign: its months are what the calendar is for (and no date arithmetic overflows).
    anchor = forecast.default_day(campaign, anchor or today)
    if mode == "week":
        start = _monday(anchor)
        end = start + datetime.timedelta(days=6)
        previous, following = start - datetime.timedelta(days=7), start + datetime.timedelta(days=7)
    else:
        first = anchor.replace(day=1)
        last = first.replace(day=month_calendar.monthrange(first.year, first.month)[1])
        start, end = _monday(first), _monday(last) + datetime.timedelta(days=6)
        previous = (first - datetime.timedelta(days=1)).replace(day=1)
        following = last + datetime.timedelta(days=1)
    filters = {key: value for key, value in request.GET.items() if key in ("unit", "visitor")}
    filterset = CalendarFilterSet(
        filters or None,
        queryset=selectors.calendar_plans(user=request.user, campaign=campaign, start=start, end=end),
        user=request.user,
        visitors=selectors.plannable_visitors(user=request.user),
    )
    context = {"campaign": campaign, "filter": filterset, "mode": mode, "anchor": anchor, "today": today}
    if filterset.is_bound and not filterset.is_valid():
        return render(request, "supervision/calendar.html", context, status=400)
    by_day: dict[datetime.date, list[PlannedVisit]] = {}
    for plan in filterset.qs:
        # A week-long plan shows on its week's Monday (or the first day shown).
        by_day.setdefault(max(plan.planned_on, start), []).append(plan)
    weeks, day = [], start
    while day <= end:
        weeks.append(
            [
                (day + datetime.timedelta(days=i), by_day.get(day + datetime.timedelta(days=i), []))
                for i in range(7)
            ]
        )
        day += datetime.timedelta(days=7)
    query = "&".join(f"{key}={value}" for key, value in filters.items())
    context.update(
        weeks=weeks,
        start=start,
        end=end,
        month=anchor.replace(day=1),
        previous=previous,
        following=following,
        query=query,
        weekdays=[_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun")],
    )
    return render(request, "supervision/calendar.html", context)


# --- expected vs done, forecast -----------------------------------------------------------------


@role_required(*OFFICE)
def unit_progress(request, pk: int):
    campaign = _campaign(request, pk)
    return filtered_list_page(
        request,
        filterset=UnitProgressFilterSet(
            request.GET or None,
            queryset=selectors.unit_plan_progress(user=request.user, campaign=campaign),
            user=request.user,
        ),
        template="supervision/progress_units.html",
        context={"campaign": campaign},
        export=(UNIT_PROGRESS_COLUMNS, "plan-progress-units"),
    )


@role_required(*OFFICE)
def visitor_progress(request, pk: int):
    campaign = _campaign(request, pk)
    return filtered_list_page(
        request,
        filterset=VisitorProgressFilterSet(
            request.GET or None,
            queryset=selectors.visitor_plan_progress(user=request.user, campaign=campaign),
            user=request.user,
        ),
        template="supervision/progress_visitors.html",
        context={"campaign": campaign},
        export=(VISITOR_PROGRESS_COLUMNS, "plan-progress-visitors"),
    )


@role_required(*OFFICE)
def forecast_page(request, pk: int):
    """The forecast of the campaign (or the user's unit) and of every unit, at-risk ones flagged."""
    campaign = _campaign(request, pk)
    as_of = forecast.default_day(campaign, timezone.localdate())
    if request.GET.get("as_of"):
        try:
            as_of = forecast.default_day(campaign, datetime.date.fromisoformat(request.GET["as_of"]))
        except ValueError:
            return HttpResponseBadRequest(_("Give the day as YYYY-MM-DD."))
    headline_unit = selectors.headline_unit(user=request.user)
    headline = forecast.forecast_for(campaign=campaign, unit=headline_unit, as_of=as_of, curves=False)
    params = request.GET.copy()
    params.pop("as_of", None)
    return filtered_list_page(
        request,
        filterset=UnitForecastFilterSet(
            params or None,
            queryset=Unit.objects.visible_to(request.user),
            user=request.user,
            campaign=campaign,
            as_of=as_of,
        ),
        template="supervision/forecast.html",
        context={
            "campaign": campaign,
            "headline": headline,
            "headline_unit": headline_unit,
            "as_of": as_of,
            "snapshot_days": campaign.snapshots.filter(unit__isnull=True)
            .order_by("day")
            .values_list("day", flat=True),
        },
        export=(FORECAST_COLUMNS, "coverage-forecast"),
    )


def dashboard_forecast(*, user, campaign, day: datetime.date | None) -> tuple[forecast.Forecast, Unit | None]:
    """The projection drawn on the dashboard's trend chart (as of the snapshots' day, or today)."""
    unit = selectors.headline_unit(user=user)
    as_of = forecast.default_day(campaign, day or timezone.localdate())
    return forecast.forecast_for(campaign=campaign, unit=unit, as_of=as_of), unit

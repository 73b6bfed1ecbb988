import datetime

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.translation import gettext as _

from branchtrack.web.form_page import form_page
from branchtrack.web.import_page import table_import_page
from branchtrack.web.list_page import PAGE_SIZE, filtered_list_page
from branchtrack.web.navigation import may_open
from branchtrack.web.uploads import stored_file_response
from org.models import Branch, Role, Unit
from org.permissions import company_admin_required, role_required
from pairings import selectors, services
from pairings.exports import ACTIVITY_COLUMNS, EXTERNAL_ORG_COLUMNS, PAIRING_COLUMNS
from pairings.filters import (
    ActivityFilterSet,
    ExternalOrgFilterSet,
    LiaisonGroupFilterSet,
    PairingFilterSet,
)
from pairings.forms import (
    ActivityForm,
    ExternalOrgImportForm,
    LiaisonGroupForm,
    OutcomeFormSet,
    PairingForm,
    activity_fields,
)
from pairings.imports import EXTERNAL_ORG_IMPORTER
from pairings.models import (
    ActivityAttachment,
    ExternalOrg,
    LiaisonGroup,
    Pairing,
    PairingActivity,
    PairingRules,
)
from pairings.tasks import import_external_orgs_job

LOGGERS = (Role.ADMIN, Role.STAFF, Role.SECRETARY)
OFFICE = (Role.ADMIN, Role.STAFF)


def _today() -> datetime.date:
    return timezone.localdate()


@role_required(*LOGGERS)
def pairing_list(request):
    today, rules = _today(), PairingRules.current()
    queryset = selectors.pairing_list(user=request.user, today=today, rules=rules)
    filterset = PairingFilterSet(request.GET or None, queryset=queryset, user=request.user, today=today)
    return filtered_list_page(
        request,
        filterset=filterset,
        template="pairings/pairing_list.html",
        export=(PAIRING_COLUMNS, "pairings"),
        context={"rules": rules, "can_create": may_open(pairing_create, request.user)},
    )


@role_required(*LOGGERS)
def pairing_detail(request, pk: int):
    today, rules = _today(), PairingRules.current()
    pairing = selectors.pairing_for_page(user=request.user, pk=pk, today=today, rules=rules)
    if pairing is None:
        raise Http404
    return render(
        request,
        "pairings/pairing_detail.html",
        {
            "pairing": pairing,
            "activities": selectors.activity_timeline(pairing=pairing),
            "rules": rules,
            "can_edit": may_open(pairing_edit, request.user),
        },
    )


@role_required(*OFFICE)
def pairing_create(request):
    form = PairingForm(
        request.POST or None,
        branches=Branch.objects.visible_to(request.user).active(),
        units=Unit.objects.visible_to(request.user),
    )
    return form_page(
        request,
        form=form,
        save=lambda data: services.create_pairing(
            branch=data["branch"],
            unit=data["unit"],
            external_org=data["external_org"],
            themes=data["themes"],
            start_date=data["start_date"],
            end_date=data["end_date"],
            status=data["status"],
            agreement=data["agreement"],
            idempotency_key=data["idempotency_key"],
        ),
        success_message=_("The pairing was saved."),
        success_url=lambda pairing: reverse("pairings:pairing_detail", args=[pairing.pk]),
        template="pairings/pairing_form.html",
    )


@role_required(*OFFICE)
def pairing_edit(request, pk: int):
    pairing = get_object_or_404(Pairing.objects.editable_by(request.user), pk=pk)
    form = PairingForm(request.POST or None, instance=pairing)
    return form_page(
        request,
        form=form,
        save=lambda data: services.update_pairing(
            pairing=pairing,
            themes=data["themes"],
            start_date=data["start_date"],
            end_date=data["end_date"],
            status=data["status"],
            agreement=data["agreement"],
        ),
        success_message=_("The pairing was saved."),
        success_url=reverse("pairings:pairing_detail", args=[pairing.pk]),
        template="pairings/pairing_form.html",
        context={"pairing": pairing},
    )


@role_required(*LOGGERS)
def activity_create(request, pk: int):
    pairing = get_object_or_404(
        Pairing.objects.visible_to(request.user).select_related("branch", "unit", "external_org"), pk=pk
    )
    today = _today()
    form = ActivityForm(request.POST or None, request.FILES or None, pairing=pairing, today=today)
    outcomes = OutcomeFormSet(request.POST or None, prefix="outcome")
    return form_page(
        request,
        form=form,
        also_valid=[outcomes],
        save=lambda data: services.log_activity(
            pairing=pairing,
            user=request.user,
            **activity_fields(data, outcomes.cleaned_data),
            uploads=[*data["photos"], *data["documents"]],
            idempotency_key=data["idempotency_key"],
        ),
        success_message=_("The activity was logged."),
        success_url=reverse("pairings:pairing_detail", args=[pairing.pk]),
        template="pairings/activity_form.html",
        context={"outcomes": outcomes, "pairing": pairing},
    )


def _visible_activity(request, pk: int):
    # Scoped like logging one: an activity of a pairing the user may log for; any other is a 404.
    return get_object_or_404(
        PairingActivity.objects.editable_by(request.user).select_related(
            "pairing__branch", "pairing__unit", "pairing__external_org"
        ),
        pk=pk,
    )


@role_required(*LOGGERS)
def activity_edit(request, pk: int):
    activity = _visible_activity(request, pk)
    pairing = activity.pairing
    form = ActivityForm(
        request.POST or None, instance=activity, pairing=pairing, today=_today(), editing=True
    )
    initial = [
        {"label": o.label, "value": o.value, "unit_label": o.unit_label} for o in activity.outcomes.all()
    ]
    outcomes = OutcomeFormSet(request.POST or None, prefix="outcome", initial=initial)
    return form_page(
        request,
        form=form,
        also_valid=[outcomes],
        save=lambda data: services.update_activity(
            activity=activity, user=request.user, **activity_fields(data, outcomes.cleaned_data)
        ),
        success_message=_("The activity was saved."),
        success_url=reverse("pairings:pairing_detail", args=[pairing.pk]),
        template="pairings/activity_form.html",
        context={"outcomes": outcomes, "pairing": pairing, "activity": activity},
    )


@role_required(*LOGGERS)
def activity_delete(request, pk: int):
    activity = _visible_activity(request, pk)
    if request.method == "POST":
        services.delete_activity(activity=activity, user=request.user)
        messages.success(request, _("The activity was deleted; the change history keeps it."))
        return redirect("pairings:pairing_detail", pk=activity.pairing_id)
    return render(
        request, "pairings/activity_delete.html", {"activity": activity, "pairing": activity.pairing}
    )


@role_required(*LOGGERS)
def activity_list(request):
    filterset = ActivityFilterSet(
        request.GET or None, queryset=selectors.activity_list(user=request.user), user=request.user
    )
    return filtered_list_page(
        request,
        filterset=filterset,
        template="pairings/activity_list.html",
        export=(ACTIVITY_COLUMNS, "pairing-activities"),
    )


@role_required(*LOGGERS)
def attachment_download(request, pk: int):
    attachment = get_object_or_404(ActivityAttachment.objects.visible_to(request.user), pk=pk)
    return stored_file_response(
        attachment.file, content_type=attachment.content_type, filename=attachment.original_name
    )


@role_required(*OFFICE)
def summary(request):
    today, rules = _today(), PairingRules.current()
    try:
        year = int(request.GET["year"])
    except (KeyError, ValueError):
        year = selectors.latest_activity_year(user=request.user) or today.year
    if not 1900 <= year <= 2999:
        year = today.year
    data = selectors.pairing_summary(user=request.user, year=year, today=today, rules=rules)
    chart = {**data.chart_data(), "labels": [str(MONTHS[month]) for month in range(1, 13)]}
    return render(request, "pairings/summary.html", {"summary": data, "chart": chart, "rules": rules})


@role_required(*OFFICE)
def external_org_list(request):
    queryset = ExternalOrg.objects.annotate(pairing_count=Count("pairings")).order_by("code")
    filterset = ExternalOrgFilterSet(request.GET or None, queryset=queryset)
    return filtered_list_page(
        request,
        filterset=filterset,
        template="pairings/external_org_list.html",
        export=(EXTERNAL_ORG_COLUMNS, "external-organisations"),
        context={"can_import": may_open(external_org_import, request.user)},
    )


# The table holds every unit's partners, so (as for the org import) a unit administrator may not import it.
@company_admin_required
def external_org_import(request):
    return table_import_page(
        request,
        form_class=ExternalOrgImportForm,
        importer=EXTERNAL_ORG_IMPORTER,
        template="pairings/external_org_import.html",
        done_url="pairings:external_org_import",
        job_task=import_external_orgs_job,
    )


@role_required(*LOGGERS)
def liaison_list(request):
    queryset = (
        LiaisonGroup.objects.visible_to(request.user)
        .select_related("branch__unit")
        .prefetch_related("villages")
        .order_by("branch__code", "pk")
    )
    filterset = LiaisonGroupFilterSet(request.GET or None, queryset=queryset, user=request.user)
    totals = LiaisonGroup.objects.visible_to(request.user).totals()
    context = {"filter": filterset, "page": None, "totals": totals}
    if filterset.is_bound and not filterset.is_valid():
        return render(request, "pairings/liaison_list.html", context, status=400)
    context["page"] = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    context["filtered_totals"] = filterset.qs.totals() if filterset.is_bound else totals
    return render(request, "pairings/liaison_list.html", context)


@role_required(*LOGGERS)
def liaison_edit(request, pk: int | None = None):
    group = None
    if pk is not None:
        group = get_object_or_404(LiaisonGroup.objects.editable_by(request.user), pk=pk)
    form = LiaisonGroupForm(
        request.POST or None, instance=group, branches=Branch.objects.visible_to(request.user)
    )
    return form_page(
        request,
        form=form,
        save=lambda data: services.save_liaison_group(
            group=group,
            branch=data["branch"],
            name=data["name"],
            channel=data["channel"],
            start_date=data["start_date"],
            villages=data["village_lines"],
            cadre_count=data["cadre_count"],
            cadre_names=data["cadre_names"],
            idempotency_key=data["idempotency_key"],
        ),
        success_message=_("The liaison group was saved."),
        success_url=reverse("pairings:liaison_list"),
        template="pairings/liaison_form.html",
        context={"group": group},
    )

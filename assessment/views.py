from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from assessment.filters import ExportJobFilterSet
from assessment.forms import ExportForm, FreezeForm
from assessment.models import ExportJob, YearSnapshot
from assessment.services import download_name, file_extension, freeze_year, start_export
from branchtrack.web.navigation import may_open
from org.models import Role, Unit
from org.permissions import company_admin_required, role_required

PAGE_SIZE = 20
DOWNLOAD_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
    "zip": "application/zip",
}


@role_required(Role.ADMIN)
def export_list(request):
    """Start an export (POST) and list the past ones of the user's scope."""
    form = ExportForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        # A unit outside the admin's subtree is not found, as everywhere else.
        unit = get_object_or_404(Unit.objects.visible_to(request.user), pk=form.cleaned_data["scope"])
        job = start_export(
            user=request.user, year=form.cleaned_data["year"], unit=unit, fmt=form.cleaned_data["format"]
        )
        return redirect("assessment:export_detail", pk=job.pk)
    filterset = ExportJobFilterSet(
        request.GET or None,
        queryset=ExportJob.objects.select_related("unit", "requested_by").visible_to(request.user),
    )
    status = 400 if (request.method == "POST") or (filterset.is_bound and not filterset.is_valid()) else 200
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page")) if status == 200 else None
    may_freeze = may_open(freeze, request.user)
    context = {
        "form": form,
        "filter": filterset,
        "page": page,
        "can_freeze": may_freeze,
        "frozen_years": YearSnapshot.objects.order_by("-year").select_related("frozen_by")
        if may_freeze
        else [],
        "freeze_form": FreezeForm(initial={"year": form.fields["year"].initial}),
    }
    return render(request, "assessment/export_list.html", context, status=status)


@role_required(Role.ADMIN)
def export_detail(request, pk: int):
    job = get_object_or_404(
        ExportJob.objects.select_related("unit", "requested_by").visible_to(request.user), pk=pk
    )
    return render(request, "assessment/export_detail.html", {"job": job})


@never_cache
@role_required(Role.ADMIN)
def export_progress(request, pk: int):
    """The small JSON the progress bar polls (never cached: it changes every second)."""
    job = get_object_or_404(
        ExportJob.objects.select_related("unit", "requested_by").visible_to(request.user), pk=pk
    )
    return JsonResponse(
        {
            "status": job.status,
            "status_label": job.get_status_display(),
            "rows_done": job.rows_done,
            "rows_total": job.rows_total,
            "percent": job.percent,
            "progress_text": _("%(done)s of %(total)s rows")
            % {"done": job.rows_done, "total": job.rows_total},
            "error": job.error,
            "download_url": reverse("assessment:export_download", args=[job.pk])
            if job.status == ExportJob.Status.DONE
            else "",
        }
    )


@role_required(Role.ADMIN)
def export_download(request, pk: int):
    job = get_object_or_404(
        ExportJob.objects.select_related("unit", "requested_by")
        .visible_to(request.user)
        .filter(status=ExportJob.Status.DONE)
        .exclude(file=""),
        pk=pk,
    )
    try:
        handle = job.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404(_("The file of this export is no longer stored; start the export again.")) from exc
    content_type = DOWNLOAD_TYPES[file_extension(job)]
    return FileResponse(handle, as_attachment=True, filename=download_name(job), content_type=content_type)


@require_POST
@company_admin_required
def freeze(request):
    form = FreezeForm(request.POST)
    if form.is_valid():
        try:
            freeze_year(year=form.cleaned_data["year"], user=request.user)
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
        else:
            messages.success(
                request,
                _("The year %(year)s is frozen: its sheets will show today's figures from now on.")
                % {"year": form.cleaned_data["year"]},
            )
    else:
        messages.error(request, _("Choose a year between 2000 and 2100."))
    return redirect("assessment:export_list")

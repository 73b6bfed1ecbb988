"""The page of a background job (jobs.py) and the small JSON its progress bar polls; each user sees only
the jobs they started (any other job is a 404)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from branchtrack.web.background_jobs.models import BackgroundJob
from branchtrack.web.jobs import progress_of


def _own_job(request, pk: int) -> BackgroundJob:
    return get_object_or_404(
        BackgroundJob.objects.defer("upload", "payload"), pk=pk, requested_by=request.user
    )


def _progress_text(done: int, total: int) -> str:
    return _("%(done)s of %(total)s rows") % {"done": done, "total": total}


@login_required
def job_detail(request, pk: int):
    job = _own_job(request, pk)
    done, total = progress_of(job)
    return render(
        request,
        "jobs/job_detail.html",
        {"job": job, "rows_done": done, "rows_total": total, "progress_text": _progress_text(done, total)},
    )


@never_cache
@login_required
def job_progress(request, pk: int):
    job = _own_job(request, pk)
    done, total = progress_of(job)
    return JsonResponse(
        {
            "status": job.status,
            "status_label": job.get_status_display(),
            "rows_done": done,
            "rows_total": total,
            "progress_text": _progress_text(done, total),
            "message": job.message,
            "error": job.error,
        }
    )

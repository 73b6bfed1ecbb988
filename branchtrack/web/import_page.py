"""The page flow every table import shares: upload -> checked preview -> confirm -> applied whole.

Uploading a file writes nothing: the page shows every row error, or a preview of the rows to create and
to change (field by field, emptied fields flagged) and how many stay as they are. The file waits on the
server under a random name (IMPORT_STAGING_DIR, bounded in size and age) for the confirmation.

Confirming starts a background job (jobs.py) with the file and the preview's digest, and sends the user
to the job's page, which shows rows done / total. The job (the app's Celery task calls
`run_table_import_job`) re-checks the file inside one transaction and applies it only if the data still
gives the same preview; if someone changed the data meanwhile it imports nothing and says so. Without a
broker (the demo) the job runs in the request, and the job's page shows it finished.
"""

from __future__ import annotations

import secrets
import time
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils.translation import gettext as _

from branchtrack.web.background_jobs.models import BackgroundJob
from branchtrack.web.import_plan import TableImporter, run_import
from branchtrack.web.jobs import JobFailed, JobProgress, run_job, start_job
from branchtrack.web.tabular import TableFileError, import_limit, read_upload


def table_import_page(
    request: HttpRequest,
    *,
    form_class: type[forms.Form],
    importer: TableImporter,
    template: str,
    done_url: str,
    job_task,
) -> HttpResponse:
    """`job_task`: the app's Celery task that calls run_table_import_job(job_id=, importer=) (jobs.py)."""
    if request.method == "POST" and "confirm" in request.POST:
        return _confirm(request, importer=importer, done_url=done_url, job_task=job_task)
    form = form_class(request.POST or None, request.FILES or None)
    plan, token = None, ""
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            data = read_upload(upload)
            plan = importer.plan(data, filename=upload.name)
        except TableFileError as exc:
            form.add_error("file", exc.message)
        else:
            if plan.ok and plan.changed:
                token = _stage(data)
                request.session[_session_key(importer)] = {"token": token, "filename": upload.name}
    status = 400 if request.method == "POST" and (form.errors or (plan and not plan.ok)) else 200
    return render(request, template, {"form": form, "plan": plan, "token": token}, status=status)


def _confirm(request, *, importer: TableImporter, done_url: str, job_task) -> HttpResponse:
    staged = request.session.get(_session_key(importer)) or {}
    token = request.POST.get("token", "")
    data = _staged(token) if token and token == staged.get("token") else None
    if data is None:
        messages.error(request, _("This preview has expired or was already imported: upload the file again."))
        return redirect(done_url)
    job = start_job(
        kind=f"import:{importer.key}",
        title=_("Import of %(filename)s") % {"filename": staged["filename"]},
        user=request.user,
        task=job_task,
        payload={"filename": staged["filename"], "digest": request.POST.get("digest", "")},
        upload=data,
        done_url=resolve_url(done_url),
    )
    _discard(token)
    del request.session[_session_key(importer)]
    return redirect("job_detail", pk=job.pk)


def run_table_import_job(
    *, job_id: int, importer: TableImporter, final_attempt: bool = True
) -> BackgroundJob:
    """The work of an import job: the confirmed file, re-checked and applied whole, or nothing."""

    def work(job: BackgroundJob, progress: JobProgress) -> str:
        try:
            plan = run_import(
                importer,
                bytes(job.upload or b""),
                filename=job.payload["filename"],
                expected_digest=job.payload.get("digest"),  # None: no preview to match (a command)
                progress=progress,
            )
        except TableFileError as exc:  # readable at upload; only a limit lowered since fails
            raise JobFailed(exc.message) from exc
        if plan.stale:
            raise JobFailed(
                _(
                    "The data changed since this preview, so nothing was imported. "
                    "Upload the file again to see the new preview."
                )
            )
        if not plan.ok:
            raise JobFailed(
                _("The file no longer passes the checks, so nothing was imported: %(errors)s")
                % {"errors": "; ".join(str(error) for error in plan.errors[:5])}
            )
        return (
            _("Imported: %(created)s created, %(updated)s updated, %(unchanged)s unchanged.") % plan.counts()
        )

    return run_job(job_id=job_id, work=work, final_attempt=final_attempt)


def _session_key(importer: TableImporter) -> str:
    return f"table-import:{importer.key}"


def _staging_dir() -> Path:
    directory = Path(settings.IMPORT_STAGING_DIR)
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def _stage(data: bytes) -> str:
    """Keep an uploaded file for its confirmation; files older than the preview's age go."""
    directory = _staging_dir()
    oldest = time.time() - import_limit("preview_max_age_seconds")
    for old in directory.glob("*.upload"):
        if old.stat().st_mtime < oldest:
            old.unlink(missing_ok=True)
    token = secrets.token_urlsafe(24)
    (directory / f"{token}.upload").write_bytes(data)
    return token


def _staged(token: str) -> bytes | None:
    if not token.replace("-", "").replace("_", "").isalnum():
        return None  # a token is urlsafe base64, never a path
    path = _staging_dir() / f"{token}.upload"
    try:
        if path.stat().st_mtime < time.time() - import_limit("preview_max_age_seconds"):
            path.unlink(missing_ok=True)
            return None
        return path.read_bytes()
    except FileNotFoundError:
        return None


def _discard(token: str) -> None:
    (_staging_dir() / f"{token}.upload").unlink(missing_ok=True)

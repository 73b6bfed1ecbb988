"""The page flow every table import shares: upload -> checked preview -> confirm -> applied whole.

Uploading a file writes nothing: the page shows every row error, or a preview of the rows to create and
to change (field by field, emptied fields flagged) and how many stay as they are. The file waits on the
server under a random name (IMPORT_STAGING_DIR, bounded in size and age) for the confirmation, which
re-checks it inside one transaction and applies it only if the data still gives the same preview; if
someone changed the data meanwhile the new preview is shown instead (409). A successful import sets a
summary message and redirects.
"""

from __future__ import annotations

import secrets
import time
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from branchtrack.web.import_plan import TableImporter, run_import
from branchtrack.web.tabular import TableFileError, import_limit, read_upload


def table_import_page(
    request: HttpRequest,
    *,
    form_class: type[forms.Form],
    importer: TableImporter,
    template: str,
    done_url: str,
) -> HttpResponse:
    if request.method == "POST" and "confirm" in request.POST:
        return _confirm(
            request, form_class=form_class, importer=importer, template=template, done_url=done_url
        )
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


def _confirm(request, *, form_class, importer: TableImporter, template: str, done_url: str) -> HttpResponse:
    staged = request.session.get(_session_key(importer)) or {}
    token = request.POST.get("token", "")
    data = _staged(token) if token and token == staged.get("token") else None
    if data is None:
        messages.error(request, _("This preview has expired or was already imported: upload the file again."))
        return redirect(done_url)
    try:
        plan = run_import(
            importer, data, filename=staged["filename"], expected_digest=request.POST.get("digest", "")
        )
    except TableFileError as exc:  # the staged file was readable at upload; only a limit lowered since fails
        messages.error(request, exc.message)
        return redirect(done_url)
    if plan.applied:
        _discard(token)
        del request.session[_session_key(importer)]
        messages.success(
            request,
            _("Imported: %(created)s created, %(updated)s updated, %(unchanged)s unchanged.") % plan.counts(),
        )
        return redirect(done_url)
    if plan.stale:
        messages.warning(
            request,
            _(
                "The data changed since this preview, so nothing was imported. Check the new preview and confirm again."
            ),
        )
    return render(
        request, template, {"form": form_class(), "plan": plan, "token": token if plan.ok else ""}, status=409
    )


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

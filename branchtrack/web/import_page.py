"""The page flow every table import shares: upload, check every row, import all or nothing.

The organisation import and the external organisations import differ only in their form, their
importer and their template's words; the flow (errors next to the file field for an unreadable
file, a row/column/reason table when any row is wrong, a summary message and a redirect on success,
400 when nothing was imported) is this one function.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from django import forms
from django.contrib import messages
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from branchtrack.web.tabular import TableFileError


class ImportResult(Protocol):
    errors: list
    ok: bool

    def counts(self) -> dict[str, int]:
        """{"created": n, "updated": n, "unchanged": n}"""


def table_import_page(
    request: HttpRequest,
    *,
    form_class: type[forms.Form],
    importer: Callable[[UploadedFile], ImportResult],
    template: str,
    done_url: str,
) -> HttpResponse:
    form = form_class(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = importer(upload)
        except TableFileError as exc:
            form.add_error("file", exc.message)
        else:
            if result.ok:
                messages.success(
                    request,
                    _("Imported: %(created)s created, %(updated)s updated, %(unchanged)s unchanged.")
                    % result.counts(),
                )
                return redirect(done_url)
    status = 400 if request.method == "POST" and (form.errors or (result and not result.ok)) else 200
    return render(request, template, {"form": form, "result": result}, status=status)

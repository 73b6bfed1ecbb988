"""The view flow every filtered list page shares (its template extends `templates/list_page.html`).

Junk filter values answer 400 with the form and its errors; `?export=csv|xlsx` answers every
filtered row as a file, where the page offers an export; otherwise one page of rows.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from branchtrack.web.table_export import ExportColumn, export_if_requested

PAGE_SIZE = 50


def filtered_list_page(
    request: HttpRequest,
    *,
    filterset,
    template: str,
    context: dict | None = None,
    export: tuple[Sequence[ExportColumn], str] | None = None,
) -> HttpResponse:
    """`filterset` bound to request.GET (or None); `export` is (columns, file name) for the page's export."""
    context = {"filter": filterset, "page": None, **(context or {})}
    if filterset.is_bound and not filterset.is_valid():
        return render(request, template, context, status=400)
    if export is not None:
        columns, filename = export
        exported = export_if_requested(request, rows=filterset.qs, columns=columns, filename=filename)
        if exported:
            return exported
    context["page"] = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, template, context)

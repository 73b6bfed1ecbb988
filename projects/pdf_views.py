"""The published lists as printable PDF notices: the tracking list and its outstanding projects.

Scoped like the list page: a user sees the entries of the projects they may see. A notice holds at
most MAX_NOTICE_ROWS entries (a bound on the renderer's time and memory); a longer list answers 400
and says to export it as a spreadsheet instead.
"""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from branchtrack.web.pdf import pdf_response
from org.models import Role
from org.permissions import role_required
from projects import selectors
from projects.models import BranchProject, TrackingList

MAX_NOTICE_ROWS = 2000


def _notice(request, *, tracking_list: TrackingList, outstanding_only: bool):
    entries = selectors.tracking_entries(tracking_list=tracking_list).filter(
        project__in=BranchProject.objects.visible_to(request.user)
    )
    outstanding = selectors.current_outstanding_list(tracking_list=tracking_list)
    if outstanding_only:
        if outstanding is None:
            raise Http404(_("No outstanding projects are confirmed for this list yet."))
        entries = entries.filter(outstanding=True)
    entries = list(entries[: MAX_NOTICE_ROWS + 1])
    if len(entries) > MAX_NOTICE_ROWS:
        return HttpResponse(
            _("This list is too long for one notice (over %(limit)s projects): export it as .xlsx instead.")
            % {"limit": MAX_NOTICE_ROWS},
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    year = tracking_list.round.year
    if outstanding_only:
        title = _("Notice on the outstanding projects of %(year)s") % {"year": year}
    else:
        title = _("Notice on the tracking list of %(year)s") % {"year": year}
    context = {
        "list": tracking_list,
        "outstanding": outstanding,
        "outstanding_only": outstanding_only,
        "entries": entries,
        "title": title,
        "issuer": request.user.unit.name if request.user.unit_id else "",
        "issued_on": date_format(timezone.localdate(), "DATE_FORMAT"),
    }
    filename = f"{title}.pdf"
    return pdf_response(request, template="projects/list_notice_pdf.html", context=context, filename=filename)


@role_required(Role.ADMIN, Role.STAFF)
def tracking_list_pdf(request, pk: int):
    tracking_list = get_object_or_404(TrackingList.objects.select_related("round", "published_by"), pk=pk)
    return _notice(request, tracking_list=tracking_list, outstanding_only=False)


@role_required(Role.ADMIN, Role.STAFF)
def outstanding_list_pdf(request, pk: int):
    tracking_list = get_object_or_404(TrackingList.objects.select_related("round", "published_by"), pk=pk)
    return _notice(request, tracking_list=tracking_list, outstanding_only=True)

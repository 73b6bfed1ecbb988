"""The printed visit report (PDF): scoped exactly like the visit page, a foreign visit is a 404."""

from __future__ import annotations

from django.utils.translation import gettext as _

from branchtrack.web.pdf import image_data_uri, pdf_response
from org.permissions import role_required
from supervision import selectors
from supervision.views import EVERYONE


@role_required(*EVERYONE)
def visit_report_pdf(request, pk: int):
    visit = selectors.visit_detail(user=request.user, pk=pk)
    report = selectors.visit_report(visit=visit, photo_uri=image_data_uri)
    filename = _("Visit report %(branch)s %(day)s.pdf") % {
        "branch": visit.branch.name,
        "day": visit.visited_on.isoformat(),
    }
    return pdf_response(
        request, template="supervision/visit_report_pdf.html", context={"report": report}, filename=filename
    )

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render

from branchtrack.web.import_page import table_import_page
from branchtrack.web.list_page import filtered_list_page
from branchtrack.web.navigation import nav_groups_for, nav_items_for, with_badges
from org.exports import BRANCH_COLUMNS, organisation_csv
from org.filters import BranchFilterSet
from org.forms import OrgImportForm
from org.imports import ORGANISATION_IMPORTER
from org.models import Branch, Role
from org.permissions import company_admin_required, role_required
from org.tasks import import_organisation_job


@login_required
def home(request):
    items = with_badges(nav_items_for(request.user), request.user)
    return render(request, "home.html", {"home_groups": nav_groups_for(items)})


@role_required(Role.ADMIN, Role.STAFF)
def branch_list(request):
    queryset = Branch.objects.select_related("unit").visible_to(request.user).order_by("code")
    return filtered_list_page(
        request,
        filterset=BranchFilterSet(request.GET or None, queryset=queryset, user=request.user),
        template="branchtrack/branch_list.html",
        export=(BRANCH_COLUMNS, "branches"),
    )


# The import and export cover the whole company, so a unit administrator may use neither.
@company_admin_required
def org_import(request):
    return table_import_page(
        request,
        form_class=OrgImportForm,
        importer=ORGANISATION_IMPORTER,
        template="branchtrack/org_import.html",
        done_url="org_import",
        job_task=import_organisation_job,
    )


@company_admin_required
def org_export(request):
    response = HttpResponse(organisation_csv().encode("utf-8-sig"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="organisation.csv"'
    return response

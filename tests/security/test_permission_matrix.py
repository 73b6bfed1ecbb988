"""Every role x every main URL x own/foreign object, asserting the status the design promises.

Feature apps add their rows to CASES below (list, detail, edit, export; own and foreign object).
"""

from urllib.parse import urlsplit

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, resolve

from api.urls import router as api_router
from org.models import Branch
from tests.security.matrix import ROLES, STAFF_ROLES, Case, only
from tests.security.world import build_world

# Named URLs without a row, and why.
NOT_IN_MATRIX = {
    "login": "the log-in page itself (tests/security/test_login_throttle.py)",
    "logout": "POST only, for any logged-in user",
    "set_language": "Django's language switch, for everyone",
    "supervision:good_practice_toggle": "POST-only action behind the OFFICE roles and the finding's scope",
    "projects:round_open": "POST-only action of company administrators, as the round pages above",
    "projects:rate_row": "POST-only JSON row of the rating table, the rate page's rules: tests/projects/test_rating_table.py",
    "projects:tracking_list": "needs a closed, published round: tests/projects/test_lists.py",
    "projects:tracking_list_pdf": "needs a published list: tests/projects/test_list_notices_pdf.py",
    "projects:outstanding_list_pdf": "needs a published list: tests/projects/test_list_notices_pdf.py",
    "pairings:attachment": "needs a stored file: tests/pairings/test_activities.py (foreign -> 404)",
    "supervision:problem_evidence": "needs a stored file: tests/supervision/test_findings.py (foreign -> 404)",
    "api:token_revoke": "POST only; another's token -> 404: tests/api/test_tokens.py",
    "supervision:visit_photo": "needs a stored file: tests/supervision/test_offline_sync.py (foreign -> 404)",
    "supervision:sync_visit": "POST-only JSON for the offline queue: tests/supervision/test_offline_sync.py",
    "supervision:sync_photo": "POST-only JSON for the offline queue: tests/supervision/test_offline_sync.py",
    "supervision:offline_pages": "the signed-in user's own page list: tests/supervision/test_offline_sync.py",
    "service_worker": "the same script for everyone, no data: tests/supervision/test_offline_sync.py",
    "manifest": "the web app manifest, the same for everyone",
    "offline": "the offline fallback page, the same for everyone, no data",
    "notifications:open": "the user's own notice; another's -> 404: tests/notifications/test_pages.py",
    "notifications:mark_all_read": "POST only, the user's own notices",
    "notifications:channel_delete": "POST-only action of administrators; a foreign unit's channel -> 404: "
    "tests/notifications/test_pages.py",
    "notifications:delivery_retry": "POST-only action of administrators on a delivery in their scope",
    "job_detail": "the user's own background job; another's -> 404: tests/test_background_jobs.py",
    "job_progress": "the user's own background job; another's -> 404: tests/test_background_jobs.py",
}
# The REST API's endpoints have a matrix of their own (role x endpoint x own/foreign object):
# tests/api/test_scope_matrix.py.
NOT_IN_MATRIX.update(
    {f"api:{url.name}": "tests/api/test_scope_matrix.py" for url in api_router.urls if url.name}
)

EVERYONE = ("admin", "unit_admin", "staff", "unit_staff", "reviewer", "secretary")
LOGGERS = ("admin", "unit_admin", "staff", "unit_staff", "secretary")
ADMINS = ("admin", "unit_admin")
COMPANY = ("admin", "staff")  # company-level users: every unit


def county_object(roles, *, foreign=404, **overrides):
    """An object in the county subtree: company users and the county's own users see it."""
    return only(roles, **({r: foreign for r in ("reviewer", "secretary") if r in roles} | overrides))


def city_object(roles, *, foreign=404, **overrides):
    """An object of the city branch: foreign to the county users, the secretary's own."""
    foreign_to = {r: foreign for r in ("unit_admin", "unit_staff", "reviewer") if r in roles}
    return only(roles, **(foreign_to | overrides))


CASES = [
    # Foundation: the organisation.
    Case("home", lambda w: "/", 200),
    Case("branch list", lambda w: "/org/branches/", 403, only(STAFF_ROLES)),
    Case("branch list export", lambda w: "/org/branches/?export=csv", 403, only(STAFF_ROLES)),
    Case(
        "branch list filtered to own unit",
        lambda w: f"/org/branches/?unit={w.county.pk}",
        403,
        only(STAFF_ROLES),
    ),
    Case(
        "branch list filtered to a foreign unit",
        lambda w: f"/org/branches/?unit={w.city.pk}",
        403,
        only(STAFF_ROLES, unit_admin=400, unit_staff=400),
    ),
    # The organisation import and export are company-wide: company administrators only.
    Case("organisation import", lambda w: "/org/import/", 403, only(("admin",))),
    Case("organisation export", lambda w: "/org/export.csv", 403, only(("admin",))),
    # Audit trail: company-level administrators only.
    Case("audit log", lambda w: "/audit/", 403, only(("admin",))),
    Case(
        "audit history of an own-unit branch",
        lambda w: f"/audit/branchtrack.branch/{w.county_branch.pk}/",
        403,
        only(("admin",)),
    ),
    Case(
        "audit history of a foreign-unit branch",
        lambda w: f"/audit/branchtrack.branch/{w.city_branch.pk}/",
        403,
        only(("admin",)),
    ),
    # The Django admin edits everything unscoped: administrators with is_staff only.
    Case("django admin", lambda w: "/admin/", 302, only(("admin",), others=302)),
    Case(
        "django admin branch change",
        lambda w: f"/admin/branchtrack/branch/{w.city_branch.pk}/change/",
        302,
        only(("admin",), others=302),
    ),
    # 走遍支部: visits, problems, meetings, feedback.
    Case(
        "supervision dashboard", lambda w: f"/supervision/campaigns/{w.campaign.pk}/", 403, only(STAFF_ROLES)
    ),
    Case(
        "branches not visited yet",
        lambda w: f"/supervision/campaigns/{w.campaign.pk}/unvisited/?export=csv",
        403,
        only(STAFF_ROLES),
    ),
    Case("visit list", lambda w: "/supervision/visits/", 403, only(EVERYONE)),
    Case("visit export", lambda w: "/supervision/visits/?export=xlsx", 403, only(EVERYONE)),
    Case(
        "log a visit", lambda w: f"/supervision/campaigns/{w.campaign.pk}/visits/new/", 403, only(STAFF_ROLES)
    ),
    Case(
        "log a visit to a foreign branch",
        lambda w: f"/supervision/campaigns/{w.campaign.pk}/visits/new/?branch={w.city_branch.pk}",
        403,
        only(STAFF_ROLES, unit_admin=404, unit_staff=404),
    ),
    Case("county visit", lambda w: f"/supervision/visits/{w.county_visit.pk}/", 403, county_object(EVERYONE)),
    Case("city visit", lambda w: f"/supervision/visits/{w.city_visit.pk}/", 403, city_object(EVERYONE)),
    Case(
        "county visit report PDF",
        lambda w: f"/supervision/visits/{w.county_visit.pk}/report.pdf",
        403,
        county_object(EVERYONE),
    ),
    Case(
        "city visit report PDF",
        lambda w: f"/supervision/visits/{w.city_visit.pk}/report.pdf",
        403,
        city_object(EVERYONE),
    ),
    Case(
        "edit county visit",
        lambda w: f"/supervision/visits/{w.county_visit.pk}/edit/",
        403,
        only(STAFF_ROLES),
    ),
    Case(
        "edit city visit",
        lambda w: f"/supervision/visits/{w.city_visit.pk}/edit/",
        403,
        only(STAFF_ROLES, unit_admin=404, unit_staff=404),
    ),
    Case("problem list", lambda w: "/supervision/problems/", 403, only(EVERYONE)),
    Case("problem export", lambda w: "/supervision/problems/?export=csv", 403, only(EVERYONE)),
    Case(
        "county problem",
        lambda w: f"/supervision/problems/{w.county_problem.pk}/",
        403,
        county_object(EVERYONE),
    ),
    Case("city problem", lambda w: f"/supervision/problems/{w.city_problem.pk}/", 403, city_object(EVERYONE)),
    Case("good practices", lambda w: "/supervision/good-practices/", 403, only(EVERYONE)),
    Case("meeting list", lambda w: "/supervision/meetings/", 403, only(STAFF_ROLES)),
    # Feedback sent to a unit is shown to that unit's other users too (drafts stay with the office).
    Case("feedback list", lambda w: "/supervision/feedback/", 403, only(EVERYONE)),
    Case(
        "feedback sent to the county",
        lambda w: f"/supervision/feedback/{w.county_feedback.pk}/",
        403,
        county_object(EVERYONE),
    ),
    Case(
        "feedback sent to the city",
        lambda w: f"/supervision/feedback/{w.city_feedback.pk}/",
        403,
        city_object(EVERYONE, reviewer=200),  # the reviewer's home unit is the city
    ),
    Case("supervision home", lambda w: "/supervision/", 403, only(STAFF_ROLES, status=302)),
    Case("record a meeting", lambda w: "/supervision/meetings/new/", 403, only(STAFF_ROLES)),
    Case("write feedback", lambda w: "/supervision/feedback/new/", 403, only(STAFF_ROLES)),
    # The visit plan (调研计划): visitors' own pages, the campaign's plan, planning (administrators).
    Case("my visits", lambda w: "/supervision/plan/mine/", 403, only(STAFF_ROLES)),
    Case("my visits as JSON", lambda w: "/supervision/plan/mine.json", 403, only(STAFF_ROLES)),
    Case(
        "make a calendar feed address",
        lambda w: "/supervision/plan/feed/",
        403,
        only(STAFF_ROLES, status=302),
        method="post",
        data=lambda w: {"action": "reset"},
    ),
    # The feed's secret address is its own credential: a wrong one is not found, for everybody.
    Case(
        "calendar feed with a wrong address",
        lambda w: "/supervision/plan/feed/wrong.ics",
        404,
        {"anonymous": 404},
    ),
    Case("visit plan home", lambda w: "/supervision/plan/", 403, only(STAFF_ROLES, status=302)),
    Case("visit plan", lambda w: f"/supervision/campaigns/{w.campaign.pk}/plan/", 403, only(STAFF_ROLES)),
    Case(
        "visit plan export",
        lambda w: f"/supervision/campaigns/{w.campaign.pk}/plan/?export=xlsx",
        403,
        only(STAFF_ROLES),
    ),
    Case(
        "visit plan filtered to a foreign unit",
        lambda w: f"/supervision/campaigns/{w.campaign.pk}/plan/?unit={w.city.pk}",
        403,
        only(STAFF_ROLES, unit_admin=400, unit_staff=400),
    ),
    Case("county plan", lambda w: f"/supervision/plan/{w.county_plan.pk}/", 403, only(STAFF_ROLES)),
    Case(
        "city plan",
        lambda w: f"/supervision/plan/{w.city_plan.pk}/",
        403,
        only(STAFF_ROLES, unit_admin=404, unit_staff=404),
    ),
    Case(
        "cancel the city plan",
        lambda w: f"/supervision/plan/{w.city_plan.pk}/",
        403,
        only(STAFF_ROLES, status=404, admin=400),
        method="post",
        data=lambda w: {"action": "cancel", "reason": "", "version": "1"},
    ),
    Case(
        "plan county branches",
        lambda w: f"/supervision/campaigns/{w.campaign.pk}/plan/assign/?branch={w.county_branch.pk}",
        403,
        only(ADMINS),
    ),
    Case(
        "plan a city branch",
        lambda w: f"/supervision/campaigns/{w.campaign.pk}/plan/assign/?branch={w.city_branch.pk}",
        403,
        only(ADMINS, unit_admin=404),
    ),
    Case(
        "plan ticked branches in the current campaign",
        lambda w: f"/supervision/plan/assign/?branch={w.county_branch.pk}",
        403,
        only(ADMINS, status=302),
    ),
    Case(
        "automatic plan",
        lambda w: f"/supervision/campaigns/{w.campaign.pk}/plan/automatic/",
        403,
        only(ADMINS),
    ),
    Case(
        "automatic plan of a foreign unit",
        lambda w: f"/supervision/campaigns/{w.campaign.pk}/plan/automatic/?unit={w.city.pk}",
        403,
        only(ADMINS, unit_admin=400),
    ),
    Case(
        "calendar", lambda w: f"/supervision/campaigns/{w.campaign.pk}/plan/calendar/", 403, only(STAFF_ROLES)
    ),
    Case(
        "calendar of a foreign unit",
        lambda w: f"/supervision/campaigns/{w.campaign.pk}/plan/calendar/?unit={w.city.pk}",
        403,
        only(STAFF_ROLES, unit_admin=400, unit_staff=400),
    ),
    Case(
        "expected vs done by unit",
        lambda w: f"/supervision/campaigns/{w.campaign.pk}/plan/units/?export=csv",
        403,
        only(STAFF_ROLES),
    ),
    Case(
        "expected vs done by visitor",
        lambda w: f"/supervision/campaigns/{w.campaign.pk}/plan/visitors/?export=csv",
        403,
        only(STAFF_ROLES),
    ),
    Case("forecast", lambda w: f"/supervision/campaigns/{w.campaign.pk}/forecast/", 403, only(STAFF_ROLES)),
    Case(
        "forecast export of a foreign unit",
        lambda w: f"/supervision/campaigns/{w.campaign.pk}/forecast/?export=csv&unit={w.city.pk}",
        403,
        only(STAFF_ROLES, unit_admin=400, unit_staff=400),
    ),
    # 一支部一项目一特色: projects and ratings.
    Case("project list", lambda w: "/projects/", 403, only(EVERYONE)),
    Case("project export", lambda w: "/projects/?export=csv", 403, only(EVERYONE)),
    Case(
        "county project",
        lambda w: f"/projects/{w.county_project.pk}/",
        403,
        county_object(EVERYONE, reviewer=200),  # assigned to the reviewer's department
    ),
    Case(
        "city project",
        lambda w: f"/projects/{w.city_project.pk}/",
        403,
        city_object(EVERYONE),  # the reviewer's own unit: a conflict of interest, not even visible
    ),
    Case(
        "edit county project",
        lambda w: f"/projects/{w.county_project.pk}/edit/",
        403,
        only(("admin", "unit_admin", "secretary"), secretary=404),
    ),
    Case(
        "edit city project",
        lambda w: f"/projects/{w.city_project.pk}/edit/",
        403,
        only(("admin", "unit_admin", "secretary"), unit_admin=404),
    ),
    # The secretary's branch already has its 2020 project: the page sends them to it.
    Case("new project", lambda w: "/projects/new/", 403, only(("secretary",), status=302)),
    Case("reviewer queue", lambda w: "/projects/queue/", 403, only(("reviewer",))),
    Case("rating table", lambda w: "/projects/queue/table/", 403, only(("reviewer",))),
    Case("department nominations", lambda w: "/projects/nominations/", 403, only(("reviewer",))),
    # Rating rounds and the published lists are company-wide: company administrators only.
    Case("rating rounds", lambda w: "/projects/rounds/", 403, only(("admin",))),
    Case("rating round", lambda w: f"/projects/rounds/{w.rating_round.pk}/", 403, only(("admin",))),
    # While the round is open there is no ranking yet: the administrator is sent back to the round.
    Case(
        "ranking",
        lambda w: f"/projects/rounds/{w.rating_round.pk}/ranking/",
        403,
        only(("admin",), status=302),
    ),
    Case(
        "outstanding",
        lambda w: f"/projects/rounds/{w.rating_round.pk}/outstanding/",
        403,
        only(("admin",), status=302),
    ),
    # Closing asks for a confirmation on a page of its own; reopening needs a closed round (-> round page).
    Case("close round", lambda w: f"/projects/rounds/{w.rating_round.pk}/close/", 403, only(("admin",))),
    Case("declared conflicts", lambda w: "/projects/conflicts/", 403, only(ADMINS)),
    Case(
        "declare a conflict on the county project",
        lambda w: f"/projects/rounds/{w.rating_round.pk}/conflict/{w.county_project.pk}/",
        403,
        only(("reviewer",)),
    ),
    Case(
        "declare a conflict on the city project (already one by the org chart)",
        lambda w: f"/projects/rounds/{w.rating_round.pk}/conflict/{w.city_project.pk}/",
        403,
        only(("reviewer",), status=404),
    ),
    Case("rubric guidance", lambda w: f"/projects/rounds/{w.rating_round.pk}/rubric/", 403, only(("admin",))),
    # The discussion opens when the window closes: an open round sends its raters back to the project.
    Case(
        "discussion of the county project (open round)",
        lambda w: f"/projects/rounds/{w.rating_round.pk}/discuss/{w.county_project.pk}/",
        403,
        only(("admin", "unit_admin", "reviewer"), status=302, unit_admin=302),
    ),
    Case(
        "rating progress export",
        lambda w: f"/projects/rounds/{w.rating_round.pk}/progress/?export=csv",
        403,
        only(("admin",)),
    ),
    Case(
        "balanced assignment preview",
        lambda w: f"/projects/rounds/{w.rating_round.pk}/assign/?per_project=1&cap=5",
        403,
        only(("admin",)),
    ),
    Case(
        "reopen round",
        lambda w: f"/projects/rounds/{w.rating_round.pk}/reopen/",
        403,
        only(("admin",), status=302),
    ),
    Case(
        "rate county project",
        lambda w: f"/projects/rounds/{w.rating_round.pk}/rate/{w.county_project.pk}/",
        403,
        only(("reviewer",)),
    ),
    Case(
        "rate city project (conflict of interest)",
        lambda w: f"/projects/rounds/{w.rating_round.pk}/rate/{w.city_project.pk}/",
        403,
        only(("reviewer",), status=404),
    ),
    Case("rating list", lambda w: "/projects/ratings/", 403, only(("admin", "unit_admin", "reviewer"))),
    # 联创共建: pairings, activities, liaison groups.
    # Notifications: everyone's own list and preferences; channels are configured by administrators.
    Case("notification list", lambda w: "/notifications/", 200),
    Case("notification preferences", lambda w: "/notifications/preferences/", 200),
    Case("notification channels", lambda w: "/notifications/channels/", 403, only(ADMINS)),
    Case("pairing list", lambda w: "/pairings/", 403, only(LOGGERS)),
    Case("pairing export", lambda w: "/pairings/?export=csv", 403, only(LOGGERS)),
    Case("county pairing", lambda w: f"/pairings/{w.county_pairing.pk}/", 403, county_object(LOGGERS)),
    Case("city pairing", lambda w: f"/pairings/{w.city_pairing.pk}/", 403, city_object(LOGGERS)),
    Case("edit county pairing", lambda w: f"/pairings/{w.county_pairing.pk}/edit/", 403, only(STAFF_ROLES)),
    Case(
        "edit city pairing",
        lambda w: f"/pairings/{w.city_pairing.pk}/edit/",
        403,
        only(STAFF_ROLES, unit_admin=404, unit_staff=404),
    ),
    Case(
        "log an activity of the county pairing",
        lambda w: f"/pairings/{w.county_pairing.pk}/activities/new/",
        403,
        county_object(LOGGERS),
    ),
    Case(
        "log an activity of the city pairing",
        lambda w: f"/pairings/{w.city_pairing.pk}/activities/new/",
        403,
        city_object(LOGGERS),
    ),
    # Correcting or deleting an activity is scoped like logging one (GET: the form or the question).
    Case(
        "edit an activity of the county pairing",
        lambda w: f"/pairings/activities/{w.county_activity.pk}/edit/",
        403,
        county_object(LOGGERS),
    ),
    Case(
        "edit an activity of the city pairing",
        lambda w: f"/pairings/activities/{w.city_activity.pk}/edit/",
        403,
        city_object(LOGGERS),
    ),
    Case(
        "delete an activity of the county pairing",
        lambda w: f"/pairings/activities/{w.county_activity.pk}/delete/",
        403,
        county_object(LOGGERS),
    ),
    Case(
        "delete an activity of the city pairing",
        lambda w: f"/pairings/activities/{w.city_activity.pk}/delete/",
        403,
        city_object(LOGGERS),
    ),
    Case("activity list", lambda w: "/pairings/activities/", 403, only(LOGGERS)),
    Case("liaison groups", lambda w: "/pairings/liaison/", 403, only(LOGGERS)),
    Case("new liaison group", lambda w: "/pairings/liaison/new/", 403, only(LOGGERS)),
    Case("new pairing", lambda w: "/pairings/new/", 403, only(STAFF_ROLES)),
    Case(
        "edit county liaison group",
        lambda w: f"/pairings/liaison/{w.county_liaison.pk}/edit/",
        403,
        county_object(LOGGERS),
    ),
    Case(
        "edit city liaison group",
        lambda w: f"/pairings/liaison/{w.city_liaison.pk}/edit/",
        403,
        city_object(LOGGERS),
    ),
    Case("external organisations", lambda w: "/pairings/external/", 403, only(STAFF_ROLES)),
    Case("import external organisations", lambda w: "/pairings/external/import/", 403, only(("admin",))),
    Case("pairing summary", lambda w: "/pairings/summary/", 403, only(STAFF_ROLES)),
    # Year-end assessment: administrators (a unit administrator exports their own scope).
    Case("assessment exports", lambda w: "/assessment/", 403, only(ADMINS)),
    Case("county export", lambda w: f"/assessment/exports/{w.county_export.pk}/", 403, only(ADMINS)),
    Case(
        "city export", lambda w: f"/assessment/exports/{w.city_export.pk}/", 403, only(ADMINS, unit_admin=404)
    ),
    Case(
        "county export progress",
        lambda w: f"/assessment/exports/{w.county_export.pk}/progress.json",
        403,
        only(ADMINS),
    ),
    Case(
        "city export progress",
        lambda w: f"/assessment/exports/{w.city_export.pk}/progress.json",
        403,
        only(ADMINS, unit_admin=404),
    ),
    Case(
        "download of an unfinished export",
        lambda w: f"/assessment/exports/{w.county_export.pk}/download/",
        403,
        only(ADMINS, status=404),
    ),
    Case(
        "freeze a year",
        lambda w: "/assessment/freeze/",
        403,
        only(("admin",), status=302),
        method="post",
        data=lambda w: {"year": "not a year"},
    ),
    # The REST API's pages: tokens for every signed-in user, service tokens for company administrators
    # (others: 403, as every company-administrators-only page), the schema for anyone.
    Case("API tokens", lambda w: "/api/tokens/", 200),
    Case("API documentation", lambda w: "/api/docs/", 200),
    Case("API service tokens", lambda w: "/api/service-tokens/", 403, only(("admin",))),
    Case("API schema", lambda w: "/api/schema/", 200, {"anonymous": 200}),
]


@pytest.fixture
def world(org):
    # The company administrator of the demo is a superuser (the Django admin needs model permissions).
    org.admin.is_superuser = True
    org.admin.save()
    return build_world(org)


def body_of(response) -> str:
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    return raw.decode("utf-8-sig")


def user_for(world, role):
    return None if role == "anonymous" else getattr(world, role)


@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(client, world, role):
    """One role through every case (one world per role keeps the suite fast); all mismatches at once."""
    user = user_for(world, role)
    if user is not None:
        client.force_login(user)
    mismatches = []
    for case in CASES:
        url = case.url(world)
        call = getattr(client, case.method)
        response = call(url, case.data(world)) if case.data else call(url)
        expected = case.expected(role)
        if response.status_code != expected:
            mismatches.append(
                f"{case.name}: {case.method.upper()} {url} -> {response.status_code}, expected {expected}"
            )
        elif (
            response.status_code == 302
            and role == "anonymous"
            and not url.startswith("/admin/")
            and not response["Location"].startswith("/accounts/login/")
        ):
            mismatches.append(f"{case.name}: anonymous sent to {response['Location']}, not to log in")
    assert mismatches == []


def named_views(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin":
                continue
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from named_views(entry, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield namespace + entry.name


def test_every_named_page_has_a_row_in_the_matrix(world):
    """A new page gets its row above, or a line here saying why it needs none."""
    covered = {resolve(urlsplit(case.url(world)).path).view_name for case in CASES}
    missing = sorted(set(named_views()) - covered - set(NOT_IN_MATRIX))
    assert missing == []


@pytest.mark.parametrize("role", ["unit_admin", "unit_staff"])
def test_a_unit_users_branch_export_holds_only_their_subtree(client, world, role):
    client.force_login(getattr(world, role))
    body = body_of(client.get("/org/branches/", {"export": "csv"}))
    assert world.county_branch.code in body and world.station_branch.code in body
    assert world.city_branch.code not in body


def test_company_staff_export_every_branch(client, world):
    client.force_login(world.staff)
    body = body_of(client.get("/org/branches/", {"export": "csv"}))
    assert all(code in body for code in Branch.objects.values_list("code", flat=True))

"""Every role x every main URL x own/foreign object, asserting the status the design promises.

Feature apps add their rows to CASES below (list, detail, edit, export; own and foreign object).
"""

import pytest

from branchtrack.models import Branch
from tests.security.matrix import ROLES, STAFF_ROLES, Case, only

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
    # The organisation import and export are company-wide: administrators only. A unit
    # administrator passes the role check today; see the lead's note in the security report.
    Case("organisation import", lambda w: "/org/import/", 403, only(("admin", "unit_admin"))),
    Case("organisation export", lambda w: "/org/export.csv", 403, only(("admin", "unit_admin"))),
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
]


@pytest.fixture
def world(org):
    # The company administrator of the demo is a superuser (the Django admin needs model permissions).
    org.admin.is_superuser = True
    org.admin.save()
    return org


def body_of(response) -> str:
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    return raw.decode("utf-8-sig")


def user_for(world, role):
    return None if role == "anonymous" else getattr(world, role)


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(client, world, case, role):
    user = user_for(world, role)
    if user is not None:
        client.force_login(user)
    url = case.url(world)
    data = case.data(world) if case.data else None
    response = (
        getattr(client, case.method)(url, data) if data is not None else getattr(client, case.method)(url)
    )
    assert response.status_code == case.expected(role), f"{role} {case.method.upper()} {url}"
    if response.status_code == 302 and role == "anonymous" and not url.startswith("/admin/"):
        assert response["Location"].startswith("/accounts/login/")


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

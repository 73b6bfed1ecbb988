"""The Django admin edits everything unscoped: only administrators get in."""

import pytest

from org.models import Role
from tests.factories import UserFactory


def test_the_company_administrator_opens_the_admin_site(login, org):
    assert login(org.admin).get("/admin/").status_code == 200


def test_a_superuser_administrator_sees_every_model_there(login, org):
    org.admin.is_superuser = True
    org.admin.save()
    page = login(org.admin).get("/admin/").content.decode()
    assert "/admin/branchtrack/branch/" in page and "/admin/security/loginfailure/" in page


@pytest.mark.parametrize("who", ["staff", "unit_staff", "reviewer", "secretary", "unit_admin"])
def test_everyone_else_is_sent_to_the_admin_login(login, org, who):
    response = login(getattr(org, who)).get("/admin/branchtrack/branch/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_is_staff_alone_does_not_open_the_admin_for_a_non_administrator(login, org):
    # is_staff is Django's flag; a party-affairs staff member who has it still is no administrator.
    sneaky = UserFactory(username="t-sneaky", role=Role.STAFF, unit=org.company, is_staff=True)
    response = login(sneaky).get("/admin/")
    assert (response.status_code, response["Location"]) == (302, "/admin/login/?next=/admin/")


def test_the_admin_shows_a_branch_history_to_administrators(login, org):
    org.admin.is_superuser = True
    org.admin.save()
    response = login(org.admin).get(f"/admin/branchtrack/branch/{org.city_branch.pk}/history/")
    assert response.status_code == 200


def test_anonymous_visitors_cannot_reach_the_admin(client, org):
    response = client.get("/admin/")
    assert (response.status_code, response["Location"]) == (302, "/admin/login/?next=/admin/")

"""The menu offers each role exactly the pages its guards let it open (issue #14 item 20).

The registry is walked, not listed: every NavItem of every app, for every role of the `org` fixture.
"""

import pytest

from branchtrack.web.navigation import _all_items, nav_items_for

ROLES = ("admin", "unit_admin", "staff", "unit_staff", "reviewer", "secretary")


@pytest.mark.parametrize("role", ROLES)
def test_every_menu_entry_opens_and_every_page_that_opens_is_in_the_menu(org, login, role):
    user = getattr(org, role)
    client = login(user)
    shown = {item.url_name for item in nav_items_for(user)}
    wrong = []
    for item in _all_items():
        status = client.get(item.url()).status_code
        if item.url_name in shown and status != 200:
            wrong.append(f"{item.url_name}: in the menu, answers {status}")
        if item.url_name not in shown and status == 200:
            wrong.append(f"{item.url_name}: answers 200, missing from the menu")
        if item.url_name not in shown:
            assert status == 403, f"{item.url_name} hidden from {role} but answers {status}, not 403"
    assert wrong == []


def test_a_unit_administrator_is_not_offered_company_pages(org):
    """The reported case: rating rounds and the audit log answered 403 from a unit administrator's menu."""
    shown = {item.url_name for item in nav_items_for(org.unit_admin)}
    assert {"projects:rounds", "audit_log", "org_import", "api:service_tokens"}.isdisjoint(shown)
    assert {"projects:rounds", "audit_log", "org_import", "api:service_tokens"} <= {
        item.url_name for item in nav_items_for(org.admin)
    }


def test_nobody_signed_out_gets_a_menu(client):
    from django.contrib.auth.models import AnonymousUser

    assert nav_items_for(AnonymousUser()) == []

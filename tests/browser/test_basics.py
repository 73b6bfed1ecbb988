"""Logging in, the home page, the branch list and the language switch, in a real browser."""

import pytest
from django.conf import settings
from playwright.sync_api import expect

from org.models import Role
from tests.conftest import Org
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.browser


def _user(org: Org, role: str):
    return {"admin": org.admin, "staff": org.staff, "reviewer": org.reviewer, "secretary": org.secretary}[
        role
    ]


def test_each_role_logs_in_through_the_form_and_sees_who_they_are(journey, org):
    page = journey.page
    for role in ("admin", "staff", "reviewer", "secretary"):
        user = _user(org, role)
        journey.login(user)

        expect(page.get_by_role("heading", level=1)).to_have_text(
            journey.t("Welcome, %(name)s", name=user.get_full_name() or user.username)
        )
        journey.open_menu()
        expect(page.get_by_test_id("user-role")).to_have_text(
            journey.t(settings.BRANCHTRACK_ROLE_LABELS[role])
        )
        expect(page.get_by_test_id("user-unit")).to_contain_text(user.unit.name)
        # The home page offers each role its own pages.
        expect(journey.card(journey.t("Party branches"))).to_have_count(
            1 if role in (Role.ADMIN, Role.STAFF) else 0
        )
        expect(journey.card(journey.t("Import organisation"))).to_have_count(1 if role == Role.ADMIN else 0)
        expect(journey.card(journey.t("My rating queue"))).to_have_count(1 if role == Role.REVIEWER else 0)
        if role == Role.STAFF:
            journey.screenshot("home")

        journey.logout()
        expect(page.get_by_role("heading", level=1)).to_have_text(journey.t("Log in"))


def test_a_wrong_password_is_refused_and_the_right_one_leads_where_the_user_was_going(journey, org):
    journey.goto("/org/branches/")
    # Anonymous visitors land on the login form, which remembers where they were going.
    expect(journey.page).to_have_url(journey.path_pattern("/accounts/login/"))
    page = journey.page
    page.get_by_label(journey.field_label(type(org.staff), "username")).fill(org.staff.username)
    page.get_by_label(journey.t("Password"), exact=True).fill("not-the-password")
    page.get_by_role("button", name=journey.t("Log in")).click()

    expect(page.get_by_role("alert")).to_be_visible()
    expect(page).to_have_url(journey.path_pattern("/accounts/login/"))
    journey.screenshot("login-error")

    page.get_by_label(journey.t("Password"), exact=True).fill(TEST_PASSWORD)
    page.get_by_role("button", name=journey.t("Log in")).click()
    expect(page).to_have_url(journey.path_pattern("/org/branches/"))


def test_staff_filter_the_branch_list_by_a_unit_and_get_its_sub_units_too(journey, org):
    journey.login(org.staff)
    journey.nav(journey.t("Party branches"))
    page = journey.page
    expect(page.get_by_test_id("result-count")).to_have_text(
        journey.n("%(counter)s branch", "%(counter)s branches", 3)
    )

    page.get_by_label(journey.t("Unit (with its sub-units)")).select_option(label=org.county.name)
    page.get_by_role("button", name=journey.t("Filter")).click()

    expect(page.get_by_test_id("result-count")).to_have_text(
        journey.n("%(counter)s branch", "%(counter)s branches", 2)
    )
    rows = page.get_by_role("table").get_by_role("row")
    expect(rows.filter(has_text=org.county_branch.name)).to_have_count(1)
    expect(rows.filter(has_text=org.station_branch.name)).to_have_count(1)
    expect(rows.filter(has_text=org.city_branch.name)).to_have_count(0)
    journey.screenshot("branch-list")

    page.get_by_role("link", name=journey.t("Reset")).click()
    expect(page.get_by_test_id("result-count")).to_have_text(
        journey.n("%(counter)s branch", "%(counter)s branches", 3)
    )


def test_the_language_switch_keeps_the_page_and_its_filters(journey, org):
    journey.login(org.staff)
    journey.goto(f"/org/branches/?unit={org.county.pk}")
    page = journey.page
    expect(page.get_by_role("heading", level=1)).to_have_text(journey.t("Party branches"))

    other = "en" if journey.language == "zh-hans" else "zh-hans"
    journey.switch_language(other)
    expect(page).to_have_url(journey.url(f"/org/branches/?unit={org.county.pk}"))
    expect(page.get_by_role("heading", level=1)).to_have_text(journey.t("Party branches"))
    expect(page.get_by_test_id("result-count")).to_have_text(
        journey.n("%(counter)s branch", "%(counter)s branches", 2)
    )

    # The choice sticks: the next page is in the new language too, and switching back works.
    journey.nav(journey.t("Home"))
    expect(page.locator("html")).to_have_attribute("lang", other)
    journey.switch_language("en" if other == "zh-hans" else "zh-hans")
    expect(page).to_have_url(journey.path_pattern("/"))
    journey.open_menu()
    expect(page.get_by_role("button", name=journey.t("Log out"))).to_be_visible()

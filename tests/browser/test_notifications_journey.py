"""Notifications in a browser: a problem found at a branch shows on its secretary's bell."""

import pytest
from playwright.sync_api import expect

from supervision.models import Finding
from tests.supervision.factories import CampaignFactory, VisitFactory

pytestmark = pytest.mark.browser


def test_a_problem_found_in_a_branch_shows_on_the_secretarys_bell(journey, org):
    page = journey.page
    visit = VisitFactory(
        campaign=CampaignFactory(name="2020年走遍支部", scope=[org.company]),
        branch=org.city_branch,
        created_by=org.staff,
    )
    journey.login(org.staff)
    journey.goto(f"/supervision/visits/{visit.pk}/")
    page.get_by_label(journey.field_label(Finding, "kind")).select_option(
        label=journey.t(Finding.Kind.PROBLEM.label)
    )
    page.get_by_label(journey.field_label(Finding, "title")).fill("党员发展档案不全")
    page.get_by_label(journey.field_label(Finding, "due_on")).fill("2020-08-31")
    page.get_by_role("button", name=journey.t("Add finding")).click()
    expect(page.get_by_role("status")).to_have_text(journey.t("Finding added."))
    expect(page.get_by_test_id("unread-count")).to_have_count(0)  # staff hear nothing of it
    journey.logout()

    journey.login(org.secretary)
    expect(page.get_by_test_id("unread-count")).to_have_text("1")
    journey.screenshot("bell")
    page.get_by_test_id("bell").click()
    title = journey.t(
        "Problem found in %(branch)s: %(title)s (due %(due_on)s)",
        branch=org.city_branch.name,
        title="党员发展档案不全",
        due_on="2020-08-31",
    )
    page.get_by_test_id("notifications").get_by_role("link", name=title).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("党员发展档案不全")
    expect(page.get_by_test_id("unread-count")).to_have_count(0)

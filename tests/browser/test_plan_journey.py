"""The visit plan in a browser: a unit administrator plans five branches in bulk; the visitor sees
them on their page and in the calendar, logs one, and sees it done and the forecast move."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from supervision.models import ChecklistItem, PlannedVisit
from tests.factories import BranchFactory
from tests.supervision.factories import CampaignFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def current(org):
    """A campaign under way over the test company, with seven county-side branches to plan."""
    today = timezone.localdate()
    for number in range(4):
        BranchFactory(unit=org.station, code=f"B-STN-{number}", name=f"供电所第{number + 2}党支部")
    return CampaignFactory(
        name="当期走遍支部",
        scope=[org.company],
        year=today.year,
        starts_on=today - datetime.timedelta(weeks=4),
        ends_on=today + datetime.timedelta(weeks=12),
    )


def test_plan_five_branches_see_them_log_one_and_watch_done_and_the_forecast(journey, org, current):
    page = journey.page
    today = timezone.localdate()
    journey.login(org.unit_admin)
    journey.goto(f"/supervision/campaigns/{current.pk}/unvisited/")
    rows = page.get_by_test_id("unvisited").locator("tbody tr")
    expect(rows).to_have_count(6)  # the county's and the station's branches
    for index in range(5):
        rows.nth(index).get_by_role("checkbox").check()
    page.get_by_test_id("plan-ticked").click()

    expect(page.get_by_test_id("assign-rows").locator("tbody tr")).to_have_count(5)
    page.get_by_label(journey.t("Visitors"), exact=True).select_option(str(org.unit_staff.pk))
    page.get_by_label(journey.t("Date"), exact=True).fill(today.isoformat())
    journey.screenshot("plan-assign")
    page.get_by_test_id("assign-submit").click()
    expect(page.get_by_role("status")).to_have_text(journey.t("%(count)s visits planned.", count=5))
    expect(page.get_by_test_id("plan-table").locator("tbody tr")).to_have_count(5)
    assert PlannedVisit.objects.filter(status=PlannedVisit.Status.PLANNED).count() == 5
    journey.goto(f"/supervision/campaigns/{current.pk}/forecast/")
    before = page.get_by_test_id("forecast-plan").inner_text()
    journey.logout()

    journey.login(org.unit_staff)
    expect(journey.card(journey.t("My visits"))).to_contain_text(
        journey.t(
            "Today %(today)s · later this week %(week)s · overdue %(overdue)s", today=5, week=0, overdue=0
        )
    )
    journey.nav(journey.t("My visits"))
    today_cards = page.get_by_test_id("my-today").locator("li")
    expect(today_cards).to_have_count(5)
    journey.screenshot("my-visits")

    page.get_by_role("link", name=journey.t("My week in the calendar")).click()
    expect(page.get_by_test_id("calendar").locator("a.cal-plan")).to_have_count(5)
    journey.screenshot("plan-calendar")
    page.go_back()

    first = today_cards.first
    branch_name = first.locator("strong").inner_text()
    first.get_by_role("link", name=journey.t("Log this visit")).click()
    form = page.get_by_test_id("visit-form")
    expect(form.get_by_label(journey.t("Date of visit"))).to_have_value(today.isoformat())
    for item in ChecklistItem.objects.filter(area__template=current.template):
        form.get_by_label(item.text, exact=True).fill("8")
    form.get_by_role("button", name=journey.t("Complete visit")).click()
    expect(page.get_by_role("status")).to_have_text(journey.t("Visit completed."))

    journey.nav(journey.t("My visits"))
    expect(page.get_by_test_id("my-today").locator("li")).to_have_count(4)
    expect(page.get_by_test_id("my-done")).to_contain_text(branch_name)
    assert PlannedVisit.objects.filter(status=PlannedVisit.Status.DONE).count() == 1

    # The forecast moved: one more branch visited, one fewer planned; the recent rate went up.
    journey.goto(f"/supervision/campaigns/{current.pk}/forecast/")
    forecast = page.get_by_test_id("forecast")
    expect(forecast).to_contain_text(
        journey.t("%(visited)s visited + %(planned)s planned", visited=1, planned=4)
    )
    assert page.get_by_test_id("forecast-plan").inner_text() == before  # the plan already counted it
    expect(page.get_by_test_id("forecast-rate")).not_to_have_text("0.0%")
    journey.screenshot("plan-forecast")

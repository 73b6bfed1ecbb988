"""走遍支部 in a browser: staff log a visit to an unvisited branch and watch coverage go up."""

import re

import pytest
from playwright.sync_api import expect

from supervision.models import ChecklistItem, Finding, Visit
from supervision.rollup import rollup_coverage
from tests.supervision.factories import CampaignFactory, VisitFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def campaign(org):
    """The 2020 campaign over the test company: one of its three branches visited, rolled up."""
    campaign = CampaignFactory(name="2020年走遍支部", scope=[org.company])
    VisitFactory(campaign=campaign, branch=org.county_branch, created_by=org.staff)
    rollup_coverage(campaign=campaign)
    return campaign


def _percent(text: str) -> float:
    return float(re.sub(r"[^0-9.]", "", text))


def test_staff_log_a_visit_with_nine_scores_and_a_problem_and_coverage_goes_up(journey, org, campaign):
    page = journey.page
    journey.login(org.staff)
    journey.nav(journey.t("Supervision dashboard"))

    expect(page.get_by_role("heading", level=1)).to_contain_text(campaign.name)
    expect(page.get_by_test_id("coverage-count")).to_have_text("1/3")
    coverage_before = _percent(page.get_by_test_id("coverage-percent").inner_text())

    expect(page.get_by_test_id("unvisited-summary")).to_contain_text("2")
    page.get_by_test_id("unvisited-link").click()
    unvisited = page.get_by_test_id("unvisited").get_by_role("row").filter(has_text=org.city_branch.name)
    unvisited.get_by_role("link", name=journey.t("Log a visit")).click()

    form = page.get_by_test_id("visit-form")
    expect(form).to_be_visible()
    expect(form.get_by_label(journey.t("Branch"), exact=True)).to_have_value(str(org.city_branch.pk))
    form.get_by_label(journey.t("Date of visit")).fill("2020-06-15")
    items = list(
        ChecklistItem.objects.filter(area__template=campaign.template).order_by("area__order", "order")
    )
    assert len(items) == 9
    for number, item in enumerate(items):
        form.get_by_label(item.text, exact=True).fill(str(6 + number % 5))
    form.get_by_label(journey.t("Overall comment")).fill("支部工作扎实，台账需补齐。")
    journey.screenshot("visit-form")
    form.get_by_role("button", name=journey.t("Complete visit")).click()

    expect(page.get_by_role("status")).to_have_text(journey.t("Visit completed."))
    expect(page.get_by_test_id("visit-status")).to_have_text(journey.t(Visit.Status.COMPLETED.label))
    expect(page.get_by_role("heading", level=1)).to_have_text(org.city_branch.name)

    page.get_by_label(journey.field_label(Finding, "kind")).select_option(
        label=journey.t(Finding.Kind.PROBLEM.label)
    )
    page.get_by_label(journey.field_label(Finding, "title")).fill("“三会一课”记录不完整")
    page.get_by_label(journey.field_label(Finding, "description")).fill("六月支委会无会议记录。")
    page.get_by_label(journey.field_label(Finding, "due_on")).fill("2020-08-31")
    page.get_by_role("button", name=journey.t("Add finding")).click()

    expect(page.get_by_role("status")).to_have_text(journey.t("Finding added."))
    expect(page.get_by_role("link", name="“三会一课”记录不完整")).to_be_visible()

    visit = Visit.objects.get(branch=org.city_branch, campaign=campaign)
    assert visit.status == Visit.Status.COMPLETED
    assert visit.scores.count() == 9
    assert visit.findings.get().kind == Finding.Kind.PROBLEM

    # Completing the visit queued the roll-up; the dashboard shows its new figures.
    journey.nav(journey.t("Supervision dashboard"))
    expect(page.get_by_test_id("coverage-count")).to_have_text("2/3")
    assert _percent(page.get_by_test_id("coverage-percent").inner_text()) > coverage_before
    journey.screenshot("dashboard")
    page.get_by_test_id("unvisited-link").click()
    expect(
        page.get_by_test_id("unvisited").get_by_role("row").filter(has_text=org.city_branch.name)
    ).to_have_count(0)

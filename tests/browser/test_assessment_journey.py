"""The year-end assessment in a browser: start the export, watch its progress bar, open the file."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from assessment import services
from assessment.models import ExportJob
from assessment.tasks import build_assessment_export
from tests.assessment.helpers import open_workbook, table
from tests.supervision.factories import CampaignFactory, VisitFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def year_2020(org):
    """The 2020 campaign with the county branch visited, so the sheet has something to say."""
    campaign = CampaignFactory(name="2020年走遍支部", scope=[org.company])
    VisitFactory(campaign=campaign, branch=org.county_branch, created_by=org.staff)
    return campaign


@pytest.fixture
def held_queue(monkeypatch):
    """The export queue, with the test as its worker: jobs wait until the test runs them.

    The live server runs Celery tasks in process, so a job would be done before its page even
    loads; holding it shows the page polling a queued job and following it to the end.
    """
    held: list[int] = []
    monkeypatch.setattr(services, "enqueue_export", lambda *, job_id: held.append(job_id))
    return held


def test_the_admin_exports_the_year_end_sheet_watches_it_finish_and_opens_the_file(
    journey, org, year_2020, held_queue
):
    page = journey.page
    journey.login(org.admin)
    journey.nav(journey.t("Year-end assessment"))

    form = page.get_by_test_id("export-form")
    form.get_by_label(journey.t("Year"), exact=True).select_option("2020")
    expect(form.get_by_label(journey.t("Scope"))).to_have_value(str(org.company.pk))
    form.get_by_role("button", name=journey.t("Start the export")).click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        journey.t("Assessment sheet %(year)s: %(scope)s", year=2020, scope=org.company.name)
    )
    status = page.locator("[data-status]")
    progress = page.get_by_role("progressbar", name=journey.t("Progress"))
    download = page.get_by_role("link", name=journey.t("Download the file"))
    expect(status).to_have_text(journey.t(ExportJob.Status.QUEUED.label))
    expect(download).to_be_hidden()

    # The worker picks the job up; the page, polling, follows it to the end on its own.
    assert len(held_queue) == 1
    build_assessment_export.apply(args=[held_queue[0]])

    expect(status).to_have_text(journey.t(ExportJob.Status.DONE.label))
    expect(progress).to_have_js_property("value", 3)
    expect(progress).to_have_js_property("max", 3)
    expect(page.locator("[data-progress-text]")).to_have_text(
        journey.t("%(done)s of %(total)s rows", done=3, total=3)
    )
    expect(download).to_be_visible()
    journey.screenshot("export")

    with page.expect_download() as waiting:
        download.click()
    saved = waiting.value
    assert saved.suggested_filename.endswith(f"-2020-{org.company.name}.xlsx")
    workbook = open_workbook(Path(saved.path()).read_bytes())
    # A summary, then one sheet per unit below the company, in the language of the user's page.
    assert workbook.sheetnames[1:] == [org.city.name, org.county.name]
    header, rows = table(workbook[org.county.name])
    branch_column, visited_column = header[3], header[5]
    assert {row[branch_column]: row[visited_column] for row in rows} == {
        org.county_branch.name: journey.pt("assessment sheet", "Yes"),
        org.station_branch.name: journey.pt("assessment sheet", "No"),
    }

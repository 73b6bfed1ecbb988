"""A tour of the reference scenario (`load_demo`) in a browser, role by role: the README's screenshots.

The demo is loaded once and looked at in Chinese on a phone and in English on a desktop; on the way
the tour checks the scenario's headline figures where the user sees them, and runs axe-core on every
page it shows (tests/browser/accessibility.py): a serious or critical violation fails the tour.
"""

import io

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from assessment.models import ExportJob
from org.demo import DEMO_PASSWORD
from org.models import User
from pairings.models import Pairing
from projects.models import RatingRound
from supervision.demo import CAMPAIGN_NAME, CURRENT_NAME
from supervision.models import Campaign, Finding, Visit
from tests.browser.accessibility import serious_violations

pytestmark = pytest.mark.browser

SETTINGS = [("zh-hans", "phone"), ("en", "desktop")]
# Pages known to be wider than the screen; the header's campaign menus fixed the last one.
KNOWN_TOO_WIDE: set[tuple[str, str]] = set()
# The controls inside data tables that stick out to the right of the screen, by their text.
OFF_SCREEN_CONTROLS = """() => Array.from(document.querySelectorAll(
    "table.data a, table.data button, table.data input, table.data select"))
  .filter(e => { const r = e.getBoundingClientRect(); return r.width > 0 && r.right > window.innerWidth + 1; })
  .slice(0, 3).map(e => e.textContent.trim() || e.name || e.type)"""


def test_a_tour_of_the_reference_scenario(tour):
    call_command("load_demo", stdout=io.StringIO())
    users = {user.username: user for user in User.objects.all()}
    # A branch visited before, so the visit form shows the last visit beside it.
    revisited = (
        Visit.objects.filter(campaign__name=CAMPAIGN_NAME, status=Visit.Status.COMPLETED)
        .select_related("branch", "campaign")
        .order_by("branch__code")
        .first()
    )

    current = Campaign.objects.get(name=CURRENT_NAME)
    problem = Finding.objects.filter(kind=Finding.Kind.PROBLEM).order_by("pk").first()
    pairing = Pairing.objects.order_by("pk").first()
    round_2020 = RatingRound.objects.get(year=2020)
    too_wide = []
    inaccessible = []
    off_screen = []

    def check_accessibility(journey, role):
        path = journey.page.url.removeprefix(journey.base_url)
        for violation in serious_violations(journey.page):
            inaccessible.append(f"{journey.language}/{journey.viewport} {role} {path}: {violation}")

    def every_page(journey, role):
        # Every page of the role's navigation, on the demo's data: the journey fails on any console
        # error or failed request on the way, and records pages wider than the screen.
        for path in journey.nav_paths():
            journey.goto(path)
            expect(journey.page.get_by_role("heading", level=1)).to_be_visible()
            if path == "/api/docs/":
                # Swagger UI fetches the schema after the page loads: leaving earlier aborts the fetch.
                expect(journey.page.locator("#swagger-ui .info")).to_be_visible()
            if journey.overflow_px() > 0:
                too_wide.append((journey.viewport, role, path, journey.overflow_px()))
            check_accessibility(journey, role)
            if journey.viewport == "phone":
                # A row's links and buttons stay on the screen (the tables read as cards on a phone).
                hidden = journey.page.evaluate(OFF_SCREEN_CONTROLS)
                if hidden:
                    off_screen.append((role, path, hidden))

    for language, viewport in SETTINGS:
        journey = tour(language, viewport)
        page = journey.page

        journey.login(users["staff"], password=DEMO_PASSWORD)
        journey.nav(journey.t("Supervision dashboard"))
        # The dashboard opens the campaign under way, with its forecast; the reference year is one click away.
        expect(page.get_by_test_id("forecast")).to_be_visible()
        journey.screenshot("plan-dashboard-forecast")
        check_accessibility(journey, "staff")
        page.get_by_role("link", name=CAMPAIGN_NAME).click()
        expect(page.get_by_test_id("coverage-count")).to_have_text("213/305")
        expect(page.get_by_test_id("coverage-percent")).to_have_text("69.8%")
        journey.screenshot("dashboard", full_page=False)
        check_accessibility(journey, "staff")
        # The coverage chart names every unit (it labelled every other one).
        labelled, units = page.evaluate(
            "() => { const c = Chart.getChart(document.getElementById('coverage-by-unit'));"
            " return [c.scales.y.ticks.length, c.data.labels.length]; }"
        )
        assert labelled == units > 5

        journey.goto(
            f"/supervision/campaigns/{revisited.campaign_id}/visits/new/?branch={revisited.branch_id}"
        )
        expect(page.get_by_test_id("previous-visit")).to_be_visible()
        journey.screenshot("visit-form", full_page=False)
        check_accessibility(journey, "staff")
        journey.nav(journey.t("My visits"))
        expect(page.get_by_test_id("my-visits-stats")).to_be_visible()
        journey.screenshot("my-visits", full_page=False)
        check_accessibility(journey, "staff")
        page.get_by_role("link", name=journey.t("My week in the calendar")).click()
        expect(page.get_by_test_id("calendar")).to_be_visible()
        journey.screenshot("plan-calendar", full_page=False)
        check_accessibility(journey, "staff")
        journey.goto(f"/supervision/campaigns/{current.pk}/forecast/?sort=risk")
        expect(page.get_by_test_id("unit-forecast")).to_be_visible()
        journey.screenshot("plan-forecast", full_page=False)
        check_accessibility(journey, "staff")
        journey.nav(journey.t("Problems"))
        expect(page.get_by_test_id("result-count")).to_be_visible()
        journey.screenshot("problem-list", full_page=False, at=page.get_by_test_id("result-count"))
        check_accessibility(journey, "staff")
        every_page(journey, "staff")
        journey.logout()

        journey.login(users["reviewer"], password=DEMO_PASSWORD)
        journey.nav(journey.t("My rating queue"))
        expect(page.get_by_test_id("queue-row").first).to_be_visible()
        journey.screenshot("reviewer-queue", full_page=False)
        check_accessibility(journey, "reviewer")
        every_page(journey, "reviewer")
        journey.logout()

        journey.login(users["admin"], password=DEMO_PASSWORD)
        journey.nav(journey.t("Rating rounds"))
        page.get_by_test_id("round-row").filter(has_text="2020").get_by_role("link").click()
        # 305 projects: the top half rounded up is 153, a third of that 51.
        expect(page.get_by_test_id("tracking-size")).to_have_text("153")
        expect(page.get_by_test_id("outstanding-size")).to_have_text("51")
        page.get_by_role("link", name=journey.t("Preview the ranking")).click()
        expect(page.get_by_test_id("ranked-count")).to_have_text("305")
        expect(page.get_by_test_id("list-size")).to_have_text("153")
        journey.screenshot("ranking", full_page=False)
        check_accessibility(journey, "admin")

        journey.nav(journey.t("Year-end assessment"))
        form = page.get_by_test_id("export-form")
        form.get_by_label(journey.t("Year"), exact=True).select_option("2020")
        form.get_by_role("button", name=journey.t("Start the export")).click()
        expect(page.locator("[data-status]")).to_have_text(journey.t(ExportJob.Status.DONE.label))
        expect(page.locator("[data-progress-text]")).to_have_text(
            journey.t("%(done)s of %(total)s rows", done=305, total=305)
        )
        journey.screenshot("export", full_page=False)
        check_accessibility(journey, "admin")
        # Pages off the menu: a visit with its findings (the good-practice button), a problem, a pairing and
        # its change history, the outstanding projects of 2020 (102 rows).
        for path in [
            f"/supervision/visits/{revisited.pk}/",
            f"/supervision/problems/{problem.pk}/",
            f"/pairings/{pairing.pk}/",
            f"/audit/pairings.pairing/{pairing.pk}/",
            f"/projects/rounds/{round_2020.pk}/outstanding/",
        ]:
            response = journey.goto(path)
            assert response.status == 200, path
            check_accessibility(journey, "admin")
        # 102 rows to choose from: the counter and the button stay in view at the bottom of the screen.
        expect(page.get_by_test_id("outstanding-bar")).to_be_in_viewport()
        journey.screenshot("outstanding", full_page=False)
        every_page(journey, "admin")
        journey.logout()

        # The notifications demo: 城东's administrator hears of a problem due in 2 days and of the
        # 2020 lists; the unit's WeCom and DingTalk robots are unreachable (failed deliveries).
        journey.login(users["unitadmin"], password=DEMO_PASSWORD)
        expect(page.get_by_test_id("unread-count")).to_have_text("3")
        page.get_by_test_id("bell").click()
        expect(page.get_by_test_id("notifications").locator("tr.unread")).to_have_count(3)
        journey.screenshot("notifications", full_page=False)
        check_accessibility(journey, "unitadmin")
        journey.nav(journey.t("Notification preferences"))
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        journey.screenshot("notification-preferences", full_page=False)
        check_accessibility(journey, "unitadmin")
        journey.nav(journey.t("Notification channels"))
        expect(page.get_by_test_id("channels").locator("tbody tr")).to_have_count(2)
        expect(page.get_by_test_id("failed-deliveries").locator("tbody tr")).to_have_count(2)
        journey.screenshot("notification-channels")
        check_accessibility(journey, "unitadmin")
        journey.logout()

        journey.login(users["secretary"], password=DEMO_PASSWORD)
        # A problem found yesterday in the secretary's branch is on the bell.
        expect(page.get_by_test_id("unread-count")).to_have_text("1")
        journey.nav(journey.t("Pairings"))
        page.get_by_test_id("pairing-row").first.get_by_role("link").first.click()
        timeline = page.get_by_test_id("activity").first
        expect(timeline).to_be_visible()
        journey.screenshot(
            "pairing", full_page=False, at=page.get_by_role("heading", name=journey.t("Activity timeline"))
        )
        check_accessibility(journey, "secretary")
        every_page(journey, "secretary")
        journey.logout()

    unexpected = [page for page in too_wide if page[:2] not in KNOWN_TOO_WIDE]
    assert not unexpected, "pages wider than the screen (viewport, role, path, px): %s" % unexpected
    fixed = KNOWN_TOO_WIDE - {page[:2] for page in too_wide}
    assert not fixed, f"{fixed} fit the screen now: take them off KNOWN_TOO_WIDE"
    assert not off_screen, "table controls off the phone's screen (role, path, controls): %s" % off_screen
    assert not inaccessible, "serious or critical axe-core violations:\n" + "\n".join(inaccessible)

"""A create form tapped twice while the server is slow saves once: the button disables at the first
tap, and the form's idempotency key makes any second send answer the first record."""

import pytest
from playwright.sync_api import expect

from supervision.models import MeetingAttendance

pytestmark = pytest.mark.browser


def test_a_double_tap_on_a_slow_network_records_one_meeting(journey, org):
    page = journey.page
    journey.login(org.staff)
    journey.goto("/supervision/meetings/new/")
    page.get_by_label(journey.t("Unit")).select_option(str(org.county.pk))
    page.get_by_label(journey.t("Date")).fill("2020-05-01")
    page.get_by_label(journey.t("Meeting"), exact=True).fill("党建工作例会")
    page.get_by_label(journey.t("Attended by")).fill("王芳")

    # Hold the first send in the page (a slow network, seen from the page): a listener on the window
    # runs after the page's own ones and keeps the browser from leaving, counting each send.
    page.evaluate(
        """() => {
             window.sends = 0;
             window.addEventListener("submit", event => { window.sends += 1; event.preventDefault(); });
           }"""
    )
    button = page.locator("main form button[type=submit]")
    button.click()
    expect(button).to_be_disabled()
    button.click(force=True)  # the impatient second tap
    page.wait_for_timeout(300)
    assert page.evaluate("window.sends") == 1
    # The held send goes out now, with the key the page made: one meeting.
    with page.expect_navigation():
        page.evaluate("document.querySelector('main form').submit()")
    expect(page).to_have_url(journey.path_pattern("/supervision/meetings/"))
    assert MeetingAttendance.objects.filter(title="党建工作例会").count() == 1

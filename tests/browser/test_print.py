"""Printing a page in Chromium: the print stylesheet leaves the navigation out and shows where links lead."""

import pytest

from tests.pdfs import pdf_text
from tests.supervision.factories import CampaignFactory, ProblemFactory, VisitFactory

pytestmark = pytest.mark.browser


def test_a_printed_visit_page_has_its_content_and_no_navigation(journey, org):
    campaign = CampaignFactory(scope=[org.company])
    visit = VisitFactory(campaign=campaign, branch=org.city_branch, visitors="王芳")
    problem = ProblemFactory(visit=visit, title="党员活动室未挂牌")
    journey.login(org.staff)
    journey.goto(f"/supervision/visits/{visit.pk}/")
    page = journey.page
    assert page.locator("#site-nav").count() == 1  # the navigation is there on screen

    printed = pdf_text(page.pdf(format="A4", print_background=True))

    assert "城区党支部" in printed and "党员活动室未挂牌" in printed
    for navigation in (journey.t("Log out"), journey.t("Home"), org.staff.get_full_name()):
        assert "".join(navigation.split()) not in printed, navigation
    assert journey.t("Visit report (PDF)").replace(" ", "") not in printed  # buttons stay on screen
    assert f"(/supervision/problems/{problem.pk}/)" in printed  # a link prints where it leads

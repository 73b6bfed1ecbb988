"""Query budgets of the list pages and the visit form, and the navigation entries per role."""

import pytest

from supervision import services
from supervision.models import Finding
from tests.factories import BranchFactory, UnitFactory
from tests.query_budget import assert_page_within_budget
from tests.supervision.factories import ProblemFactory, VisitFactory


def _grow_visits(campaign, org):
    def grow():
        for _ in range(3):
            unit = UnitFactory(parent=org.company)
            for branch in BranchFactory.create_batch(4, unit=unit):
                visit = VisitFactory(campaign=campaign, branch=branch)
                ProblemFactory(visit=visit)
                practice = services.add_finding(visit=visit, kind=Finding.Kind.GOOD_PRACTICE, title="做法")
                services.set_in_catalogue(finding=practice, in_catalogue=True)

    return grow


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("page", "url"),
    [
        ("visit_list", "/supervision/visits/"),
        ("problem_list", "/supervision/problems/"),
        ("good_practice_list", "/supervision/good-practices/"),
    ],
)
def test_list_pages_keep_their_query_budget(login, org, campaign, page, url):
    visit = VisitFactory(campaign=campaign, branch=org.city_branch)
    ProblemFactory(visit=visit)
    practice = services.add_finding(visit=visit, kind=Finding.Kind.GOOD_PRACTICE, title="做法")
    services.set_in_catalogue(finding=practice, in_catalogue=True)
    assert_page_within_budget(
        app="supervision", page=page, client=login(org.staff), url=url, grow=_grow_visits(campaign, org)
    )


@pytest.mark.django_db
def test_the_visit_form_keeps_its_query_budget_with_a_previous_visit(login, org, campaign):
    last = VisitFactory(campaign=campaign, branch=org.city_branch)
    ProblemFactory(visit=last)

    def grow():
        for _ in range(5):
            ProblemFactory(visit=last)
        BranchFactory.create_batch(10, unit=org.city)

    assert_page_within_budget(
        app="supervision",
        page="visit_form",
        client=login(org.staff),
        url=f"/supervision/campaigns/{campaign.pk}/visits/new/?branch={org.city_branch.pk}",
        grow=grow,
    )


@pytest.mark.django_db
def test_staff_see_the_supervision_pages_on_the_home_page(login, org, campaign):
    staff_home = login(org.staff).get("/").content.decode()
    assert "走遍支部看板" in staff_home and "列席例会" in staff_home
    reviewer_home = login(org.reviewer).get("/").content.decode()
    assert "鲜活经验" in reviewer_home and "走遍支部看板" not in reviewer_home


@pytest.mark.django_db
def test_the_index_opens_the_latest_campaign(login, org, campaign):
    response = login(org.staff).get("/supervision/")
    assert response.status_code == 302 and response["Location"] == f"/supervision/campaigns/{campaign.pk}/"

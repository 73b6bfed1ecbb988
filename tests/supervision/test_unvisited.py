"""Branches not visited yet: the page staff plan their next visits from (live, not from a snapshot)."""

import csv
import io

import pytest

from supervision.views import PAGE_SIZE
from tests.factories import BranchFactory, UnitFactory
from tests.query_budget import assert_page_within_budget
from tests.supervision.factories import VisitFactory


def _url(campaign) -> str:
    return f"/supervision/campaigns/{campaign.pk}/unvisited/"


def _rows(page: str) -> list[str]:
    body = page.split('data-testid="unvisited"')[1].split("<tbody>")[1].split("</tbody>")[0]
    return [row.split("<td>")[1].split("</td>")[0] for row in body.split("<tr>")[1:]]


@pytest.mark.django_db
def test_it_lists_the_active_branches_no_completed_visit_reached(login, org, campaign, inactive_branch):
    VisitFactory(campaign=campaign, branch=org.city_branch)
    VisitFactory(campaign=campaign, branch=org.station_branch, status="draft")  # a draft is no visit yet

    page = login(org.staff).get(_url(campaign)).content.decode()

    assert _rows(page) == ["县公司党支部", "供电所党支部"]
    assert "2 个党支部未调研" in page
    assert f"/supervision/campaigns/{campaign.pk}/visits/new/?branch={org.county_branch.pk}" in page


@pytest.mark.django_db
def test_unit_staff_see_only_their_subtree_and_may_narrow_it(login, org, campaign):
    client = login(org.unit_staff)
    assert _rows(client.get(_url(campaign)).content.decode()) == ["县公司党支部", "供电所党支部"]
    assert _rows(client.get(_url(campaign), {"unit": org.station.pk}).content.decode()) == ["供电所党支部"]
    assert _rows(client.get(_url(campaign), {"q": "供电所"}).content.decode()) == ["供电所党支部"]
    assert client.get(_url(campaign), {"unit": org.city.pk}).status_code == 400


@pytest.mark.django_db
def test_it_exports_every_matching_branch(login, org, campaign):
    VisitFactory(campaign=campaign, branch=org.city_branch)
    response = login(org.staff).get(_url(campaign), {"export": "csv"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert [row[1] for row in rows[1:]] == ["县公司党支部", "供电所党支部"]


@pytest.mark.django_db
def test_it_is_paged(login, org, campaign):
    BranchFactory.create_batch(PAGE_SIZE, unit=org.county)
    client = login(org.staff)
    assert len(_rows(client.get(_url(campaign)).content.decode())) == PAGE_SIZE
    assert len(_rows(client.get(_url(campaign), {"page": 2}).content.decode())) == 3


@pytest.mark.django_db
def test_its_query_count_does_not_grow_with_branches(login, org, campaign):
    client = login(org.staff)

    def grow():
        for _ in range(3):
            unit = UnitFactory(parent=org.company)
            VisitFactory(campaign=campaign, branch=BranchFactory(unit=unit))
            BranchFactory.create_batch(3, unit=unit)

    assert_page_within_budget(
        app="supervision", page="unvisited_list", client=client, url=_url(campaign), grow=grow
    )

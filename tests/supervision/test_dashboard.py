"""The dashboard reads snapshots: coverage, units, charts' data, unvisited branches; scoped; fixed query count."""

import datetime
import json
import re

import pytest

from supervision.rollup import rollup_coverage
from supervision.views import PAGE_SIZE
from tests.factories import BranchFactory, UnitFactory
from tests.query_budget import assert_page_within_budget, capture_queries, check_budget, count_queries
from tests.supervision.factories import ProblemFactory, VisitFactory

DAY = datetime.date(2020, 12, 31)


def _chart(page: str) -> dict:
    return json.loads(
        re.search(r'id="coverage-chart-data" type="application/json">(.*?)</script>', page).group(1)
    )


@pytest.mark.django_db
def test_the_dashboard_shows_company_coverage_units_and_the_trend(login, org, campaign):
    VisitFactory(campaign=campaign, branch=org.city_branch, visited_on=datetime.date(2020, 4, 1))
    rollup_coverage(campaign=campaign, day=datetime.date(2020, 6, 30))
    VisitFactory(campaign=campaign, branch=org.station_branch, visited_on=datetime.date(2020, 8, 1))
    rollup_coverage(campaign=campaign, day=DAY)

    page = login(org.staff).get(f"/supervision/campaigns/{campaign.pk}/").content.decode()

    assert 'data-testid="coverage-count">2/3<' in page
    assert 'data-testid="coverage-percent">66.7%<' in page
    chart = _chart(page)
    assert chart["trend_days"] == ["2020-06-30", "2020-12-31"]
    assert chart["trend_coverage"] == [33.3, 66.7]
    assert chart["units"] == ["测试公司", "城区公司", "县公司", "供电所"]
    assert "尚有 1 个党支部未调研" in page  # from the snapshot, like every figure on the page


@pytest.mark.django_db
def test_unit_staff_see_their_own_units_figures(login, org, campaign):
    VisitFactory(campaign=campaign, branch=org.city_branch)
    VisitFactory(campaign=campaign, branch=org.station_branch)
    rollup_coverage(campaign=campaign, day=DAY)

    page = login(org.unit_staff).get(f"/supervision/campaigns/{campaign.pk}/").content.decode()

    assert 'data-testid="coverage-count">1/2<' in page
    assert _chart(page)["units"] == ["县公司", "供电所"]
    assert "城区公司" not in page.split('data-testid="unit-table"')[1].split("</table>")[0]


@pytest.mark.django_db
def test_the_unit_table_sorts_and_filters(login, org, campaign):
    VisitFactory(campaign=campaign, branch=org.city_branch)
    ProblemFactory(visit=VisitFactory(campaign=campaign, branch=org.station_branch, status="draft"))
    rollup_coverage(campaign=campaign, day=DAY)
    client = login(org.staff)
    url = f"/supervision/campaigns/{campaign.pk}/"

    assert _chart(client.get(url, {"sort": "coverage"}).content.decode())["units"][:2] == ["县公司", "供电所"]
    assert _chart(client.get(url, {"below": "50"}).content.decode())["units"] == [
        "测试公司",
        "县公司",
        "供电所",
    ]
    assert _chart(client.get(url, {"kind": "county"}).content.decode())["units"] == ["县公司"]
    assert client.get(url, {"sort": "nonsense"}).status_code == 400


@pytest.mark.django_db
def test_the_dashboard_without_snapshots_says_so(login, org, campaign):
    page = login(org.staff).get(f"/supervision/campaigns/{campaign.pk}/").content.decode()
    assert "暂无覆盖率数据" in page


@pytest.mark.django_db
def test_other_roles_have_no_dashboard(login, org, campaign):
    assert login(org.secretary).get(f"/supervision/campaigns/{campaign.pk}/").status_code == 403
    assert login(org.reviewer).get("/supervision/").status_code == 403


@pytest.mark.django_db
def test_the_dashboard_query_count_does_not_grow_with_units_or_visits(login, org, campaign):
    VisitFactory(campaign=campaign, branch=org.city_branch)
    rollup_coverage(campaign=campaign, day=DAY)
    client = login(org.staff)

    def grow():
        for _ in range(4):
            unit = UnitFactory(parent=org.company)
            for branch in BranchFactory.create_batch(3, unit=unit):
                ProblemFactory(visit=VisitFactory(campaign=campaign, branch=branch))
            BranchFactory(unit=unit)
        rollup_coverage(campaign=campaign, day=datetime.date(2020, 6, 1))
        rollup_coverage(campaign=campaign, day=DAY)

    assert_page_within_budget(
        app="supervision",
        page="dashboard",
        client=client,
        url=f"/supervision/campaigns/{campaign.pk}/",
        grow=grow,
    )


def _unit_rows(page: str) -> int:
    return page.split('data-testid="unit-table"')[1].split("<tbody>")[1].split("</tbody>")[0].count("<tr>")


@pytest.mark.django_db
def test_the_dashboard_pages_its_units_and_keeps_the_filters(login, org, campaign):
    for number in range(PAGE_SIZE):
        BranchFactory(unit=UnitFactory(parent=org.county, code=f"C-CTY-{number:02}"))
    rollup_coverage(campaign=campaign, day=DAY)  # 54 units, 53 unvisited branches
    client = login(org.staff)
    url = f"/supervision/campaigns/{campaign.pk}/"

    first = client.get(url).content.decode()
    assert "尚有 53 个党支部未调研" in first
    assert _unit_rows(first) == PAGE_SIZE
    assert "units_page=2#units" in first

    later = client.get(url, {"units_page": 2, "sort": "coverage"}).content.decode()
    assert _unit_rows(later) == 4
    back = re.search(r'href="\?([^"]*units_page=1#units)"', later).group(1).split("&amp;")
    assert "sort=coverage" in back


def _main(response) -> str:
    return response.content.decode().split("<main")[1].split("</main>")[0]


@pytest.mark.django_db
def test_a_repeat_view_comes_from_the_cache_until_the_next_rollup(login, org, campaign):
    VisitFactory(campaign=campaign, branch=org.city_branch)
    rollup_coverage(campaign=campaign, day=DAY)
    client = login(org.staff)
    url = f"/supervision/campaigns/{campaign.pk}/"

    first_queries, first = count_queries(lambda: client.get(url))
    again_queries, again, statements = capture_queries(lambda: client.get(url))
    assert _main(again) == _main(first)  # the header differs: its logout form has a fresh CSRF token
    assert again_queries < first_queries
    check_budget(app="supervision", page="dashboard_cached", count=again_queries, queries=statements)

    # A visit changes nothing on the page until the roll-up writes new snapshots; then it shows.
    VisitFactory(campaign=campaign, branch=org.station_branch)
    assert 'data-testid="coverage-count">1/3<' in client.get(url).content.decode()
    rollup_coverage(campaign=campaign, day=DAY)
    assert 'data-testid="coverage-count">2/3<' in client.get(url).content.decode()


@pytest.mark.django_db
def test_the_cache_keeps_scopes_languages_and_filters_apart(login, org, campaign):
    VisitFactory(campaign=campaign, branch=org.city_branch)
    rollup_coverage(campaign=campaign, day=DAY)
    url = f"/supervision/campaigns/{campaign.pk}/"
    company = login(org.staff).get(url).content.decode()
    county = login(org.unit_staff).get(url).content.decode()

    assert 'data-testid="coverage-count">1/3<' in company
    assert 'data-testid="coverage-count">0/2<' in county
    client = login(org.staff)
    assert _chart(client.get(url, {"kind": "county"}).content.decode())["units"] == ["县公司"]
    assert "尚有 2 个党支部未调研" in client.get(url).content.decode()
    client.cookies["django_language"] = "en"
    assert "2 branches not visited yet" in client.get(url).content.decode()


@pytest.mark.django_db
def test_invalid_filters_are_not_cached(login, org, campaign):
    rollup_coverage(campaign=campaign, day=DAY)
    client = login(org.staff)
    url = f"/supervision/campaigns/{campaign.pk}/"
    assert client.get(url, {"sort": "nonsense"}).status_code == 400
    assert client.get(url, {"sort": "nonsense"}).status_code == 400

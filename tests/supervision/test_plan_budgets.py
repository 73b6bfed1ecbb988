"""Query budgets of the visit plan's pages at two data sizes (tests/supervision/query_counts.json)."""

import datetime

import pytest
from django.utils import timezone

from supervision import services
from supervision.models import PlannedVisit, PlannedVisitor
from tests.factories import BranchFactory, UnitFactory, UserFactory
from tests.query_budget import assert_page_within_budget, budget, count_queries
from tests.supervision.factories import CampaignFactory, VisitFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def current(org):
    today = timezone.localdate()
    return CampaignFactory(
        scope=[org.company],
        year=today.year,
        starts_on=today - datetime.timedelta(weeks=4),
        ends_on=today + datetime.timedelta(weeks=12),
    )


def _plan(campaign, branch, visitor, planner, offset):
    day = timezone.localdate() + datetime.timedelta(days=offset)
    plan = PlannedVisit.objects.create(campaign=campaign, branch=branch, planned_on=day, created_by=planner)
    PlannedVisitor.objects.create(plan=plan, user=visitor)
    return plan


def grower(org, campaign):
    """Three more units with branches, visitors, visits and plans on every side of today."""

    def grow():
        for n in range(3):
            unit = UnitFactory(parent=org.company)
            visitor = UserFactory(role="staff", unit=unit)
            for i, branch in enumerate(BranchFactory.create_batch(4, unit=unit)):
                _plan(campaign, branch, org.staff, org.admin, offset=i * 3 - 4)
                _plan(campaign, BranchFactory(unit=unit), visitor, org.admin, offset=n)
                VisitFactory(
                    campaign=campaign,
                    branch=branch,
                    visited_on=timezone.localdate() - datetime.timedelta(days=n),
                )

    return grow


@pytest.fixture
def seeded(org, current):
    _plan(current, org.city_branch, org.staff, org.admin, offset=0)
    _plan(current, org.county_branch, org.staff, org.admin, offset=-3)
    VisitFactory(campaign=current, branch=org.station_branch, visited_on=timezone.localdate())
    return current


@pytest.mark.parametrize(
    ("page", "path"),
    [
        ("my_visits", "/supervision/plan/mine/"),
        ("my_visits_json", "/supervision/plan/mine.json"),
        ("plan_list", "/supervision/campaigns/{pk}/plan/"),
        ("plan_calendar", "/supervision/campaigns/{pk}/plan/calendar/"),
        ("plan_calendar_week", "/supervision/campaigns/{pk}/plan/calendar/?view=week&visitor={staff}"),
        ("plan_units", "/supervision/campaigns/{pk}/plan/units/"),
        ("plan_visitors", "/supervision/campaigns/{pk}/plan/visitors/"),
        ("forecast", "/supervision/campaigns/{pk}/forecast/"),
        ("plan_automatic", "/supervision/campaigns/{pk}/plan/automatic/?unit={company}"),
    ],
)
def test_plan_pages_keep_their_query_budget(login, org, seeded, page, path):
    client = login(org.staff if page.startswith("my_") else org.admin)
    url = path.format(pk=seeded.pk, staff=org.staff.pk, company=org.company.pk)
    assert_page_within_budget(app="supervision", page=page, client=client, url=url, grow=grower(org, seeded))


def test_the_calendar_feed_costs_the_same_at_any_size(client, org, seeded):
    token = services.reset_calendar_feed(user=org.staff)
    url = f"/supervision/plan/feed/{token}.ics"
    small, response = count_queries(lambda: client.get(url))
    assert response.status_code == 200
    grower(org, seeded)()
    large, response = count_queries(lambda: client.get(url))
    assert response.content.count(b"BEGIN:VEVENT") > 10
    assert (small, large) == (budget("supervision", "calendar_feed"),) * 2

"""Supervision's year-end figures per branch (`supervision.year_end`), as the export and pages read them."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from branchtrack.web.year_end import collect
from supervision import services, year_end
from supervision.models import Visit
from tests.supervision.factories import ProblemFactory, VisitFactory

TODAY = datetime.date(2021, 1, 15)


@pytest.mark.django_db
def test_year_end_figures_give_visits_scores_and_problem_counts(org, campaign):
    VisitFactory(
        campaign=campaign, branch=org.city_branch, visited_on=datetime.date(2020, 4, 1), score=Decimal("5")
    )
    latest = VisitFactory(
        campaign=campaign, branch=org.city_branch, visited_on=datetime.date(2020, 9, 1), score=Decimal("9")
    )
    VisitFactory(campaign=campaign, branch=org.county_branch, status=Visit.Status.DRAFT)
    ProblemFactory(visit=latest, due_on=datetime.date(2020, 10, 1))
    fixed = ProblemFactory(visit=latest, due_on=datetime.date(2020, 10, 1))
    services.resolve_problem(
        problem=fixed, resolution="已整改", evidence="整改报告", resolved_on=datetime.date(2020, 11, 1)
    )

    sources = year_end.year_sources(year=2020, scope_path="", today=TODAY)
    with CaptureQueriesContext(connection) as queries:
        results = collect(sources, [org.city_branch.pk, org.county_branch.pk])

    city = results[org.city_branch.pk]
    assert city["visited"] and city["visit_count"] == 2
    assert (city["first_visit"], city["last_visit"]) == (datetime.date(2020, 4, 1), datetime.date(2020, 9, 1))
    assert city["area_scores"] == [Decimal("27"), Decimal("27"), Decimal("27")]
    assert city["checklist_total"] == Decimal("81")
    assert (city["problems_found"], city["problems_resolved"], city["problems_overdue"]) == (2, 1, 1)
    county = results[org.county_branch.pk]
    assert "visited" not in county and "checklist_total" not in county
    assert len(queries) == 3
    assert sources.as_of == {"supervision": campaign.ends_on}


@pytest.mark.django_db
def test_campaign_for_year_and_its_figures_day(campaign):
    assert year_end.campaign_for_year(2020) == campaign
    assert year_end.campaign_for_year(2019) is None
    assert year_end.figures_day(campaign, datetime.date(2020, 6, 2)) == datetime.date(2020, 6, 2)
    assert year_end.figures_day(campaign, datetime.date(2026, 11, 25)) == campaign.ends_on
    assert year_end.figures_day(campaign, datetime.date(2019, 1, 1)) == campaign.starts_on

"""What other apps read: per-branch results of a campaign (the year-end export)."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from supervision import services
from supervision.models import Visit
from supervision.selectors import branch_results, campaign_for_year
from tests.supervision.factories import ProblemFactory, VisitFactory

TODAY = datetime.date(2021, 1, 15)


@pytest.mark.django_db
def test_branch_results_give_visits_scores_and_problem_counts(org, campaign):
    VisitFactory(
        campaign=campaign, branch=org.city_branch, visited_on=datetime.date(2020, 4, 1), score=Decimal("5")
    )
    latest = VisitFactory(
        campaign=campaign, branch=org.city_branch, visited_on=datetime.date(2020, 9, 1), score=Decimal("9")
    )
    VisitFactory(campaign=campaign, branch=org.county_branch, status=Visit.Status.DRAFT)
    ProblemFactory(visit=latest, due_on=datetime.date(2020, 10, 1))
    fixed = ProblemFactory(visit=latest, due_on=datetime.date(2020, 10, 1))
    services.resolve_problem(problem=fixed, resolution="已整改", evidence="整改报告")

    with CaptureQueriesContext(connection) as queries:
        results = branch_results(campaign=campaign, today=TODAY)

    city = results[org.city_branch.pk]
    assert city.visited and city.visit_dates == [datetime.date(2020, 4, 1), datetime.date(2020, 9, 1)]
    assert city.area_scores == {"A1": Decimal("27.00"), "A2": Decimal("27.00"), "A3": Decimal("27.00")}
    assert city.total_score == Decimal("81.00")
    assert (city.problems_found, city.problems_resolved, city.problems_overdue) == (2, 1, 1)
    county = results[org.county_branch.pk]
    assert not county.visited and county.total_score is None
    assert len(queries) <= 6


@pytest.mark.django_db
def test_campaign_for_year(campaign):
    assert campaign_for_year(2020) == campaign
    assert campaign_for_year(2019) is None

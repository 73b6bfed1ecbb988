"""Coverage arithmetic: distinct active branches with a completed visit / active branches in scope."""

import datetime
from decimal import Decimal

import pytest

from supervision.models import Campaign, CoverageSnapshot, Visit
from supervision.rollup import compute_coverage, rollup_coverage
from tests.factories import BranchFactory, UnitFactory
from tests.supervision.factories import CampaignFactory, ProblemFactory, VisitFactory

DAY = datetime.date(2020, 12, 31)


def _by_code(by_unit):
    return {unit.code: figures for unit, figures in by_unit.items()}


@pytest.mark.django_db
def test_inactive_branches_drafts_and_repeat_visits_do_not_change_coverage(org, campaign, inactive_branch):
    VisitFactory(campaign=campaign, branch=org.city_branch)
    VisitFactory(campaign=campaign, branch=org.county_branch, visited_on=datetime.date(2020, 5, 1))
    VisitFactory(campaign=campaign, branch=org.county_branch, visited_on=datetime.date(2020, 9, 1))
    VisitFactory(campaign=campaign, branch=org.station_branch, status=Visit.Status.DRAFT)
    VisitFactory(campaign=campaign, branch=inactive_branch)

    total, by_unit = compute_coverage(campaign=campaign, day=DAY)

    assert (total.visited_branches, total.active_branches) == (2, 3)
    assert total.completed_visits == 3  # the repeat counts as a visit, not as another branch


@pytest.mark.django_db
def test_units_sum_their_sub_units_along_the_tree(org, campaign):
    VisitFactory(campaign=campaign, branch=org.city_branch)
    VisitFactory(campaign=campaign, branch=org.station_branch)

    _total, by_unit = compute_coverage(campaign=campaign, day=DAY)
    units = _by_code(by_unit)

    assert (units["C-CTY-S"].visited_branches, units["C-CTY-S"].active_branches) == (1, 1)
    assert (units["C-CTY"].visited_branches, units["C-CTY"].active_branches) == (1, 2)
    assert (units["C-CITY"].visited_branches, units["C-CITY"].active_branches) == (1, 1)
    assert (units["C"].visited_branches, units["C"].active_branches) == (2, 3)


@pytest.mark.django_db
def test_visits_of_another_campaign_or_after_the_day_do_not_count(org, campaign):
    other = CampaignFactory(scope=[org.company])
    VisitFactory(campaign=other, branch=org.city_branch)
    VisitFactory(campaign=campaign, branch=org.county_branch, visited_on=datetime.date(2020, 11, 1))

    total, _ = compute_coverage(campaign=campaign, day=datetime.date(2020, 10, 31))
    assert total.visited_branches == 0
    total, _ = compute_coverage(campaign=campaign, day=DAY)
    assert total.visited_branches == 1


@pytest.mark.django_db
def test_a_campaign_scoped_to_one_unit_counts_only_its_subtree(org):
    campaign = CampaignFactory(scope=[org.county])
    VisitFactory(campaign=campaign, branch=org.station_branch)

    total, by_unit = compute_coverage(campaign=campaign, day=DAY)

    assert (total.visited_branches, total.active_branches) == (1, 2)
    assert set(_by_code(by_unit)) == {"C-CTY", "C-CTY-S"}


@pytest.mark.django_db
def test_area_means_use_each_branch_latest_completed_visit(org, campaign):
    VisitFactory(campaign=campaign, branch=org.city_branch, score=Decimal("8"))
    VisitFactory(
        campaign=campaign, branch=org.county_branch, visited_on=datetime.date(2020, 5, 1), score=Decimal("5")
    )
    VisitFactory(
        campaign=campaign, branch=org.county_branch, visited_on=datetime.date(2020, 9, 1), score=Decimal("9")
    )

    rollup_coverage(campaign=campaign, day=DAY)

    total = CoverageSnapshot.objects.get(campaign=campaign, unit=None, day=DAY)
    # Three items per area: the city branch scores 24 an area, the county branch's latest visit 27.
    assert total.area_scores == {"A1": 25.5, "A2": 25.5, "A3": 25.5}
    assert total.mean_total == Decimal("76.50")
    county = CoverageSnapshot.objects.get(campaign=campaign, unit=org.county, day=DAY)
    assert county.area_scores == {"A1": 27.0, "A2": 27.0, "A3": 27.0}


@pytest.mark.django_db
def test_open_and_overdue_problems_count_for_the_owner_unit(org, campaign):
    visit = VisitFactory(campaign=campaign, branch=org.station_branch)
    ProblemFactory(visit=visit, due_on=datetime.date(2020, 7, 1))
    ProblemFactory(visit=visit, due_on=datetime.date(2021, 3, 1))
    ProblemFactory(
        visit=visit,
        status="resolved",
        resolution="已整改",
        evidence="整改报告",
        resolved_on=datetime.date(2020, 8, 1),
    )

    total, by_unit = compute_coverage(campaign=campaign, day=DAY)

    assert (total.open_problems, total.overdue_problems) == (2, 1)
    units = _by_code(by_unit)
    assert (units["C-CTY"].open_problems, units["C-CTY"].overdue_problems) == (2, 1)
    assert units["C-CITY"].open_problems == 0
    # Before it was resolved, the third problem was still open.
    earlier, _ = compute_coverage(campaign=campaign, day=datetime.date(2020, 7, 15))
    assert earlier.open_problems == 3


@pytest.mark.django_db
def test_coverage_percent_rounds_to_one_decimal(org):
    snapshot = CoverageSnapshot(active_branches=305, visited_branches=213)
    assert snapshot.coverage_percent == Decimal("69.8")
    assert CoverageSnapshot(active_branches=0, visited_branches=0).coverage_percent is None


@pytest.mark.django_db
def test_the_roll_up_does_not_grow_its_query_count_with_branches(org, campaign):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def run():
        fresh = Campaign.objects.get(pk=campaign.pk)
        with CaptureQueriesContext(connection) as captured:
            compute_coverage(campaign=fresh, day=DAY)
        return len(captured.captured_queries)

    VisitFactory(campaign=campaign, branch=org.city_branch)
    small = run()
    for _ in range(3):
        unit = UnitFactory(parent=org.company)
        for branch in BranchFactory.create_batch(5, unit=unit):
            VisitFactory(campaign=campaign, branch=branch)
    assert run() == small

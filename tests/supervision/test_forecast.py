"""The coverage forecast against hand-computed cases, then from the database per unit."""

import datetime
from decimal import Decimal

from org.models import Unit
from supervision import services
from supervision.forecast import Counts, forecast_for, project, unit_forecasts
from supervision.models import PlannedVisit
from supervision.services import PlanRow
from tests.factories import BranchFactory
from tests.supervision.factories import VisitFactory

D = datetime.date


def test_both_projections_by_hand():
    # 100 active branches; 40 visited by 1 June, 26 of them by 4 May (28 days before):
    # 14 in 28 days = 0.5 a day. 30 days left to 1 July: 40 + 15 = 55 at the rate.
    # Two plans fall due by the end (the third, on 5 July, after it): 42 by the plan.
    forecast = project(
        counts=Counts(
            active=100,
            visited=40,
            visited_at_window_start=26,
            planned_due=(D(2020, 6, 10), D(2020, 6, 20), D(2020, 7, 5)),
        ),
        as_of=D(2020, 6, 1),
        starts_on=D(2020, 3, 1),
        ends_on=D(2020, 7, 1),
        target_percent=Decimal("100"),
        curves=True,
    )
    assert forecast.rate_per_week == Decimal("3.5")
    assert (forecast.by_rate, forecast.by_rate_percent) == (Decimal("55.0"), Decimal("55.0"))
    assert (forecast.planned, forecast.by_plan, forecast.by_plan_percent) == (2, 42, Decimal("42.0"))
    # 60 branches to go at 0.5 a day: 120 days after 1 June.
    assert forecast.target_reached_on == D(2020, 9, 29)
    assert forecast.at_risk and forecast.shortfall == Decimal("45.0") and forecast.unplanned == 58
    # The curves start at today's coverage and end on the campaign's last day.
    assert forecast.plan_curve[0] == (D(2020, 6, 1), Decimal("40.0"))
    assert forecast.plan_curve[-1] == (D(2020, 7, 1), Decimal("42.0"))
    assert forecast.plan_curve[2] == (D(2020, 6, 15), Decimal("41.0"))  # the 10 June plan is due by then
    assert forecast.rate_curve[1] == (D(2020, 6, 8), Decimal("43.5"))
    assert forecast.rate_curve[-1] == (D(2020, 7, 1), Decimal("55.0"))


def test_the_reference_year_falls_just_short_of_a_70_percent_target():
    # 70% of 305 is 213.5, so the target takes 214 branches: 213 is one short.
    forecast = project(
        counts=Counts(active=305, visited=213, visited_at_window_start=213),
        as_of=D(2020, 6, 15),
        starts_on=D(2020, 3, 1),
        ends_on=D(2020, 12, 31),
        target_percent=Decimal("70"),
    )
    assert forecast.coverage_percent == Decimal("69.8") and forecast.target_branches == 214
    assert not forecast.reached and forecast.at_risk and forecast.target_reached_on is None
    assert forecast.by_rate == Decimal("213.0") and forecast.shortfall == Decimal("1.0")


def test_the_rate_at_the_start_uses_the_days_so_far_and_never_passes_every_branch():
    # 12 days into the campaign (20 May to 31 May), 6 visited: half a branch a day.
    forecast = project(
        counts=Counts(active=10, visited=6),
        as_of=D(2020, 5, 31),
        starts_on=D(2020, 5, 20),
        ends_on=D(2020, 6, 30),
        target_percent=Decimal("100"),
    )
    assert forecast.rate_per_week == Decimal("3.5")
    assert forecast.by_rate == Decimal("10.0")  # capped at the active branches
    assert forecast.target_reached_on == D(2020, 6, 8)  # 4 to go: 8 days
    assert not forecast.at_risk


def test_reached_and_empty():
    reached = project(
        counts=Counts(active=4, visited=4, visited_at_window_start=4),
        as_of=D(2020, 6, 1),
        starts_on=D(2020, 3, 1),
        ends_on=D(2020, 7, 1),
        target_percent=Decimal("100"),
    )
    assert reached.reached and reached.target_reached_on == D(2020, 6, 1) and not reached.at_risk
    empty = project(
        counts=Counts(),
        as_of=D(2020, 6, 1),
        starts_on=D(2020, 3, 1),
        ends_on=D(2020, 7, 1),
        target_percent=Decimal("100"),
        curves=True,
    )
    assert empty.coverage_percent is None and not empty.at_risk and empty.plan_curve == []


def test_forecast_from_the_database_per_unit_and_as_it_stood(org, campaign):
    # county: 2 active branches (county, station), the station visited on 20 May; city: 1, not visited.
    VisitFactory(campaign=campaign, branch=org.station_branch, visited_on=D(2020, 5, 20))
    VisitFactory(campaign=campaign, branch=org.station_branch, visited_on=D(2020, 5, 25))  # a repeat
    BranchFactory(unit=org.city, active=False)
    services.assign_visits(
        user=org.admin,
        campaign=campaign,
        rows=[
            PlanRow(
                branch_id=org.county_branch.pk, visitor_ids=(org.unit_staff.pk,), planned_on=D(2020, 6, 10)
            )
        ],
        today=D(2020, 6, 1),
    )
    PlannedVisit.objects.update(created_at=datetime.datetime(2020, 6, 1, tzinfo=datetime.UTC))
    total = forecast_for(campaign=campaign, unit=None, as_of=D(2020, 6, 1))
    assert (total.active, total.visited, total.planned, total.by_plan) == (3, 1, 1, 2)
    # One branch in the last 28 days: 0.25 a week, by the end (213 days left) 1 + 213/28 = 8.6, capped at 3.
    assert total.rate_per_week == Decimal("0.3") and total.by_rate == Decimal("3.0")
    rows = {
        row.unit.code: row.forecast
        for row in unit_forecasts(campaign=campaign, units=Unit.objects.all(), as_of=D(2020, 6, 1))
    }
    assert (rows["C"].active, rows["C"].visited, rows["C"].planned) == (3, 1, 1)
    assert (rows["C-CTY"].active, rows["C-CTY"].visited, rows["C-CTY"].planned) == (2, 1, 1)
    assert (rows["C-CITY"].active, rows["C-CITY"].visited, rows["C-CITY"].at_risk) == (1, 0, True)
    # Before the station's visit and before the plan was made, as it stood on 1 May.
    before = forecast_for(campaign=campaign, unit=org.county, as_of=D(2020, 5, 1))
    assert (before.visited, before.planned, before.target_reached_on) == (0, 0, None)

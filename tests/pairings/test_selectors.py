"""Figures the year-end export reads: per branch, pairings running in a year and activities in it."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext

from org.models import Branch
from pairings.models import Pairing
from pairings.selectors import (
    BranchPairingFigures,
    branch_pairing_figures,
    branch_pairing_figures_for,
)
from tests.pairings.factories import ActivityFactory, PairingFactory


def test_per_branch_pairings_and_activities_for_a_year(org):
    running = PairingFactory(branch=org.city_branch, start_date=datetime.date(2019, 6, 1))
    PairingFactory(branch=org.city_branch, start_date=datetime.date(2020, 12, 31))
    PairingFactory(  # ended before 2020
        branch=org.city_branch,
        start_date=datetime.date(2018, 1, 1),
        end_date=datetime.date(2019, 12, 31),
        status=Pairing.Status.ENDED,
    )
    PairingFactory(branch=org.county_branch, start_date=datetime.date(2021, 1, 1))  # starts after 2020
    PairingFactory(branch=None, unit=org.county)  # a committee's pairing is no branch's
    ActivityFactory(pairing=running, date=datetime.date(2020, 3, 1))
    ActivityFactory(pairing=running, date=datetime.date(2020, 9, 1))
    ActivityFactory(pairing=running, date=datetime.date(2019, 9, 1))

    with CaptureQueriesContext(connection) as queries:
        figures = branch_pairing_figures(year=2020)
    assert len(queries) == 2
    assert figures == {org.city_branch.pk: BranchPairingFigures(pairings=2, activities=2)}
    scoped = branch_pairing_figures(year=2020, branches=Branch.objects.filter(pk=org.county_branch.pk))
    assert scoped == {}
    assert branch_pairing_figures_for(branch=org.station_branch, year=2020) == BranchPairingFigures(0, 0)
    assert branch_pairing_figures_for(branch=org.city_branch, year=2019) == BranchPairingFigures(2, 1)

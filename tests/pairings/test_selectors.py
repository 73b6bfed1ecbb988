"""Pairings' year-end figures per branch (`pairings.year_end`): pairings running in a year, activities in it."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext

from branchtrack.web.year_end import collect
from org.models import Branch
from pairings import year_end
from pairings.models import Pairing
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

    def figures(year, scope_path=""):
        rows = collect(
            year_end.year_sources(year=year, scope_path=scope_path),
            Branch.objects.values_list("pk", flat=True),
        )
        return {
            pk: (row["pairings"], row["activities"])
            for pk, row in rows.items()
            if row["pairings"] or row["activities"]
        }

    with CaptureQueriesContext(connection) as queries:
        in_2020 = figures(2020)
    assert len(queries) == 3  # the branch ids, then one query per side
    assert in_2020 == {org.city_branch.pk: (2, 2)}
    assert figures(2020, scope_path=org.county.path) == {}
    assert figures(2019) == {org.city_branch.pk: (2, 1)}

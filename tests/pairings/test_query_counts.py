"""The pairings pages' query counts are pinned and do not grow with the data."""

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile

from pairings.models import Theme
from pairings.services import OutcomeData, log_activity
from tests.factories import BranchFactory
from tests.pairings.factories import ActivityFactory, LiaisonGroupFactory, PairingFactory, VillageFactory

JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


def _grow(org, pairing=None):
    themes = list(Theme.objects.all())

    def grow():
        for index in range(6):
            branch = BranchFactory(unit=org.station if index % 2 else org.city)
            target = PairingFactory(branch=branch, themes=themes[: index % 3 + 1])
            for day in range(3):
                ActivityFactory(pairing=target, date=datetime.date(2020, index + 1, day + 1))
            LiaisonGroupFactory(branch=branch, villages=[VillageFactory(), VillageFactory()])
        PairingFactory(branch=None, unit=org.county, themes=themes[:2])
        if pairing is not None:
            for index in range(4):
                log_activity(
                    pairing=pairing,
                    user=org.staff,
                    date=datetime.date(2020, 7, index + 1),
                    title=f"活动{index}",
                    description="d",
                    outcomes=[OutcomeData("杆塔", 16, "基"), OutcomeData("线路", 4.5, "km")],
                    uploads=[SimpleUploadedFile("p.jpg", JPEG)],
                )

    return grow


def _seed(org):
    pairing = PairingFactory(branch=org.city_branch, themes=list(Theme.objects.all()[:2]))
    ActivityFactory(pairing=pairing)
    LiaisonGroupFactory(branch=org.city_branch, villages=[VillageFactory()])
    return pairing


def test_the_pairings_list_query_count_is_pinned(login, org):
    from tests.query_budget import assert_page_within_budget

    _seed(org)
    assert_page_within_budget(
        app="pairings", page="pairing_list", client=login(org.staff), url="/pairings/", grow=_grow(org)
    )


def test_the_pairing_page_query_count_is_pinned(login, org):
    from tests.query_budget import assert_page_within_budget

    pairing = _seed(org)
    assert_page_within_budget(
        app="pairings",
        page="pairing_detail",
        client=login(org.staff),
        url=f"/pairings/{pairing.pk}/",
        grow=_grow(org, pairing),
    )


def test_the_summary_page_query_count_is_pinned(login, org):
    from tests.query_budget import assert_page_within_budget

    _seed(org)
    assert_page_within_budget(
        app="pairings",
        page="summary",
        client=login(org.unit_staff),
        url="/pairings/summary/?year=2020",
        grow=_grow(org),
    )


def test_the_activity_list_query_count_is_pinned(login, org):
    from tests.query_budget import assert_page_within_budget

    _seed(org)
    assert_page_within_budget(
        app="pairings",
        page="activity_list",
        client=login(org.staff),
        url="/pairings/activities/",
        grow=_grow(org),
    )


def test_the_liaison_list_query_count_is_pinned(login, org):
    from tests.query_budget import assert_page_within_budget

    _seed(org)
    assert_page_within_budget(
        app="pairings",
        page="liaison_list",
        client=login(org.staff),
        url="/pairings/liaison/",
        grow=_grow(org),
    )


def test_the_external_organisation_list_query_count_is_pinned(login, org):
    from tests.query_budget import assert_page_within_budget

    _seed(org)
    assert_page_within_budget(
        app="pairings",
        page="external_org_list",
        client=login(org.staff),
        url="/pairings/external/",
        grow=_grow(org),
    )

"""Query counts per endpoint (tests/api/query_counts.json), measured before and after growing the data:
a page of any list costs the same number of queries with 2 rows of each kind or with 8."""

import datetime
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from api import services
from projects.models import Assignment, ProjectRevision, Rating
from supervision.models import CoverageSnapshot, Feedback, MeetingAttendance
from tests.api.world import _entry, build_api_world
from tests.factories import BranchFactory, UnitFactory
from tests.pairings.factories import ActivityFactory, LiaisonGroupFactory, PairingFactory, VillageFactory
from tests.projects.factories import BranchProjectFactory
from tests.query_budget import assert_page_within_budget
from tests.supervision.factories import ProblemFactory, VisitFactory

ENDPOINTS = [
    "units",
    "branches",
    "campaigns",
    "coverage",
    "visits",
    "findings",
    "meetings",
    "feedback",
    "projects",
    "rounds",
    "ratings",
    "tracking-lists",
    "tracking-entries",
    "outstanding-lists",
    "pairings",
    "activities",
    "liaison-groups",
]


def _grow(api_world, copies=3):
    org = api_world.org
    day = timezone.localdate()
    for n in range(copies):
        unit = UnitFactory(parent=org.county, code=f"C-CTY-G{n}", name=f"新单位{n}")
        branch = BranchFactory(unit=unit, code=f"B-G{n}", name=f"新支部{n}")
        visit = VisitFactory(campaign=api_world.campaign, branch=branch, created_by=org.staff)
        ProblemFactory(visit=visit, owner_unit=unit)
        project = BranchProjectFactory(branch=branch, departments=[org.department])
        Assignment.objects.create(round=api_world.rating_round, project=project, department=org.department)
        ProjectRevision.objects.create(
            project=project, number=1, changed_by=org.admin, changed_at=timezone.now()
        )
        Rating.objects.create(
            round=api_world.rating_round,
            project=project,
            department=org.department,
            rater=api_world.other_reviewer,
            score=Decimal("70"),
        )
        _entry(api_world.tracking_list, project, 10 + n)
        api_world.outstanding.projects.add(project)
        pairing = PairingFactory(branch=branch)
        activity = ActivityFactory(pairing=pairing)
        activity.outcomes.create(label="成果", value=Decimal("1"))
        LiaisonGroupFactory(branch=branch, villages=[VillageFactory(), VillageFactory()])
        CoverageSnapshot.objects.create(
            campaign=api_world.campaign, unit=unit, day=day, active_branches=1, visited_branches=1
        )
        MeetingAttendance.objects.create(
            unit=unit, held_on=day, title="例会", attendees="王", created_by=org.staff
        )
        Feedback.objects.create(campaign=api_world.campaign, unit=unit, summary="反馈", created_by=org.staff)
    from supervision.models import Campaign

    Campaign.objects.create(
        name="再一次",
        year=2021,
        starts_on=datetime.date(2021, 1, 1),
        ends_on=datetime.date(2021, 12, 31),
        template=api_world.campaign.template,
    )


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_list_query_count_does_not_grow(org, endpoint):
    api_world = build_api_world(org)
    _token, secret = services.create_personal_token(user=org.admin, name="qc", access="read")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    client.get("/api/v1/units/")  # the token's first use writes last_used_at; pages after it do not
    assert_page_within_budget(
        app="api", page=endpoint, client=client, url=f"/api/v1/{endpoint}/", grow=lambda: _grow(api_world)
    )

"""The permission matrix's world plus what only the API lists: snapshots, meetings, ratings, published lists.

Every kind of object exists once on the county side (in scope for the county's admin and staff) and
once on the city side (the secretary's branch, the reviewer's home unit).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from org.models import Role
from projects.models import OutstandingList, Rating, TrackingEntry, TrackingList
from supervision.models import CoverageSnapshot, MeetingAttendance
from tests.factories import UserFactory
from tests.security.world import World, build_world


@dataclass
class ApiWorld:
    world: World
    other_reviewer: object
    objects: dict  # endpoint -> {"county": obj, "city": obj}
    tracking_list: TrackingList
    outstanding: OutstandingList

    def __getattr__(self, name):
        return getattr(self.__dict__["world"], name)


def _entry(tracking_list, project, position):
    figures = {name: Decimal("80") for name in ("aggregate", "mean", "median")}
    return TrackingEntry.objects.create(
        tracking_list=tracking_list,
        project=project,
        position=position,
        rank=position,
        stddev=Decimal("0"),
        zscore=Decimal("0"),
        departments_rated=1,
        on_list=True,
        **figures,
    )


def build_api_world(org) -> ApiWorld:
    world = build_world(org)
    # A reviewer of the same department from the county: the city project is theirs to rate.
    other_reviewer = UserFactory(
        username="t-reviewer2", role=Role.REVIEWER, unit=org.county, department=org.department
    )
    day = timezone.localdate()
    snapshots, meetings, ratings = {}, {}, {}
    for side in ("county", "city"):
        unit = getattr(org, side)
        snapshots[side] = CoverageSnapshot.objects.create(
            campaign=world.campaign, unit=unit, day=day, active_branches=2, visited_branches=1
        )
        meetings[side] = MeetingAttendance.objects.create(
            unit=unit, held_on=day, title="例会", attendees="王芳", created_by=org.staff
        )
        ratings[side] = Rating.objects.create(
            round=world.rating_round,
            project=getattr(world, f"{side}_project"),
            department=org.department,
            rater=other_reviewer,
            score=Decimal("77"),
        )
    tracking_list = TrackingList.objects.create(
        round=world.rating_round,
        number=1,
        published_at=timezone.now(),
        published_by=org.admin,
        ranked_count=2,
        target_size=2,
        size=2,
    )
    entries = {
        "county": _entry(tracking_list, world.county_project, 1),
        "city": _entry(tracking_list, world.city_project, 2),
    }
    outstanding = OutstandingList.objects.create(
        tracking_list=tracking_list,
        number=1,
        confirmed_at=timezone.now(),
        confirmed_by=org.admin,
        target_size=2,
    )
    outstanding.projects.set([world.county_project, world.city_project])
    objects = {
        "units": {"county": org.county, "city": org.city},
        "branches": {"county": org.county_branch, "city": org.city_branch},
        "coverage": snapshots,
        "visits": {"county": world.county_visit, "city": world.city_visit},
        "findings": {"county": world.county_problem, "city": world.city_problem},
        "meetings": meetings,
        "feedback": {"county": world.county_feedback, "city": world.city_feedback},
        "projects": {"county": world.county_project, "city": world.city_project},
        "ratings": ratings,
        "tracking-entries": entries,
        "pairings": {"county": world.county_pairing, "city": world.city_pairing},
        "activities": {"county": world.county_activity, "city": world.city_activity},
        "liaison-groups": {"county": world.county_liaison, "city": world.city_liaison},
    }
    return ApiWorld(
        world=world,
        other_reviewer=other_reviewer,
        objects=objects,
        tracking_list=tracking_list,
        outstanding=outstanding,
    )
